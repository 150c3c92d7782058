/* backtrack.h — linear-time byte-pair encoding of long pieces. */
#ifndef TKM_BACKTRACK_H
#define TKM_BACKTRACK_H

#include "bpe.h"

typedef struct tkm_bt_tables tkm_bt_tables;

/* The backtracking tables of v, shared by every thread that uses v. If they
 * are not built yet and build is true, builds them with allocator a (kept
 * in the tables, which tkm_bt_free frees with it when v is freed). NULL when
 * not built, when v is not a vocabulary the encoder handles (a single byte
 * is not a token, a rank of 2^21 - 2 or more, or merges out of rank order),
 * or when the tables could not be allocated; the caller then merges as
 * before. */
TKM_INTERNAL const tkm_bt_tables *tkm_bt_get(const tkm_vocab *v, const tkm_allocator *a,
                                             bool build);

/* Whether building v's tables has not been settled yet (neither built nor
 * found unsupported): whether tkm_bt_get(v, a, true) could still help. */
TKM_INTERNAL bool tkm_bt_pending(const tkm_vocab *v);

/* Encode p[0..n), n >= 1, by byte-pair merging (no whole-piece rule: that is
 * the caller's) and append the ids to out. Returns TKM_OK, TKM_ERR_NOMEM
 * (scratch), or TKM_ERR_UNENCODABLE when no encoding was found, in which case
 * nothing was appended (the caller's merge finds the offending byte). */
TKM_INTERNAL tkm_status tkm_bt_encode(const tkm_bt_tables *t, const tkm_vocab *v,
                                      const uint8_t *p, size_t n, tkm_bpe_scratch *s,
                                      const tkm_allocator *a, tkm_sink *out);

/* Free v's tables, if built (from tkm_vocab_free). */
TKM_INTERNAL void tkm_bt_free(tkm_vocab *v);

/* Sizes, for tests and benchmarks. */
typedef struct tkm_bt_info {
    size_t bytes;           /* the tables' memory */
    uint32_t n_nodes;       /* prefix-tree nodes */
    uint32_t n_unreachable; /* tokens merging cannot make from their own bytes */
} tkm_bt_info;

TKM_INTERNAL void tkm_bt_get_info(const tkm_bt_tables *t, tkm_bt_info *info);

#endif
