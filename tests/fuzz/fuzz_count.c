/* fuzz_count.c — counting agrees with encoding, and the early-exit count
 * agrees with the full count.
 *
 * The first input byte picks the built-in encoding and one of the option
 * sets below, the rest is the text. For that option set, tkm_encode,
 * tkm_count, tkm_count_limit(SIZE_MAX), tkm_context_encode and
 * tkm_context_count (one context reused across all inputs) must return the
 * same status; on success the same number of tokens
 * (and the same ids for the two encodes); on failure the same detail offset
 * and token. The status itself is predicted independently:
 *  - strict modes fail with TKM_ERR_INVALID_UTF8 exactly at the first
 *    ill-formed byte (checked before special tokens, as tiktoken can only
 *    be given valid strings);
 *  - a disallowed special token fails with TKM_ERR_DISALLOWED_SPECIAL at the
 *    first byte offset where any disallowed special's text occurs, with that
 *    special's id in detail.token;
 *  - everything else succeeds.
 * Then tkm_count_limit with limits 0, n-1, n, n+1 and two input-derived ones
 * must say exceeded iff n > limit, give the exact count when not exceeded and
 * a number in (limit, n] when it is. And a tkm_stream fed the text in
 * input-derived chunks must give the whole-text count (see check_stream).
 */
#include "fuzz_common.h"

#define MAX_ENCODINGS 16

typedef struct special {
    const char *text;
    size_t len;
    uint32_t id;
} special;

typedef struct enc_info {
    tkm_encoding *enc;
    special *sp; /* sorted by (len, bytes) */
    size_t n_sp;
    size_t lens[64]; /* distinct special lengths */
    size_t n_lens;
    const char *first_name; /* the special allowed by name in one option set */
    int first_byte;         /* the first byte all specials share, or -1 */
} enc_info;

static enc_info encs[MAX_ENCODINGS];
static size_t n_encs;
static tkm_context *shared_ctx;

static int cmp_special(const void *a, const void *b)
{
    const special *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->text, y->text, x->len);
}

static void load_all(void)
{
    if (n_encs)
        return;
    size_t n = tkm_builtin_count();
    FUZZ_CHECK(n > 0 && n <= MAX_ENCODINGS, "tkm_builtin_count() = %zu", n);
    for (size_t i = 0; i < n; i++) {
        enc_info *e = &encs[i];
        e->enc = fuzz_load_builtin(tkm_builtin_name(i));
        e->n_sp = tkm_encoding_n_special(e->enc);
        e->sp = fuzz_xmalloc((e->n_sp + 1) * sizeof *e->sp);
        for (size_t k = 0; k < e->n_sp; k++) {
            special *s = &e->sp[k];
            FUZZ_CHECK(tkm_encoding_special_at(e->enc, k, &s->text, &s->len, &s->id) == TKM_OK,
                       "special_at(%zu)", k);
            bool seen = false;
            for (size_t j = 0; j < e->n_lens; j++)
                seen |= e->lens[j] == s->len;
            if (!seen) {
                FUZZ_CHECK(e->n_lens < sizeof e->lens / sizeof e->lens[0], "too many lengths");
                e->lens[e->n_lens++] = s->len;
            }
        }
        /* Specials are NUL-terminated inside the encoding (tokmeter.h). */
        e->first_name = e->n_sp ? e->sp[0].text : NULL;
        e->first_byte = e->n_sp ? (unsigned char)e->sp[0].text[0] : -1;
        for (size_t k = 0; k < e->n_sp; k++)
            if ((unsigned char)e->sp[k].text[0] != e->first_byte)
                e->first_byte = -1;
        qsort(e->sp, e->n_sp, sizeof *e->sp, cmp_special);
    }
    FUZZ_CHECK(tkm_context_create(NULL, &shared_ctx) == TKM_OK, "context_create");
    n_encs = n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load_all();
    return 0;
}

/* The special whose text starts at text[p], or NULL. */
static const special *special_at(const enc_info *e, const uint8_t *text, size_t len, size_t p)
{
    for (size_t j = 0; j < e->n_lens; j++) {
        size_t l = e->lens[j];
        if (l > len - p)
            continue;
        size_t lo = 0, hi = e->n_sp;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const special *s = &e->sp[mid];
            int c = s->len != l ? (s->len < l ? -1 : 1) : memcmp(s->text, text + p, l);
            if (c == 0)
                return s;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return NULL;
}

/* First offset where a special other than `allowed` (NULL: none allowed)
 * occurs; SIZE_MAX when none does. */
static size_t first_disallowed(const enc_info *e, const uint8_t *text, size_t len,
                               const char *allowed, const special **which)
{
    for (size_t p = 0; p < len; p++) {
        if (e->first_byte >= 0 && text[p] != e->first_byte)
            continue;
        const special *s = special_at(e, text, len, p);
        if (s && !(allowed && strcmp(allowed, s->text) == 0)) {
            *which = s;
            return p;
        }
    }
    return SIZE_MAX;
}

typedef struct option_set {
    const char *label;
    unsigned flags;
    bool allow_first; /* allowed_special = {first special's name} */
} option_set;

static const option_set SETS[] = {
    {"ordinary lossless", TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT, false},
    {"allow-all lossless", TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL, false},
    {"ordinary replace", TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT, false},
    {"allow-all replace", TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_ALLOW_ALL_SPECIAL, false},
    {"default", 0, false},
    {"ordinary strict", TKM_ENCODE_SPECIAL_AS_TEXT, false},
    {"disallowed lossless", TKM_ENCODE_LOSSLESS, false},
    {"one allowed lossless", TKM_ENCODE_LOSSLESS, true},
    {"one allowed, rest as text, replace", TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT,
     true},
};

static void check_limits(const enc_info *e, const option_set *set, const tkm_encode_options *o,
                         const uint8_t *text, size_t len, size_t n, uint64_t h)
{
    const char *name = tkm_encoding_name(e->enc);
    size_t limits[8];
    size_t nl = 0;
    limits[nl++] = 0;
    if (n > 0)
        limits[nl++] = n - 1;
    limits[nl++] = n;
    limits[nl++] = n + 1;
    limits[nl++] = (size_t)(h % (n + 1));
    limits[nl++] = (size_t)((h >> 24) % (2 * n + 2));
    for (size_t i = 0; i < nl; i++) {
        size_t limit = limits[i], got = SIZE_MAX;
        bool exceeded = !(n > limit);
        tkm_error_detail d;
        tkm_status st =
            tkm_count_limit(e->enc, (const char *)text, len, o, limit, &got, &exceeded, &d);
        FUZZ_CHECK(st == TKM_OK, "%s %s: count_limit(%zu): %s (%s)", name, set->label, limit,
                   tkm_strerror(st), d.message);
        FUZZ_CHECK(exceeded == (n > limit), "%s %s: count %zu, limit %zu, exceeded=%d", name,
                   set->label, n, limit, (int)exceeded);
        if (!exceeded)
            FUZZ_CHECK(got == n, "%s %s: count_limit(%zu) = %zu, count = %zu", name, set->label,
                       limit, got, n);
        else
            FUZZ_CHECK(got > limit && got <= n,
                       "%s %s: count_limit(%zu) stopped at %zu, count = %zu", name, set->label,
                       limit, got, n);
        /* The same through the reused context. */
        size_t got2 = SIZE_MAX;
        bool ex2 = !exceeded;
        st = tkm_context_count(shared_ctx, e->enc, (const char *)text, len, o, limit, &got2, &ex2,
                               &d);
        FUZZ_CHECK(st == TKM_OK && ex2 == exceeded && got2 == got,
                   "%s %s: context_count(%zu) = %s %zu/%d, count_limit = %zu/%d", name,
                   set->label, limit, tkm_strerror(st), got2, (int)ex2, got, (int)exceeded);
    }
}

/* The same text fed to a tkm_stream in input-derived chunks (1 byte to 4 KiB):
 * a whole-text success must be the same count; a whole-text failure must be
 * a stream failure. A stream sees only what was fed, so where the whole text
 * fails on invalid UTF-8 the stream may first meet a disallowed special
 * before that offset; otherwise status and offset are the same. */
static void check_stream(const enc_info *e, const option_set *set, const tkm_encode_options *o,
                         const uint8_t *text, size_t len, uint64_t h, tkm_status want,
                         size_t n_want, const tkm_error_detail *d_want)
{
    const char *name = tkm_encoding_name(e->enc);
    tkm_stream *s = NULL;
    tkm_status st = tkm_stream_create(e->enc, o, NULL, &s);
    if (st != TKM_OK) {
        /* Options are checked at creation (unknown allowed names). */
        FUZZ_CHECK(st == want, "%s %s: stream_create %s, count %s", name, set->label,
                   tkm_strerror(st), tkm_strerror(want));
        return;
    }
    tkm_error_detail d;
    size_t pos = 0;
    uint64_t x = h | 1;
    if (h & 8) {
        /* A text abandoned part-way (or failed) first: tkm_stream_reset must
         * leave nothing of it in the count or the error offsets below. */
        (void)tkm_stream_feed(s, (const char *)text, (size_t)(h >> 16) % (len + 1), &d);
        st = tkm_stream_reset(s);
        FUZZ_CHECK(st == TKM_OK, "%s %s: stream_reset %s", name, set->label, tkm_strerror(st));
    }
    st = TKM_OK;
    while (pos < len && st == TKM_OK) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t chunk = (x & 3) == 0 ? 1 + (size_t)(x >> 8) % 4096 : 1 + (size_t)(x >> 8) % 64;
        if (chunk > len - pos)
            chunk = len - pos;
        st = tkm_stream_feed(s, (const char *)text + pos, chunk, &d);
        pos += chunk;
    }
    size_t n = SIZE_MAX;
    if (st == TKM_OK)
        st = tkm_stream_finish(s, &n, &d);
    tkm_stream_free(s);
    FUZZ_CHECK_STATUS_KNOWN(st);
    if (want == TKM_OK) {
        FUZZ_CHECK(st == TKM_OK && n == n_want, "%s %s: stream %s count %zu, whole count %zu",
                   name, set->label, tkm_strerror(st), n, n_want);
        return;
    }
    FUZZ_CHECK(st != TKM_OK, "%s %s: stream succeeded (%zu), whole text failed with %s", name,
               set->label, n, tkm_strerror(want));
    FUZZ_CHECK(d.status == st && d.message[0] != '\0', "%s %s: stream detail not filled", name,
               set->label);
    if (st == want)
        FUZZ_CHECK(d.offset == d_want->offset && d.token == d_want->token,
                   "%s %s: stream %s at offset %zu (token %u), whole text at %zu (token %u)", name,
                   set->label, tkm_strerror(st), d.offset, d.token, d_want->offset,
                   d_want->token);
    else
        FUZZ_CHECK(want == TKM_ERR_INVALID_UTF8 && st == TKM_ERR_DISALLOWED_SPECIAL &&
                       d.offset < d_want->offset,
                   "%s %s: stream %s at %zu, whole text %s at %zu", name, set->label,
                   tkm_strerror(st), d.offset, tkm_strerror(want), d_want->offset);
}

static void run_set(const enc_info *e, const option_set *set, const uint8_t *text, size_t len,
                    uint64_t h)
{
    const char *name = tkm_encoding_name(e->enc);
    const char *allowed[1] = {e->first_name};
    bool with_list = set->allow_first && e->first_name;
    tkm_encode_options o = {set->flags, with_list ? allowed : NULL, with_list ? 1 : 0};

    /* Predict the status. */
    tkm_status want = TKM_OK;
    size_t want_off = SIZE_MAX;
    const special *want_sp = NULL;
    bool strict = !(set->flags & (TKM_ENCODE_LOSSLESS | TKM_ENCODE_REPLACE_INVALID));
    bool any_disallowed = !(set->flags & (TKM_ENCODE_ALLOW_ALL_SPECIAL | TKM_ENCODE_SPECIAL_AS_TEXT));
    size_t bad = fuzz_utf8_first_invalid(text, len);
    if (strict && bad < len) {
        want = TKM_ERR_INVALID_UTF8;
        want_off = bad;
    } else if (any_disallowed) {
        /* In lossless mode specials are found in the raw bytes. */
        size_t p = first_disallowed(e, text, len, with_list ? e->first_name : NULL, &want_sp);
        if (p != SIZE_MAX) {
            want = TKM_ERR_DISALLOWED_SPECIAL;
            want_off = p;
        }
    }

    /* tkm_encode */
    uint32_t *ids = fuzz_xmalloc((tkm_encode_bound(len) + 1) * sizeof *ids);
    size_t n_enc = SIZE_MAX;
    tkm_error_detail de;
    tkm_status st_enc =
        tkm_encode(e->enc, (const char *)text, len, &o, ids, tkm_encode_bound(len), &n_enc, &de);
    FUZZ_CHECK_STATUS_KNOWN(st_enc);
    FUZZ_CHECK(st_enc == want, "%s %s: encode gave %s (%s), want %s", name, set->label,
               tkm_strerror(st_enc), de.message, tkm_strerror(want));
    if (st_enc != TKM_OK) {
        FUZZ_CHECK(de.status == st_enc && de.message[0] != '\0',
                   "%s %s: detail status %d, message \"%s\"", name, set->label, (int)de.status,
                   de.message);
        FUZZ_CHECK(de.offset == want_off, "%s %s: %s at offset %zu, want %zu", name, set->label,
                   tkm_strerror(st_enc), de.offset, want_off);
        if (want_sp)
            FUZZ_CHECK(de.token == want_sp->id, "%s %s: disallowed token %u, want %u (%s)", name,
                       set->label, de.token, want_sp->id, want_sp->text);
    } else {
        FUZZ_CHECK(n_enc <= tkm_encode_bound(len), "%s %s: %zu ids for %zu bytes", name,
                   set->label, n_enc, len);
    }

    /* tkm_context_encode with the shared, reused context */
    uint32_t *ids2 = fuzz_xmalloc((tkm_encode_bound(len) + 1) * sizeof *ids2);
    size_t n_enc2 = SIZE_MAX;
    tkm_error_detail de2;
    tkm_status st = tkm_context_encode(shared_ctx, e->enc, (const char *)text, len, &o, ids2,
                                       tkm_encode_bound(len), &n_enc2, &de2);
    FUZZ_CHECK(st == st_enc, "%s %s: context_encode %s, encode %s", name, set->label,
               tkm_strerror(st), tkm_strerror(st_enc));
    if (st == TKM_OK)
        FUZZ_CHECK(n_enc2 == n_enc && memcmp(ids, ids2, n_enc * sizeof *ids) == 0,
                   "%s %s: context_encode ids differ from encode ids", name, set->label);
    else
        FUZZ_CHECK(de2.offset == de.offset && de2.token == de.token,
                   "%s %s: context_encode detail differs", name, set->label);
    free(ids2);
    free(ids);

    /* tkm_count, tkm_count_limit(SIZE_MAX), tkm_context_count(SIZE_MAX) */
    size_t n_cnt = SIZE_MAX;
    tkm_error_detail dc;
    st = tkm_count(e->enc, (const char *)text, len, &o, &n_cnt, &dc);
    FUZZ_CHECK(st == st_enc, "%s %s: count %s (%s), encode %s", name, set->label,
               tkm_strerror(st), dc.message, tkm_strerror(st_enc));
    if (st == TKM_OK)
        FUZZ_CHECK(n_cnt == n_enc, "%s %s: count %zu, encode %zu ids", name, set->label, n_cnt,
                   n_enc);
    else
        FUZZ_CHECK(dc.offset == de.offset && dc.token == de.token && dc.message[0] != '\0',
                   "%s %s: count detail differs from encode detail", name, set->label);

    bool exceeded = true;
    size_t n_lim = SIZE_MAX;
    st = tkm_count_limit(e->enc, (const char *)text, len, &o, SIZE_MAX, &n_lim, &exceeded, &dc);
    FUZZ_CHECK(st == st_enc, "%s %s: count_limit(SIZE_MAX) %s, encode %s", name, set->label,
               tkm_strerror(st), tkm_strerror(st_enc));
    if (st == TKM_OK)
        FUZZ_CHECK(n_lim == n_enc && !exceeded, "%s %s: count_limit(SIZE_MAX) %zu/%d, encode %zu",
                   name, set->label, n_lim, (int)exceeded, n_enc);

    st = tkm_context_count(shared_ctx, e->enc, (const char *)text, len, &o, SIZE_MAX, &n_lim,
                           &exceeded, &dc);
    FUZZ_CHECK(st == st_enc, "%s %s: context_count %s, encode %s", name, set->label,
               tkm_strerror(st), tkm_strerror(st_enc));
    if (st == TKM_OK)
        FUZZ_CHECK(n_lim == n_enc && !exceeded, "%s %s: context_count %zu, encode %zu", name,
                   set->label, n_lim, n_enc);

    check_stream(e, set, &o, text, len, h, st_enc, n_enc, &de);
    if (st_enc == TKM_OK) {
        check_limits(e, set, &o, text, len, n_enc, h);
    } else {
        /* The early exit must not skip the checks done before encoding. */
        bool ex = false;
        st = tkm_count_limit(e->enc, (const char *)text, len, &o, 0, &n_lim, &ex, &dc);
        FUZZ_CHECK(st == st_enc && dc.offset == de.offset,
                   "%s %s: count_limit(0) %s at %zu, encode %s at %zu", name, set->label,
                   tkm_strerror(st), dc.offset, tkm_strerror(st_enc), de.offset);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all();
    if (size == 0)
        return 0;
    /* The first byte picks the encoding (byte % 6) and the option set
     * (byte / 6 % 9): all 54 pairs are reachable. */
    const enc_info *e = &encs[data[0] % n_encs];
    const option_set *set = &SETS[(data[0] / n_encs) % (sizeof SETS / sizeof SETS[0])];
    const uint8_t *text = data + 1;
    size_t len = size - 1;
    run_set(e, set, text, len, fuzz_hash(data, size));
    return 0;
}
