/* test_vocab.c — the vocabulary's hash table (src/vocab.h): tags in front of
 * the slots, probed 16 at a time with SSE2 or one at a time (portable).
 * For the embedded tables of every built-in, the same vocabularies built at
 * run time, and small random vocabularies (tables of 32 slots, where probes
 * wrap around the end): every token is found at its rank, and for ~10^6
 * queries that are near-misses of tokens (one byte changed, one added or
 * dropped) or random, both probes agree with a sorted-array oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encoding.h"
#include "test_b64.h"
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t test_vocab_lookup_scalar(const tkm_vocab *v, const uint8_t *p, size_t n);

/* ---- oracle: ranks sorted by their bytes ---- */

static const tkm_vocab *sort_vocab;

static int cmp_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

static int cmp_rank(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const tkm_vocab *v = sort_vocab;
    return cmp_bytes(v->bytes + v->off[a], tkm_vocab_token_len(v, a), v->bytes + v->off[b],
                     tkm_vocab_token_len(v, b));
}

typedef struct oracle {
    const tkm_vocab *v;
    uint32_t *sorted;
    size_t n;
} oracle;

static oracle oracle_make(const tkm_vocab *v)
{
    oracle o = {v, malloc(v->n_ranks * sizeof(uint32_t)), 0};
    assert_non_null(o.sorted);
    for (uint32_t r = 0; r < v->n_ranks; r++)
        if (tkm_vocab_token_len(v, r))
            o.sorted[o.n++] = r;
    sort_vocab = v;
    qsort(o.sorted, o.n, sizeof *o.sorted, cmp_rank);
    return o;
}

static uint32_t oracle_find(const oracle *o, const uint8_t *p, size_t n)
{
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t r = o->sorted[mid];
        int c = cmp_bytes(o->v->bytes + o->v->off[r], tkm_vocab_token_len(o->v, r), p, n);
        if (c == 0)
            return r;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return TKM_NO_RANK;
}

static size_t n_checked, n_found;

static void check(const oracle *o, const uint8_t *p, size_t n, const char *what)
{
    uint32_t want = oracle_find(o, p, n);
    uint32_t simd = tkm_vocab_lookup(o->v, p, n);
    uint32_t scalar = test_vocab_lookup_scalar(o->v, p, n);
    if (simd != want || scalar != want)
        fail_msg("%s (%zu bytes): look-up %u, portable look-up %u, oracle %u", what, n, simd,
                 scalar, want);
    n_checked++;
    n_found += want != TKM_NO_RANK;
}

/* The table's shape: load at most 3/4, the tag copy at the end, every
 * occupied slot tagged, and the 3-byte filter. */
static void check_shape(const tkm_vocab *v)
{
    size_t cap = v->mask + 1, used = 0, n_long = 0;
    assert_true((cap & v->mask) == 0);
    for (size_t i = 0; i < cap; i++) {
        assert_int_equal(v->tags[i] != 0, v->slots[i].len != 0);
        used += v->slots[i].len != 0;
    }
    for (size_t i = 0; i < TKM_VOCAB_GROUP; i++)
        assert_int_equal(v->tags[cap + i], v->tags[i]);
    for (uint32_t r = 0; r < v->n_ranks; r++)
        n_long += tkm_vocab_token_len(v, r) > 2;
    assert_int_equal(used, n_long);
    assert_true(used * 4 <= cap * 3);
    /* The 3-byte filter: every 3-byte token's bit, and no more bits than
     * there are such tokens (a filter of all ones would pass the look-ups). */
    size_t n3 = 0, bits = 0;
    for (uint32_t r = 0; r < v->n_ranks; r++)
        if (tkm_vocab_token_len(v, r) == 3) {
            n3++;
            assert_true(tkm_vocab_tri_maybe(v, v->bytes + v->off[r]));
        }
    for (size_t w = 0; w < TKM_VOCAB_TRI_WORDS; w++)
        bits += (size_t)__builtin_popcountll(v->tri[w]);
    assert_true(bits <= n3);
    assert_true(bits > 0 || n3 == 0);
}

static void check_vocab(const tkm_vocab *v, size_t n_queries, const char *label)
{
    check_shape(v);
    oracle o = oracle_make(v);
    /* Every token at its rank. */
    for (uint32_t r = 0; r < v->n_ranks; r++) {
        size_t n = tkm_vocab_token_len(v, r);
        if (n) {
            const uint8_t *p = v->bytes + v->off[r];
            assert_int_equal(tkm_vocab_lookup(v, p, n), r);
            assert_int_equal(test_vocab_lookup_scalar(v, p, n), r);
        }
    }
    /* Near-misses and random strings (mostly absent: the tags must end the
     * probe right, not just find what is there). */
    uint8_t buf[80];
    for (size_t q = 0; q < n_queries; q++) {
        uint32_t r = o.sorted[rnd_below(o.n)];
        size_t n = tkm_vocab_token_len(v, r);
        if (n > sizeof buf - 1)
            n = sizeof buf - 1;
        memcpy(buf, v->bytes + v->off[r], n);
        switch (q % 4) {
        case 0: /* one byte changed */
            buf[rnd_below(n)] ^= (uint8_t)(1 + rnd_below(255));
            break;
        case 1: /* one byte appended */
            buf[n++] = (uint8_t)rnd();
            break;
        case 2: /* last byte dropped */
            n -= n > 1;
            break;
        default: /* random, over the bytes tokens use most */
            n = 1 + rnd_below(16);
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)" etaoinsrh\xc3\xa9\xd0\xbe"[rnd_below(13)];
            break;
        }
        check(&o, buf, n, label);
    }
    free(o.sorted);
}

static void test_builtins(void **state)
{
    (void)state;
    rng_state = 7;
    for (size_t b = 0; b < N_BUILTINS; b++) {
        tkm_encoding *enc = load(BUILTINS[b]);
        check_vocab(&enc->vocab, 200000, BUILTINS[b]);
        tkm_encoding_free(enc);
    }
    printf("built-ins: %zu queries, %zu of them tokens\n", n_checked, n_found);
}

/* The same rank files as custom encodings: tables built at load. */
static void test_runtime_tables(void **state)
{
    (void)state;
    rng_state = 11;
    for (size_t b = 0; b < N_BUILTINS; b++) {
        tkm_encoding *enc = load_file(BUILTINS[b], NULL);
        check_vocab(&enc->vocab, 50000, BUILTINS[b]);
        tkm_encoding_free(enc);
    }
}

/* Small vocabularies over a 3-letter alphabet: 32-slot tables, nearly full
 * at load 3/4, so clusters cross the end of the table and the 16-byte tag
 * reads use the copy of the first tags. */
static void test_small_tables(void **state)
{
    (void)state;
    rng_state = 2026;
    for (int round = 0; round < 400; round++) {
        size_t n_long = 1 + rnd_below(round % 2 ? 23 : 60);
        char *text = malloc(64 * 1024);
        assert_non_null(text);
        size_t len = 0;
        uint32_t rank = 0;
        char enc64[16];
        for (int b = 0; b < 256; b++) {
            uint8_t x = (uint8_t)b;
            test_b64(&x, 1, enc64);
            len += (size_t)sprintf(text + len, "%s %u\n", enc64, rank++);
        }
        /* Distinct strings of 3-8 letters over "abc". */
        char seen[80][9];
        size_t ns = 0;
        while (ns < n_long) {
            size_t l = 3 + rnd_below(6);
            char s[9];
            for (size_t i = 0; i < l; i++)
                s[i] = "abc"[rnd_below(3)];
            s[l] = 0;
            bool dup = false;
            for (size_t k = 0; k < ns; k++)
                dup = dup || strcmp(seen[k], s) == 0;
            if (dup)
                continue;
            memcpy(seen[ns++], s, l + 1);
            test_b64((const uint8_t *)s, l, enc64);
            len += (size_t)sprintf(text + len, "%s %u\n", enc64, rank++);
        }
        tkm_encoding *enc = load_ranks(NULL, NULL, text, len, NULL);
        check_vocab(&enc->vocab, 2000, "small");
        /* Every string over "abc" of 3-6 letters: present or not. */
        oracle o = oracle_make(&enc->vocab);
        for (size_t l = 3; l <= 6; l++) {
            size_t total = 1;
            for (size_t i = 0; i < l; i++)
                total *= 3;
            for (size_t k = 0; k < total; k++) {
                uint8_t s[8];
                size_t x = k;
                for (size_t i = 0; i < l; i++, x /= 3)
                    s[i] = (uint8_t)"abc"[x % 3];
                check(&o, s, l, "small, exhaustive");
            }
        }
        free(o.sorted);
        tkm_encoding_free(enc);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_runtime_tables),
        cmocka_unit_test(test_small_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
