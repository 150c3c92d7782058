/* vocab.h — the mergeable-token table: rank -> bytes and bytes -> rank. */
#ifndef TKM_VOCAB_H
#define TKM_VOCAB_H

#include "internal.h"
#include "load.h"
#include "ranks.h"

#include <string.h>
/* TKM_VOCAB_SCALAR forces the portable probe (tests/test_vocab_scalar.c). */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(TKM_VOCAB_SCALAR)
#  include <emmintrin.h>
#  define TKM_VOCAB_SSE2 1
#endif

#define TKM_VOCAB_GROUP 16 /* tags read at once */

/* The table of tokens of 3 bytes or more (shorter ones have direct tables):
 * open addressing with linear probing, and, as in Abseil's Swiss tables, a
 * separate array of one-byte tags, one per slot (0 = empty; else 8 bits of
 * the hash), probed 16 at a time. Most look-ups during a merge ask for a
 * concatenation that is not a token; the tags answer those without touching
 * the slots. Sizes matter more than probe counts here: on the 2-vCPU EPYC
 * VMs we measure on, a random read costs ~20 ns while the data touched fits
 * in about 6 MiB and ~120 ns beyond 7 MiB (bench/README.md). Load <= 3/4
 * keeps o200k's slots at 4 MiB (with 256 KiB of tags) instead of 8.
 *
 * One hash slot: the token's first 8 bytes, its length and 16 more hash bits
 * are stored inline, so a lookup of a token of up to 8 bytes touches one
 * slot, and a longer one compares only its tail with the arena. */
typedef struct tkm_vocab_slot {
    uint64_t head;  /* first min(len, 8) bytes as a word (tkm_load_tail), zero padded */
    uint32_t rank;
    uint16_t len;   /* 0 = empty slot */
    uint16_t tag;   /* hash bits 48..63 */
} tkm_vocab_slot;

typedef struct tkm_vocab {
    uint32_t n_ranks;      /* largest rank + 1 */
    const uint32_t *off;   /* n_ranks + 1 offsets; token r is bytes[off[r], off[r+1]); empty = no token */
    const uint8_t *bytes;
    const tkm_vocab_slot *slots; /* open addressing, linear probing, load <= 3/4 */
    const uint8_t *tags;   /* mask + 1 + TKM_VOCAB_GROUP: tag per slot, then a copy of the
                            * first TKM_VOCAB_GROUP, so a group read never wraps */
    size_t mask;
    size_t n_tokens;
    uint32_t max_len;      /* longest token in bytes (< 65536) */
    uint32_t byte_rank[256];
    bool every_byte;       /* every single byte is a token: no merge can fail */
    const uint32_t *pair_rank; /* 65536 entries: rank of each 2-byte token, by b0 << 8 | b1 */
    uint32_t *owned_off;   /* NULL when off/bytes are embedded (static) data */
    uint8_t *owned_bytes;
    tkm_vocab_slot *owned_slots; /* NULL when the tables were built at compile time */
    uint8_t *owned_tags;
    uint32_t *owned_pairs;
    const uint64_t *tri;   /* TKM_VOCAB_TRI_WORDS words: the 3-byte filter (tkm_vocab_tri_maybe) */
    uint64_t *owned_tri;
    void *bt; /* backtracking tables, built on first use (backtrack.c) or embedded;
               * atomic access only */
    const tkm_allocator *alloc; /* the encoding's allocator (lives as long as v): what
                                 * tables built later on v's behalf use */
} tkm_vocab;

struct tkm_bt_tables;

/* The allocator a passed to the functions below must outlive v (the
 * encoding's own, &enc->alloc): v keeps it for tables built later.
 * Build from a parsed rank list (copies the data into rank order).
 * Returns TKM_OK, TKM_ERR_RANK_DUPLICATE (detail: line), TKM_ERR_RANK_PARSE
 * (a token of 64 KiB or more), TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_vocab_build(tkm_vocab *v, const tkm_rank_list *l,
                                        const tkm_allocator *a, tkm_error_detail *d);
/* Wrap static, rank-ordered data (embedded built-ins); only the hash table is
 * allocated. The data was validated at build time by the same parser. */
TKM_INTERNAL tkm_status tkm_vocab_wrap(tkm_vocab *v, uint32_t n_ranks, const uint32_t *off,
                                       const uint8_t *bytes, const tkm_allocator *a);
/* Wrap static data whose hash table, pair table and 3-byte filter, and backtracking tables
 * (bt, or NULL: built at run time when needed), were also built at compile
 * time (by tools/embed.c through this same code): nothing is allocated or
 * hashed at load. */
TKM_INTERNAL void tkm_vocab_wrap_tables(tkm_vocab *v, uint32_t n_ranks, const uint32_t *off,
                                        const uint8_t *bytes, const tkm_vocab_slot *slots,
                                        const uint8_t *tags, size_t n_slots,
                                        const uint32_t *pair_rank, const uint64_t *tri,
                                        const struct tkm_bt_tables *bt, const tkm_allocator *a);
/* Frees what v owns, with the allocator it was built with. */
TKM_INTERNAL void tkm_vocab_free(tkm_vocab *v);

static inline uint32_t tkm_vocab_token_len(const tkm_vocab *v, uint32_t r)
{
    return v->off[r + 1] - v->off[r];
}

static inline uint64_t tkm_vocab_head(const uint8_t *p, size_t n)
{
    return tkm_load_tail(p, n < 8 ? n : 8);
}

/* xxh3 of p[0..n): out of line, so that the look-ups that inline
 * tkm_vocab_find stay small (inlined, xxh3 made every call save and restore
 * a dozen registers, 40 % of a short key's look-up). */
TKM_INTERNAL uint64_t tkm_vocab_hash_long(const uint8_t *p, size_t n);

/* xxh3 for long keys; for keys of up to 8 bytes, which are most lookups, a
 * multiply-xorshift of the packed bytes and the length is enough: every hit
 * is verified against the stored bytes anyway. */
static inline uint64_t tkm_vocab_hash(const uint8_t *p, size_t n, uint64_t head)
{
    if (n > 8)
        return tkm_vocab_hash_long(p, n);
    uint64_t x = (head ^ ((uint64_t)n << 56)) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

/* The slot's one-byte tag: never 0, which marks an empty slot. */
static inline uint8_t tkm_vocab_tag(uint64_t h)
{
    uint8_t t = (uint8_t)(h >> 56);
    return t ? t : 1;
}

/* The bytes of a token past its first 8, p[8..n) against q[8..n), n > 8:
 * by 8-byte words, the last one overlapping its predecessor (the head
 * compare already covered [0, 8)). Inline: a call of memcmp for the few
 * bytes of a typical tail was 1.7 % of encoding the multilingual corpus. */
static inline bool tkm_vocab_tail_eq(const uint8_t *p, const uint8_t *q, size_t n)
{
    size_t i = 8;
    for (; i + 8 < n; i += 8)
        if (tkm_load64(p + i) != tkm_load64(q + i))
            return false;
    return tkm_load64(p + n - 8) == tkm_load64(q + n - 8);
}

static inline bool tkm_vocab_slot_is(const tkm_vocab *v, const tkm_vocab_slot *s,
                                     const uint8_t *p, size_t n, uint64_t head, uint16_t tag)
{
    return s->len == n && s->tag == tag && s->head == head &&
           (n <= 8 || tkm_vocab_tail_eq(v->bytes + v->off[s->rank], p, n));
}

/* A one-bit-per-entry filter of the tokens of exactly 3 bytes, by a hash
 * of the bytes: a clear bit means no such token. Random strings (base64,
 * hex, identifiers) merge mostly a 2-byte token with a byte beside it, and
 * nearly all of those 3-byte look-ups fail; the filter answers them with
 * one load and a bit test (128 KiB; o200k's 18,185 3-byte tokens set 1.7 %
 * of the bits) instead of a hash, a 16-tag probe and its compares: base64
 * takes 10-16 % fewer instructions. A second filter, of the 4-byte tokens,
 * saved 2-4 % more on base64 and nothing measurable in time. */
#define TKM_VOCAB_TRI_BITS 20
#define TKM_VOCAB_TRI_WORDS (((size_t)1 << TKM_VOCAB_TRI_BITS) / 64) /* its 64-bit words */

static inline size_t tkm_vocab_tri_bit(const uint8_t *p)
{
    uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (size_t)((k * 0x9E3779B1u) >> (32 - TKM_VOCAB_TRI_BITS));
}

/* False when p[0..3) is certainly no token. */
static inline bool tkm_vocab_tri_maybe(const tkm_vocab *v, const uint8_t *p)
{
    size_t b = tkm_vocab_tri_bit(p);
    return v->tri[b >> 6] >> (b & 63) & 1;
}

/* The hash-table part of tkm_vocab_lookup: 3 <= n <= v->max_len. A merge
 * only ever looks up such lengths (two parts, one of them merged). */
static inline uint32_t tkm_vocab_find(const tkm_vocab *v, const uint8_t *p, size_t n)
{
    uint64_t head = tkm_vocab_head(p, n);
    uint64_t h = tkm_vocab_hash(p, n, head);
    uint16_t tag = (uint16_t)(h >> 48);
    uint8_t t8 = tkm_vocab_tag(h);
    size_t i = (size_t)h & v->mask;
    /* The token, if any, is nearly always in the home slot's line: start
     * loading it (4 MiB of slots for o200k: an L3 read) while the tags
     * (L2) are read, instead of after them. A look-up that fails at the
     * tags wastes the read, but not time. */
    __builtin_prefetch(&v->slots[i]);
#ifdef TKM_VOCAB_SSE2
    const __m128i want = _mm_set1_epi8((char)t8);
    for (;;) {
        __m128i g = _mm_loadu_si128((const __m128i *)(const void *)(v->tags + i));
        unsigned hit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(g, want));
        unsigned empty = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(g, _mm_setzero_si128()));
        if (empty)
            hit &= (empty & (0u - empty)) - 1; /* the probe ends at the first empty slot */
        while (hit) {
            const tkm_vocab_slot *s = &v->slots[(i + (size_t)__builtin_ctz(hit)) & v->mask];
            if (tkm_vocab_slot_is(v, s, p, n, head, tag))
                return s->rank;
            hit &= hit - 1;
        }
        if (empty)
            return TKM_NO_RANK;
        i = (i + TKM_VOCAB_GROUP) & v->mask;
    }
#else
    for (;; i = (i + 1) & v->mask) {
        uint8_t t = v->tags[i];
        if (t == 0)
            return TKM_NO_RANK;
        if (t == t8 && tkm_vocab_slot_is(v, &v->slots[i], p, n, head, tag))
            return v->slots[i].rank;
    }
#endif
}

/* Rank of the token with exactly these bytes, or TKM_NO_RANK. */
static inline uint32_t tkm_vocab_lookup(const tkm_vocab *v, const uint8_t *p, size_t n)
{
    if (n == 1)
        return v->byte_rank[p[0]];
    if (n == 2)
        return v->pair_rank[(size_t)p[0] << 8 | p[1]];
    if (n > v->max_len || n == 0 || (n == 3 && !tkm_vocab_tri_maybe(v, p)))
        return TKM_NO_RANK;
    return tkm_vocab_find(v, p, n);
}

#endif
