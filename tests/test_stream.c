/* test_stream.c — chunked (streaming) counts equal whole-text counts, in
 * bounded memory; tkm_count_many equals one-by-one counts on any number of
 * threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"

#include <stdlib.h>
#include <string.h>

static uint32_t rng = 1;
static uint32_t next(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

/* Text built from fragments that exercise every cut rule and its exceptions. */
static char *make_text(size_t want, size_t *len, bool invalid)
{
    static const char *const frag[] = {
        "Hello", " world", ",", " it's", " DON'T", "\n", "\n\n", "  ", "\t", " \n ", "\r\n",
        "x\ny", "a.\nB", "12345", " 678", "caf\xc3\xa9", " \xe4\xbd\xa0\xe5\xa5\xbd", "\xf0\x9f\x8e\x89",
        "<|endoftext|>", "   ", "(", ")", "://", "/", "'s", " 's", "\n\n\n   x", "ſ", " \xc2\xa0", "Z"};
    size_t nf = sizeof frag / sizeof frag[0];
    char *s = malloc(want + 64);
    assert_non_null(s);
    size_t n = 0;
    while (n < want) {
        if (invalid && next() % 50 == 0) {
            s[n++] = (char)(0x80 | (next() & 0x7F));
            continue;
        }
        const char *f = frag[next() % nf];
        size_t l = strlen(f);
        memcpy(s + n, f, l);
        n += l;
    }
    *len = n;
    return s;
}

static size_t whole_count(const tkm_encoding *enc, const char *s, size_t n, unsigned flags)
{
    size_t c = 0;
    tkm_encode_options o = {flags, NULL, 0};
    tkm_error_detail d;
    tkm_status st = tkm_count(enc, s, n, &o, &c, &d);
    if (st != TKM_OK)
        fail_msg("%s", d.message);
    return c;
}

static size_t stream_count(const tkm_encoding *enc, const char *s, size_t n, unsigned flags,
                           size_t max_chunk, const tkm_allocator *a)
{
    tkm_stream *st = NULL;
    tkm_encode_options o = {flags, NULL, 0};
    assert_int_equal(tkm_stream_create(enc, &o, a, &st), TKM_OK);
    size_t pos = 0;
    tkm_error_detail d;
    while (pos < n) {
        size_t k = 1 + next() % max_chunk;
        if (k > n - pos)
            k = n - pos;
        if (tkm_stream_feed(st, s + pos, k, &d) != TKM_OK)
            fail_msg("feed: %s", d.message);
        pos += k;
    }
    size_t c = 0;
    if (tkm_stream_finish(st, &c, &d) != TKM_OK)
        fail_msg("finish: %s", d.message);
    tkm_stream_free(st);
    return c;
}

static void test_chunked_equals_whole(void **state)
{
    (void)state;
    static const char *const encs[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base",
                                       "o200k_harmony"};
    static const unsigned flag_sets[] = {
        TKM_ENCODE_SPECIAL_AS_TEXT, TKM_ENCODE_ALLOW_ALL_SPECIAL,
        TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS,
        TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_REPLACE_INVALID};
    for (size_t e = 0; e < 5; e++) {
        tkm_encoding *enc = NULL;
        assert_int_equal(tkm_encoding_load_builtin(encs[e], NULL, &enc), TKM_OK);
        for (size_t f = 0; f < 4; f++) {
            for (int iter = 0; iter < 6; iter++) {
                size_t n;
                bool invalid = (flag_sets[f] & (TKM_ENCODE_LOSSLESS | TKM_ENCODE_REPLACE_INVALID)) != 0;
                char *s = make_text(2000 + next() % 20000, &n, invalid);
                size_t want = whole_count(enc, s, n, flag_sets[f]);
                size_t chunk = (size_t[]){1, 3, 17, 256, 4096, 100000}[iter];
                size_t got = stream_count(enc, s, n, flag_sets[f], chunk, NULL);
                if (got != want)
                    fail_msg("%s flags %u chunk %zu: streamed %zu, whole %zu", encs[e],
                             flag_sets[f], chunk, got, want);
                free(s);
            }
        }
        tkm_encoding_free(enc);
    }
}

/* Peak live bytes through an allocator. */
typedef struct peak {
    size_t live, peak;
} peak;
static void *pk_malloc(size_t n, void *ud)
{
    peak *p = ud;
    size_t *b = malloc(n + sizeof(size_t) * 2);
    if (!b)
        return NULL;
    b[0] = n;
    p->live += n;
    if (p->live > p->peak)
        p->peak = p->live;
    return b + 2;
}
static void pk_free(void *q, void *ud)
{
    peak *p = ud;
    size_t *b = (size_t *)q - 2;
    p->live -= b[0];
    free(b);
}

static void test_bounded_memory(void **state)
{
    (void)state;
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("o200k_base", NULL, &enc), TKM_OK);
    size_t n;
    char *block = make_text(1u << 20, &n, false);
    size_t block_count = 0;
    peak p = {0, 0};
    tkm_allocator a = {pk_malloc, pk_free, &p};
    tkm_stream *st = NULL;
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    assert_int_equal(tkm_stream_create(enc, &o, &a, &st), TKM_OK);
    /* 64 MiB of text, fed 64 KiB at a time. Each 1 MiB block starts and ends
     * with letters, so block joins are cut like any other place. */
    block[0] = 'Q';
    block[n - 1] = 'Q';
    tkm_error_detail d;
    for (int b = 0; b < 64; b++)
        for (size_t pos = 0; pos < n; pos += 65536)
            assert_int_equal(tkm_stream_feed(st, block + pos, n - pos < 65536 ? n - pos : 65536, &d),
                             TKM_OK);
    size_t c = 0;
    assert_int_equal(tkm_stream_finish(st, &c, &d), TKM_OK);
    tkm_stream_free(st);
    assert_int_equal(p.live, 0);
    print_message("64 MiB streamed: %zu tokens, peak stream memory %zu KiB\n", c, p.peak / 1024);
    assert_true(p.peak < (4u << 20));
    /* The count equals the whole-text count of the same 64 MiB. */
    char *all = malloc(64 * n);
    assert_non_null(all);
    for (int b = 0; b < 64; b++)
        memcpy(all + (size_t)b * n, block, n);
    assert_int_equal(c, whole_count(enc, all, 64 * n, TKM_ENCODE_SPECIAL_AS_TEXT));
    (void)block_count;
    free(all);
    free(block);
    tkm_encoding_free(enc);
}

/* A built-in encoding and a stream over it with the default options. */
static tkm_stream *open_stream(const char *name, tkm_encoding **enc)
{
    *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(name, NULL, enc), TKM_OK);
    tkm_stream *st = NULL;
    assert_int_equal(tkm_stream_create(*enc, NULL, NULL, &st), TKM_OK);
    return st;
}

static void test_stream_errors(void **state)
{
    (void)state;
    tkm_encoding *enc;
    tkm_stream *st = open_stream("cl100k_base", &enc);
    tkm_error_detail d;
    const char *a = "first line\nsecond line is fine\nthird ";
    assert_int_equal(tkm_stream_feed(st, a, strlen(a), &d), TKM_OK);
    const char *b = "has <|endoftext|> in it\nmore text\n";
    tkm_status s1 = tkm_stream_feed(st, b, strlen(b), &d);
    size_t c;
    tkm_status s2 = s1 == TKM_OK ? tkm_stream_finish(st, &c, &d) : s1;
    assert_int_equal(s2, TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(d.offset, strlen(a) + 4); /* offset in the whole stream */
    assert_int_equal(tkm_stream_feed(st, "x", 1, &d), TKM_ERR_INVALID_ARGUMENT);
    tkm_stream_free(st);
    const char *bad_names[] = {"<|nope|>"};
    tkm_encode_options o = {0, bad_names, 1};
    assert_int_equal(tkm_stream_create(enc, &o, NULL, &st), TKM_ERR_UNKNOWN_SPECIAL);
    tkm_stream_free(NULL);
    tkm_encoding_free(enc);
}

/* Feed text and finish: the first failure (a stream may hold text back
 * and report its error only at the end). */
static tkm_status feed_finish(tkm_stream *st, const char *text, size_t n, tkm_error_detail *d)
{
    size_t c;
    tkm_status s = tkm_stream_feed(st, text, n, d);
    return s == TKM_OK ? tkm_stream_finish(st, &c, d) : s;
}

/* Many texts through one stream, reset between them (as the CLI counts many
 * files): each count equals the text's own, whatever came before it, a
 * partly fed text or a failure. The texts add up to well over the 16 KiB
 * after which a context's piece cache is warm, so later texts are counted
 * with entries earlier ones left. */
static void test_stream_reset(void **state)
{
    (void)state;
    static const char *const encs[] = {"cl100k_base", "o200k_base"};
    for (size_t e = 0; e < 2; e++) {
        tkm_encoding *enc = NULL;
        assert_int_equal(tkm_encoding_load_builtin(encs[e], NULL, &enc), TKM_OK);
        tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
        tkm_stream *st = NULL;
        assert_int_equal(tkm_stream_create(enc, &o, NULL, &st), TKM_OK);
        tkm_error_detail d;
        for (int i = 0; i < 40; i++) {
            size_t n;
            char *s = make_text(100 + next() % 6000, &n, false);
            size_t want = whole_count(enc, s, n, o.flags);
            if (i % 3 == 1) { /* an abandoned text before this one */
                assert_int_equal(tkm_stream_feed(st, s, n / 2, &d), TKM_OK);
                assert_int_equal(tkm_stream_reset(st), TKM_OK);
            } else if (i % 3 == 2) { /* a failed one */
                assert_int_equal(feed_finish(st, "ok \xff", 4, &d), TKM_ERR_INVALID_UTF8);
                assert_int_equal(tkm_stream_feed(st, "x", 1, &d), TKM_ERR_INVALID_ARGUMENT);
                assert_int_equal(tkm_stream_reset(st), TKM_OK);
            }
            for (size_t pos = 0; pos < n;) {
                size_t k = 1 + next() % 3000;
                k = k < n - pos ? k : n - pos;
                if (tkm_stream_feed(st, s + pos, k, &d) != TKM_OK)
                    fail_msg("feed: %s", d.message);
                pos += k;
            }
            size_t got = 0;
            assert_int_equal(tkm_stream_finish(st, &got, &d), TKM_OK);
            if (got != want)
                fail_msg("%s text %d: %zu after reset, %zu alone", encs[e], i, got, want);
            assert_int_equal(tkm_stream_reset(st), TKM_OK);
            free(s);
        }
        /* Offsets in errors count from the start of the text since the reset. */
        assert_int_equal(feed_finish(st, "abc \xff", 5, &d), TKM_ERR_INVALID_UTF8);
        assert_int_equal(d.offset, 4);
        tkm_stream_free(st);
        tkm_encoding_free(enc);
    }
    assert_int_equal(tkm_stream_reset(NULL), TKM_ERR_INVALID_ARGUMENT);
}

/* A stream given no text, or only empty chunks, counts 0 and stays usable:
 * its buffer is never allocated, and nothing may touch it (session 11: UBSan
 * saw arithmetic on the NULL buffer at finish). */
static void test_stream_empty(void **state)
{
    (void)state;
    tkm_encoding *enc;
    tkm_stream *st = open_stream("o200k_base", &enc);
    tkm_error_detail d;
    size_t c = 99;
    assert_int_equal(tkm_stream_finish(st, &c, &d), TKM_OK);
    assert_int_equal(c, 0);
    assert_int_equal(tkm_stream_reset(st), TKM_OK);
    assert_int_equal(tkm_stream_feed(st, NULL, 0, &d), TKM_OK);
    assert_int_equal(tkm_stream_feed(st, "", 0, &d), TKM_OK);
    c = 99;
    assert_int_equal(tkm_stream_finish(st, &c, &d), TKM_OK);
    assert_int_equal(c, 0);
    /* And it still counts a text afterwards. */
    assert_int_equal(tkm_stream_reset(st), TKM_OK);
    assert_int_equal(tkm_stream_feed(st, "hello world", 11, &d), TKM_OK);
    assert_int_equal(tkm_stream_finish(st, &c, &d), TKM_OK);
    assert_int_equal(c, whole_count(enc, "hello world", 11, 0));
    tkm_stream_free(st);
    tkm_encoding_free(enc);
}

static void test_count_many(void **state)
{
    (void)state;
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("o200k_base", NULL, &enc), TKM_OK);
    enum { N = 300 };
    char *texts[N];
    size_t lens[N], want[N], got[N];
    tkm_status sts[N];
    for (int i = 0; i < N; i++) {
        texts[i] = make_text(10 + next() % 5000, &lens[i], false);
        want[i] = whole_count(enc, texts[i], lens[i], TKM_ENCODE_SPECIAL_AS_TEXT);
    }
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    for (unsigned t = 0; t <= 8; t++) {
        memset(got, 0xff, sizeof got);
        assert_int_equal(tkm_count_many(enc, (const char *const *)texts, lens, N, &o, t, got, sts),
                         TKM_OK);
        assert_memory_equal(got, want, sizeof got);
    }
    /* One bad text: its status, the first failure returned, others counted. */
    texts[7][3] = (char)0xff;
    o.flags = 0;
    tkm_status st = tkm_count_many(enc, (const char *const *)texts, lens, N, &o, 2, got, sts);
    assert_true(st == TKM_ERR_INVALID_UTF8 || st == TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(sts[7], TKM_ERR_INVALID_UTF8);
    assert_int_equal(tkm_count_many(enc, NULL, lens, 3, &o, 2, got, sts), TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_count_many(enc, NULL, NULL, 0, &o, 2, got, NULL), TKM_OK);
    for (int i = 0; i < N; i++)
        free(texts[i]);
    tkm_encoding_free(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_equals_whole),
        cmocka_unit_test(test_bounded_memory),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_stream_reset),
        cmocka_unit_test(test_stream_empty),
        cmocka_unit_test(test_count_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
