/* vocab.h — the mergeable-token table: rank -> bytes and bytes -> rank. */
#ifndef TKM_VOCAB_H
#define TKM_VOCAB_H

#include "internal.h"
#include "ranks.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <string.h>

typedef struct tkm_vocab {
    uint32_t n_ranks;      /* largest rank + 1 */
    const uint32_t *off;   /* n_ranks + 1 offsets; token r is bytes[off[r], off[r+1]); empty = no token */
    const uint8_t *bytes;
    uint64_t *slots;       /* open addressing: (hash >> 32) << 32 | (rank + 1); 0 = empty */
    size_t mask;
    size_t n_tokens;
    uint32_t max_len;      /* longest token in bytes */
    uint32_t byte_rank[256];
    uint32_t *owned_off;   /* NULL when off/bytes are embedded (static) data */
    uint8_t *owned_bytes;
} tkm_vocab;

/* Build from a parsed rank list (copies the data into rank order).
 * Returns TKM_OK, TKM_ERR_RANK_DUPLICATE (detail: line), TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_vocab_build(tkm_vocab *v, const tkm_rank_list *l,
                                        const tkm_allocator *a, tkm_error_detail *d);
/* Wrap static, rank-ordered data (embedded built-ins); only the hash table is
 * allocated. The data was validated at build time by the same parser. */
TKM_INTERNAL tkm_status tkm_vocab_wrap(tkm_vocab *v, uint32_t n_ranks, const uint32_t *off,
                                       const uint8_t *bytes, const tkm_allocator *a);
TKM_INTERNAL void tkm_vocab_free(tkm_vocab *v, const tkm_allocator *a);

static inline uint32_t tkm_vocab_token_len(const tkm_vocab *v, uint32_t r)
{
    return v->off[r + 1] - v->off[r];
}

/* Rank of the token with exactly these bytes, or TKM_NO_RANK. */
static inline uint32_t tkm_vocab_lookup(const tkm_vocab *v, const uint8_t *p, size_t n)
{
    if (n == 1)
        return v->byte_rank[p[0]];
    if (n > v->max_len || n == 0)
        return TKM_NO_RANK;
    uint64_t h = XXH3_64bits(p, n);
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & v->mask;
    for (;;) {
        uint64_t s = v->slots[i];
        if (s == 0)
            return TKM_NO_RANK;
        if ((s >> 32) == tag) {
            uint32_t r = (uint32_t)s - 1;
            if (tkm_vocab_token_len(v, r) == n && memcmp(v->bytes + v->off[r], p, n) == 0)
                return r;
        }
        i = (i + 1) & v->mask;
    }
}

#endif
