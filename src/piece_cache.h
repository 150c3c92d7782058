/* piece_cache.h — a small per-context cache of short pieces and their ids.
 *
 * Natural text repeats its pieces (Zipf): in English prose the 4096 most
 * frequent pieces cover most of the text, and in the multilingual corpus the
 * same inflected words, which are not single tokens, recur within a
 * language. The vocabulary table is 4–8 MB, so nearly every whole-piece
 * lookup is a cache miss, and a piece that is not a token costs a merge with
 * several more lookups. The cache lives in the context (mutable scratch is
 * per thread; the encoding stays immutable) and has two direct-mapped
 * tables, with a 128 KiB memo of merge look-ups:
 *  - short pieces (up to 8 bytes, up to 3 ids): 16,384 entries of 16 bytes
 *    (256 KiB). They are 80 % of the repeated pieces of both the prose and
 *    the multilingual corpus, and four to a cache line;
 *  - the others (up to 32 bytes, up to 7 ids): 8,192 entries of 64 bytes
 *    (512 KiB).
 * One table of 16,384 64-byte entries (1 MiB, session 2) did not fit the
 * 512 KiB L2 beside the memo and the vocabulary's tags: halving it made the
 * multilingual corpus 7 % faster and prose 3 % slower, a quarter of it
 * prose 19 % slower (bench/README.md).
 *
 * An entry holds the piece's bytes in full, so a hit is exact: the ids are
 * what tkm_bpe_piece returned for these very bytes with a vocabulary of the
 * same content (entries are tagged with the encoding's 128-bit fingerprint
 * through an epoch, see tkm_piece_cache_bind).
 */
#ifndef TKM_PIECE_CACHE_H
#define TKM_PIECE_CACHE_H

#include "bpe.h"
#include "internal.h"
#include "load.h"

#include <string.h>

#define TKM_PIECE_CACHE_BITS 13 /* the table of 64-byte entries */
#define TKM_PIECE_SHORT_BITS 14 /* the table of 16-byte entries */
#define TKM_PIECE_MAX_BYTES 32  /* longer pieces are not cached */
#define TKM_PIECE_MAX_IDS 7     /* pieces with more ids are not cached */
#define TKM_PIECE_SHORT_BYTES 8 /* pieces up to this long go to the short table, */
#define TKM_PIECE_SHORT_IDS 3   /* if they have at most this many ids, */
#define TKM_PIECE_ID_BITS 18    /* of ids below 2^18 (else the other table) */

/* An entry of the short table. val holds, from the low bits up: 3 ids of
 * TKM_PIECE_ID_BITS bits, their number (2 bits; 0: the piece has more, and
 * they are in the other table), the piece's length (4 bits) and the
 * epoch's low 4 bits (never 0 for a live epoch, as in the pair memo). */
typedef struct tkm_short_entry {
    uint64_t key; /* the piece's bytes, zero padded */
    uint64_t val;
} tkm_short_entry;

typedef struct tkm_piece_entry {
    uint64_t key[4]; /* the piece's bytes, zero padded */
    uint8_t len;     /* 1..TKM_PIECE_MAX_BYTES */
    uint8_t n;       /* 1..TKM_PIECE_MAX_IDS */
    uint16_t epoch;  /* the entry is live only while this equals the cache's */
    uint32_t ids[TKM_PIECE_MAX_IDS];
} tkm_piece_entry;

/* (left token, right token) -> rank of their concatenation, or none: the
 * look-ups a merge makes, packed in 8 bytes so that the memo (128 KiB) stays
 * in L2 next to the piece table's hot lines. Each of l, r and the rank has
 * TKM_PAIR_RANK_BITS bits (the rank's all-ones value means "no token"), and
 * the top 4 bits hold the cache's epoch modulo 16, never 0 for a live epoch
 * (tkm_piece_cache_bind clears the memo when the epoch crosses a multiple
 * of 16, so an entry of an older epoch with the same low bits cannot
 * survive). Vocabularies with ranks of TKM_PAIR_NONE or more (over a
 * million tokens) merge without the memo. */
typedef uint64_t tkm_pair_entry;

#define TKM_PAIR_MEMO_BITS 14
#define TKM_PAIR_RANK_BITS 20
#define TKM_PAIR_NONE ((1u << TKM_PAIR_RANK_BITS) - 1)

typedef struct tkm_piece_cache {
    tkm_piece_entry *e; /* 64-byte aligned into raw; NULL until warm */
    tkm_short_entry *s; /* follows e in raw */
    tkm_pair_entry *pairs; /* follows s in raw */
    void *raw;
    uint64_t owner[2];  /* fingerprint of the encoding the live entries belong to */
    uint16_t epoch;
    bool short_ok;      /* the bound encoding's ids fit the short table */
    bool failed;        /* allocation failed once: run without a cache */
    size_t seen;        /* bytes given before the table is worth allocating */
} tkm_piece_cache;

/* Point the cache at an encoding's fingerprint (n_ranks: its largest rank
 * + 1) before encoding len bytes with it; entries of any other encoding die
 * (epoch bump). The tables are allocated once the context has been given
 * enough text; returns false when there are none (cold, or out of memory:
 * the cache only accelerates). */
TKM_INTERNAL bool tkm_piece_cache_bind(tkm_piece_cache *c, const uint64_t fp[2],
                                       uint32_t n_ranks, size_t len, const tkm_allocator *a);
TKM_INTERNAL void tkm_piece_cache_free(tkm_piece_cache *c, const tkm_allocator *a);

/* Fill key[0..4) with p[0..n), 1 <= n <= 32, and return its hash, which
 * gives its slot in either table. */
static inline uint64_t tkm_piece_key(const uint8_t *p, size_t n, uint64_t key[4])
{
    if (n >= 8) {
        /* All four words without a branch on n (a loop over n / 8 words
         * mispredicted its exit on most pieces of mixed lengths): a word
         * with fewer than 8 bytes left is the last 8 bytes shifted down,
         * a word past the end is shifted out entirely. */
        for (size_t w = 0; w < 4; w++) {
            size_t off = 8 * w, left = n > off ? n - off : 0;
            bool whole = left >= 8;
            uint64_t x = tkm_load64(p + (whole ? off : n - 8));
            unsigned half = whole ? 0 : 4 * (8 - (unsigned)left); /* 32: all out */
            key[w] = x >> half >> half;
        }
    } else {
        key[0] = tkm_load_tail(p, n);
        key[1] = key[2] = key[3] = 0;
    }
    uint64_t h = (key[0] ^ (uint64_t)n) * 0x9E3779B97F4A7C15ull;
    h ^= key[1] * 0xC2B2AE3D27D4EB4Full;
    h ^= key[2] * 0x165667B19E3779F9ull;
    h ^= key[3] * 0xD6E8FEB86659FD93ull;
    h ^= h >> 29;
    return h * 0xBF58476D1CE4E5B9ull;
}

/* Whether a piece of n bytes is looked up in the short table first. */
static inline bool tkm_piece_is_short(const tkm_piece_cache *c, size_t n)
{
    return n <= TKM_PIECE_SHORT_BYTES && c->short_ok;
}

static inline tkm_short_entry *tkm_piece_short_at(const tkm_piece_cache *c, uint64_t h)
{
    return &c->s[h >> (64 - TKM_PIECE_SHORT_BITS)];
}

static inline tkm_piece_entry *tkm_piece_long_at(const tkm_piece_cache *c, uint64_t h)
{
    /* Bits below the short table's, so a short piece that has to go to
     * this table does not land where its short-table neighbours do. */
    return &c->e[(h >> (64 - TKM_PIECE_SHORT_BITS - TKM_PIECE_CACHE_BITS)) &
                 (((size_t)1 << TKM_PIECE_CACHE_BITS) - 1)];
}

/* The cache line a look-up of the piece (hash h, n bytes) reads first. */
static inline const void *tkm_piece_cache_line(const tkm_piece_cache *c, uint64_t h, size_t n)
{
    return tkm_piece_is_short(c, n) ? (const void *)tkm_piece_short_at(c, h)
                                    : (const void *)tkm_piece_long_at(c, h);
}

/* The length and epoch bits of a short entry for a piece of n bytes. */
static inline uint64_t tkm_piece_short_tag(const tkm_piece_cache *c, size_t n)
{
    return (uint64_t)n << 56 | (uint64_t)(c->epoch & 15) << 60;
}

#define TKM_PIECE_ID_MASK ((1u << TKM_PIECE_ID_BITS) - 1)

/* Whether the short table holds the live entry of the piece with this first
 * key word (hash h, n bytes, tkm_piece_is_short); its value into *val. */
static inline bool tkm_piece_short_find(const tkm_piece_cache *c, uint64_t h, uint64_t key0,
                                        size_t n, uint64_t *val)
{
    const tkm_short_entry *s = tkm_piece_short_at(c, h);
    *val = s->val;
    return s->key == key0 && (*val >> 56) == tkm_piece_short_tag(c, n) >> 56;
}

/* The live entry of the other table for the piece with this key, or NULL. */
static inline const tkm_piece_entry *tkm_piece_long_find(const tkm_piece_cache *c, uint64_t h,
                                                         const uint64_t key[4], size_t n)
{
    const tkm_piece_entry *e = tkm_piece_long_at(c, h);
    if (e->len != n || e->epoch != c->epoch || e->key[0] != key[0])
        return NULL;
    if (n > 8 && (e->key[1] != key[1] || e->key[2] != key[2] || e->key[3] != key[3]))
        return NULL;
    return e;
}

/* The ids of the live entry for the piece with this key (hash h, n bytes)
 * into ids[0..TKM_PIECE_MAX_IDS) (entries past the last id are zero or
 * stale); returns how many, 0 when there is none. */
static inline size_t tkm_piece_cache_get(const tkm_piece_cache *c, uint64_t h,
                                         const uint64_t key[4], size_t n, uint32_t *ids)
{
    if (tkm_piece_is_short(c, n)) {
        uint64_t v;
        if (!tkm_piece_short_find(c, h, key[0], n, &v))
            return 0;
        size_t k = (size_t)(v >> (3 * TKM_PIECE_ID_BITS)) & 3;
        ids[0] = (uint32_t)v & TKM_PIECE_ID_MASK;
        ids[1] = (uint32_t)(v >> TKM_PIECE_ID_BITS) & TKM_PIECE_ID_MASK;
        ids[2] = (uint32_t)(v >> (2 * TKM_PIECE_ID_BITS)) & TKM_PIECE_ID_MASK;
        ids[3] = ids[4] = ids[5] = ids[6] = 0;
        if (k)
            return k;
        /* count 0: more than 3 ids, kept in the other table */
    }
    const tkm_piece_entry *e = tkm_piece_long_find(c, h, key, n);
    if (!e)
        return 0;
    memcpy(ids, e->ids, sizeof e->ids);
    return e->n;
}

/* Append the ids of the live entry for the piece with this key (hash h, n
 * bytes) to out and return true; false, out unchanged, when there is none.
 * As tkm_piece_cache_get, but straight into out: unpacked into an array
 * with one 4-byte store an id and copied on with 16-byte loads, a short
 * entry's ids could not be forwarded from the stores to the loads, and
 * that stall was a third of the time of a hit on source code. */
static inline bool tkm_piece_cache_emit(const tkm_piece_cache *c, uint64_t h,
                                        const uint64_t key[4], size_t n, tkm_sink *out)
{
    if (tkm_piece_is_short(c, n)) {
        uint64_t v;
        if (!tkm_piece_short_find(c, h, key[0], n, &v))
            return false;
        size_t k = (size_t)(v >> (3 * TKM_PIECE_ID_BITS)) & 3;
        if (k) {
            uint32_t id0 = (uint32_t)v & TKM_PIECE_ID_MASK;
            uint32_t id1 = (uint32_t)(v >> TKM_PIECE_ID_BITS) & TKM_PIECE_ID_MASK;
            uint32_t id2 = (uint32_t)(v >> (2 * TKM_PIECE_ID_BITS)) & TKM_PIECE_ID_MASK;
            size_t m = out->n;
            if (out->cap >= m && out->cap - m >= TKM_PIECE_SHORT_IDS) {
                /* all three stored, no branch on k (see tkm_sink_put_upto) */
                out->ids[m] = id0;
                out->ids[m + 1] = id1;
                out->ids[m + 2] = id2;
                out->n = m + k;
                return true;
            }
            /* counting, or the end of the caller's buffer */
            const uint32_t t[TKM_PIECE_SHORT_IDS] = {id0, id1, id2};
            tkm_sink_put_all(out, t, k);
            return true;
        }
        /* count 0: more than 3 ids, kept in the other table */
    }
    const tkm_piece_entry *e = tkm_piece_long_find(c, h, key, n);
    if (!e)
        return false;
    tkm_sink_put_upto(out, e->ids, e->n, TKM_PIECE_MAX_IDS);
    return true;
}

/* Whether a vocabulary of n_ranks ranks can use the pair memo (its ranks
 * fit the entries' fields). */
static inline bool tkm_pair_memo_fits(uint32_t n_ranks)
{
    return n_ranks <= TKM_PAIR_NONE;
}

/* The epoch bits of c's memo entries (the same for every entry of a
 * piece: computed once per merge, not per look-up). */
static inline uint64_t tkm_pair_memo_bits(const tkm_piece_cache *c)
{
    return (uint64_t)(c->epoch & 15) << 60;
}

/* The memo entry (l, r) would have (ebits from tkm_pair_memo_bits), with its
 * rank field empty, and its slot. l, r < TKM_PAIR_NONE. The slot mixes only
 * l; r's low bits are XORed in as they are. In a merge step's right look-up
 * l is the merged token, known at the step's start, and r is loaded last:
 * one operation instead of a multiply after the load (multilingual +1 to
 * +6 % in paired runs). */
static inline uint64_t tkm_pair_memo_key(uint64_t ebits, uint32_t l, uint32_t r, size_t *slot)
{
    uint64_t h = (uint64_t)l * 0x9E3779B97F4A7C15ull;
    *slot = (size_t)(h >> (64 - TKM_PAIR_MEMO_BITS)) ^ (r & ((1u << TKM_PAIR_MEMO_BITS) - 1));
    return (uint64_t)l | (uint64_t)r << TKM_PAIR_RANK_BITS | ebits;
}

#define TKM_PAIR_RANK_FIELD ((uint64_t)TKM_PAIR_NONE << (2 * TKM_PAIR_RANK_BITS))

/* The memoised rank (or TKM_NO_RANK) of the pair with this key and slot
 * into *rank; false when the memo does not hold the pair. */
static inline bool tkm_pair_memo_get(const tkm_piece_cache *c, uint64_t key, size_t slot,
                                     uint32_t *rank)
{
    tkm_pair_entry e = c->pairs[slot];
    if ((e & ~TKM_PAIR_RANK_FIELD) != key)
        return false;
    uint32_t rk = (uint32_t)(e >> (2 * TKM_PAIR_RANK_BITS)) & TKM_PAIR_NONE;
    /* TKM_PAIR_NONE becomes TKM_NO_RANK by a mask, not a branch: whether a
     * memoised pair is a token is as good as random. */
    *rank = rk | (0u - (uint32_t)(rk == TKM_PAIR_NONE));
    return true;
}

/* As tkm_pair_memo_get, but the answer as merge_small's key for the pair
 * at part i < 64: the rank, or TKM_PAIR_NONE for no token, shifted left by
 * 6, with i in the low bits. */
static inline bool tkm_pair_memo_get_key(const tkm_piece_cache *c, uint64_t key, size_t slot,
                                         size_t i, int32_t *k)
{
    tkm_pair_entry e = c->pairs[slot];
    if ((e & ~TKM_PAIR_RANK_FIELD) != key)
        return false;
    *k = (int32_t)((e >> (2 * TKM_PAIR_RANK_BITS - 6)) & ((uint64_t)TKM_PAIR_NONE << 6)) |
         (int32_t)i;
    return true;
}

static inline void tkm_pair_memo_put(tkm_piece_cache *c, uint64_t key, size_t slot, uint32_t rank)
{
    c->pairs[slot] = key | (uint64_t)(rank == TKM_NO_RANK ? TKM_PAIR_NONE : rank)
                               << (2 * TKM_PAIR_RANK_BITS);
}

/* Remember the ids[0..n_ids) (1 <= n_ids <= TKM_PIECE_MAX_IDS) of the
 * piece with this key (hash h, n bytes). */
static inline void tkm_piece_cache_put(tkm_piece_cache *c, uint64_t h, const uint64_t key[4],
                                       size_t n, const uint32_t *ids, size_t n_ids)
{
    if (tkm_piece_is_short(c, n)) {
        tkm_short_entry *s = tkm_piece_short_at(c, h);
        uint64_t v = tkm_piece_short_tag(c, n);
        s->key = key[0];
        if (n_ids <= TKM_PIECE_SHORT_IDS) {
            v |= (uint64_t)n_ids << (3 * TKM_PIECE_ID_BITS);
            for (size_t i = 0; i < n_ids; i++)
                v |= (uint64_t)ids[i] << (TKM_PIECE_ID_BITS * i);
            s->val = v;
            return;
        }
        s->val = v; /* count 0: see the other table */
    }
    tkm_piece_entry *e = tkm_piece_long_at(c, h);
    memcpy(e->key, key, sizeof e->key);
    e->len = (uint8_t)n;
    e->n = (uint8_t)n_ids;
    e->epoch = c->epoch;
    memcpy(e->ids, ids, n_ids * sizeof *ids);
}

#endif
