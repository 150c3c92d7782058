/* test_truncate.c — cutting text to N tokens at token and UTF-8 boundaries. */
#include "acct_test.h"

#include <stdlib.h>

static tkm_encoding *enc;
/* One context for every tkm_context_text_truncate of the file: each call
 * after the first finds it warm with earlier calls' texts. */
static tkm_context *ctx;

static int setup(void **state)
{
    (void)state;
    if (tkm_context_create(NULL, &ctx) != TKM_OK)
        return -1;
    return tkm_encoding_load_builtin("o200k_base", NULL, &enc) == TKM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tkm_context_free(ctx);
    tkm_encoding_free(enc);
    return 0;
}

/* tkm_text_truncate, checked against tkm_context_text_truncate through the
 * file's one context: same status, same cut. */
static tkm_status truncate_both(const tkm_encoding *e, const char *s, size_t len, size_t k,
                                tkm_truncate_mode mode, const tkm_allocator *a, tkm_truncation *t,
                                tkm_error_detail *d)
{
    tkm_status st = tkm_text_truncate(e, s, len, k, mode, a, t, d);
    tkm_truncation t2;
    memset(&t2, 0xAB, sizeof t2);
    assert_int_equal(tkm_context_text_truncate(ctx, e, s, len, k, mode, a, &t2, NULL), st);
    if (st == TKM_OK) {
        assert_int_equal(t2.head_len, t->head_len);
        assert_int_equal(t2.tail_offset, t->tail_offset);
        assert_int_equal(t2.tail_len, t->tail_len);
        assert_int_equal(t2.tokens, t->tokens);
        assert_int_equal(t2.truncated, t->truncated);
    }
    return st;
}

static size_t count_bytes(const char *s, size_t n)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
    size_t c = 0;
    if (n)
        assert_int_equal(tkm_count(enc, s, n, &o, &c, NULL), TKM_OK);
    return c;
}

static bool boundary(const char *s, size_t len, size_t off)
{
    return off == 0 || off == len || ((unsigned char)s[off] & 0xC0) != 0x80;
}

static const char mixed[] =
    "Tokenizers split text into pieces: caf\xc3\xa9, na\xc3\xafve, \xe6\x97\xa5\xe6\x9c\xac"
    "\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0, emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x80"
    "\xf0\x9f\x98\x80 and <|endoftext|> as plain text. The end.";

static void test_head(void **state)
{
    (void)state;
    size_t len = strlen(mixed), total = count_bytes(mixed, len);
    for (size_t k = 0; k <= total + 1; k++) {
        tkm_truncation t;
        assert_int_equal(truncate_both(enc, mixed, len, k, TKM_KEEP_HEAD, NULL, &t, NULL),
                         TKM_OK);
        assert_true(t.tokens <= k);
        assert_int_equal(count_bytes(mixed, t.head_len), t.tokens);
        assert_true(boundary(mixed, len, t.head_len));
        assert_int_equal(t.tail_len, 0);
        assert_int_equal(t.truncated, k < total);
        if (k >= total)
            assert_int_equal(t.head_len, len);
    }
}

static void test_tail(void **state)
{
    (void)state;
    size_t len = strlen(mixed), total = count_bytes(mixed, len);
    size_t prev = len;
    for (size_t k = 0; k < total; k++) {
        tkm_truncation t;
        assert_int_equal(truncate_both(enc, mixed, len, k, TKM_KEEP_TAIL, NULL, &t, NULL),
                         TKM_OK);
        assert_true(t.truncated);
        assert_int_equal(t.head_len, 0);
        assert_int_equal(t.tail_offset + t.tail_len, len);
        assert_true(t.tokens <= k);
        assert_int_equal(count_bytes(mixed + t.tail_offset, t.tail_len), t.tokens);
        assert_true(boundary(mixed, len, t.tail_offset));
        assert_true(t.tail_offset <= prev); /* more tokens, longer tail */
        prev = t.tail_offset;
    }
}

static void test_middle_out(void **state)
{
    (void)state;
    size_t len = strlen(mixed);
    tkm_truncation t;
    assert_int_equal(truncate_both(enc, mixed, len, 9, TKM_KEEP_MIDDLE_OUT, NULL, &t, NULL),
                     TKM_OK);
    assert_true(t.truncated);
    assert_true(t.head_len <= t.tail_offset);
    assert_int_equal(t.tail_offset + t.tail_len, len);
    size_t h = count_bytes(mixed, t.head_len), tl = count_bytes(mixed + t.tail_offset, t.tail_len);
    assert_true(h <= 5 && tl <= 4);
    assert_int_equal(t.tokens, h + tl);
    assert_true(h > 0 && tl > 0);
}

static void test_head_matches_decoded_prefix(void **state)
{
    (void)state;
    /* On ASCII, the head of k tokens is exactly the decoding of the first k ids. */
    const char *s = "The quick brown fox jumps over the lazy dog again and again.";
    uint32_t ids[64];
    size_t n;
    assert_int_equal(tkm_encode_ordinary(enc, s, strlen(s), ids, 64, &n, NULL), TKM_OK);
    char buf[128];
    size_t blen;
    assert_int_equal(tkm_decode(enc, ids, 5, buf, sizeof buf, &blen, NULL), TKM_OK);
    tkm_truncation t;
    assert_int_equal(truncate_both(enc, TXT(s), 5, TKM_KEEP_HEAD, NULL, &t, NULL), TKM_OK);
    assert_int_equal(t.head_len, blen);
    assert_int_equal(t.tokens, 5);
    assert_memory_equal(s, buf, blen);
}

/* A text long enough (about 60 KiB) that the call's own context warms its
 * piece cache before the cuts are re-counted: every kept piece has the
 * tokens a fresh count gives it, for each mode and several budgets. */
static void test_long_text(void **state)
{
    (void)state;
    size_t one = strlen(mixed), reps = 400, len = one * reps;
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < reps; i++)
        memcpy(s + i * one, mixed, one);
    size_t total = count_bytes(s, len);
    static const size_t ks[] = {1, 999, 5000, 12345};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        size_t k = ks[i];
        assert_true(k < total);
        tkm_truncation t;
        assert_int_equal(truncate_both(enc, s, len, k, TKM_KEEP_HEAD, NULL, &t, NULL), TKM_OK);
        assert_true(t.truncated && t.tokens <= k && t.tokens + 8 > k);
        assert_int_equal(count_bytes(s, t.head_len), t.tokens);
        assert_true(boundary(s, len, t.head_len));
        assert_int_equal(truncate_both(enc, s, len, k, TKM_KEEP_TAIL, NULL, &t, NULL), TKM_OK);
        assert_true(t.truncated && t.tokens <= k && t.tokens + 8 > k);
        assert_int_equal(count_bytes(s + t.tail_offset, t.tail_len), t.tokens);
        assert_true(boundary(s, len, t.tail_offset));
        assert_int_equal(
            truncate_both(enc, s, len, k, TKM_KEEP_MIDDLE_OUT, NULL, &t, NULL), TKM_OK);
        size_t h = count_bytes(s, t.head_len), tl = count_bytes(s + t.tail_offset, t.tail_len);
        assert_int_equal(t.tokens, h + tl);
        assert_true(t.tokens <= k && h <= (k + 1) / 2 && tl <= k / 2);
    }
    free(s);
}

static void test_args(void **state)
{
    (void)state;
    tkm_truncation t;
    assert_int_equal(truncate_both(enc, NULL, 3, 1, TKM_KEEP_HEAD, NULL, &t, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(truncate_both(enc, "", 0, 0, TKM_KEEP_TAIL, NULL, &t, NULL), TKM_OK);
    assert_false(t.truncated);
    assert_int_equal(t.tokens, 0);
    assert_int_equal(tkm_context_text_truncate(NULL, enc, "ab", 2, 1, TKM_KEEP_HEAD, NULL, &t, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_middle_out),
        cmocka_unit_test(test_head_matches_decoded_prefix),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
