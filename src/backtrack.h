/* backtrack.h — linear-time byte-pair encoding of long pieces. */
#ifndef TKM_BACKTRACK_H
#define TKM_BACKTRACK_H

#include "bpe.h"

typedef struct tkm_bt_tables tkm_bt_tables;

/* The backtracking tables of v, shared by every thread that uses v. A
 * built-in's were built at compile time (tools/embed.c) and are returned at
 * once. Otherwise, if they are not built yet and build is true, builds them
 * with v's own allocator (v->alloc, the encoding's: a is unused), freed by
 * tkm_bt_free when v is freed. NULL when not built, when v is not a
 * vocabulary the encoder handles (a single byte is not a token, a rank of
 * 2^21 - 2 or more, or merges out of rank order), or when the tables could
 * not be allocated; the caller then merges as before. */
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

/* Whether no token can span the boundary b of the piece p[0..n), where
 * 0 < b < n, p[b - 1] is a UTF-8 continuation byte and p[b] a lead byte.
 * Conservative: true only when no token t, as t = p[s..e) with s < b < e,
 * occurs in the piece (a false false is possible, ~1 in 200 a probe). Then
 * byte-pair merging never joins across b, and the piece's encoding is the
 * encoding of p[0..b) followed by that of p[b..n). */
TKM_INTERNAL bool tkm_bt_uncrossed(const tkm_bt_tables *t, const uint8_t *p, size_t n, size_t b);

/* Whether merging the bytes of token r gives r itself (every token of one
 * byte does; the few that do not are what tiktoken's whole-piece rule alone
 * produces). */
TKM_INTERNAL bool tkm_bt_reachable(const tkm_bt_tables *t, uint32_t r);

/* Free v's tables, if built at run time (from tkm_vocab_free). */
TKM_INTERNAL void tkm_bt_free(tkm_vocab *v);

/* Sizes, for tests and benchmarks. */
typedef struct tkm_bt_info {
    size_t bytes;           /* the tables' memory */
    uint32_t n_nodes;       /* prefix-tree nodes */
    uint32_t n_unreachable; /* tokens merging cannot make from their own bytes */
    bool embedded;          /* built at compile time */
} tkm_bt_info;

TKM_INTERNAL void tkm_bt_get_info(const tkm_bt_tables *t, tkm_bt_info *info);

/* ---- representation ----
 * Exposed for tools/embed.c, which writes a built-in's tables (built by
 * backtrack.c itself) into the generated embedded_NAME.c: the arrays as raw
 * host-order bytes pulled in with .incbin (like the vocabulary's hash slots),
 * this struct as an initializer. Nothing else looks inside. */

/* Prefix-tree node: its first child (the children end where the next node's
 * begin) and label << 24 | (rank + 1) of the token it spells (0: none). */
typedef struct tkm_bt_node {
    uint32_t child;
    uint32_t word;
} tkm_bt_node;

/* A token's last merge; (r, r) for a byte, all ones for no token or an
 * unreachable one. */
typedef struct tkm_bt_split {
    uint32_t left, right;
} tkm_bt_split;

#define TKM_BT_CHARS (2048 + 65536)
#define TKM_BT_NO_ID 0x1FFFFFu

struct tkm_bt_tables {
    uint32_t n_ranks;
    uint32_t n_nodes;
    uint32_t n_unreachable;
    uint32_t embedded;   /* 1: static data, never freed */
    uint32_t pair_bits, filter_bits;
    uint32_t junction_bits; /* log2 of the junction filter's size in bits */
    uint32_t root[256];  /* child of the root by byte (every byte is a token) */
    tkm_bt_node *node;   /* n_nodes + 1, level order: node v's children are
                          * node[v].child .. node[v + 1].child - 1, sorted by byte */
    uint8_t *label;      /* n_nodes + 1: node[v].word >> 24 again, so that a
                          * node's children's labels share a cache line or two */
    uint32_t *root2;     /* 65536: the node of each 2-byte prefix by b0 << 8 | b1, or 0 */
    uint32_t *next_prefix; /* by rank: the longest reachable token that is a proper prefix */
    tkm_bt_split *split;   /* by rank */
    uint64_t *pairs;       /* left << 42 | right << 21 | merged, open addressing */
    uint64_t *filter;      /* blocked Bloom filter of the (left, right) pairs, two
                            * bits in one word each: most pairs asked about are
                            * no merge, and this answers them from the cache
                            * (1/8 of the size of pairs) */
    uint64_t *junction;    /* blocked Bloom filter of the junction keys: see
                            * tkm_bt_uncrossed */
    uint16_t *junction_types; /* 4096: by junction (continuation byte, lead byte),
                               * bit (l - 1) * 3 + r - 1 for each kind of key (l, r)
                               * some token has there */
    uint64_t *chars;       /* TKM_BT_CHARS: the merge of every 2-byte (C0..DF, one
                            * continuation byte) and 3-byte (E0..EF, two) sequence,
                            * overlong and surrogate ones too, as up to three
                            * 21-bit ranks from the low bits up, TKM_BT_NO_ID for
                            * none: a part of a cut piece that is one character */
};

/* Whether the boundary b of p (b >= 1) is a junction: a continuation byte,
 * then a lead byte (the cuts tkm_bt_uncrossed can judge). */
static inline bool tkm_bt_junction(const uint8_t *p, size_t b)
{
    return p[b] >= 0xC0 && (p[b - 1] & 0xC0) == 0x80;
}

/* The sequence of entry i of chars into b; returns its length (2 or 3). */
static inline size_t tkm_bt_char_bytes(size_t i, uint8_t b[3])
{
    if (i < 2048) {
        b[0] = (uint8_t)(0xC0 | i >> 6);
        b[1] = (uint8_t)(0x80 | (i & 0x3F));
        return 2;
    }
    i -= 2048;
    b[0] = (uint8_t)(0xE0 | i >> 12);
    b[1] = (uint8_t)(0x80 | (i >> 6 & 0x3F));
    b[2] = (uint8_t)(0x80 | (i & 0x3F));
    return 3;
}

/* If p[0..n) is one 2- or 3-byte sequence (well-formed or not, by its bit
 * pattern), append the ids of its merge to out and return true. */
static inline bool tkm_bt_char(const tkm_bt_tables *t, const uint8_t *p, size_t n, tkm_sink *out)
{
    size_t i;
    if (n == 2 && (p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
        i = (size_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    else if (n == 3 && (p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        i = 2048 + ((size_t)(p[0] & 0x0F) << 12 | (size_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F));
    else
        return false;
    uint64_t e = t->chars[i];
    for (int k = 0; k < 3; k++, e >>= 21) {
        if ((e & TKM_BT_NO_ID) == TKM_BT_NO_ID)
            break;
        tkm_sink_put(out, (uint32_t)(e & TKM_BT_NO_ID));
    }
    return true;
}

#endif
