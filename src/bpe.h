/* bpe.h — byte-pair merging of one piece into token ids. */
#ifndef TKM_BPE_H
#define TKM_BPE_H

#include "internal.h"
#include "vocab.h"

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

static inline bool tkm_sink_done(const tkm_sink *s)
{
    return s->n > s->limit;
}

#define TKM_PAIR_CACHE_BITS 12

typedef struct tkm_bpe_scratch {
    uint32_t *arr; /* 4 * n entries for the large merge */
    size_t arr_cap;
    uint64_t *heap;
    size_t heap_cap;
    uint64_t *pc_key; /* pair cache for giant pieces: (left rank, right rank) */
    uint32_t *pc_val; /* -> rank of their concatenation */
} tkm_bpe_scratch;

TKM_INTERNAL void tkm_bpe_scratch_free(tkm_bpe_scratch *s, const tkm_allocator *a);

/* Encode one pre-tokenized piece p[0..n), n >= 1, as tiktoken does: the whole
 * piece if it is a token, else byte-pair merges. Returns TKM_OK,
 * TKM_ERR_UNENCODABLE (*bad = offset in the piece of a byte that is not a
 * token), TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT (piece >= 4 GiB). */
TKM_INTERNAL tkm_status tkm_bpe_piece(const tkm_vocab *v, const uint8_t *p, size_t n,
                                      tkm_bpe_scratch *s, const tkm_allocator *a, tkm_sink *out,
                                      size_t *bad);

/* The reference merge (tiktoken's _byte_pair_merge, O(n*m)), exposed for the
 * differential tests; appends to out. Same statuses as tkm_bpe_piece. */
TKM_INTERNAL tkm_status tkm_bpe_piece_reference(const tkm_vocab *v, const uint8_t *p, size_t n,
                                                const tkm_allocator *a, tkm_sink *out,
                                                size_t *bad);

#endif
