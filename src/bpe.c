/* bpe.c — byte-pair merging.
 *
 * tiktoken's rule (src/lib.rs, byte_pair_encode): a piece that is itself a
 * token is that token; otherwise start from single bytes and repeatedly merge
 * the adjacent pair whose concatenated bytes have the lowest rank, the
 * leftmost one on ties, until no adjacent pair is a token. tiktoken 0.14 does
 * this with an O(n*m) array scan below 100 bytes and a binary heap from 100
 * bytes on; both give the same result, so our threshold is chosen for speed.
 *
 * Ours: pieces of up to 64 bytes merge in place (merge_small); longer ones
 * go to the backtracking encoder (backtrack.c), linear in practice (~5 ms
 * for 1 MiB of spaces), or, for a vocabulary it does not handle, to a heap
 * merge (O(n log n)). None recurses; memory is linear in the piece.
 */
#include "bpe.h"

#include "backtrack.h"
#include "piece_cache.h"
#include "load.h"

#include <string.h>

/* Pieces up to this many bytes use the array merge on the stack
 * (merge_small); measured per byte, it beats the backtracking encoder on
 * base64, punctuation and CJK pieces of 16-64 bytes and ties on words. */
#define SMALL_PIECE 64
/* Longer pieces use the backtracking encoder when its tables exist (always
 * for the built-ins, embedded at compile time). Against the heap merge at
 * 65-255 bytes (ns/byte, o200k): long words 47-59 vs 119-136, URL-like
 * 35-42 vs 80-92, Cyrillic 22-26 vs 63-75, base64 about even (70-95 vs
 * 68-75); the email corpus gains 10-20 % from taking them here. */
#define BACKTRACK_PIECE 65
/* Bytes of long pieces a context heap-merges before a custom vocabulary's
 * tables are built at run time. */
#define BUILD_AFTER ((size_t)512 << 10)

void tkm_bpe_scratch_free(tkm_bpe_scratch *s, const tkm_allocator *a)
{
    if (!s)
        return;
    tkm_free(a, s->arr);
    tkm_free(a, s->heap);
    tkm_free(a, s->bt_tok);
    tkm_free(a, s->bt_dead);
    memset(s, 0, sizeof *s);
}

static inline uint32_t rank_of(const tkm_vocab *v, const uint8_t *p, size_t n)
{
    return tkm_vocab_lookup(v, p, n);
}

/* Emit the parts delimited by start[0..m) (start[m-1] == n); checks that
 * every part is a token, which can only fail for single bytes that a custom
 * vocabulary lacks. */
static tkm_status emit_parts(const tkm_vocab *v, const uint8_t *p, const uint32_t *start, size_t m,
                             tkm_sink *out, size_t *bad)
{
    for (size_t i = 0; i + 1 < m; i++) {
        uint32_t r = rank_of(v, p + start[i], start[i + 1] - start[i]);
        if (r == TKM_NO_RANK) {
            *bad = start[i];
            return TKM_ERR_UNENCODABLE;
        }
        tkm_sink_put(out, r);
    }
    return TKM_OK;
}

/* The pair memo of cache for merging with v: none when v's ranks do not fit
 * its entries, or when some byte is no token (a part's token could then be
 * TKM_NO_RANK, which no entry can hold). Decided once per piece, not at
 * every look-up. */
static inline tkm_piece_cache *pair_memo(const tkm_vocab *v, tkm_piece_cache *cache)
{
    return cache && v->every_byte && tkm_pair_memo_fits(v->n_ranks) ? cache : NULL;
}

/* Rank of p[0..len), the concatenation of two adjacent parts (len >= 3),
 * from the vocabulary: the cheap tests first, which answer most failed
 * look-ups of random text without a hash (tkm_vocab_tri_maybe). */
static TKM_ALWAYS_INLINE uint32_t concat_rank(const tkm_vocab *v, const uint8_t *p, size_t len)
{
    if (len > v->max_len || (len == 3 && !tkm_vocab_tri_maybe(v, p)))
        return TKM_NO_RANK;
    return tkm_vocab_find(v, p, len);
}

/* The merge of a short piece (n <= SMALL_PIECE = 64), as tiktoken's
 * _byte_pair_merge but without moving arrays: part i (a start offset) has
 * token tok[i], its successor nxt[i], and key[i] = (rank of merging it with
 * its successor) << 6 | i, or a key of KEY_NONE or more when that is no
 * token. The smallest key is the lowest rank and, on ties, the leftmost pair,
 * which is what tiktoken picks. Ranks are below 2^24 (TKM_MAX_RANK), so keys
 * fit in 30 bits, and the minimum over them is a plain loop that compilers
 * vectorise (with SSE2 on any x86-64). A part merged away has key KEY_NO. */
#define KEY_NO INT32_MAX
/* Keys from KEY_NONE up are no pair: KEY_NO, and key_of's keys for
 * TKM_NO_RANK (a rank clamped to KEY_NONE >> 6, with a conditional move
 * where a test of the rank compiles to a mispredicted branch). */
#define KEY_NONE ((int32_t)(KEY_NO & ~63))
_Static_assert(TKM_MAX_RANK < (uint32_t)KEY_NONE >> 6, "a rank's key is below KEY_NONE");
static inline int32_t key_of(uint32_t rank, size_t i)
{
    uint32_t r = rank < (uint32_t)KEY_NONE >> 6 ? rank : (uint32_t)KEY_NONE >> 6;
    return (int32_t)(r << 6 | (uint32_t)i);
}
/* With the memo, every rank is below TKM_PAIR_NONE (tkm_pair_memo_fits), so
 * keys from TKM_PAIR_NONE << 6 up are no pair, and the memo's "no token"
 * (TKM_PAIR_NONE) becomes such a key by the same shift and mask as a rank:
 * no test of the rank on a step's critical path. */
#define KEY_NONE_MEMO ((int32_t)(TKM_PAIR_NONE << 6))

/* Rank of the concatenation of adjacent parts l and r (tokens), whose bytes
 * are p[0..len), through the pair memo (pair_memo, not NULL; ebits from
 * tkm_pair_memo_bits): the tokens fix the bytes, so (l, r) determines the
 * answer, and the memo (128 KiB) answers from L2 what the vocabulary table
 * (4-8 MB) answers from L3 or memory. Natural text merges the same pairs
 * over and over. The memo is asked first, also for 3-byte concatenations
 * that the 3-byte filter would turn away: a test of the length and the
 * filter in front of it was mispredicted on a sixth of the multilingual
 * corpus's look-ups (cachegrind), and most of its look-ups hit.
 * memo_miss is the part after a miss: the vocabulary's answer, remembered. */
static TKM_ALWAYS_INLINE uint32_t memo_miss(const tkm_vocab *v, tkm_piece_cache *memo,
                                            uint64_t key, size_t slot, const uint8_t *p,
                                            size_t len)
{
    uint32_t rk = concat_rank(v, p, len);
    tkm_pair_memo_put(memo, key, slot, rk);
    return rk;
}

/* The rank of a pair for merge_heap: through the memo when there is one. */
static TKM_ALWAYS_INLINE uint32_t merged_rank(const tkm_vocab *v, tkm_piece_cache *memo,
                                              uint64_t ebits, uint32_t l, uint32_t r,
                                              const uint8_t *p, size_t len)
{
    if (!memo)
        return concat_rank(v, p, len);
    size_t slot;
    uint64_t key = tkm_pair_memo_key(ebits, l, r, &slot);
    uint32_t rk;
    if (tkm_pair_memo_get(memo, key, slot, &rk))
        return rk;
    return memo_miss(v, memo, key, slot, p, len);
}

/* merge_fixed's key for the pair at part i: key_of(its rank, i), with the
 * memo or without (MEMO is a constant in each copy of merge_fixed, so
 * neither tests it per look-up). A memo hit gives the key directly
 * (KEY_NONE_MEMO and up for no token). */
static TKM_ALWAYS_INLINE int32_t pair_key_of(const tkm_vocab *v, tkm_piece_cache *memo,
                                             uint64_t ebits, uint32_t l, uint32_t r,
                                             const uint8_t *p, size_t len, size_t i,
                                             const bool MEMO)
{
    if (!MEMO)
        return key_of(concat_rank(v, p, len), i);
    size_t slot;
    uint64_t key = tkm_pair_memo_key(ebits, l, r, &slot);
    int32_t k;
    if (tkm_pair_memo_get_key(memo, key, slot, i, &k))
        return k;
    return key_of(memo_miss(v, memo, key, slot, p, len), i);
}

/* SSE2 has no 32-bit integer minimum (pminsd is SSE4.1), so the compiler
 * emulates it with compares and masks: on the multilingual corpus the scan
 * was a third of merge_small's instructions. Where GCC or Clang can build
 * clones chosen by the CPU at load time (ifunc, x86-64 GNU/Linux), build
 * this function also for SSE4.1 and AVX2. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define TKM_NO_CLONES 1 /* GCC: ifunc resolvers run before the sanitizer runtime */
#endif
#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
      __has_feature(memory_sanitizer)
#    define TKM_NO_CLONES 1 /* Clang: the same (tkm_embed crashed under TSan) */
#  endif
#endif
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(TKM_NO_CLONES)
#  define MERGE_CLONES __attribute__((target_clones("avx2", "sse4.1", "default")))
#else
#  define MERGE_CLONES
#endif
/* GCC unrolls a loop of constant trip count over a local array completely
 * before it vectorizes, and the minimum scan then became a chain of 16
 * dependent compares and moves for a 16-byte piece. */
#if defined(__GNUC__) && !defined(__clang__)
#  define TKM_NO_EARLY_UNROLL _Pragma("GCC unroll 1")
#else
#  define TKM_NO_EARLY_UNROLL
#endif

/* merge_small for pieces of at most W bytes, W a constant (8, 16, 32 or
 * 64): the minimum scan and the set-up run a fixed number of iterations.
 * With a loop over the piece's own width, the exit of each was mispredicted
 * about once per call; on base64 those were a fifth of merge_small's
 * mispredictions. */
static TKM_ALWAYS_INLINE tkm_status merge_fixed(const tkm_vocab *v, const uint8_t *p, size_t n,
                                                tkm_piece_cache *memo, tkm_sink *out,
                                                size_t *bad, const size_t W, const bool MEMO)
{
    uint64_t ebits = MEMO ? tkm_pair_memo_bits(memo) : 0;
    int32_t key[SMALL_PIECE]; /* of which the first W are used */
    uint32_t tok[SMALL_PIECE];
    /* ntok[i] = tok[nxt[i]], the successor's token (kept with the memo,
     * whose look-ups are by tokens): the right look-up of a step then waits
     * for two loads (nxt[i], ntok[j]) instead of three (nxt[i], nxt[j],
     * tok[k]). Multilingual o200k +7 % in paired runs. */
    uint32_t ntok[SMALL_PIECE];
    uint8_t nxt[SMALL_PIECE], prv[SMALL_PIECE];
    for (size_t i = 0; i < W; i++) {
        nxt[i] = (uint8_t)(i + 1);
        prv[i] = (uint8_t)(i - 1);
        key[i] = KEY_NO;
    }
    uint64_t live = ~0ull >> (64 - n); /* the parts not merged away */
    /* The first minimum is found here, in registers: a vector load of keys
     * just stored one at a time would wait for the stores (see below).
     * Whether a byte pair is a token is as good as random on base64: the
     * key is clamped without a branch (key_of), where a branch was
     * mispredicted at about 1 pair in 5. */
    int32_t best = KEY_NO;
    size_t b0 = p[0];
    for (size_t i = 0; i + 1 < n; i++) {
        size_t b1 = p[i + 1];
        tok[i] = v->byte_rank[b0];
        if (MEMO)
            ntok[i] = v->byte_rank[b1];
        int32_t k = key_of(v->pair_rank[b0 << 8 | b1], i);
        key[i] = k;
        best = k < best ? k : best;
        b0 = b1;
    }
    tok[n - 1] = v->byte_rank[b0];
    if (MEMO)
        ntok[n - 1] = TKM_NO_RANK; /* no successor */
    const int32_t none = MEMO ? KEY_NONE_MEMO : KEY_NONE; /* keys from here up: no pair */
    while (best < none) {
        size_t i = (size_t)best & 63, j = nxt[i], k = nxt[j]; /* j < n: i has a pair */
        /* prv[0] holds 255; part 0 has no predecessor, and h = 0 then (a
         * mask: as a conditional, GCC loaded prv[i] behind a branch that was
         * mispredicted on a tenth of the steps). */
        size_t h = prv[i] & (0 - (size_t)(i > 0));
        uint32_t r = (uint32_t)best >> 6;
        /* The keys this step changes are set to KEY_NO first and their new
         * values kept in registers until the next minimum is found: a
         * vector load of keys just written one at a time cannot be
         * forwarded from the store buffer and waits for the stores (that
         * wait was a tenth of merge_small's time); it now waits while the
         * look-ups run. */
        key[h] = KEY_NO;
        key[i] = KEY_NO;
        key[j] = KEY_NO;
        live &= ~(1ull << j);
        uint32_t tk = MEMO ? ntok[j] : 0; /* tok[k], when k < n; without the
                                            * memo, look-ups need no tokens */
        tok[i] = r;
        nxt[i] = (uint8_t)k;
        if (MEMO) {
            ntok[h] = r; /* for i = 0, h is i: overwritten next */
            ntok[i] = tk;
        }
        int32_t ki = KEY_NO, kh = KEY_NO;
        if (k < n) {
            prv[k] = (uint8_t)i;
            ki = pair_key_of(v, memo, ebits, r, tk, p + i, (size_t)nxt[k] - i, i, MEMO);
        }
        if (i > 0)
            kh = pair_key_of(v, memo, ebits, tok[h], r, p + h, k - h, h, MEMO);
        /* The minimum of the other keys starts from KEY_NO, not from the
         * new keys: its loads (which wait for the stores above) and its
         * reduction then run beside the look-ups instead of after them.
         * Started from min(ki, kh), it was a third of a step's latency with
         * warm caches (64 -> 50 cycles a step on novel words). */
        int32_t m = KEY_NO;
        TKM_NO_EARLY_UNROLL
        for (size_t x = 0; x < W; x++)
            m = key[x] < m ? key[x] : m;
        best = ki < kh ? ki : kh;
        best = m < best ? m : best;
        key[h] = kh; /* for i = 0, h is i and has no pair before it: ki wins */
        key[i] = ki;
    }
    /* Merged parts are tokens; a part of one byte is not, in a vocabulary
     * without every byte. */
    for (uint64_t rest = v->every_byte ? 0 : live; rest; rest &= rest - 1)
        if (tok[tkm_ctz64(rest)] == TKM_NO_RANK) {
            *bad = tkm_ctz64(rest);
            return TKM_ERR_UNENCODABLE;
        }
    tkm_sink_put_live(out, tok, live, W);
    return TKM_OK;
}

/* merge_fixed at the narrowest width that holds n bytes. */
static TKM_ALWAYS_INLINE tkm_status merge_width(const tkm_vocab *v, const uint8_t *p, size_t n,
                                                tkm_piece_cache *memo, tkm_sink *out,
                                                size_t *bad, const bool MEMO)
{
    if (n <= 8)
        return merge_fixed(v, p, n, memo, out, bad, 8, MEMO);
    if (n <= 16)
        return merge_fixed(v, p, n, memo, out, bad, 16, MEMO);
    if (n <= 32)
        return merge_fixed(v, p, n, memo, out, bad, 32, MEMO);
    return merge_fixed(v, p, n, memo, out, bad, SMALL_PIECE, MEMO);
}

MERGE_CLONES static tkm_status merge_small(const tkm_vocab *v, const uint8_t *p, size_t n,
                                           tkm_piece_cache *cache, tkm_sink *out, size_t *bad)
{
    tkm_piece_cache *memo = pair_memo(v, cache);
    if (n == 0 || n > SMALL_PIECE) /* callers never pass these; GCC cannot see it */
        return TKM_ERR_INVALID_ARGUMENT;
    if (memo)
        return merge_width(v, p, n, memo, out, bad, true);
    return merge_width(v, p, n, NULL, out, bad, false);
}

/* A 3-byte piece that is no token: one merge at most, of the lower-ranked of
 * its two pairs (the left one on a tie, as in "aaa"), and then the only pair
 * left is the whole piece. No look-up beyond the direct tables; base64 is
 * 15 % such pieces. Returns false, having emitted nothing, for a vocabulary
 * without every byte (merge_small then finds and reports the byte). */
static inline bool merge3(const tkm_vocab *v, const uint8_t *p, tkm_sink *out)
{
    if (!v->every_byte)
        return false;
    uint32_t a = v->byte_rank[p[0]], b = v->byte_rank[p[1]], c = v->byte_rank[p[2]];
    uint32_t ab = v->pair_rank[(size_t)p[0] << 8 | p[1]];
    uint32_t bc = v->pair_rank[(size_t)p[1] << 8 | p[2]];
    if (ab == TKM_NO_RANK && bc == TKM_NO_RANK) {
        tkm_sink_put(out, a);
        tkm_sink_put(out, b);
        tkm_sink_put(out, c);
    } else if (ab <= bc) {
        tkm_sink_put(out, ab);
        tkm_sink_put(out, c);
    } else {
        tkm_sink_put(out, a);
        tkm_sink_put(out, bc);
    }
    return true;
}

/* tiktoken's _byte_pair_merge: parts[i] = (start, rank of merging part i
 * with part i+1). start and rank need n + 1 entries. Merging also stops when
 * min_parts parts are left (1 for a full merge; 2 lets the backtracking
 * tables' check see the last merge of a token). Returns the number of
 * boundaries left (parts + 1). */
static size_t merge_array(const tkm_vocab *v, const uint8_t *p, size_t n, uint32_t *start,
                          uint32_t *rank, size_t min_parts)
{
    size_t m = n + 1;
    for (size_t i = 0; i < n; i++) {
        start[i] = (uint32_t)i;
        rank[i] = i + 1 < n ? rank_of(v, p + i, 2) : TKM_NO_RANK;
    }
    start[n] = (uint32_t)n;
    rank[n] = TKM_NO_RANK;
    while (m > min_parts + 1) {
        uint32_t best = TKM_NO_RANK;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < m; i++) {
            if (rank[i] < best) {
                best = rank[i];
                bi = i;
            }
        }
        if (best == TKM_NO_RANK)
            break;
        /* Part bi absorbs part bi+1; recompute the pairs that touch it. */
        if (bi > 0)
            rank[bi - 1] = rank_of(v, p + start[bi - 1], start[bi + 2] - start[bi - 1]);
        rank[bi] = bi + 3 < m ? rank_of(v, p + start[bi], start[bi + 3] - start[bi]) : TKM_NO_RANK;
        memmove(start + bi + 1, start + bi + 2, (m - bi - 2) * sizeof *start);
        memmove(rank + bi + 1, rank + bi + 2, (m - bi - 2) * sizeof *rank);
        m--;
    }
    return m;
}

/* ---- binary min-heap of (rank << 32 | start): order is rank, then start ---- */

static void heap_push(uint64_t *h, size_t *n, uint64_t x)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent] <= x)
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

static void sift_down(uint64_t *h, size_t n, size_t i)
{
    uint64_t x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1] < h[c])
            c++;
        if (x <= h[c])
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0];
    h[0] = h[--*n];
    if (*n)
        sift_down(h, *n, 0);
    return top;
}

/* The heap merge, as tiktoken's _byte_pair_merge_large: a doubly linked list
 * of parts; stale heap entries are recognised because the part's current pair
 * rank no longer equals the entry's. For long pieces of a vocabulary without
 * backtracking tables; giant pieces are mostly long runs of a few distinct
 * parts (1 MiB of spaces merges the same pairs again and again), which the
 * pair memo answers. */
static tkm_status merge_heap(const tkm_vocab *v, const uint8_t *p, size_t n, tkm_bpe_scratch *s,
                             tkm_piece_cache *cache, const tkm_allocator *a, tkm_sink *out,
                             size_t *bad)
{
    tkm_piece_cache *memo = pair_memo(v, cache);
    if (tkm_grow(a, (void **)&s->arr, &s->arr_cap, 4 * n + 4, sizeof *s->arr) != TKM_OK ||
        tkm_grow(a, (void **)&s->heap, &s->heap_cap, 3 * n + 3, sizeof *s->heap) != TKM_OK)
        return TKM_ERR_NOMEM;
    const uint32_t NONE = UINT32_MAX;
    uint64_t ebits = memo ? tkm_pair_memo_bits(memo) : 0;
    uint32_t *nxt = s->arr, *prv = nxt + n + 1, *pair = prv + n + 1, *tok = pair + n + 1;
    uint64_t *heap = s->heap;
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        nxt[i] = (uint32_t)(i + 1);
        prv[i] = i ? (uint32_t)(i - 1) : NONE;
        tok[i] = v->byte_rank[p[i]];
        pair[i] = i + 1 < n ? rank_of(v, p + i, 2) : TKM_NO_RANK;
        if (pair[i] != TKM_NO_RANK)
            heap[hn++] = ((uint64_t)pair[i] << 32) | i;
    }
    for (size_t i = hn / 2; i-- > 0;)
        sift_down(heap, hn, i);

    while (hn) {
        uint64_t top = heap_pop(heap, &hn);
        uint32_t r = (uint32_t)(top >> 32), i = (uint32_t)top;
        if (pair[i] != r)
            continue; /* stale */
        uint32_t j = nxt[i], k = nxt[j];
        tok[i] = r;
        nxt[i] = k;
        if (k < n)
            prv[k] = i;
        pair[j] = TKM_NO_RANK;
        pair[i] = TKM_NO_RANK;
        if (k < n) {
            size_t end = nxt[k];
            if ((pair[i] = merged_rank(v, memo, ebits, r, tok[k], p + i, end - i)) != TKM_NO_RANK)
                heap_push(heap, &hn, ((uint64_t)pair[i] << 32) | i);
        }
        uint32_t h = prv[i];
        if (h != NONE) {
            if ((pair[h] = merged_rank(v, memo, ebits, tok[h], r, p + h, k - h)) != TKM_NO_RANK)
                heap_push(heap, &hn, ((uint64_t)pair[h] << 32) | h);
        }
    }
    for (size_t i = 0; i < n; i = nxt[i]) {
        if (tok[i] == TKM_NO_RANK) {
            *bad = i;
            return TKM_ERR_UNENCODABLE;
        }
        tkm_sink_put(out, tok[i]);
    }
    return TKM_OK;
}

/* One part of a cut piece (encode_cut): byte-pair merging alone, without
 * tiktoken's whole-piece rule, which applies to the piece, not its parts.
 * The two differ only on an unreachable token (tkm_bt_reachable), so short
 * parts can go through the context's piece cache, which holds whole-piece
 * results, except for those. */
static tkm_status encode_part(const tkm_bt_tables *t, const tkm_vocab *v, const uint8_t *p,
                              size_t n, tkm_bpe_scratch *s, tkm_piece_cache *memo,
                              const tkm_allocator *a, tkm_sink *out, size_t *bad)
{
    if (!memo || n > TKM_PIECE_MAX_BYTES) {
        if (n <= SMALL_PIECE)
            return merge_small(v, p, n, memo, out, bad);
        return tkm_bt_encode(t, v, p, n, s, a, out);
    }
    uint64_t key[4];
    uint64_t h = tkm_piece_key(p, n, key);
    uint32_t ids[TKM_PIECE_MAX_BYTES];
    size_t got = tkm_piece_cache_get(memo, h, key, n, ids);
    if (got && (got > 1 || tkm_bt_reachable(t, ids[0]))) {
        tkm_sink_put_all(out, ids, got);
        return TKM_OK;
    }
    tkm_sink local = {ids, TKM_PIECE_MAX_BYTES, 0, SIZE_MAX};
    uint32_t whole = rank_of(v, p, n);
    bool same = whole == TKM_NO_RANK || tkm_bt_reachable(t, whole); /* as a whole piece */
    if (whole != TKM_NO_RANK && same)
        tkm_sink_put(&local, whole);
    else {
        tkm_status st = merge_small(v, p, n, memo, &local, bad);
        if (st != TKM_OK)
            return st;
    }
    if (same && local.n <= TKM_PIECE_MAX_IDS)
        tkm_piece_cache_put(memo, h, key, n, ids, local.n);
    tkm_sink_put_all(out, ids, local.n);
    return TKM_OK;
}

/* A long piece cut at every boundary between two multi-byte characters that
 * no token crosses (tkm_bt_uncrossed says why the result is the same), each
 * part encoded alone: 1 MiB of CJK with no spaces becomes mostly single
 * characters, answered by the piece cache, instead of one backtracking run
 * that checks a merge pair at every token. A piece with no such boundary is
 * one part. */
static tkm_status encode_cut(const tkm_bt_tables *t, const tkm_vocab *v, const uint8_t *p,
                             size_t n, tkm_bpe_scratch *s, tkm_piece_cache *memo,
                             const tkm_allocator *a, tkm_sink *out, size_t *bad)
{
    size_t start = 0;
    for (size_t b = 1;; b++) {
        /* ASCII (long runs of letters, spaces, base64) has no junction. */
        while (b + 8 <= n && !(tkm_load64(p + b) & 0x8080808080808080ull))
            b += 8;
        if (b < n && (!tkm_bt_junction(p, b) || !tkm_bt_uncrossed(t, p, n, b)))
            continue;
        if (b == n && start == 0) /* no cut: one backtracking run */
            return tkm_bt_encode(t, v, p, n, s, a, out);
        if (!tkm_bt_char(t, p + start, b - start, out)) {
            tkm_status st = encode_part(t, v, p + start, b - start, s, memo, a, out, bad);
            if (st != TKM_OK) {
                *bad += start;
                return st;
            }
        }
        if (b == n)
            return TKM_OK;
        start = b;
    }
}

tkm_status tkm_bpe_piece(const tkm_vocab *v, const uint8_t *p, size_t n, tkm_bpe_scratch *s,
                         tkm_piece_cache *memo, const tkm_allocator *a, tkm_sink *out, size_t *bad)
{
    uint32_t whole = rank_of(v, p, n);
    if (whole != TKM_NO_RANK) {
        tkm_sink_put(out, whole);
        return TKM_OK;
    }
    if (n == 1) {
        *bad = 0;
        return TKM_ERR_UNENCODABLE;
    }
    if (n == 3 && merge3(v, p, out))
        return TKM_OK;
    if (n <= SMALL_PIECE)
        return merge_small(v, p, n, memo, out, bad);
    if (n >= UINT32_MAX)
        return TKM_ERR_INVALID_ARGUMENT;
    if (n >= BACKTRACK_PIECE) {
        /* Linear time, same ids (backtrack.c). Built-ins have their tables
         * from compile time. For a custom vocabulary they cost a one-time
         * build (~50 ms for cl100k's size, ~150 ms for o200k's), more than
         * the heap merge of a few hundred KiB: build them once this context has
         * heap-merged BUILD_AFTER bytes of long pieces (at once for a piece
         * that long), so a text with a few long runs never pays for them.
         * NULL: not built yet, a vocabulary the encoder does not handle,
         * or no memory (then the count starts over). TKM_ERR_UNENCODABLE
         * means it found no encoding and emitted nothing: the heap merge
         * then reports the offending byte. */
        const tkm_bt_tables *t = tkm_bt_get(v, a, false);
        if (!t && tkm_bt_pending(v)) {
            s->bt_pending += n;
            if (s->bt_pending >= BUILD_AFTER) {
                s->bt_pending = 0;
                t = tkm_bt_get(v, a, true);
            }
        }
        if (t) {
            /* Tables exist only when every byte is a token, so neither path
             * fails to find an encoding. */
            tkm_status st = encode_cut(t, v, p, n, s, memo, a, out, bad);
            if (st != TKM_ERR_UNENCODABLE)
                return st;
        }
    }
    return merge_heap(v, p, n, s, memo, a, out, bad);
}

tkm_status tkm_bpe_merge_short(const tkm_vocab *v, const uint8_t *p, size_t n, tkm_sink *out,
                               size_t *bad)
{
    return merge_small(v, p, n, NULL, out, bad);
}

tkm_status tkm_bpe_heap_merge(const tkm_vocab *v, const uint8_t *p, size_t n,
                              tkm_bpe_scratch *s, const tkm_allocator *a, tkm_sink *out,
                              size_t *bad)
{
    if (n >= UINT32_MAX)
        return TKM_ERR_INVALID_ARGUMENT;
    return merge_heap(v, p, n, s, NULL, a, out, bad);
}

tkm_status tkm_bpe_merge_reference(const tkm_vocab *v, const uint8_t *p, size_t n,
                                   const tkm_allocator *a, tkm_sink *out, size_t *bad)
{
    if (n >= UINT32_MAX)
        return TKM_ERR_INVALID_ARGUMENT;
    uint32_t *start = tkm_alloc_array(a, n + 1, sizeof *start);
    uint32_t *rank = tkm_alloc_array(a, n + 1, sizeof *rank);
    tkm_status st = TKM_ERR_NOMEM;
    if (start && rank) {
        size_t m = merge_array(v, p, n, start, rank, 1);
        st = emit_parts(v, p, start, m, out, bad);
    }
    tkm_free(a, start);
    tkm_free(a, rank);
    return st;
}

tkm_status tkm_bpe_piece_reference(const tkm_vocab *v, const uint8_t *p, size_t n,
                                   const tkm_allocator *a, tkm_sink *out, size_t *bad)
{
    uint32_t whole = rank_of(v, p, n);
    if (whole != TKM_NO_RANK) {
        tkm_sink_put(out, whole);
        return TKM_OK;
    }
    return tkm_bpe_merge_reference(v, p, n, a, out, bad);
}

size_t tkm_bpe_last_merge(const tkm_vocab *v, const uint8_t *p, size_t n, uint32_t *start,
                          uint32_t *rank)
{
    if (n < 2 || n >= UINT32_MAX)
        return 0;
    /* With two parts left the only pair is the whole token, which the full
     * merge would take next; with more, the merge had already stopped. */
    return merge_array(v, p, n, start, rank, 2) == 3 ? start[1] : 0;
}
