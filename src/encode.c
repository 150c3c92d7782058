/* encode.c — the encode/count driver and contexts.
 *
 * Order of work follows tiktoken's Python Encoding.encode():
 *  1. the input must be a valid string (here: the UTF-8 policy);
 *  2. if any disallowed special token occurs anywhere, fail before encoding;
 *  3. split at allowed special tokens (CoreBPE::encode), pre-tokenize each
 *     segment on its own, and byte-pair merge each piece.
 * Encode and count share this driver; they differ only in the sink.
 */
#include "bpe.h"
#include "encoding.h"
#include "piece_cache.h"
#include "utf8.h"

#include <string.h>

struct tkm_context {
    tkm_allocator alloc;
    tkm_match_scratch match;
    tkm_bpe_scratch bpe;
    tkm_piece_cache cache;
    uint8_t *want; /* 2 * n_specials flags: allowed, then disallowed */
    size_t want_cap;
    uint8_t *text; /* replace-mode transcoding */
    size_t text_cap;
};

#define KNOWN_FLAGS                                                              \
    (TKM_ENCODE_ALLOW_ALL_SPECIAL | TKM_ENCODE_SPECIAL_AS_TEXT |                 \
     TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_LOSSLESS)

static void context_init(tkm_context *ctx, const tkm_allocator *a)
{
    memset(ctx, 0, sizeof *ctx);
    tkm_alloc_init(&ctx->alloc, a);
}

static void context_release(tkm_context *ctx)
{
    tkm_match_scratch_free(&ctx->match);
    tkm_bpe_scratch_free(&ctx->bpe, &ctx->alloc);
    tkm_piece_cache_free(&ctx->cache, &ctx->alloc);
    tkm_free(&ctx->alloc, ctx->want);
    tkm_free(&ctx->alloc, ctx->text);
}

tkm_status tkm_context_create(const tkm_allocator *alloc, tkm_context **out)
{
    if (!out)
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_allocator a;
    tkm_alloc_init(&a, alloc);
    tkm_context *ctx = tkm_alloc(&a, sizeof *ctx);
    if (!ctx)
        return TKM_ERR_NOMEM;
    context_init(ctx, &a);
    *out = ctx;
    return TKM_OK;
}

void tkm_context_free(tkm_context *ctx)
{
    if (!ctx)
        return;
    context_release(ctx);
    tkm_allocator a = ctx->alloc;
    tkm_free(&a, ctx);
}

size_t tkm_encode_bound(size_t len)
{
    /* Every token covers at least one byte of the text it encodes: ordinary
     * tokens are non-empty and special tokens stand for their (non-empty)
     * text. With TKM_ENCODE_REPLACE_INVALID that text can be up to three
     * times the input (each invalid byte may become the 3-byte U+FFFD). */
    return len <= SIZE_MAX / 3 ? 3 * len : SIZE_MAX;
}

/* A piece's key and hash for the piece cache (tkm_piece_key). */
typedef struct piece_key {
    uint64_t h;
    uint64_t key[4];
} piece_key;

/* Pieces ahead of the one being merged whose table entries are prefetched. */
#define PREFETCH_AHEAD 6
#define KEY_RING 8 /* > PREFETCH_AHEAD, a power of 2 */

typedef struct job {
    tkm_context *ctx;
    const tkm_encoding *enc;
    tkm_sink *sink;
    tkm_error_detail *d;
    bool lossless;
    bool cached;    /* ctx->cache is bound to enc */
    bool use_cache; /* and this batch of pieces uses it and its pair memo */
    unsigned miss_avg; /* moving average of the share of cache misses a batch, /256 */
    unsigned batch;
    size_t lookups; /* piece-cache look-ups in this batch of pieces */
    size_t misses;  /* and how many of them missed */
    /* The keys prefetch_piece computed, by piece index modulo KEY_RING:
     * piece_cached uses them instead of computing them again. */
    piece_key ring[KEY_RING];
} job;

#if defined(__GNUC__)
#  define COLD_PATH __attribute__((noinline))
#else
#  define COLD_PATH
#endif

/* Whether a piece of n bytes goes through the piece cache (piece_cached).
 * prefetch_piece computes the key of exactly these pieces for it. Pieces
 * of one or two bytes read direct tables. One range check (n - 3 wraps for
 * them): on base64, where lengths are as good as random, a separate test
 * of n <= 2 cost a mispredicted branch every few pieces. */
static inline bool cached_piece(const job *j, size_t n)
{
    return j->use_cache && n - 3 <= TKM_PIECE_MAX_BYTES - 3;
}

static tkm_status piece_error(job *j, tkm_status st, const uint8_t *p, size_t n, size_t base,
                              size_t bad)
{
    if (st == TKM_ERR_UNENCODABLE) {
        if (j->d)
            j->d->offset = base + bad;
        return tkm_fail(j->d, st, "byte 0x%02x at offset %zu is not a token of this encoding",
                        p[bad], base + bad);
    }
    if (st == TKM_ERR_INVALID_ARGUMENT)
        return tkm_fail(j->d, st, "a single piece of 4 GiB or more cannot be merged");
    return tkm_fail(j->d, st, "out of memory while merging a piece of %zu bytes", n);
}

/* Merge one piece into out (the context's pair memo when it is bound). */
static tkm_status merge(job *j, const uint8_t *p, size_t n, size_t base, tkm_sink *out)
{
    size_t bad = 0;
    tkm_status st = tkm_bpe_piece(&j->enc->vocab, p, n, &j->ctx->bpe,
                                  j->use_cache ? &j->ctx->cache : NULL,
                                  &j->ctx->alloc, out, &bad);
    return st == TKM_OK ? TKM_OK : piece_error(j, st, p, n, base, bad);
}

/* A short piece through the context's piece cache: a hit replays the ids a
 * previous merge of the same bytes gave; a miss merges into a local sink and
 * remembers the result if it is short enough to keep. */
static tkm_status piece_cached(job *j, const uint8_t *p, size_t n, size_t base,
                               const piece_key *pk)
{
    piece_key mine;
    if (!pk) {
        mine.h = tkm_piece_key(p, n, mine.key);
        pk = &mine;
    }
    uint64_t h = pk->h;
    const uint64_t *key = pk->key;
    tkm_sink *out = j->sink;
    j->lookups++;
    if (tkm_piece_cache_emit(&j->ctx->cache, h, key, n, out))
        return TKM_OK;
    j->misses++;
    uint32_t ids[TKM_PIECE_MAX_BYTES]; /* a piece has at most one id per byte */
    tkm_sink local = {ids, TKM_PIECE_MAX_BYTES, 0, SIZE_MAX};
    tkm_status st = merge(j, p, n, base, &local);
    if (st != TKM_OK)
        return st;
    if (local.n <= TKM_PIECE_MAX_IDS)
        tkm_piece_cache_put(&j->ctx->cache, h, key, n, ids, local.n);
    tkm_sink_put_all(out, ids, local.n);
    return TKM_OK;
}

static COLD_PATH tkm_status piece_slow(job *j, const uint8_t *p, size_t n, size_t base,
                                       const piece_key *pk)
{
    if (cached_piece(j, n))
        return piece_cached(j, p, n, base, pk);
    return merge(j, p, n, base, j->sink);
}

/* One piece: most pieces of source code are one or two bytes, and those
 * tokens come from direct tables, inline in the scanning loop. pk: its
 * piece-cache key, if prefetch_piece computed it, or NULL. */
static inline tkm_status piece(job *j, const uint8_t *p, size_t n, size_t base,
                               const piece_key *pk)
{
    if (n <= 2) {
        const tkm_vocab *v = &j->enc->vocab;
        /* Both tables are read and one result kept (a conditional move):
         * on base64, pieces of one and two bytes alternate at random. */
        uint32_t r1 = v->byte_rank[p[0]], r2 = v->pair_rank[(size_t)p[0] << 8 | p[n - 1]];
        uint32_t r = n == 1 ? r1 : r2;
        if (TKM_LIKELY(r != TKM_NO_RANK)) {
            tkm_sink_put(j->sink, r);
            return TKM_OK;
        }
    }
    return piece_slow(j, p, n, base, pk);
}

/* Start loading the lines a piece's look-ups will read: its piece-cache
 * entry and, for pieces of up to 8 bytes (cheap to hash), its vocabulary
 * slot. Pieces are independent, so on text whose pieces miss the cache
 * (random identifiers, base64, many languages) the misses of several pieces
 * overlap instead of queueing one after another: 1 MiB of base64 goes from
 * ~13 to ~19 MB/s. On text that hits the cache, like English prose, it only
 * adds work (about -20 %), so it is done only for a batch of pieces after a
 * batch where over a quarter missed. */
static inline void prefetch_piece(job *j, const uint8_t *p, size_t n, piece_key *pk)
{
    /* The key is kept for piece_cached: computed once, not twice
     * (multilingual o200k: -1.2 % instructions, -3.4 % mispredictions, the
     * key's test of the length among them). */
    if (cached_piece(j, n)) {
        pk->h = tkm_piece_key(p, n, pk->key);
#if defined(__GNUC__)
        __builtin_prefetch(tkm_piece_cache_line(&j->ctx->cache, pk->h, n));
#endif
    }
#if defined(__GNUC__)
    /* n - 3 wraps for one or two bytes, as in cached_piece */
    if (n - 3 <= 8 - 3) {
        const tkm_vocab *v = &j->enc->vocab;
        size_t i = (size_t)tkm_vocab_hash(p, n, tkm_vocab_head(p, n)) & v->mask;
        __builtin_prefetch(&v->tags[i]);
        __builtin_prefetch(&v->slots[i]);
    }
#endif
}

/* Built-in patterns: the scanner's pieces tile the subject. */
static tkm_status run_scanner(job *j, const uint8_t *s, size_t n, size_t base)
{
    size_t ends[256];
    size_t pos = 0;
    while (pos < n) {
        size_t k = tkm_scan_pieces(j->enc->scan, s, n, pos, ends, 256);
        /* Prefetch when over a quarter of the last batch missed the cache
         * (or there is no cache: the first 16 KiB of a context). Where
         * nearly all pieces miss (base64, hex, random identifiers: 83 % and
         * more), probing and filling the cache only costs, a random read
         * and a write a piece. Then only every 16th batch uses it, to see
         * when the text changes. The decision follows a moving average,
         * so that one batch of new words (a new language) does not stop
         * the cache from learning them. */
        if (j->use_cache && j->lookups >= 32)
            j->miss_avg = (7 * j->miss_avg + (unsigned)(j->misses * 256 / j->lookups)) / 8;
        bool missing = j->miss_avg > 200; /* 78 % */
        bool ahead = !j->cached || missing || j->misses * 4 > j->lookups;
        j->use_cache = j->cached && !(missing && ++j->batch % 16 != 0);
        j->misses = j->lookups = 0;
        /* Piece i is [i ? ends[i - 1] : pos, ends[i]). */
        for (size_t i = 0; ahead && i < k && i < PREFETCH_AHEAD; i++) {
            size_t from = i ? ends[i - 1] : pos;
            prefetch_piece(j, s + from, ends[i] - from, &j->ring[i % KEY_RING]);
        }
        /* Two loops, so that text that hits the cache (no prefetching)
         * pays nothing for it. */
        for (size_t i = 0; ahead && i < k; i++) {
            size_t f = i + PREFETCH_AHEAD; /* f >= 1: its start is ends[f - 1] */
            if (f < k)
                prefetch_piece(j, s + ends[f - 1], ends[f] - ends[f - 1],
                               &j->ring[f % KEY_RING]);
            tkm_status st = piece(j, s + pos, ends[i] - pos, base + pos, &j->ring[i % KEY_RING]);
            if (st != TKM_OK)
                return st;
            pos = ends[i];
        }
        for (size_t i = 0; !ahead && i < k; i++) {
            tkm_status st = piece(j, s + pos, ends[i] - pos, base + pos, NULL);
            if (st != TKM_OK)
                return st;
            pos = ends[i];
        }
        if (tkm_sink_done(j->sink))
            return TKM_OK;
    }
    return TKM_OK;
}

/* Pre-tokenize a valid UTF-8 subject and merge its pieces. Text the pattern
 * does not match is dropped, as tiktoken's find_iter drops it (no built-in
 * pattern leaves any), except in lossless mode where it is its own piece. */
static tkm_status run_pattern(job *j, const uint8_t *s, size_t n, size_t base)
{
    if (j->enc->scan != TKM_SCAN_NONE)
        return run_scanner(j, s, n, base);
    const tkm_pretok *pt = &j->enc->pretok;
    size_t covered = 0, pos = 0;
    while (pos < n) {
        size_t ms, me;
        bool found;
        tkm_status st = tkm_pretok_next(pt, &j->ctx->match, s, n, pos, &ms, &me, &found, j->d);
        if (st != TKM_OK) {
            if (j->d && j->d->offset != SIZE_MAX)
                j->d->offset += base;
            return st;
        }
        if (!found)
            break;
        if (me == ms) {
            /* An empty match is no piece (tiktoken would panic on it); step
             * one character, as regex iterators do. */
            size_t cl = 1;
            (void)tkm_utf8_decode(s + ms, &cl);
            pos = ms + cl;
            continue;
        }
        if (j->lossless && ms > covered &&
            (st = piece(j, s + covered, ms - covered, base + covered, NULL)))
            return st;
        if ((st = piece(j, s + ms, me - ms, base + ms, NULL)) != TKM_OK)
            return st;
        covered = pos = me;
        if (tkm_sink_done(j->sink))
            return TKM_OK;
    }
    if (j->lossless && covered < n)
        return piece(j, s + covered, n - covered, base + covered, NULL);
    return TKM_OK;
}

/* A segment between special tokens. In lossless mode it may hold invalid
 * UTF-8: valid runs go through the pattern, each invalid run is one piece. */
static tkm_status run_segment(job *j, const uint8_t *s, size_t n, size_t base)
{
    if (!j->lossless)
        return run_pattern(j, s, n, base);
    size_t i = 0;
    while (i < n) {
        size_t v = tkm_utf8_valid_prefix(s + i, n - i);
        if (v) {
            tkm_status st = run_pattern(j, s + i, v, base + i);
            if (st != TKM_OK || tkm_sink_done(j->sink))
                return st;
            i += v;
        }
        if (i >= n)
            break;
        size_t k = i;
        do
            k += tkm_utf8_invalid_len(s + k, n - k);
        while (k < n && tkm_utf8_valid_prefix(s + k, n - k < 4 ? n - k : 4) == 0);
        tkm_status st = piece(j, s + i, k - i, base + i, NULL);
        if (st != TKM_OK || tkm_sink_done(j->sink))
            return st;
        i = k;
    }
    return TKM_OK;
}

/* Python's bytes.decode("utf-8", "replace") into ctx->text. */
static tkm_status replace_invalid(tkm_context *ctx, const uint8_t *s, size_t n, size_t *out_len)
{
    size_t need = 0, i = 0;
    while (i < n) {
        size_t v = tkm_utf8_valid_prefix(s + i, n - i);
        need += v;
        i += v;
        if (i < n) {
            i += tkm_utf8_invalid_len(s + i, n - i);
            need += 3;
        }
    }
    if (tkm_grow(&ctx->alloc, (void **)&ctx->text, &ctx->text_cap, need ? need : 1, 1) != TKM_OK)
        return TKM_ERR_NOMEM;
    size_t o = 0;
    i = 0;
    while (i < n) {
        size_t v = tkm_utf8_valid_prefix(s + i, n - i);
        memcpy(ctx->text + o, s + i, v);
        o += v;
        i += v;
        if (i < n) {
            i += tkm_utf8_invalid_len(s + i, n - i);
            memcpy(ctx->text + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    *out_len = o;
    return TKM_OK;
}

/* origin: the offset of text[0] in the caller's whole input (streams), added
 * to every offset reported. */
static tkm_status run(tkm_context *ctx, const tkm_encoding *enc, const char *text, size_t len,
                      const tkm_encode_options *opts, size_t origin, tkm_sink *sink,
                      tkm_error_detail *d)
{
    tkm_detail_clear(d);
    if (!enc || (!text && len))
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "encoding or text is NULL");
    unsigned flags = opts ? opts->flags : 0;
    if ((flags & ~KNOWN_FLAGS) ||
        ((flags & TKM_ENCODE_LOSSLESS) && (flags & TKM_ENCODE_REPLACE_INVALID)) ||
        (opts && opts->n_allowed_special && !opts->allowed_special))
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "invalid encode options");
    if (!text)
        text = "";

    /* Allowed and disallowed special tokens. */
    const tkm_special_set *sp = &enc->specials;
    size_t ns = sp->n;
    if (tkm_grow(&ctx->alloc, (void **)&ctx->want, &ctx->want_cap, 2 * ns + 1, 1) != TKM_OK)
        return tkm_fail(d, TKM_ERR_NOMEM, "out of memory");
    uint8_t *allowed = ctx->want, *disallowed = ctx->want + ns;
    memset(allowed, (flags & TKM_ENCODE_ALLOW_ALL_SPECIAL) ? 1 : 0, ns);
    for (size_t i = 0; opts && i < opts->n_allowed_special; i++) {
        const char *name = opts->allowed_special[i];
        size_t k = name ? tkm_special_lookup(sp, name, strlen(name)) : SIZE_MAX;
        if (k == SIZE_MAX)
            return tkm_fail(d, TKM_ERR_UNKNOWN_SPECIAL, "\"%s\" is not a special token of %s",
                            name ? name : "(null)", enc->name);
        allowed[k] = 1;
    }
    bool any_allowed = false, any_disallowed = false;
    for (size_t i = 0; i < ns; i++) {
        any_allowed |= allowed[i] != 0;
        disallowed[i] = !allowed[i] && !(flags & TKM_ENCODE_SPECIAL_AS_TEXT);
        any_disallowed |= disallowed[i] != 0;
    }

    /* UTF-8 policy. */
    const uint8_t *s = (const uint8_t *)text;
    if (!(flags & TKM_ENCODE_LOSSLESS)) {
        size_t v = tkm_utf8_valid_prefix(s, len);
        if (v < len) {
            if (!(flags & TKM_ENCODE_REPLACE_INVALID)) {
                if (d)
                    d->offset = origin + v;
                return tkm_fail(d, TKM_ERR_INVALID_UTF8, "invalid UTF-8 at byte offset %zu",
                                origin + v);
            }
            if (replace_invalid(ctx, s, len, &len) != TKM_OK)
                return tkm_fail(d, TKM_ERR_NOMEM, "out of memory");
            s = ctx->text;
        }
    }

    /* Disallowed special tokens fail the whole call, before any encoding. */
    size_t sp_pos, sp_idx;
    if (any_disallowed &&
        tkm_special_find(sp, disallowed, (const char *)s, len, 0, &sp_pos, &sp_idx)) {
        if (d) {
            d->offset = origin + sp_pos;
            d->token = sp->items[sp_idx].id;
        }
        return tkm_fail(d, TKM_ERR_DISALLOWED_SPECIAL,
                        "special token %s (id %u) at byte offset %zu is not allowed",
                        sp->items[sp_idx].text, sp->items[sp_idx].id, origin + sp_pos);
    }

    if (enc->scan == TKM_SCAN_NONE && !ctx->match.md &&
        tkm_match_scratch_init(&ctx->match, &ctx->alloc) != TKM_OK)
        return tkm_fail(d, TKM_ERR_NOMEM, "out of memory");
    bool cached = tkm_piece_cache_bind(&ctx->cache, enc->fingerprint, enc->vocab.n_ranks, len,
                                       &ctx->alloc);
    job j = {.ctx = ctx, .enc = enc, .sink = sink, .d = d,
             .lossless = (flags & TKM_ENCODE_LOSSLESS) != 0, .cached = cached,
             .use_cache = cached};
    size_t pos = 0;
    for (;;) {
        bool found = any_allowed &&
                     tkm_special_find(sp, allowed, (const char *)s, len, pos, &sp_pos, &sp_idx);
        size_t end = found ? sp_pos : len;
        if (end > pos) {
            tkm_status st = run_segment(&j, s + pos, end - pos, origin + pos);
            if (st != TKM_OK)
                return st;
        }
        if (!found || tkm_sink_done(sink))
            break;
        tkm_sink_put(sink, sp->items[sp_idx].id);
        pos = sp_pos + sp->items[sp_idx].len;
    }
    return TKM_OK;
}

tkm_status tkm_context_encode(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                              size_t len, const tkm_encode_options *opts, uint32_t *ids, size_t cap,
                              size_t *n_out, tkm_error_detail *detail)
{
    if (!ctx || !n_out || (!ids && cap)) {
        tkm_detail_clear(detail);
        return tkm_fail(detail, TKM_ERR_INVALID_ARGUMENT, "context, ids or n_out is NULL");
    }
    tkm_sink sink = {ids, cap, 0, SIZE_MAX};
    tkm_status st = run(ctx, enc, text, len, opts, 0, &sink, detail);
    if (st != TKM_OK)
        return st;
    *n_out = sink.n;
    if (sink.n > cap)
        return tkm_fail(detail, TKM_ERR_BUFFER_TOO_SMALL, "%zu ids do not fit in %zu", sink.n, cap);
    return TKM_OK;
}

tkm_status tkm_context_count(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                             size_t len, const tkm_encode_options *opts, size_t limit,
                             size_t *n_out, bool *exceeded, tkm_error_detail *detail)
{
    return tkm_context_count_at(ctx, enc, text, len, opts, 0, limit, n_out, exceeded, detail);
}

tkm_status tkm_context_count_at(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                                size_t len, const tkm_encode_options *opts, size_t origin,
                                size_t limit, size_t *n_out, bool *exceeded,
                                tkm_error_detail *detail)
{
    if (!ctx || !n_out) {
        tkm_detail_clear(detail);
        return tkm_fail(detail, TKM_ERR_INVALID_ARGUMENT, "context or n_out is NULL");
    }
    tkm_sink sink = {NULL, 0, 0, limit};
    tkm_status st = run(ctx, enc, text, len, opts, origin, &sink, detail);
    if (st != TKM_OK)
        return st;
    *n_out = sink.n;
    if (exceeded)
        *exceeded = sink.n > limit;
    return TKM_OK;
}

tkm_status tkm_encode(const tkm_encoding *enc, const char *text, size_t len,
                      const tkm_encode_options *opts, uint32_t *ids, size_t cap, size_t *n_out,
                      tkm_error_detail *detail)
{
    tkm_context ctx;
    context_init(&ctx, enc ? &enc->alloc : NULL);
    tkm_status st = tkm_context_encode(&ctx, enc, text, len, opts, ids, cap, n_out, detail);
    context_release(&ctx);
    return st;
}

tkm_status tkm_encode_ordinary(const tkm_encoding *enc, const char *text, size_t len,
                               uint32_t *ids, size_t cap, size_t *n_out, tkm_error_detail *detail)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    return tkm_encode(enc, text, len, &o, ids, cap, n_out, detail);
}

tkm_status tkm_count_limit(const tkm_encoding *enc, const char *text, size_t len,
                           const tkm_encode_options *opts, size_t limit, size_t *n_out,
                           bool *exceeded, tkm_error_detail *detail)
{
    tkm_context ctx;
    context_init(&ctx, enc ? &enc->alloc : NULL);
    tkm_status st = tkm_context_count(&ctx, enc, text, len, opts, limit, n_out, exceeded, detail);
    context_release(&ctx);
    return st;
}

tkm_status tkm_count(const tkm_encoding *enc, const char *text, size_t len,
                     const tkm_encode_options *opts, size_t *n_out, tkm_error_detail *detail)
{
    return tkm_count_limit(enc, text, len, opts, SIZE_MAX, n_out, NULL, detail);
}
