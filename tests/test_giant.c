/* test_giant.c — giant pieces: 1 MiB single-piece inputs must encode with no
 * quadratic blow-up and no stack growth, round-trip exactly, and the heap
 * merge must equal the reference array merge (tiktoken's _byte_pair_merge)
 * on long pieces. Token-level truth for long pieces up to tens of KB comes
 * from the golden vectors (test_vectors.c); here the 1 MiB results are tied
 * to the reference merge algorithm and to round-tripping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bpe.h"
#include "encoding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIB (1u << 20)

static char *make(const char *kind, size_t *len)
{
    char *s = malloc(MIB + 16);
    assert_non_null(s);
    size_t n = 0;
    if (strcmp(kind, "spaces") == 0) {
        memset(s, ' ', MIB);
        n = MIB;
    } else if (strcmp(kind, "a") == 0) {
        memset(s, 'a', MIB);
        n = MIB;
    } else if (strcmp(kind, "newlines") == 0) {
        memset(s, '\n', MIB);
        n = MIB;
    } else if (strcmp(kind, "digits") == 0) {
        for (n = 0; n < MIB; n++)
            s[n] = (char)('0' + (n * 7) % 10);
    } else if (strcmp(kind, "a_spaces_b") == 0) {
        s[0] = 'a';
        memset(s + 1, ' ', MIB);
        s[MIB + 1] = 'b';
        n = MIB + 2;
    } else if (strcmp(kind, "cjk") == 0) {
        /* U+4E00.. in a fixed pseudo-random order, no spaces: one piece. */
        uint32_t x = 12345;
        while (n + 3 <= MIB) {
            x = x * 1103515245u + 12345u;
            uint32_t cp = 0x4E00 + (x >> 8) % 0x5000;
            s[n++] = (char)(0xE0 | (cp >> 12));
            s[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    *len = n;
    return s;
}

static void round_trip(const char *encoding, const char *kind)
{
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(encoding, NULL, &enc), TKM_OK);
    size_t len;
    char *text = make(kind, &len);
    uint32_t *ids = malloc(tkm_encode_bound(len) * sizeof *ids);
    char *back = malloc(len);
    assert_non_null(ids);
    assert_non_null(back);
    size_t n = 0, c = 0, m = 0;
    tkm_error_detail d;
    clock_t t0 = clock();
    tkm_status st = tkm_encode_ordinary(enc, text, len, ids, tkm_encode_bound(len), &n, &d);
    double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (st != TKM_OK)
        fail_msg("%s %s: %s", encoding, kind, d.message);
    print_message("%-12s %-11s %8zu bytes -> %7zu tokens, %.1f ms\n", encoding, kind, len, n, ms);
    assert_int_equal(tkm_count(enc, text, len, &(tkm_encode_options){TKM_ENCODE_SPECIAL_AS_TEXT, 0, 0}, &c, &d), TKM_OK);
    assert_int_equal(c, n);
    assert_int_equal(tkm_decode(enc, ids, n, back, len, &m, &d), TKM_OK);
    assert_int_equal(m, len);
    assert_memory_equal(back, text, len);
    free(back);
    free(ids);
    free(text);
    tkm_encoding_free(enc);
}

static void test_giant_inputs(void **state)
{
    (void)state;
    static const char *const encs[] = {"r50k_base", "cl100k_base", "o200k_base"};
    static const char *const kinds[] = {"spaces", "a", "newlines", "digits", "a_spaces_b", "cjk"};
    for (size_t e = 0; e < 3; e++)
        for (size_t k = 0; k < 6; k++)
            round_trip(encs[e], kinds[k]);
}

/* Heap merge (pieces > 64 bytes) against the reference array merge. */
static void compare_piece(const tkm_encoding *enc, const uint8_t *p, size_t n)
{
    tkm_allocator a;
    a = enc->alloc;
    size_t cap = n + 1;
    uint32_t *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    tkm_sink sx = {x, cap, 0, SIZE_MAX}, sy = {y, cap, 0, SIZE_MAX};
    tkm_bpe_scratch s = {0};
    size_t bad;
    assert_int_equal(tkm_bpe_piece(&enc->vocab, p, n, &s, NULL, &a, &sx, &bad), TKM_OK);
    assert_int_equal(tkm_bpe_piece_reference(&enc->vocab, p, n, &a, &sy, &bad), TKM_OK);
    assert_int_equal(sx.n, sy.n);
    assert_memory_equal(x, y, sx.n * sizeof *x);
    tkm_bpe_scratch_free(&s, &a);
    free(x);
    free(y);
}

static void test_heap_equals_reference(void **state)
{
    (void)state;
    static const char *const encs[] = {"r50k_base", "cl100k_base", "o200k_base"};
    static const char *const alphabets[] = {
        "a", " ", "ab", " \n", "0123456789", "abcdefghijklmnopqrstuvwxyz ",
        "aaaaaaab", "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89", "=+/Aa09", "the quick brown fox "};
    uint32_t seed = 42;
    uint8_t *buf = malloc(20000);
    assert_non_null(buf);
    for (size_t e = 0; e < 3; e++) {
        tkm_encoding *enc = NULL;
        assert_int_equal(tkm_encoding_load_builtin(encs[e], NULL, &enc), TKM_OK);
        for (size_t k = 0; k < sizeof alphabets / sizeof alphabets[0]; k++) {
            size_t al = strlen(alphabets[k]);
            for (size_t len = 65; len <= 16384; len = len * 2 + 7) {
                for (size_t i = 0; i < len; i++) {
                    seed = seed * 1664525u + 1013904223u;
                    buf[i] = (uint8_t)alphabets[k][(seed >> 16) % al];
                }
                compare_piece(enc, buf, len);
            }
        }
        /* Random bytes of every value. */
        for (size_t i = 0; i < 3000; i++) {
            seed = seed * 1664525u + 1013904223u;
            buf[i] = (uint8_t)(seed >> 24);
        }
        compare_piece(enc, buf, 3000);
        tkm_encoding_free(enc);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_giant_inputs),
        cmocka_unit_test(test_heap_equals_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
