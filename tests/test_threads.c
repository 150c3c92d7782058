/* test_threads.c — a tkm_encoding is immutable and shared between threads.
 *
 * For each built-in encoding, N_THREADS threads share one loaded encoding and
 * encode the same set of texts concurrently, each thread with its own
 * tkm_context (tkm_context_encode / tkm_context_count) and through the
 * simple API (tkm_encode / tkm_count / tkm_count_limit, which make their own
 * scratch from the encoding's allocator), and decode the ids again. Every
 * result must equal the single-threaded one computed before the threads
 * start. Further cases: threads that use different encodings at once,
 * threads that load and free their own encodings while others share one (the
 * library has no mutable global state), and tkm_count_many on any number of
 * threads.
 *
 * tests/tsan.sh builds this with -fsanitize=thread; any data race fails it.
 * cmocka is not thread-safe, so worker threads only record failures and the
 * main thread asserts.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_THREADS 8
#define N_ROUNDS 2

/* ---- the texts ---- */

typedef struct text {
    char *s;
    size_t len;
} text;

static text texts[16];
static size_t n_texts;

static void add_text(const char *s, size_t len)
{
    assert_true(n_texts < sizeof texts / sizeof texts[0]);
    texts[n_texts].s = malloc(len + 1);
    assert_non_null(texts[n_texts].s);
    memcpy(texts[n_texts].s, s, len);
    texts[n_texts].s[len] = '\0';
    texts[n_texts].len = len;
    n_texts++;
}

#define ADD_LITERAL(lit) add_text(lit, sizeof(lit) - 1)

static void make_texts(void)
{
    if (n_texts)
        return;
    ADD_LITERAL("The quick brown fox jumps over the lazy dog. It's 2024; don't panic!\n"
                "Tokenizers split text into pieces, then merge bytes by rank.");
    ADD_LITERAL("int main(int argc, char **argv) {\n    for (int i = 0; i < argc; i++)\n"
                "        printf(\"%s\\n\", argv[i]);\n    return 0;\n}\n");
    ADD_LITERAL("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87 "
                "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd "
                "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 "
                "e\xcc\x81t\xc3\xa9 \xc7\x85 \xe2\x80\x8b\xe2\x80\xaf \xef\xbb\xbf");
    ADD_LITERAL("<|endoftext|> hello <|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>"
                "<|endofprompt|> <|start|>user<|message|>hi<|end|> <|reserved_200100|>");
    ADD_LITERAL("bad \xff\xfe bytes \xed\xa0\x80 surrogate \xc0\xaf overlong "
                "\xf4\x90\x80\x80 big \x80\x80 lone \xe2\x82");
    ADD_LITERAL("nul\0in\0\0the middle\0");
    ADD_LITERAL("12345678901234567890 3.14159 0x7fffffff 1,000,000 2024-01-01T00:00:00Z");

    /* Long whitespace runs. */
    char ws[700];
    memset(ws, ' ', 400);
    memset(ws + 400, '\n', 100);
    memset(ws + 500, '\t', 100);
    memcpy(ws + 600, "  x  \r\n\r\n   y", 14);
    add_text(ws, 614);

    /* A 10 KB single piece: the heap merge with per-call scratch. */
    char *a = malloc(10000);
    assert_non_null(a);
    memset(a, 'a', 10000);
    add_text(a, 10000);
    free(a);

    /* ~8 KB of pseudo-random words and punctuation. */
    static const char *const words[] = {
        "the", " of", " token", "izer", "\n", " ", "  ", "'s", "'ll", ",", ".", " 42",
        " caf\xc3\xa9", " \xe4\xb8\xad\xe6\x96\x87", "!!", " <|endoftext|>", "\t", "HTTP",
        "Error", " \xf0\x9f\x99\x82", "_id", "()", " {", "}\n"};
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap + 64);
    assert_non_null(buf);
    uint32_t x = 2463534242u;
    while (n < cap) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *w = words[x % (sizeof words / sizeof words[0])];
        size_t l = strlen(w);
        memcpy(buf + n, w, l);
        n += l;
    }
    add_text(buf, n);
    free(buf);
}

static void free_texts(void)
{
    for (size_t i = 0; i < n_texts; i++)
        free(texts[i].s);
    n_texts = 0;
}

/* ---- expected results ---- */

static const unsigned MODES[] = {
    TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT,
    TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL,
    TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT,
};
#define N_MODES (sizeof MODES / sizeof MODES[0])

typedef struct expected {
    uint32_t *ids[16][N_MODES];
    size_t n[16][N_MODES];
    char *dec[16][N_MODES]; /* decode of ids */
    size_t dec_len[16][N_MODES];
} expected;

static void compute_expected(const tkm_encoding *enc, expected *e)
{
    for (size_t t = 0; t < n_texts; t++) {
        for (size_t m = 0; m < N_MODES; m++) {
            tkm_encode_options o = {MODES[m], NULL, 0};
            size_t cap = tkm_encode_bound(texts[t].len) + 1;
            e->ids[t][m] = malloc(cap * sizeof(uint32_t));
            assert_non_null(e->ids[t][m]);
            tkm_error_detail d;
            tkm_status st = tkm_encode(enc, texts[t].s, texts[t].len, &o, e->ids[t][m], cap,
                                       &e->n[t][m], &d);
            if (st != TKM_OK)
                fail_msg("%s text %zu mode %zu: %s (%s)", tkm_encoding_name(enc), t, m,
                         tkm_strerror(st), d.message);
            assert_true(texts[t].len == 0 || e->n[t][m] > 0);
            /* Decoding: replace mode gives U+FFFD (3 bytes) per bad byte at most. */
            size_t dcap = 3 * texts[t].len + 1;
            e->dec[t][m] = malloc(dcap);
            assert_non_null(e->dec[t][m]);
            assert_int_equal(tkm_decode(enc, e->ids[t][m], e->n[t][m], e->dec[t][m], dcap,
                                        &e->dec_len[t][m], NULL),
                             TKM_OK);
            /* Lossless with specials as text is exact. (With specials allowed
             * an id two specials share decodes to one of them: o200k_harmony's
             * 200018 is <|endofprompt|> and <|reserved_200018|>.) */
            if (MODES[m] == (TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT)) {
                assert_int_equal(e->dec_len[t][m], texts[t].len);
                assert_memory_equal(e->dec[t][m], texts[t].s, texts[t].len);
            }
        }
    }
}

static void free_expected(expected *e)
{
    for (size_t t = 0; t < n_texts; t++)
        for (size_t m = 0; m < N_MODES; m++) {
            free(e->ids[t][m]);
            free(e->dec[t][m]);
        }
}

/* ---- the workers ---- */

typedef struct worker {
    pthread_t thread;
    size_t index;
    const tkm_encoding *enc; /* shared */
    const expected *want;
    pthread_barrier_t *start;
    bool load_own;           /* also load, use and free a private encoding */
    const char *own_name;
    size_t checks;
    size_t failures;
    char first_failure[256];
} worker;

static void fail_worker(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_worker(worker *w, const char *fmt, ...)
{
    if (w->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->first_failure, sizeof w->first_failure, fmt, ap);
        va_end(ap);
    }
}

static bool same_ids(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* All the checks of one (text, mode) on enc against want. */
static void check_one(worker *w, tkm_context *ctx, const tkm_encoding *enc, size_t t, size_t m,
                      const expected *e, uint32_t *ids, char *buf)
{
    const uint32_t *want = e->ids[t][m];
    size_t n_want = e->n[t][m];
    const text *tx = &texts[t];
    tkm_encode_options o = {MODES[m], NULL, 0};
    size_t cap = tkm_encode_bound(tx->len) + 1, n = 0;
    bool exceeded = true;
    tkm_status st;
    const char *name = tkm_encoding_name(enc);

    st = tkm_context_encode(ctx, enc, tx->s, tx->len, &o, ids, cap, &n, NULL);
    if (st != TKM_OK || !same_ids(ids, n, want, n_want))
        fail_worker(w, "%s text %zu mode %zu: context_encode %s, %zu ids (want %zu)", name, t, m,
                    tkm_strerror(st), n, n_want);
    st = tkm_context_count(ctx, enc, tx->s, tx->len, &o, SIZE_MAX, &n, &exceeded, NULL);
    if (st != TKM_OK || n != n_want || exceeded)
        fail_worker(w, "%s text %zu mode %zu: context_count %s %zu (want %zu)", name, t, m,
                    tkm_strerror(st), n, n_want);
    memset(ids, 0, cap * sizeof *ids);
    st = tkm_encode(enc, tx->s, tx->len, &o, ids, cap, &n, NULL);
    if (st != TKM_OK || !same_ids(ids, n, want, n_want))
        fail_worker(w, "%s text %zu mode %zu: encode %s, %zu ids (want %zu)", name, t, m,
                    tkm_strerror(st), n, n_want);
    st = tkm_count(enc, tx->s, tx->len, &o, &n, NULL);
    if (st != TKM_OK || n != n_want)
        fail_worker(w, "%s text %zu mode %zu: count %s %zu (want %zu)", name, t, m,
                    tkm_strerror(st), n, n_want);
    size_t limit = n_want / 2;
    st = tkm_count_limit(enc, tx->s, tx->len, &o, limit, &n, &exceeded, NULL);
    if (st != TKM_OK || exceeded != (n_want > limit) || (!exceeded && n != n_want))
        fail_worker(w, "%s text %zu mode %zu: count_limit(%zu) %s %zu/%d (count %zu)", name, t,
                    m, limit, tkm_strerror(st), n, (int)exceeded, n_want);
    size_t dl = e->dec_len[t][m];
    st = tkm_decode(enc, want, n_want, buf, dl, &n, NULL);
    if (st != TKM_OK || n != dl || memcmp(buf, e->dec[t][m], dl) != 0)
        fail_worker(w, "%s text %zu mode %zu: decode %s, %zu bytes (want %zu)", name, t, m,
                    tkm_strerror(st), n, dl);
    w->checks++;
}

static void *work(void *arg)
{
    worker *w = arg;
    size_t max_len = 0;
    for (size_t t = 0; t < n_texts; t++)
        if (texts[t].len > max_len)
            max_len = texts[t].len;
    uint32_t *ids = malloc((tkm_encode_bound(max_len) + 1) * sizeof *ids);
    char *buf = malloc(3 * max_len + 1);
    tkm_context *ctx = NULL;
    if (!ids || !buf || tkm_context_create(NULL, &ctx) != TKM_OK) {
        fail_worker(w, "thread %zu: setup failed", w->index);
        pthread_barrier_wait(w->start);
        free(ids);
        free(buf);
        return NULL;
    }
    pthread_barrier_wait(w->start);
    for (size_t round = 0; round < N_ROUNDS; round++) {
        tkm_encoding *own = NULL;
        if (w->load_own) {
            tkm_status st = tkm_encoding_load_builtin(w->own_name, NULL, &own);
            if (st != TKM_OK)
                fail_worker(w, "thread %zu: load %s: %s", w->index, w->own_name,
                            tkm_strerror(st));
        }
        /* Each thread walks the texts from a different start. */
        for (size_t k = 0; k < n_texts; k++) {
            size_t t = (k + w->index + round) % n_texts;
            for (size_t m = 0; m < N_MODES; m++) {
                check_one(w, ctx, w->enc, t, m, w->want, ids, buf);
                if (own)
                    check_one(w, ctx, own, t, m, w->want, ids, buf);
            }
        }
        tkm_encoding_free(own);
    }
    tkm_context_free(ctx);
    free(ids);
    free(buf);
    return NULL;
}

/* Runs N_THREADS workers; worker i uses encs[i % n_encs] (shared with the
 * others that map to it) with its expected results. */
static void run_threads(const tkm_encoding *const *encs, const expected *const *want,
                        size_t n_encs, bool load_own)
{
    worker w[N_THREADS];
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    memset(w, 0, sizeof w);
    for (size_t i = 0; i < N_THREADS; i++) {
        w[i].index = i;
        w[i].enc = encs[i % n_encs];
        w[i].want = want[i % n_encs];
        w[i].start = &start;
        w[i].load_own = load_own && i % 2 == 1;
        w[i].own_name = tkm_encoding_name(w[i].enc);
        assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
    }
    size_t failures = 0;
    for (size_t i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
        if (w[i].failures) {
            print_error("thread %zu: %zu failures, first: %s\n", i, w[i].failures,
                        w[i].first_failure);
            failures += w[i].failures;
        } else {
            assert_true(w[i].checks > 0);
        }
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(failures, 0);
}

/* ---- the tests ---- */

static void shared_encoding(const char *name)
{
    make_texts();
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(name, NULL, &enc), TKM_OK);
    expected *e = calloc(1, sizeof *e);
    assert_non_null(e);
    compute_expected(enc, e);
    const tkm_encoding *encs[1] = {enc};
    const expected *want[1] = {e};
    run_threads(encs, want, 1, false);
    free_expected(e);
    free(e);
    tkm_encoding_free(enc);
}

static void test_shared_r50k(void **state)
{
    (void)state;
    shared_encoding("r50k_base");
}

static void test_shared_p50k(void **state)
{
    (void)state;
    shared_encoding("p50k_base");
}

static void test_shared_p50k_edit(void **state)
{
    (void)state;
    shared_encoding("p50k_edit");
}

static void test_shared_cl100k(void **state)
{
    (void)state;
    shared_encoding("cl100k_base");
}

static void test_shared_o200k(void **state)
{
    (void)state;
    shared_encoding("o200k_base");
}

static void test_shared_harmony(void **state)
{
    (void)state;
    shared_encoding("o200k_harmony");
}

/* Threads on all built-in encodings at once; every other thread also loads,
 * uses and frees its own copy while the shared one is in use. */
static void test_mixed_and_loading(void **state)
{
    (void)state;
    make_texts();
    size_t n = tkm_builtin_count();
    assert_true(n >= 1 && n <= 8);
    tkm_encoding *encs[8] = {NULL};
    expected *want[8] = {NULL};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tkm_encoding_load_builtin(tkm_builtin_name(i), NULL, &encs[i]), TKM_OK);
        want[i] = calloc(1, sizeof *want[i]);
        assert_non_null(want[i]);
        compute_expected(encs[i], want[i]);
    }
    run_threads((const tkm_encoding *const *)encs, (const expected *const *)want, n, true);
    for (size_t i = 0; i < n; i++) {
        free_expected(want[i]);
        free(want[i]);
        tkm_encoding_free(encs[i]);
    }
}

/* tkm_count_many on N_THREADS threads (and on 1, 3 and "all CPUs") gives
 * the single-threaded counts, for a batch that holds every text many times;
 * a batch with one failing text reports that text's status. */
static void test_count_many(void **state)
{
    (void)state;
    make_texts();
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("cl100k_base", NULL, &enc), TKM_OK);
    expected *e = calloc(1, sizeof *e);
    assert_non_null(e);
    compute_expected(enc, e);
    enum { REPEAT = 12 };
    size_t n = n_texts * REPEAT;
    const char **tx = malloc(n * sizeof *tx);
    size_t *lens = malloc(n * sizeof *lens), *counts = malloc(n * sizeof *counts);
    tkm_status *statuses = malloc(n * sizeof *statuses);
    assert_true(tx && lens && counts && statuses);
    for (size_t i = 0; i < n; i++) {
        tx[i] = texts[i % n_texts].s;
        lens[i] = texts[i % n_texts].len;
    }
    static const unsigned THREADS[] = {N_THREADS, 1, 3, 0};
    for (size_t m = 0; m < N_MODES; m++) {
        tkm_encode_options o = {MODES[m], NULL, 0};
        for (size_t k = 0; k < sizeof THREADS / sizeof THREADS[0]; k++) {
            memset(counts, 0xff, n * sizeof *counts);
            assert_int_equal(tkm_count_many(enc, tx, lens, n, &o, THREADS[k], counts, statuses),
                             TKM_OK);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(statuses[i], TKM_OK);
                assert_int_equal(counts[i], e->n[i % n_texts][m]);
            }
        }
    }
    /* Strict mode: the invalid-UTF-8 text (index 4) fails, the rest count. */
    assert_non_null(memchr(texts[4].s, 0xff, texts[4].len));
    tkm_encode_options strict = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    assert_int_equal(tkm_count_many(enc, tx, lens, n, &strict, N_THREADS, counts, statuses),
                     TKM_ERR_INVALID_UTF8);
    for (size_t i = 0; i < n; i++) {
        if (i % n_texts == 4)
            assert_int_equal(statuses[i], TKM_ERR_INVALID_UTF8);
        else
            assert_int_equal(statuses[i], TKM_OK);
    }
    free(tx);
    free(lens);
    free(counts);
    free(statuses);
    free_expected(e);
    free(e);
    tkm_encoding_free(enc);
}

static int teardown_texts(void **state)
{
    (void)state;
    free_texts();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_r50k),      cmocka_unit_test(test_shared_p50k),
        cmocka_unit_test(test_shared_p50k_edit), cmocka_unit_test(test_shared_cl100k),
        cmocka_unit_test(test_shared_o200k),     cmocka_unit_test(test_shared_harmony),
        cmocka_unit_test(test_mixed_and_loading), cmocka_unit_test(test_count_many),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_texts);
}
