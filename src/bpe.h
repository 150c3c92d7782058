/* bpe.h — byte-pair merging of one piece into token ids. */
#ifndef TKM_BPE_H
#define TKM_BPE_H

#include "internal.h"
#include "vocab.h"

#include <string.h>

/* Where tokens go: stored while they fit in ids[0..cap), always counted.
 * Work stops early once n > limit (count with a limit). */
typedef struct tkm_sink {
    uint32_t *ids;
    size_t cap;
    size_t n;
    size_t limit;
} tkm_sink;

static inline void tkm_sink_put(tkm_sink *s, uint32_t id)
{
    if (s->n < s->cap)
        s->ids[s->n] = id;
    s->n++;
}

static inline void tkm_sink_put_all(tkm_sink *s, const uint32_t *ids, size_t n)
{
    size_t m = s->n, room = s->cap > m ? s->cap - m : 0;
    size_t k = n < room ? n : room; /* stored; all n are counted */
    for (size_t i = 0; i < k; i++)
        s->ids[m + i] = ids[i];
    s->n = m + n;
}

/* Append ids[0..n) from an array of w >= n entries: with room for w ids,
 * all w are stored (those past the n-th as scratch, which the output
 * convention allows) with no branch on n. */
static inline void tkm_sink_put_upto(tkm_sink *s, const uint32_t *ids, size_t n, size_t w)
{
    size_t m = s->n;
    if (s->cap >= m && s->cap - m >= w) {
        memcpy(s->ids + m, ids, w * sizeof *ids);
        s->n = m + n;
        return;
    }
    tkm_sink_put_all(s, ids, n);
}

/* Append ids[i] for each set bit i of live, lowest first (a merge's parts
 * that were not merged away), all bits below w <= 64. With room for w ids
 * and w <= 8, every slot is stored and the end advances past live parts
 * only: no branch on how many parts there are (base64's short pieces make
 * that count as good as random). */
static inline void tkm_sink_put_live(tkm_sink *s, const uint32_t *ids, uint64_t live, size_t w)
{
    size_t m = s->n;
    if (s->cap >= m && s->cap - m >= w) { /* room for the most there can be */
        uint32_t *d = s->ids + m;
        if (w <= 8) {
            size_t c = 0;
            for (size_t i = 0; i < w; i++) {
                d[c] = ids[i];
                c += live >> i & 1;
            }
            s->n = m + c;
            return;
        }
        for (; live; live &= live - 1)
            *d++ = ids[tkm_ctz64(live)];
        s->n = (size_t)(d - s->ids);
        return;
    }
    for (; live; live &= live - 1)
        tkm_sink_put(s, ids[tkm_ctz64(live)]);
}

static inline bool tkm_sink_done(const tkm_sink *s)
{
    return s->n > s->limit;
}

typedef struct tkm_bpe_scratch {
    uint32_t *arr; /* 4 * n entries for the large merge */
    size_t arr_cap;
    uint64_t *heap;
    size_t heap_cap;
    /* backtracking encoder (backtrack.c) */
    uint32_t *bt_tok;   /* the tokens chosen so far, up to n */
    size_t bt_tok_cap;
    uint64_t *bt_dead;  /* bitfield over offsets 0..n: 0 = no encoding of the rest from there */
    size_t bt_dead_cap;
    size_t bt_pending;  /* bytes of long pieces heap-merged before the tables were built */
} tkm_bpe_scratch;

TKM_INTERNAL void tkm_bpe_scratch_free(tkm_bpe_scratch *s, const tkm_allocator *a);

/* Encode one pre-tokenized piece p[0..n), n >= 1, as tiktoken does: the whole
 * piece if it is a token, else byte-pair merges. Returns TKM_OK,
 * TKM_ERR_UNENCODABLE (*bad = offset in the piece of a byte that is not a
 * token), TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT (piece >= 4 GiB).
 * memo: a piece cache bound to v's encoding (its pair memo answers repeated
 * merge look-ups), or NULL. */
struct tkm_piece_cache;
TKM_INTERNAL tkm_status tkm_bpe_piece(const tkm_vocab *v, const uint8_t *p, size_t n,
                                      tkm_bpe_scratch *s, struct tkm_piece_cache *memo,
                                      const tkm_allocator *a, tkm_sink *out, size_t *bad);

/* The reference merge (tiktoken's _byte_pair_merge, O(n*m)), exposed for the
 * differential tests; appends to out. Same statuses as tkm_bpe_piece. */
TKM_INTERNAL tkm_status tkm_bpe_piece_reference(const tkm_vocab *v, const uint8_t *p, size_t n,
                                                const tkm_allocator *a, tkm_sink *out,
                                                size_t *bad);
/* The same without the whole-piece rule: what byte-pair merging alone makes
 * of p (for a token's own bytes, that token only if merges reach it). */
TKM_INTERNAL tkm_status tkm_bpe_merge_reference(const tkm_vocab *v, const uint8_t *p, size_t n,
                                                const tkm_allocator *a, tkm_sink *out,
                                                size_t *bad);
/* Byte-pair merging alone (no whole-piece rule) of a short piece, 1 <= n
 * <= 64, without allocating: what the backtracking tables precompute for
 * single characters. Same statuses as tkm_bpe_piece but TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_bpe_merge_short(const tkm_vocab *v, const uint8_t *p, size_t n,
                                            tkm_sink *out, size_t *bad);
/* The heap merge alone (no whole-piece rule, never backtracking), for the
 * differential tests. Same statuses as tkm_bpe_piece. */
TKM_INTERNAL tkm_status tkm_bpe_heap_merge(const tkm_vocab *v, const uint8_t *p, size_t n,
                                           tkm_bpe_scratch *s, const tkm_allocator *a,
                                           tkm_sink *out, size_t *bad);
/* If merging p[0..n) (n >= 2, the bytes of a token) ends in that one token,
 * the offset at which its last merge joined two parts; 0 if merging stops
 * at more parts. start and rank need n + 1 entries. */
TKM_INTERNAL size_t tkm_bpe_last_merge(const tkm_vocab *v, const uint8_t *p, size_t n,
                                       uint32_t *start, uint32_t *rank);

#endif
