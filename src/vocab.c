/* vocab.c — building the token table.
 *
 * Tokens live in one contiguous arena in rank order, so decoding is an array
 * index. The hash table (vocab.h) keeps each token's first 8 bytes inline:
 * 16 bytes a slot and a one-byte tag beside it, load factor <= 3/4, xxh3 for
 * tokens longer than 8 bytes; the 3-byte filter is filled as tokens go in.
 */
#include "vocab.h"

#include "backtrack.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t tkm_vocab_hash_long(const uint8_t *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* Insert rank r; with `check`, first look for a duplicate (the embedded
 * built-ins were checked by tools/embed.c at build time and skip this). */
static tkm_status insert(tkm_vocab *v, uint32_t r, bool check, uint32_t *existing)
{
    const uint8_t *p = v->bytes + v->off[r];
    size_t n = tkm_vocab_token_len(v, r);
    uint32_t found = check ? tkm_vocab_lookup(v, p, n) : TKM_NO_RANK;
    if (found != TKM_NO_RANK) {
        *existing = found;
        return TKM_ERR_RANK_DUPLICATE;
    }
    if (n == 1) { /* single bytes live in byte_rank, not in the table */
        v->byte_rank[p[0]] = r;
        return TKM_OK;
    }
    if (n == 2) { /* and pairs in pair_rank: the first lookups of every merge */
        v->owned_pairs[(size_t)p[0] << 8 | p[1]] = r;
        return TKM_OK;
    }
    if (n == 3) {
        size_t b = tkm_vocab_tri_bit(p);
        v->owned_tri[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    uint64_t head = tkm_vocab_head(p, n);
    uint64_t h = tkm_vocab_hash(p, n, head);
    size_t i = (size_t)h & v->mask;
    tkm_vocab_slot *slots = v->owned_slots;
    while (slots[i].len)
        i = (i + 1) & v->mask;
    slots[i].head = head;
    slots[i].rank = r;
    slots[i].len = (uint16_t)n;
    slots[i].tag = (uint16_t)(h >> 48);
    v->owned_tags[i] = tkm_vocab_tag(h);
    if (i < TKM_VOCAB_GROUP)
        v->owned_tags[v->mask + 1 + i] = tkm_vocab_tag(h);
    return TKM_OK;
}

/* The table holds the tokens of 3 bytes or more, at a load of at most 3/4
 * (vocab.h says why so dense), and never fills: a probe always ends. */
static tkm_status alloc_table(tkm_vocab *v, const tkm_allocator *a)
{
    size_t n_long = 0;
    for (uint32_t r = 0; r < v->n_ranks; r++)
        n_long += tkm_vocab_token_len(v, r) > 2;
    size_t cap = 32;
    while (cap / 4 * 3 < n_long + 1)
        cap *= 2;
    v->owned_slots = tkm_calloc_array(a, cap, sizeof *v->owned_slots);
    v->owned_tags = tkm_calloc_array(a, cap + TKM_VOCAB_GROUP, 1);
    v->owned_pairs = tkm_alloc_array(a, 65536, sizeof *v->owned_pairs);
    v->owned_tri = tkm_calloc_array(a, TKM_VOCAB_TRI_WORDS, sizeof *v->owned_tri);
    if (!v->owned_slots || !v->owned_tags || !v->owned_pairs || !v->owned_tri) {
        tkm_free(a, v->owned_slots);
        tkm_free(a, v->owned_tags);
        tkm_free(a, v->owned_pairs);
        tkm_free(a, v->owned_tri);
        v->owned_slots = NULL;
        v->owned_tags = NULL;
        v->owned_pairs = NULL;
        v->owned_tri = NULL;
        return TKM_ERR_NOMEM;
    }
    memset(v->owned_pairs, 0xff, 65536 * sizeof *v->owned_pairs); /* TKM_NO_RANK */
    v->slots = v->owned_slots;
    v->tags = v->owned_tags;
    v->pair_rank = v->owned_pairs;
    v->tri = v->owned_tri;
    v->mask = cap - 1;
    return TKM_OK;
}

/* Once byte_rank is filled. */
static void finish_bytes(tkm_vocab *v)
{
    v->every_byte = true;
    for (int b = 0; b < 256; b++)
        v->every_byte &= v->byte_rank[b] != TKM_NO_RANK;
}

static void finish_stats(tkm_vocab *v)
{
    v->n_tokens = 0;
    v->max_len = 0;
    for (int b = 0; b < 256; b++)
        v->byte_rank[b] = TKM_NO_RANK;
    for (uint32_t r = 0; r < v->n_ranks; r++) {
        uint32_t n = tkm_vocab_token_len(v, r);
        if (n == 0)
            continue;
        v->n_tokens++;
        if (n > v->max_len)
            v->max_len = n;
    }
}

void tkm_vocab_wrap_tables(tkm_vocab *v, uint32_t n_ranks, const uint32_t *off,
                           const uint8_t *bytes, const tkm_vocab_slot *slots,
                           const uint8_t *tags, size_t n_slots, const uint32_t *pair_rank,
                           const uint64_t *tri, const struct tkm_bt_tables *bt,
                           const tkm_allocator *a)
{
    memset(v, 0, sizeof *v);
    v->alloc = a;
    v->bt = (void *)(uintptr_t)bt; /* static: tkm_bt_free leaves it */
    v->n_ranks = n_ranks;
    v->off = off;
    v->bytes = bytes;
    v->slots = slots;
    v->tags = tags;
    v->mask = n_slots - 1;
    v->pair_rank = pair_rank;
    v->tri = tri;
    finish_stats(v);
    for (uint32_t r = 0; r < n_ranks; r++)
        if (tkm_vocab_token_len(v, r) == 1)
            v->byte_rank[bytes[off[r]]] = r;
    finish_bytes(v);
}

tkm_status tkm_vocab_wrap(tkm_vocab *v, uint32_t n_ranks, const uint32_t *off,
                          const uint8_t *bytes, const tkm_allocator *a)
{
    memset(v, 0, sizeof *v);
    v->alloc = a;
    v->n_ranks = n_ranks;
    v->off = off;
    v->bytes = bytes;
    finish_stats(v);
    if (alloc_table(v, a) != TKM_OK)
        return TKM_ERR_NOMEM;
    for (uint32_t r = 0; r < n_ranks; r++) {
        uint32_t dup;
        if (tkm_vocab_token_len(v, r) && insert(v, r, false, &dup) != TKM_OK) {
            tkm_vocab_free(v);
            return TKM_ERR_INTERNAL; /* impossible: validated at build time */
        }
    }
    finish_bytes(v);
    return TKM_OK;
}

tkm_status tkm_vocab_build(tkm_vocab *v, const tkm_rank_list *l, const tkm_allocator *a,
                           tkm_error_detail *d)
{
    memset(v, 0, sizeof *v);
    v->alloc = a;
    v->n_ranks = l->max_rank + 1;
    /* Per-rank lengths first (to detect duplicate ranks), then prefix sums. */
    uint32_t *off = tkm_calloc_array(a, (size_t)v->n_ranks + 1, sizeof *off);
    const tkm_rank_entry **by_rank = tkm_calloc_array(a, v->n_ranks, sizeof *by_rank);
    uint8_t *bytes = tkm_alloc(a, l->n_bytes);
    if (!off || !by_rank || !bytes || l->n_bytes > UINT32_MAX) {
        tkm_free(a, off);
        tkm_free(a, (void *)by_rank);
        tkm_free(a, bytes);
        return tkm_fail(d, TKM_ERR_NOMEM, "rank data: out of memory");
    }
    tkm_status st = TKM_OK;
    for (size_t i = 0; i < l->n; i++) {
        const tkm_rank_entry *e = &l->entries[i];
        if (e->len > UINT16_MAX) {
            if (d) {
                d->line = e->line;
                d->offset = e->text_off;
            }
            st = tkm_fail(d, TKM_ERR_RANK_PARSE, "line %zu: token longer than 65535 bytes",
                          e->line);
            break;
        }
        if (by_rank[e->rank]) {
            if (d) {
                d->line = e->line;
                d->offset = e->text_off;
            }
            st = tkm_fail(d, TKM_ERR_RANK_DUPLICATE, "line %zu: rank %u already used on line %zu",
                          e->line, e->rank, by_rank[e->rank]->line);
            break;
        }
        by_rank[e->rank] = e;
    }
    if (st == TKM_OK) {
        uint32_t o = 0;
        for (uint32_t r = 0; r < v->n_ranks; r++) {
            off[r] = o;
            if (by_rank[r]) {
                memcpy(bytes + o, l->bytes + by_rank[r]->off, by_rank[r]->len);
                o += by_rank[r]->len;
            }
        }
        off[v->n_ranks] = o;
        v->off = v->owned_off = off;
        v->bytes = v->owned_bytes = bytes;
        finish_stats(v);
        if (alloc_table(v, a) != TKM_OK)
            st = tkm_fail(d, TKM_ERR_NOMEM, "rank data: out of memory");
        /* Insert in file order so a duplicate token is reported at its
         * second occurrence in the file. */
        for (size_t i = 0; st == TKM_OK && i < l->n; i++) {
            uint32_t prev;
            const tkm_rank_entry *e = &l->entries[i];
            if (insert(v, e->rank, true, &prev) != TKM_OK) {
                if (d) {
                    d->line = e->line;
                    d->offset = e->text_off;
                }
                st = tkm_fail(d, TKM_ERR_RANK_DUPLICATE,
                              "line %zu: token of rank %u duplicates the token of rank %u",
                              e->line, e->rank, prev);
            }
        }
    }
    tkm_free(a, (void *)by_rank);
    if (st == TKM_OK) {
        finish_bytes(v);
        return TKM_OK;
    }
    if (v->off != off) { /* failed before the arrays were handed to v */
        tkm_free(a, off);
        tkm_free(a, bytes);
    }
    tkm_vocab_free(v);
    return st;
}

void tkm_vocab_free(tkm_vocab *v)
{
    if (!v || !v->alloc)
        return; /* never built or wrapped: owns nothing */
    const tkm_allocator *a = v->alloc;
    tkm_free(a, v->owned_slots);
    tkm_free(a, v->owned_tags);
    tkm_free(a, v->owned_pairs);
    tkm_free(a, v->owned_tri);
    tkm_free(a, v->owned_off);
    tkm_free(a, v->owned_bytes);
    tkm_bt_free(v);
    memset(v, 0, sizeof *v);
}
