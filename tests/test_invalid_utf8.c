/* test_invalid_utf8.c — the three UTF-8 policies on ill-formed input, NUL
 * bytes and empty input. Expected "replace" strings follow Unicode 16.0
 * §3.9 (U+FFFD substitution of maximal subparts), which is what Python's
 * bytes.decode("utf-8", "replace") does before tiktoken sees the text; the
 * ids are then obtained by encoding that decoded string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"

#include <stdio.h>
#include <stdlib.h>
#include <utf8proc.h>
#include <string.h>

typedef struct bad {
    const char *name;
    const char *bytes;
    size_t len;
    size_t first_bad;     /* strict: offset reported */
    const char *replaced; /* replace: the decoded string */
} bad;

#define B(s) s, sizeof(s) - 1
#define R "\xEF\xBF\xBD"

static const bad CASES[] = {
    {"overlong_2", B("a\xC0\xAF" "b"), 1, "a" R R "b"},
    {"overlong_3", B("a\xE0\x80\xAF" "b"), 1, "a" R R R "b"},
    {"overlong_4", B("\xF0\x80\x80\xAF"), 0, R R R R},
    {"surrogate_high", B("x\xED\xA0\x80y"), 1, "x" R R R "y"},
    {"surrogate_low", B("x\xED\xBF\xBFy"), 1, "x" R R R "y"},
    {"above_10ffff", B("x\xF4\x90\x80\x80y"), 1, "x" R R R R "y"},
    {"f5_lead", B("\xF5\x80\x80\x80"), 0, R R R R},
    {"truncated_end_2", B("ok \xC3"), 3, "ok " R},
    {"truncated_end_3", B("ok \xE4\xBD"), 3, "ok " R},
    {"truncated_end_4", B("ok \xF0\x9F\x8E"), 3, "ok " R},
    {"lone_continuation", B("a\x80\x80z"), 1, "a" R R "z"},
    {"ff_fe", B("\xFF\xFE hello"), 0, R R " hello"},
    /* The example of Unicode 16.0 §3.9, Table 3-8 / U+FFFD best practice. */
    {"unicode_example", B("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"), 1,
     "a" R R R "b" R "c" R R "d"},
    {"mixed_valid", B("caf\xC3\xA9 \xE9t\xE9 \xF0\x9F\x8E\x89"), 6,
     "caf\xC3\xA9 " R "t" R " \xF0\x9F\x8E\x89"},
};

static tkm_encoding *load(const char *name)
{
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(name, NULL, &enc), TKM_OK);
    return enc;
}

static size_t encode(const tkm_encoding *enc, const char *s, size_t n, unsigned flags,
                     uint32_t *ids, tkm_status want)
{
    size_t m = 0;
    tkm_error_detail d;
    tkm_encode_options o = {flags | TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    tkm_status st = tkm_encode(enc, s, n, &o, ids, 256, &m, &d);
    if (st != want)
        fail_msg("got %s, want %s: %s", tkm_strerror(st), tkm_strerror(want), d.message);
    return m;
}

static void run_cases(const char *encoding)
{
    tkm_encoding *enc = load(encoding);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const bad *c = &CASES[i];
        uint32_t a[256], b[256];
        size_t m = 0;
        tkm_error_detail d;
        /* strict */
        tkm_status st = tkm_encode_ordinary(enc, c->bytes, c->len, a, 256, &m, &d);
        if (st != TKM_ERR_INVALID_UTF8 || d.offset != c->first_bad)
            fail_msg("%s: strict gave %s at %zu", c->name, tkm_strerror(st), d.offset);
        size_t cnt;
        assert_int_equal(tkm_count(enc, c->bytes, c->len, NULL, &cnt, &d), TKM_ERR_INVALID_UTF8);
        /* replace == encoding of the replaced string */
        size_t na = encode(enc, c->bytes, c->len, TKM_ENCODE_REPLACE_INVALID, a, TKM_OK);
        size_t nb = encode(enc, c->replaced, strlen(c->replaced), 0, b, TKM_OK);
        if (na != nb || memcmp(a, b, na * sizeof *a) != 0)
            fail_msg("%s: replace differs from encoding the replaced text", c->name);
        /* lossless round trip */
        na = encode(enc, c->bytes, c->len, TKM_ENCODE_LOSSLESS, a, TKM_OK);
        char back[256];
        assert_int_equal(tkm_decode(enc, a, na, back, sizeof back, &m, &d), TKM_OK);
        assert_int_equal(m, c->len);
        assert_memory_equal(back, c->bytes, c->len);
        assert_int_equal(tkm_count(enc, c->bytes, c->len,
                                   &(tkm_encode_options){TKM_ENCODE_LOSSLESS, 0, 0}, &cnt, &d),
                         TKM_OK);
        assert_int_equal(cnt, na);
    }
    tkm_encoding_free(enc);
}

static void test_policies(void **state)
{
    (void)state;
    run_cases("cl100k_base");
    run_cases("o200k_base");
    run_cases("r50k_base");
}

/* Lossless on valid text equals the exact encoding; valid runs between
 * invalid bytes are encoded as standalone strings. */
static void test_lossless_segments(void **state)
{
    (void)state;
    tkm_encoding *enc = load("o200k_base");
    const char *valid = "Hello, world!  It's 2024.\n\n";
    uint32_t a[256], b[256], c[256];
    size_t na = encode(enc, valid, strlen(valid), TKM_ENCODE_LOSSLESS, a, TKM_OK);
    size_t nb = encode(enc, valid, strlen(valid), 0, b, TKM_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    /* "abc  " + FF + "def": the first run ends in spaces, encoded as a string
     * of its own (so its trailing spaces are a final piece). */
    const char mixed[] = "abc  \xFF" "def";
    size_t nm = encode(enc, mixed, sizeof mixed - 1, TKM_ENCODE_LOSSLESS, a, TKM_OK);
    size_t n1 = encode(enc, "abc  ", 5, 0, b, TKM_OK);
    size_t n2 = encode(enc, "def", 3, 0, c, TKM_OK);
    assert_int_equal(nm, n1 + 1 + n2);
    assert_memory_equal(a, b, n1 * sizeof *a);
    assert_memory_equal(a + n1 + 1, c, n2 * sizeof *a);
    const char *tb;
    size_t tl;
    assert_int_equal(tkm_encoding_token_bytes(enc, a[n1], &tb, &tl), TKM_OK);
    assert_int_equal(tl, 1);
    assert_int_equal((unsigned char)tb[0], 0xFF);
    tkm_encoding_free(enc);
}

static void test_nul_and_empty(void **state)
{
    (void)state;
    tkm_encoding *enc = load("cl100k_base");
    const char nul[] = "a\0b\0\0c";
    uint32_t ids[64];
    size_t n = encode(enc, nul, sizeof nul - 1, 0, ids, TKM_OK);
    char back[16];
    size_t m;
    tkm_error_detail d;
    assert_int_equal(tkm_decode(enc, ids, n, back, sizeof back, &m, &d), TKM_OK);
    assert_int_equal(m, sizeof nul - 1);
    assert_memory_equal(back, nul, m);
    assert_int_equal(encode(enc, "", 0, 0, ids, TKM_OK), 0);
    assert_int_equal(encode(enc, "", 0, TKM_ENCODE_LOSSLESS, ids, TKM_OK), 0);
    tkm_encoding_free(enc);
}

/* Random bytes: lossless always round-trips; strict and replace never crash. */
static void test_random_bytes(void **state)
{
    (void)state;
    tkm_encoding *enc = load("o200k_base");
    uint32_t seed = 7;
    char buf[200];
    uint32_t ids[256];
    char back[256];
    for (int iter = 0; iter < 2000; iter++) {
        size_t len = (size_t)(iter % 200);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1664525u + 1013904223u;
            uint8_t b = (uint8_t)(seed >> 24);
            /* Bias towards UTF-8-looking bytes. */
            buf[i] = (char)((seed & 0x300) ? b : (uint8_t)(0x80 | (b & 0x3F)));
        }
        size_t n = 0, m = 0, c = 0;
        tkm_error_detail d;
        tkm_encode_options o = {TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
        assert_int_equal(tkm_encode(enc, buf, len, &o, ids, 256, &n, &d), TKM_OK);
        assert_int_equal(tkm_decode(enc, ids, n, back, sizeof back, &m, &d), TKM_OK);
        assert_int_equal(m, len);
        assert_memory_equal(back, buf, len);
        o.flags = TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT;
        assert_int_equal(tkm_count(enc, buf, len, &o, &c, &d), TKM_OK);
        tkm_status st = tkm_count(enc, buf, len, NULL, &c, &d);
        assert_true(st == TKM_OK || st == TKM_ERR_INVALID_UTF8);
    }
    tkm_encoding_free(enc);
}

/* utf8proc's decoder as the oracle: the offset of the first ill-formed
 * sequence, or len. */
static size_t oracle_valid_prefix(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0)
            return i;
        i += (size_t)k;
    }
    return len;
}

static void check_strict(tkm_context *ctx, const tkm_encoding *enc, const uint8_t *s, size_t len)
{
    size_t cnt = 0, want = oracle_valid_prefix(s, len);
    tkm_error_detail d;
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    tkm_status st = tkm_context_count(ctx, enc, (const char *)s, len, &o, SIZE_MAX, &cnt, NULL, &d);
    size_t got = st == TKM_OK ? len : st == TKM_ERR_INVALID_UTF8 ? d.offset : SIZE_MAX;
    if (got != want) {
        char hex[3 * 32 + 1] = "";
        for (size_t i = 0; i < len && i < 32; i++)
            snprintf(hex + 3 * i, 4, "%02x ", s[i]);
        fail_msg("%s(%zu bytes): first ill-formed byte at %zu, utf8proc says %zu", hex, len, got,
                 want);
    }
}

/* Strict mode's error offset against utf8proc on every 2-byte sequence,
 * every 3-byte sequence with a 3-byte lead, 4-byte sequences with every lead
 * and second byte, each followed by ASCII (so the validator's fast path sees
 * them whole) and alone (its careful path), and on random mixes of
 * sequences of every length around the edges of the code point ranges. */
static void test_valid_prefix_oracle(void **state)
{
    (void)state;
    tkm_encoding *enc = load("cl100k_base");
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    uint8_t b[40];
    for (unsigned x = 0; x < 65536; x++) {
        b[0] = (uint8_t)(x >> 8);
        b[1] = (uint8_t)x;
        b[2] = b[3] = 'x';
        check_strict(ctx, enc, b, 4);
        check_strict(ctx, enc, b, 2);
    }
    for (unsigned x = 0; x < 16u << 16; x++) {
        b[0] = (uint8_t)(0xE0 | x >> 16);
        b[1] = (uint8_t)(x >> 8);
        b[2] = (uint8_t)x;
        b[3] = 'x';
        check_strict(ctx, enc, b, 4);
        if ((b[1] & 0xC0) == 0x80 || (x & 0xFF) == 0)
            check_strict(ctx, enc, b, 3);
    }
    static const uint8_t last[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
    for (unsigned lead = 0xF0; lead <= 0xF7; lead++)
        for (unsigned b1 = 0; b1 < 256; b1++)
            for (unsigned b2 = 0x70; b2 < 0xD0; b2++)
                for (size_t k = 0; k < sizeof last; k++) {
                    b[0] = (uint8_t)lead;
                    b[1] = (uint8_t)b1;
                    b[2] = (uint8_t)b2;
                    b[3] = last[k];
                    b[4] = 'x';
                    check_strict(ctx, enc, b, 5);
                    check_strict(ctx, enc, b, 4);
                }
    static const uint32_t edges[] = {0x0,    0x7F,   0x80,    0x7FF,   0x800,   0xFFF,
                                     0x1000, 0xD7FF, 0xE000,  0xFFFD,  0xFFFF,  0x10000,
                                     0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
    uint32_t seed = 99;
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0;
        while (len < 32) {
            seed = seed * 1664525u + 1013904223u;
            unsigned kind = seed >> 29;
            if (kind < 5) { /* a valid character near a range edge */
                seed = seed * 1664525u + 1013904223u;
                uint32_t cp = edges[(seed >> 16) % (sizeof edges / sizeof edges[0])] +
                              (seed >> 8 & 3) - 1;
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    cp = 0x41;
                len += (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, b + len);
            } else if (kind < 7) { /* a random byte */
                b[len++] = (uint8_t)(seed >> 8);
            } else { /* a valid character with its last byte cut off */
                seed = seed * 1664525u + 1013904223u;
                uint32_t cp = 0x80 + (seed >> 8) % 0x10FF80;
                if (cp >= 0xD800 && cp <= 0xDFFF)
                    cp = 0xE9;
                size_t k = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, b + len);
                len += k - 1;
            }
            if ((seed & 7) == 0)
                break;
        }
        check_strict(ctx, enc, b, len);
    }
    tkm_context_free(ctx);
    tkm_encoding_free(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_lossless_segments),
        cmocka_unit_test(test_nul_and_empty),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_valid_prefix_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
