/* piece_cache.c — allocation and ownership of the per-context piece cache
 * (the lookups are inline in piece_cache.h). */
#include "piece_cache.h"

/* A context that encodes only a few short texts never pays for the tables
 * (896 KiB, and the misses that fill them). */
#define WARM_BYTES 16384

#define LONG_BYTES (((size_t)1 << TKM_PIECE_CACHE_BITS) * sizeof(tkm_piece_entry))
#define SHORT_BYTES (((size_t)1 << TKM_PIECE_SHORT_BITS) * sizeof(tkm_short_entry))
#define MEMO_BYTES (((size_t)1 << TKM_PAIR_MEMO_BITS) * sizeof(tkm_pair_entry))

/* The two piece tables and the pair memo, allocated as one block. */
static size_t table_bytes(void)
{
    return LONG_BYTES + SHORT_BYTES + MEMO_BYTES;
}

bool tkm_piece_cache_bind(tkm_piece_cache *c, const uint64_t fp[2], uint32_t n_ranks,
                          size_t len, const tkm_allocator *a)
{
    /* The short table packs ids in TKM_PIECE_ID_BITS bits. */
    c->short_ok = n_ranks <= TKM_PIECE_ID_MASK + 1;
    if (TKM_UNLIKELY(!c->e)) {
        c->seen += len;
        if (c->failed || c->seen < WARM_BYTES)
            return false;
        c->raw = tkm_alloc(a, table_bytes() + 64);
        if (!c->raw) {
            c->failed = true;
            return false;
        }
        /* Align to a cache line: one probe, one line. */
        uintptr_t p = ((uintptr_t)c->raw + 63) & ~(uintptr_t)63;
        c->e = (tkm_piece_entry *)p;
        c->s = (tkm_short_entry *)(c->e + ((size_t)1 << TKM_PIECE_CACHE_BITS));
        c->pairs = (tkm_pair_entry *)(c->s + ((size_t)1 << TKM_PIECE_SHORT_BITS));
        memset(c->e, 0, table_bytes()); /* epoch 0 is never live */
        c->epoch = 1;
        c->owner[0] = fp[0];
        c->owner[1] = fp[1];
        return true;
    }
    if (TKM_UNLIKELY(c->owner[0] != fp[0] || c->owner[1] != fp[1])) {
        c->owner[0] = fp[0];
        c->owner[1] = fp[1];
        if (++c->epoch == 0) { /* wrapped: old entries could look live again */
            memset(c->e, 0, table_bytes());
            c->epoch = 1;
        } else if ((c->epoch & 15) == 0) {
            /* The short table and the pair memo keep the epoch's low 4
             * bits, never 0 for a live epoch: entries from 16 epochs ago
             * would look live. */
            memset(c->s, 0, SHORT_BYTES + MEMO_BYTES);
            c->epoch++;
        }
    }
    return true;
}

void tkm_piece_cache_free(tkm_piece_cache *c, const tkm_allocator *a)
{
    if (!c)
        return;
    tkm_free(a, c->raw);
    memset(c, 0, sizeof *c);
}
