/* test_alloc_fail.c — allocation failure anywhere gives TKM_ERR_NOMEM (or
 * success), never a crash, another status or a leak.
 *
 * An injecting tkm_allocator counts allocations while it is armed and fails
 * the k-th one; in "single" mode only that one fails, in "persistent" mode it
 * and every later one does. For every public function that allocates, each
 * case is run once without failure (counting its allocations and recording
 * the reference result), then for k = 1, 2, ... up to that count in both
 * modes. Every run must return TKM_ERR_NOMEM or the reference status (with
 * the reference result); functions taking a detail must fill it; and after
 * freeing whatever succeeded, the allocator's live-block count must be back
 * where it was (zero for the loaders).
 *
 * The allocator is armed only around the call under test: encodings that a
 * case merely needs are loaded through the same allocator while disarmed, so
 * the scratch that tkm_encode/tkm_count take from the encoding's allocator is
 * what gets the failures.
 *
 * o200k_harmony's load makes ~1,100 allocations (one per special token) at
 * ~30 ms each, so its middle range (the copies of <|reserved_N|>) is sampled
 * (every 61st; the first and last 32 are all run) unless
 * TKM_ALLOC_FAIL_FULL=1 is set in the environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"
#include "test_b64.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the injecting allocator ---- */

typedef struct injector {
    long calls;    /* allocations attempted while armed */
    long fail_at;  /* 1-based index of the first failing allocation; 0 = none */
    bool persistent;
    bool armed;
    long injected; /* failures injected in this run */
    long live;     /* blocks allocated and not yet freed (armed or not) */
} injector;

static void *inj_malloc(size_t n, void *ud)
{
    injector *f = ud;
    if (f->armed) {
        f->calls++;
        if (f->fail_at &&
            (f->calls == f->fail_at || (f->persistent && f->calls > f->fail_at))) {
            f->injected++;
            return NULL;
        }
    }
    void *p = malloc(n);
    if (p)
        f->live++;
    return p;
}

static void inj_free(void *p, void *ud)
{
    injector *f = ud;
    if (!p)
        return;
    f->live--;
    free(p);
}

static tkm_allocator allocator_of(injector *f)
{
    tkm_allocator a = {inj_malloc, inj_free, f};
    return a;
}

#define ARM(f) ((f)->armed = true)
#define DISARM(f) ((f)->armed = false)

/* ---- the driver ---- */

/* One case: run the call under test (arming f around it), check the result
 * against the reference when it succeeded, free what it made. Returns the
 * status of the call under test. */
typedef tkm_status (*op_fn)(injector *f, void *arg, bool reference);

static bool full_run(void)
{
    const char *e = getenv("TKM_ALLOC_FAIL_FULL");
    return e && strcmp(e, "1") == 0;
}

static long next_k(long k, long total)
{
    if (total <= 300 || full_run() || k < 32 || k >= total - 32)
        return k + 1;
    long n = k + 61;
    return n < total - 32 ? n : total - 32;
}

typedef struct summary {
    char label[96];
    long allocations;
    long runs;
} summary;

static summary summaries[128];
static size_t n_summaries;

/* Runs op under every injection point; f may already hold live blocks (an
 * encoding the case uses), which must be all that is live after each run. */
static void inject(const char *label, op_fn op, void *arg, injector *f, tkm_status expect)
{
    long baseline = f->live;
    f->fail_at = 0;
    f->calls = 0;
    f->injected = 0;
    tkm_status st = op(f, arg, true);
    assert_false(f->armed);
    if (st != expect)
        fail_msg("%s: without failures: %s, want %s", label, tkm_strerror(st),
                 tkm_strerror(expect));
    if (f->live != baseline)
        fail_msg("%s: without failures: %ld blocks leaked", label, f->live - baseline);
    long total = f->calls, runs = 0;

    for (int mode = 0; mode < 2; mode++) {
        for (long k = 1; k <= total; k = next_k(k, total)) {
            f->fail_at = k;
            f->persistent = mode == 1;
            f->calls = 0;
            f->injected = 0;
            st = op(f, arg, false);
            runs++;
            assert_false(f->armed);
            if (st != TKM_ERR_NOMEM && st != expect)
                fail_msg("%s: allocation %ld of %ld failed (%s): got %s, want %s or %s", label, k,
                         total, mode ? "and all after" : "alone", tkm_strerror(st),
                         tkm_strerror(TKM_ERR_NOMEM), tkm_strerror(expect));
            if (f->injected == 0 && st != expect)
                fail_msg("%s: no failure injected at %ld, got %s", label, k, tkm_strerror(st));
            if (f->live != baseline)
                fail_msg("%s: allocation %ld of %ld failed (%s): %s and %ld blocks leaked", label,
                         k, total, mode ? "and all after" : "alone", tkm_strerror(st),
                         f->live - baseline);
        }
    }
    f->fail_at = 0;
    f->persistent = false;
    assert_true(n_summaries < sizeof summaries / sizeof summaries[0]);
    summary *s = &summaries[n_summaries++];
    snprintf(s->label, sizeof s->label, "%s", label);
    s->allocations = total;
    s->runs = runs;
}

/* A failed call with a detail must fill it. */
static void check_detail(const char *what, tkm_status st, const tkm_error_detail *d)
{
    if (st == TKM_OK)
        return;
    if (d->status != st || d->message[0] == '\0')
        fail_msg("%s: %s with detail status %d, message \"%s\"", what, tkm_strerror(st),
                 (int)d->status, d->message);
}

/* ---- loaders ---- */

/* After a load, a short text must encode as the reference load encodes it. */
static const char PROBE[] = "Hello, world! 123 caf\xc3\xa9 <|endoftext|>";

typedef struct load_arg {
    const char *builtin;         /* tkm_encoding_load_builtin(builtin) ... */
    const tkm_encoding_spec *spec; /* ... or tkm_encoding_load(spec) */
    uint32_t ref[64];
    size_t n_ref;
} load_arg;

static tkm_status op_load(injector *f, void *argp, bool reference)
{
    load_arg *arg = argp;
    tkm_allocator a = allocator_of(f);
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    tkm_status st;
    ARM(f);
    if (arg->builtin) {
        st = tkm_encoding_load_builtin(arg->builtin, &a, &enc);
    } else {
        st = tkm_encoding_load(arg->spec, &a, &enc, &d);
    }
    DISARM(f);
    if (!arg->builtin)
        check_detail("tkm_encoding_load", st, &d);
    if (st != TKM_OK) {
        if (enc != NULL)
            fail_msg("load failed with %s but set *out", tkm_strerror(st));
        return st;
    }
    size_t n = 0;
    uint32_t ids[64];
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
    tkm_status es = tkm_encode(enc, PROBE, sizeof PROBE - 1, &o, ids, 64, &n, NULL);
    if (es != TKM_OK && es != TKM_ERR_UNENCODABLE)
        fail_msg("encode after load: %s", tkm_strerror(es));
    if (reference) {
        memcpy(arg->ref, ids, n * sizeof *ids);
        arg->n_ref = es == TKM_OK ? n : SIZE_MAX;
    } else if (es == TKM_OK ? (n != arg->n_ref || memcmp(ids, arg->ref, n * sizeof *ids) != 0)
                            : arg->n_ref != SIZE_MAX) {
        fail_msg("the encoding loaded after a failed allocation encodes differently");
    }
    tkm_encoding_free(enc);
    return st;
}

static void test_load_builtin(void **state)
{
    (void)state;
    for (size_t i = 0; i < tkm_builtin_count(); i++) {
        injector f = {0};
        load_arg arg = {0};
        arg.builtin = tkm_builtin_name(i);
        char label[96];
        snprintf(label, sizeof label, "tkm_encoding_load_builtin(%s)", arg.builtin);
        inject(label, op_load, &arg, &f, TKM_OK);
        assert_int_equal(f.live, 0);
    }
}

/* All 256 bytes, then a few merges; dup_at >= 0 repeats token "he" there. */
static char *small_ranks(size_t *len, bool duplicate)
{
    static const char *const merges[] = {"he", "ll", "hell", "hello", " w", "or", " wor",
                                         "ld",  " world", "aa", "aaaa", "aaaaaaaa", "12", "23"};
    size_t cap = 16384, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    char tok[64];
    uint32_t rank = 0;
    for (int b = 0; b < 256; b++) {
        uint8_t byte = (uint8_t)b;
        test_b64(&byte, 1, tok);
        n += (size_t)snprintf(s + n, cap - n, "%s %u\n", tok, rank++);
    }
    for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++) {
        test_b64((const uint8_t *)merges[i], strlen(merges[i]), tok);
        n += (size_t)snprintf(s + n, cap - n, "%s %u\n", tok, rank++);
    }
    if (duplicate) {
        test_b64((const uint8_t *)"he", 2, tok);
        n += (size_t)snprintf(s + n, cap - n, "%s %u\n", tok, rank++);
    }
    *len = n;
    return s;
}

static const char CUSTOM_PATTERN[] = "\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

static void test_load_custom(void **state)
{
    (void)state;
    size_t len, dup_len;
    char *ranks = small_ranks(&len, false);
    char *dup = small_ranks(&dup_len, true);
    static const tkm_special_token sp[] = {{"<|endoftext|>", 13, 1000}, {"<|pad|>", 7, 1001}};
    static const tkm_special_token sp_twice[] = {{"<|a|>", 5, 1000}, {"<|a|>", 5, 1001}};

    tkm_encoding *r50k = NULL;
    assert_int_equal(tkm_encoding_load_builtin("r50k_base", NULL, &r50k), TKM_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/r50k_base.tiktoken", DATA_DIR);

    struct {
        const char *label;
        tkm_encoding_spec spec;
        tkm_status expect;
    } cases[] = {
        {"tkm_encoding_load(memory ranks, custom pattern, specials)",
         {"small", ranks, len, NULL, CUSTOM_PATTERN, sp, 2, NULL, 0},
         TKM_OK},
        {"tkm_encoding_load(r50k file, built-in pattern, specials)",
         {"r50k-file", NULL, 0, path, tkm_encoding_pattern(r50k), sp, 1, NULL, 0},
         TKM_OK},
        {"tkm_encoding_load(duplicate token -> RANK_DUPLICATE)",
         {"dup", dup, dup_len, NULL, CUSTOM_PATTERN, NULL, 0, NULL, 0},
         TKM_ERR_RANK_DUPLICATE},
        {"tkm_encoding_load(bad pattern -> REGEX_COMPILE)",
         {"badre", ranks, len, NULL, "(\\p{L}+", NULL, 0, NULL, 0},
         TKM_ERR_REGEX_COMPILE},
        {"tkm_encoding_load(special twice -> SPECIAL_TOKEN)",
         {"sp2", ranks, len, NULL, CUSTOM_PATTERN, sp_twice, 2, NULL, 0},
         TKM_ERR_SPECIAL_TOKEN},
        {"tkm_encoding_load(n_vocab mismatch -> VOCAB_SIZE)",
         {"nv", ranks, len, NULL, CUSTOM_PATTERN, sp, 2, NULL, 5},
         TKM_ERR_VOCAB_SIZE},
    };
    /* The r50k file case: specials[0] is <|endoftext|> at 1000, which is an
     * ordinary rank of r50k: use the real id instead. */
    static const tkm_special_token r50k_sp[] = {{"<|endoftext|>", 13, 50256}};
    cases[1].spec.specials = r50k_sp;
    cases[1].spec.explicit_n_vocab = 50257;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        injector f = {0};
        load_arg arg = {0};
        arg.spec = &cases[i].spec;
        inject(cases[i].label, op_load, &arg, &f, cases[i].expect);
        assert_int_equal(f.live, 0);
    }
    tkm_encoding_free(r50k);
    free(ranks);
    free(dup);
}

/* ---- contexts ---- */

static tkm_status op_context_create(injector *f, void *arg, bool reference)
{
    (void)arg;
    (void)reference;
    tkm_allocator a = allocator_of(f);
    tkm_context *ctx = (tkm_context *)&a; /* sentinel: must stay untouched on failure */
    ARM(f);
    tkm_status st = tkm_context_create(&a, &ctx);
    DISARM(f);
    if (st != TKM_OK) {
        if (ctx != (tkm_context *)&a)
            fail_msg("tkm_context_create failed but set *out");
        return st;
    }
    tkm_context_free(ctx);
    return st;
}

static void test_context_create(void **state)
{
    (void)state;
    injector f = {0};
    inject("tkm_context_create", op_context_create, NULL, &f, TKM_OK);
    assert_int_equal(f.live, 0);
}

/* ---- encoding and counting ---- */

typedef enum call {
    CALL_ENCODE,         /* tkm_encode */
    CALL_ENCODE_ORDINARY, /* tkm_encode_ordinary */
    CALL_COUNT,          /* tkm_count */
    CALL_COUNT_LIMIT,    /* tkm_count_limit(limit) */
    CALL_CTX_ENCODE,     /* tkm_context_encode on a fresh context */
    CALL_CTX_COUNT,      /* tkm_context_count(limit) on a fresh context */
} call;

static const char *const CALL_NAMES[] = {"tkm_encode",        "tkm_encode_ordinary",
                                         "tkm_count",         "tkm_count_limit",
                                         "tkm_context_encode", "tkm_context_count"};

typedef struct text_case {
    const char *label;
    const char *encoding;
    const char *text;
    size_t len;
    unsigned flags;
    const char *allowed; /* one allowed special name, or NULL */
    size_t limit;        /* for the limit calls; SIZE_MAX = none */
    tkm_status expect;
} text_case;

typedef struct encode_arg {
    const text_case *tc;
    call c;
    const tkm_encoding *enc;
    /* reference */
    uint32_t *ref;
    size_t n_ref;
    bool exceeded_ref;
    tkm_error_detail d_ref;
    uint32_t *ids;
    size_t cap;
} encode_arg;

static tkm_status do_call(encode_arg *arg, tkm_context *ctx, size_t *n, bool *exceeded,
                          tkm_error_detail *d)
{
    const text_case *tc = arg->tc;
    const char *allowed[1] = {tc->allowed};
    tkm_encode_options o = {tc->flags, tc->allowed ? allowed : NULL, tc->allowed ? 1 : 0};
    switch (arg->c) {
    case CALL_ENCODE:
        return tkm_encode(arg->enc, tc->text, tc->len, &o, arg->ids, arg->cap, n, d);
    case CALL_ENCODE_ORDINARY:
        return tkm_encode_ordinary(arg->enc, tc->text, tc->len, arg->ids, arg->cap, n, d);
    case CALL_COUNT:
        return tkm_count(arg->enc, tc->text, tc->len, &o, n, d);
    case CALL_COUNT_LIMIT:
        return tkm_count_limit(arg->enc, tc->text, tc->len, &o, tc->limit, n, exceeded, d);
    case CALL_CTX_ENCODE:
        return tkm_context_encode(ctx, arg->enc, tc->text, tc->len, &o, arg->ids, arg->cap, n, d);
    case CALL_CTX_COUNT:
        return tkm_context_count(ctx, arg->enc, tc->text, tc->len, &o, tc->limit, n, exceeded, d);
    }
    return TKM_ERR_INTERNAL;
}

static void check_result(encode_arg *arg, tkm_status st, size_t n, bool exceeded,
                         const tkm_error_detail *d, const char *when)
{
    const char *what = CALL_NAMES[arg->c];
    if (st == TKM_OK) {
        if (n != arg->n_ref || exceeded != arg->exceeded_ref)
            fail_msg("%s %s (%s): %zu/%d, want %zu/%d", what, arg->tc->label, when, n,
                     (int)exceeded, arg->n_ref, (int)arg->exceeded_ref);
        if ((arg->c == CALL_ENCODE || arg->c == CALL_ENCODE_ORDINARY ||
             arg->c == CALL_CTX_ENCODE) &&
            n && memcmp(arg->ids, arg->ref, n * sizeof *arg->ids) != 0)
            fail_msg("%s %s (%s): different ids", what, arg->tc->label, when);
    } else if (st != TKM_ERR_NOMEM) {
        if (d->offset != arg->d_ref.offset || d->token != arg->d_ref.token)
            fail_msg("%s %s (%s): %s at offset %zu, want offset %zu", what, arg->tc->label, when,
                     tkm_strerror(st), d->offset, arg->d_ref.offset);
    }
}

static tkm_status op_encode(injector *f, void *argp, bool reference)
{
    encode_arg *arg = argp;
    bool with_ctx = arg->c == CALL_CTX_ENCODE || arg->c == CALL_CTX_COUNT;
    tkm_allocator a = allocator_of(f);
    tkm_context *ctx = NULL;
    if (with_ctx)
        assert_int_equal(tkm_context_create(&a, &ctx), TKM_OK); /* disarmed */
    size_t n = (size_t)-7;
    bool exceeded = false;
    tkm_error_detail d;
    ARM(f);
    tkm_status st = do_call(arg, ctx, &n, &exceeded, &d);
    DISARM(f);
    check_detail(CALL_NAMES[arg->c], st, &d);
    if (st != TKM_OK && n != (size_t)-7)
        fail_msg("%s %s: failed with %s but set *n_out", CALL_NAMES[arg->c], arg->tc->label,
                 tkm_strerror(st));
    if (reference) {
        arg->n_ref = n;
        arg->exceeded_ref = exceeded;
        arg->d_ref = d;
        if (st == TKM_OK && arg->ids)
            memcpy(arg->ref, arg->ids, n * sizeof *arg->ids);
    } else {
        check_result(arg, st, n, exceeded, &d, "under injection");
    }
    if (with_ctx) {
        tkm_status st0 = st;
        if (st == TKM_ERR_NOMEM) {
            /* The context must still work once memory is back. */
            n = (size_t)-7;
            st = do_call(arg, ctx, &n, &exceeded, &d);
            if (st != arg->tc->expect)
                fail_msg("%s %s: after TKM_ERR_NOMEM the same context gives %s",
                         CALL_NAMES[arg->c], arg->tc->label, tkm_strerror(st));
            check_result(arg, st, n, exceeded, &d, "retry after TKM_ERR_NOMEM");
        }
        if (st == TKM_OK) {
            /* A warm context does not allocate (tokmeter.h): the same call
             * again must succeed with every allocation failing. */
            long saved_fail = f->fail_at, saved_calls = f->calls, saved_inj = f->injected;
            bool saved_pers = f->persistent;
            f->fail_at = 1;
            f->calls = 0;
            f->persistent = true;
            ARM(f);
            st = do_call(arg, ctx, &n, &exceeded, &d);
            DISARM(f);
            if (st != TKM_OK)
                fail_msg("%s %s: a warm context allocated (%s, %ld allocations)",
                         CALL_NAMES[arg->c], arg->tc->label, tkm_strerror(st), f->calls);
            check_result(arg, st, n, exceeded, &d, "warm context");
            f->fail_at = saved_fail;
            f->calls = saved_calls;
            f->injected = saved_inj;
            f->persistent = saved_pers;
        }
        st = st0;
        tkm_context_free(ctx);
    }
    return st;
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * times + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * times] = '\0';
    if (len)
        *len = ul * times;
    return s;
}

#define LIT(s) s, sizeof(s) - 1

static void run_text_cases(const call *calls, size_t n_calls)
{
    size_t giant_len, invalid_len, words_len, spaces_len;
    char *giant = repeat("a", 10240, &giant_len);
    char *invalid = repeat("\xff", 5000, &invalid_len);
    char *words = repeat("the quick brown fox, 12345 jumps! <|endoftext|>\n", 80, &words_len);
    char *spaces = repeat(" ", 3000, &spaces_len);
    static const char MIXED[] = "ab\xff\xfe cd \xed\xa0\x80 <|endoftext|> caf\xc3\xa9 \xe2\x82";
    const text_case cases[] = {
        {"plain", "cl100k_base", LIT("Hello, world! This is tokmeter's test."), 0, NULL,
         SIZE_MAX, TKM_OK},
        {"all specials allowed", "cl100k_base", LIT("a<|endoftext|>b<|fim_prefix|>c"),
         TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, SIZE_MAX, TKM_OK},
        {"one special allowed, rest text", "cl100k_base",
         LIT("a<|endoftext|>b<|fim_prefix|>c"), TKM_ENCODE_SPECIAL_AS_TEXT, "<|endoftext|>",
         SIZE_MAX, TKM_OK},
        {"disallowed special", "cl100k_base", LIT("x <|endoftext|>"), 0, NULL, SIZE_MAX,
         TKM_ERR_DISALLOWED_SPECIAL},
        {"unknown allowed name", "cl100k_base", LIT("x"), 0, "<|nope|>", SIZE_MAX,
         TKM_ERR_UNKNOWN_SPECIAL},
        {"invalid UTF-8, strict", "cl100k_base", LIT("ok \xff"), 0, NULL, SIZE_MAX,
         TKM_ERR_INVALID_UTF8},
        {"lossless", "cl100k_base", LIT(MIXED), TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT,
         NULL, SIZE_MAX, TKM_OK},
        {"lossless, specials", "cl100k_base", LIT(MIXED),
         TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, SIZE_MAX, TKM_OK},
        {"replace", "cl100k_base", LIT(MIXED),
         TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT, NULL, SIZE_MAX, TKM_OK},
        {"replace, specials", "o200k_base", LIT(MIXED),
         TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, SIZE_MAX, TKM_OK},
        {"giant piece (10 KiB of a)", "cl100k_base", giant, giant_len, 0, NULL, SIZE_MAX,
         TKM_OK},
        {"giant piece, r50k", "r50k_base", giant, giant_len, 0, NULL, SIZE_MAX, TKM_OK},
        {"giant invalid run (5000 x 0xff), lossless", "o200k_base", invalid, invalid_len,
         TKM_ENCODE_LOSSLESS, NULL, SIZE_MAX, TKM_OK},
        {"giant invalid run, replace", "o200k_base", invalid, invalid_len,
         TKM_ENCODE_REPLACE_INVALID, NULL, SIZE_MAX, TKM_OK},
        {"3000 spaces", "o200k_base", spaces, spaces_len, 0, NULL, SIZE_MAX, TKM_OK},
        {"many pieces, specials as text, limit 10", "cl100k_base", words, words_len,
         TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 10, TKM_OK},
        {"harmony specials", "o200k_harmony",
         LIT("<|start|>user<|message|>hi<|end|><|reserved_200100|>"),
         TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, SIZE_MAX, TKM_OK},
        {"harmony one allowed", "o200k_harmony", LIT("<|start|>user<|message|>hi<|end|>"),
         0, "<|start|>", SIZE_MAX, TKM_ERR_DISALLOWED_SPECIAL},
        {"empty", "r50k_base", "", 0, 0, NULL, SIZE_MAX, TKM_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const text_case *tc = &cases[i];
        injector f = {0};
        tkm_allocator a = allocator_of(&f);
        tkm_encoding *enc = NULL;
        assert_int_equal(tkm_encoding_load_builtin(tc->encoding, &a, &enc), TKM_OK);
        for (size_t c = 0; c < n_calls; c++) {
            /* tkm_encode_ordinary has fixed options: only for SPECIAL_AS_TEXT cases. */
            if (calls[c] == CALL_ENCODE_ORDINARY &&
                (tc->flags != TKM_ENCODE_SPECIAL_AS_TEXT || tc->allowed))
                continue;
            encode_arg arg = {0};
            arg.tc = tc;
            arg.c = calls[c];
            arg.enc = enc;
            bool stores = calls[c] == CALL_ENCODE || calls[c] == CALL_ENCODE_ORDINARY ||
                          calls[c] == CALL_CTX_ENCODE;
            if (stores) {
                arg.cap = tkm_encode_bound(tc->len);
                arg.ids = malloc((arg.cap + 1) * sizeof *arg.ids);
                arg.ref = malloc((arg.cap + 1) * sizeof *arg.ref);
                assert_non_null(arg.ids);
                assert_non_null(arg.ref);
            }
            char label[160];
            snprintf(label, sizeof label, "%s(%s: %s)", CALL_NAMES[calls[c]], tc->encoding,
                     tc->label);
            inject(label, op_encode, &arg, &f, tc->expect);
            free(arg.ids);
            free(arg.ref);
        }
        tkm_encoding_free(enc);
        assert_int_equal(f.live, 0);
    }
    free(giant);
    free(invalid);
    free(words);
    free(spaces);
}

static void test_encode_simple_api(void **state)
{
    (void)state;
    static const call calls[] = {CALL_ENCODE, CALL_ENCODE_ORDINARY, CALL_COUNT,
                                 CALL_COUNT_LIMIT};
    run_text_cases(calls, sizeof calls / sizeof calls[0]);
}

static void test_encode_context_api(void **state)
{
    (void)state;
    static const call calls[] = {CALL_CTX_ENCODE, CALL_CTX_COUNT};
    run_text_cases(calls, sizeof calls / sizeof calls[0]);
}

/* ---- streams ---- */

typedef struct stream_arg {
    const tkm_encoding *enc;
    const char *text;
    size_t len;
    size_t chunk;
    tkm_encode_options opts;
    size_t ref;
} stream_arg;

static tkm_status op_stream(injector *f, void *argp, bool reference)
{
    stream_arg *arg = argp;
    tkm_allocator a = allocator_of(f);
    tkm_stream *s = (tkm_stream *)&a; /* sentinel: must stay untouched on failure */
    tkm_error_detail d;
    size_t n = (size_t)-7;
    ARM(f);
    tkm_status st = tkm_stream_create(arg->enc, &arg->opts, &a, &s);
    if (st != TKM_OK) {
        DISARM(f);
        if (s != (tkm_stream *)&a)
            fail_msg("tkm_stream_create failed with %s but set *out", tkm_strerror(st));
        return st;
    }
    for (size_t pos = 0; st == TKM_OK && pos < arg->len; pos += arg->chunk) {
        size_t c = arg->len - pos < arg->chunk ? arg->len - pos : arg->chunk;
        st = tkm_stream_feed(s, arg->text + pos, c, &d);
        check_detail("tkm_stream_feed", st, &d);
    }
    if (st == TKM_OK) {
        st = tkm_stream_finish(s, &n, &d);
        check_detail("tkm_stream_finish", st, &d);
    }
    DISARM(f);
    if (st == TKM_ERR_NOMEM) {
        /* After an error the stream only accepts tkm_stream_free(). */
        size_t n2 = 0;
        if (tkm_stream_finish(s, &n2, NULL) == TKM_OK)
            fail_msg("a stream that failed with TKM_ERR_NOMEM finished");
    }
    tkm_stream_free(s);
    if (st == TKM_OK) {
        if (reference)
            arg->ref = n;
        else if (n != arg->ref)
            fail_msg("stream count %zu under injection, %zu without", n, arg->ref);
    }
    return st;
}

static void test_stream(void **state)
{
    (void)state;
    size_t len;
    char *text = repeat("Hello world, it's a test.\nNext line: caf\xc3\xa9 12345 ", 200, &len);
    char *giant = repeat("a", 10240, NULL);
    static const char *const allowed[] = {"<|endoftext|>", "<|fim_prefix|>"};
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("cl100k_base", NULL, &enc), TKM_OK);
    struct {
        const char *label;
        const char *text;
        size_t len, chunk;
        tkm_encode_options opts;
    } cases[] = {
        {"tkm_stream(cl100k_base: 11 KB in 997-byte chunks)", text, len, 997, {0, NULL, 0}},
        {"tkm_stream(cl100k_base: 11 KB in 1 chunk, allowed specials)", text, len, len,
         {0, allowed, 2}},
        {"tkm_stream(cl100k_base: giant piece in 4 KiB chunks)", giant, 10240, 4096,
         {TKM_ENCODE_LOSSLESS, NULL, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        injector f = {0};
        stream_arg arg = {enc, cases[i].text, cases[i].len, cases[i].chunk, cases[i].opts, 0};
        inject(cases[i].label, op_stream, &arg, &f, TKM_OK);
        assert_int_equal(f.live, 0);
    }
    tkm_encoding_free(enc);
    free(text);
    free(giant);
}

/* tkm_count_many makes a context per worker thread. Like tkm_encode and
 * tkm_count (which take their scratch from the encoding's allocator), it
 * takes that memory from the encoding's allocator, so failures there must
 * give TKM_ERR_NOMEM. With one thread the allocation order is fixed, so
 * every injection point is run; with several, a thread-safe allocator that
 * fails everything checks the status and that nothing leaks. */
typedef struct many_arg {
    const tkm_encoding *enc;
    size_t ref[4];
} many_arg;

static const char *const MANY_TEXTS[4] = {"one two", "three <|endoftext|>", "four five six",
                                          "seven \xff"};
static const size_t MANY_LENS[4] = {7, 19, 13, 7};

static tkm_status op_count_many(injector *f, void *argp, bool reference)
{
    many_arg *arg = argp;
    size_t counts[4] = {0};
    tkm_status statuses[4];
    tkm_encode_options o = {TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    ARM(f);
    tkm_status st = tkm_count_many(arg->enc, MANY_TEXTS, MANY_LENS, 4, &o, 1, counts, statuses);
    DISARM(f);
    if (st == TKM_OK) {
        for (size_t i = 0; i < 4; i++) {
            if (statuses[i] != TKM_OK)
                fail_msg("tkm_count_many: TKM_OK but text %zu has %s", i,
                         tkm_strerror(statuses[i]));
            if (reference)
                arg->ref[i] = counts[i];
            else if (counts[i] != arg->ref[i])
                fail_msg("tkm_count_many: text %zu counts %zu, want %zu", i, counts[i],
                         arg->ref[i]);
        }
    }
    return st;
}

typedef struct gate {
    _Atomic long live;
    _Atomic long calls;
    bool fail_all; /* set only while no call is running */
} gate;

static void *gate_malloc(size_t n, void *ud)
{
    gate *g = ud;
    atomic_fetch_add(&g->calls, 1);
    if (g->fail_all)
        return NULL;
    void *p = malloc(n);
    if (p)
        atomic_fetch_add(&g->live, 1);
    return p;
}

static void gate_free(void *p, void *ud)
{
    gate *g = ud;
    if (!p)
        return;
    atomic_fetch_sub(&g->live, 1);
    free(p);
}

static void test_count_many(void **state)
{
    (void)state;
    injector f = {0};
    tkm_allocator a = allocator_of(&f);
    many_arg arg = {0};
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("r50k_base", &a, &enc), TKM_OK);
    arg.enc = enc;
    inject("tkm_count_many(r50k_base: 4 texts, 1 thread)", op_count_many, &arg, &f, TKM_OK);
    if (summaries[n_summaries - 1].allocations == 0)
        fail_msg("tkm_count_many made no allocation through the encoding's allocator");
    tkm_encoding_free(enc);
    assert_int_equal(f.live, 0);

    gate g;
    atomic_init(&g.live, 0);
    atomic_init(&g.calls, 0);
    g.fail_all = false;
    tkm_allocator ga = {gate_malloc, gate_free, &g};
    assert_int_equal(tkm_encoding_load_builtin("r50k_base", &ga, &enc), TKM_OK);
    long after_load = atomic_load(&g.live);
    size_t counts[4];
    tkm_status statuses[4];
    assert_int_equal(tkm_count_many(enc, MANY_TEXTS, MANY_LENS, 4, NULL, 4, counts, statuses),
                     TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(statuses[0], TKM_OK);
    assert_int_equal(statuses[1], TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(statuses[3], TKM_ERR_INVALID_UTF8);
    assert_int_equal(atomic_load(&g.live), after_load);
    g.fail_all = true;
    for (unsigned threads = 1; threads <= 4; threads++) {
        tkm_status st = tkm_count_many(enc, MANY_TEXTS, MANY_LENS, 4, NULL, threads, counts, NULL);
        if (st != TKM_ERR_NOMEM)
            fail_msg("tkm_count_many on %u threads with no memory: %s", threads,
                     tkm_strerror(st));
        st = tkm_count_many(enc, MANY_TEXTS, MANY_LENS, 4, NULL, threads, counts, statuses);
        if (st != TKM_ERR_NOMEM)
            fail_msg("tkm_count_many (with statuses) on %u threads with no memory: %s", threads,
                     tkm_strerror(st));
        assert_int_equal(atomic_load(&g.live), after_load);
    }
    g.fail_all = false;
    tkm_encoding_free(enc);
    assert_int_equal(atomic_load(&g.live), 0);
}

/* ---- functions that must not allocate at all ---- */

static void test_no_allocation(void **state)
{
    (void)state;
    injector f = {0};
    tkm_allocator a = allocator_of(&f);
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("o200k_harmony", &a, &enc), TKM_OK);
    uint32_t ids[64];
    size_t n = 0;
    const char text[] = "hello <|start|> world \xff";
    tkm_encode_options o = {TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, 0};
    assert_int_equal(tkm_encode(enc, text, sizeof text - 1, &o, ids, 64, &n, NULL), TKM_OK);

    f.fail_at = 1;
    f.persistent = true;
    f.calls = 0;
    ARM(&f);
    char buf[128];
    size_t got = 0, offsets[64];
    uint32_t id;
    const char *b;
    size_t len;
    assert_int_equal(tkm_decode(enc, ids, n, buf, sizeof buf, &got, NULL), TKM_OK);
    assert_int_equal(tkm_decode_offsets(enc, ids, n, offsets, NULL), TKM_OK);
    assert_int_equal(tkm_encoding_token_id(enc, "hello", 5, &id), TKM_OK);
    assert_int_equal(tkm_encoding_token_bytes(enc, id, &b, &len), TKM_OK);
    assert_int_equal(tkm_encoding_special_id(enc, "<|start|>", 9, &id), TKM_OK);
    assert_int_equal(tkm_encoding_special_at(enc, 0, &b, &len, &id), TKM_OK);
    assert_true(tkm_encoding_is_special(enc, id));
    const char *model_enc;
    assert_int_equal(tkm_model_encoding_name("gpt-4o", &model_enc), TKM_OK);
    DISARM(&f);
    assert_int_equal(f.calls, 0);
    assert_int_equal(got, sizeof text - 1);
    tkm_encoding_free(enc);
    assert_int_equal(f.live, 0);
}

static int print_summary(void **state)
{
    (void)state;
    long points = 0, runs = 0;
    print_message("%-96s %8s %8s\n", "case", "allocs", "runs");
    for (size_t i = 0; i < n_summaries; i++) {
        print_message("%-96s %8ld %8ld\n", summaries[i].label, summaries[i].allocations,
                      summaries[i].runs);
        points += summaries[i].allocations;
        runs += summaries[i].runs;
    }
    print_message("%zu cases, %ld injection points, %ld runs%s\n", n_summaries, points, runs,
                  full_run() ? "" : " (o200k_harmony's load sampled; TKM_ALLOC_FAIL_FULL=1 for all)");
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_create),    cmocka_unit_test(test_load_custom),
        cmocka_unit_test(test_encode_simple_api), cmocka_unit_test(test_encode_context_api),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_count_many),
        cmocka_unit_test(test_no_allocation),     cmocka_unit_test(test_load_builtin),
    };
    return cmocka_run_group_tests(tests, NULL, print_summary);
}
