/* test_backtrack.c — the backtracking encoder (src/backtrack.c) against the
 * reference merge (tiktoken's _byte_pair_merge, tkm_bpe_merge_reference):
 * every token of every built-in encoding, thousands of pseudo-random pieces
 * of many kinds, the pathological long pieces, custom vocabularies the
 * encoder must refuse (a byte that is not a token, merges out of rank order)
 * and random small vocabularies, allocation failure while building the
 * tables, and threads racing to build them. Deterministic (fixed seeds). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backtrack.h"
#include "bpe.h"
#include "encoding.h"
#include "test_common.h"
#include "piece_cache.h"
#include "test_b64.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t n_cases;

/* The forced backtracking path (no whole-piece rule) against the merge
 * alone, and tkm_bpe_piece (which picks its path by length) against the
 * reference with the whole-piece rule: same status, ids or offending byte. */
static void check_piece(const tkm_vocab *v, const tkm_bt_tables *t, const uint8_t *p, size_t n,
                        const char *label)
{
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    size_t cap = n + 1;
    uint32_t *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    tkm_bpe_scratch s;
    memset(&s, 0, sizeof s);
    size_t bad_x = SIZE_MAX, bad_y = SIZE_MAX;

    if (t) {
        tkm_sink sx = {x, cap, 0, SIZE_MAX}, sy = {y, cap, 0, SIZE_MAX};
        tkm_status st = tkm_bt_encode(t, v, p, n, &s, &a, &sx);
        tkm_status want = tkm_bpe_merge_reference(v, p, n, &a, &sy, &bad_y);
        assert_int_equal(want, TKM_OK); /* tables exist only when every byte is a token */
        if (st != TKM_OK || sx.n != sy.n || memcmp(x, y, sx.n * sizeof *x) != 0) {
            size_t i = 0;
            while (i < sx.n && i < sy.n && x[i] == y[i])
                i++;
            fail_msg("%s (%zu bytes): backtracking %s, %zu ids; reference %zu ids; first "
                     "difference at id %zu (%u vs %u)",
                     label, n, tkm_strerror(st), sx.n, sy.n, i, i < sx.n ? x[i] : 0u,
                     i < sy.n ? y[i] : 0u);
        }
    }

    tkm_sink sx = {x, cap, 0, SIZE_MAX}, sy = {y, cap, 0, SIZE_MAX};
    tkm_status sa = tkm_bpe_piece(v, p, n, &s, NULL, &a, &sx, &bad_x);
    tkm_status sb = tkm_bpe_piece_reference(v, p, n, &a, &sy, &bad_y);
    if (sa != sb)
        fail_msg("%s (%zu bytes): tkm_bpe_piece %s, reference %s", label, n, tkm_strerror(sa),
                 tkm_strerror(sb));
    if (sa == TKM_OK) {
        if (sx.n != sy.n || memcmp(x, y, sx.n * sizeof *x) != 0)
            fail_msg("%s (%zu bytes): tkm_bpe_piece gives %zu ids, reference %zu", label, n,
                     sx.n, sy.n);
    } else {
        if (bad_x != bad_y)
            fail_msg("%s (%zu bytes): %s at %zu, reference at %zu", label, n, tkm_strerror(sa),
                     bad_x, bad_y);
    }
    tkm_bpe_scratch_free(&s, &a);
    free(x);
    free(y);
    n_cases++;
}

static const tkm_bt_tables *tables_of(const tkm_encoding *enc, double *ms)
{
    double t0 = now_ms();
    const tkm_bt_tables *t = tkm_bt_get(&enc->vocab, &enc->alloc, true);
    if (ms)
        *ms = now_ms() - t0;
    return t;
}

/* ---- every token's own bytes ---- */

static void test_every_token(void **state)
{
    (void)state;
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_vocab *v = &enc->vocab;
        double ms;
        const tkm_bt_tables *t = tables_of(enc, &ms);
        assert_non_null(t);
        assert_ptr_equal(tables_of(enc, NULL), t); /* built once */
        tkm_bt_info info;
        tkm_bt_get_info(t, &info);
        size_t single = 0;
        tkm_allocator a;
        tkm_alloc_init(&a, NULL);
        tkm_bpe_scratch s;
        memset(&s, 0, sizeof s);
        uint32_t x[70000], y[70000];
        for (uint32_t r = 0; r < v->n_ranks; r++) {
            uint32_t len = tkm_vocab_token_len(v, r);
            if (len == 0)
                continue;
            const uint8_t *p = v->bytes + v->off[r];
            tkm_sink sx = {x, len, 0, SIZE_MAX}, sy = {y, len, 0, SIZE_MAX};
            size_t bad;
            assert_int_equal(tkm_bt_encode(t, v, p, len, &s, &a, &sx), TKM_OK);
            assert_int_equal(tkm_bpe_merge_reference(v, p, len, &a, &sy, &bad), TKM_OK);
            if (sx.n != sy.n || memcmp(x, y, sx.n * sizeof *x) != 0)
                fail_msg("%s token %u (%u bytes): backtracking %zu ids (first %u), merge %zu "
                         "(first %u)",
                         BUILTINS[e], r, len, sx.n, x[0], sy.n, y[0]);
            single += sy.n == 1 && y[0] == r;
        }
        /* The tables' unreachable tokens are exactly those merging does not
         * make from their own bytes. */
        assert_int_equal(single + info.n_unreachable, v->n_tokens);
        print_message("%-12s tables %.2f MB (%u tree nodes), %s in %.1f ms; %u of %zu tokens "
                      "unreachable by merging\n",
                      BUILTINS[e], (double)info.bytes / 1e6, info.n_nodes,
                      info.embedded ? "embedded, got" : "built", ms, info.n_unreachable,
                      v->n_tokens);
        tkm_bpe_scratch_free(&s, &a);
        tkm_encoding_free(enc);
    }
}

/* ---- compile-time tables ---- */

/* A built-in's embedded tables (tools/embed.c) are exactly what the run-time
 * build makes of the same rank file; without TKM_EMBED_TABLES the built-ins
 * build theirs at run time, lazily: not before asked to. */
static void test_embedded_equals_runtime(void **state)
{
    (void)state;
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_bt_tables *x = tkm_bt_get(&enc->vocab, NULL, false);
        tkm_bt_info info;
        tkm_bt_get_info(x, &info);
        if (!x) { /* not embedded: nothing built yet */
            assert_true(tkm_bt_pending(&enc->vocab));
            tkm_encoding_free(enc);
            continue;
        }
        assert_true(info.embedded);
        assert_false(tkm_bt_pending(&enc->vocab));
        tkm_encoding *file = load_file(BUILTINS[e], NULL);
        assert_true(tkm_bt_pending(&file->vocab));
        const tkm_bt_tables *y = tkm_bt_get(&file->vocab, NULL, true);
        assert_non_null(y);
        assert_false(y->embedded);
        assert_int_equal(x->n_ranks, y->n_ranks);
        assert_int_equal(x->n_nodes, y->n_nodes);
        assert_int_equal(x->n_unreachable, y->n_unreachable);
        assert_int_equal(x->pair_bits, y->pair_bits);
        assert_int_equal(x->filter_bits, y->filter_bits);
        assert_memory_equal(x->root, y->root, sizeof x->root);
        assert_memory_equal(x->node, y->node, ((size_t)x->n_nodes + 1) * sizeof *x->node);
        assert_memory_equal(x->label, y->label, (size_t)x->n_nodes + 1);
        assert_memory_equal(x->root2, y->root2, 65536 * sizeof *x->root2);
        assert_memory_equal(x->next_prefix, y->next_prefix, x->n_ranks * sizeof *x->next_prefix);
        assert_memory_equal(x->split, y->split, x->n_ranks * sizeof *x->split);
        assert_memory_equal(x->pairs, y->pairs, ((size_t)1 << x->pair_bits) * sizeof *x->pairs);
        assert_memory_equal(x->filter, y->filter, ((size_t)1 << x->filter_bits) / 8);
        tkm_encoding_free(file);
        tkm_encoding_free(enc);
    }
}

/* ---- pseudo-random pieces ---- */

typedef struct gen {
    const char *label;
    const char *const *units; /* NULL-terminated: pieces are random runs of these */
} gen;

static const char *const LETTERS[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
                                      "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x",
                                      "y", "z", "A", "E", "T", NULL};
static const char *const WORDS[] = {"the", " the", " a", "ing", " of", " and", "tion", " ",
                                    "  ", "e", "s", "er", " in", "an", "re", NULL};
static const char *const MIXED[] = {"a", "b", " ", " ", "1", "2", "0", ".", ",", "!", "-", "_",
                                    "(", ")", "{", "}", "=", "'", "\"", "\n", "\t", "x", "Q",
                                    NULL};
static const char *const DIGITS_PUNCT[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8",
                                           "9", ".", ",", ":", "/", "+", "%", NULL};
static const char *const FEW[] = {"a", "a", "a", "b", " ", NULL};
static const char *const SPACES[] = {" ", " ", " ", " ", "\n", "\t", NULL};
static const char *const CYRILLIC[] = {"\xd0\xbf", "\xd1\x80", "\xd0\xb8", "\xd0\xb2", "\xd0\xb5",
                                       "\xd1\x82", "\xd0\xbc", "\xd0\xb0", "\xd1\x8f", " ", NULL};
static const char *const CJK[] = {"\xe4\xb8\x80", "\xe4\xba\x8c", "\xe4\xb8\x89",
                                  "\xe7\x9a\x84", "\xe6\x98\xaf", "\xe4\xb8\x8d",
                                  "\xe4\xba\xba", "\xe6\x88\x91", "\xe5\x9c\xa8",
                                  "\xe3\x80\x82", "\xe8\xaa\x9e", "\xe9\xbe\x8d", NULL};
static const char *const EMOJI[] = {"\xf0\x9f\x98\x80", "\xf0\x9f\x91\x8d", "\xf0\x9f\x8e\x89",
                                    "\xe2\x9d\xa4\xef\xb8\x8f", "\xe2\x80\x8d", "a", " ", NULL};
static const char *const INVALID[] = {"\x80", "\xbf", "\xc3", "\xe4", "\xf0", "\xff", "\xfe",
                                      "\xed\xa0\x80", "a", " ", "\xc3\xa9", NULL};
static const char *const B64[] = {"A", "Q", "z", "9", "+", "/", "k", "L", "0", "w", NULL};

static const gen GENS[] = {
    {"letters", LETTERS},   {"words", WORDS},     {"mixed ASCII", MIXED},
    {"digits+punct", DIGITS_PUNCT}, {"few letters", FEW}, {"whitespace", SPACES},
    {"Cyrillic", CYRILLIC}, {"CJK", CJK},         {"emoji", EMOJI},
    {"invalid UTF-8", INVALID}, {"base64", B64},
};

static size_t fill_units(uint8_t *buf, size_t n, const char *const *units)
{
    size_t k = 0;
    while (units[k])
        k++;
    size_t i = 0;
    while (i < n) {
        const char *u = units[rnd_below(k)];
        size_t l = strlen(u);
        if (l > n - i)
            l = n - i; /* a cut sequence is a fine piece too */
        memcpy(buf + i, u, l);
        i += l;
    }
    return n;
}

static size_t random_len(void)
{
    switch (rnd_below(8)) {
    case 0:
        return 1 + rnd_below(16);
    case 1:
    case 2:
    case 3:
        return 1 + rnd_below(300);
    case 4:
    case 5:
        return 200 + rnd_below(200); /* around the length where tkm_bpe_piece switches */
    case 6:
        return 300 + rnd_below(1200);
    default:
        return 1000 + rnd_below(3000);
    }
}

/* Pieces of 2-8 bytes, which base64 and other random text are made of (and
 * 3-byte ones have their own closed-form merge, merge3): random bytes,
 * base64 characters, a two-letter alphabet (ties such as "aaa"), and
 * windows of concatenated tokens. */
static void test_short_pieces(void **state)
{
    (void)state;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_vocab *v = &enc->vocab;
        rng_state = 0x51ED2701ull ^ (e + 1);
        char label[96];
        for (int i = 0; i < 12000; i++) {
            uint8_t buf[64];
            size_t n = i % 3 ? 3 : 2 + rnd_below(7);
            int kind = i % 4;
            if (kind == 3) {
                size_t m = 0;
                while (m < sizeof buf - 16) {
                    uint32_t r = (uint32_t)rnd_below(v->n_ranks);
                    uint32_t l = tkm_vocab_token_len(v, r);
                    if (l > 16)
                        continue;
                    memcpy(buf + m, v->bytes + v->off[r], l);
                    m += l;
                }
                size_t at = rnd_below(m - n + 1);
                memmove(buf, buf + at, n);
            } else {
                for (size_t j = 0; j < n; j++)
                    buf[j] = kind == 0   ? (uint8_t)rnd()
                             : kind == 1 ? (uint8_t)b64[rnd_below(64)]
                                         : (uint8_t)"ab"[rnd_below(2)];
            }
            snprintf(label, sizeof label, "%s short #%d", BUILTINS[e], i);
            check_piece(v, NULL, buf, n, label);
        }
        tkm_encoding_free(enc);
    }
}

static void test_random_pieces(void **state)
{
    (void)state;
    uint8_t *buf = malloc(8192);
    assert_non_null(buf);
    size_t before = n_cases;
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_vocab *v = &enc->vocab;
        const tkm_bt_tables *t = tables_of(enc, NULL);
        assert_non_null(t);
        rng_state = 0x9E3779B97F4A7C15ull ^ (e + 1);
        char label[96];
        for (size_t g = 0; g < sizeof GENS / sizeof GENS[0]; g++) {
            for (int i = 0; i < 120; i++) {
                size_t n = random_len();
                fill_units(buf, n, GENS[g].units);
                snprintf(label, sizeof label, "%s %s #%d", BUILTINS[e], GENS[g].label, i);
                check_piece(v, t, buf, n, label);
            }
        }
        /* Random bytes of every value. */
        for (int i = 0; i < 150; i++) {
            size_t n = random_len();
            for (size_t j = 0; j < n; j++)
                buf[j] = (uint8_t)rnd();
            snprintf(label, sizeof label, "%s random bytes #%d", BUILTINS[e], i);
            check_piece(v, t, buf, n, label);
        }
        /* Concatenations of random tokens (any bytes, long tokens too). */
        for (int i = 0; i < 400; i++) {
            size_t n = 0, want = random_len();
            while (n < want) {
                uint32_t r = (uint32_t)rnd_below(v->n_ranks);
                uint32_t l = tkm_vocab_token_len(v, r);
                if (l == 0 || n + l > 8192)
                    break;
                memcpy(buf + n, v->bytes + v->off[r], l);
                n += l;
            }
            if (n == 0)
                continue;
            snprintf(label, sizeof label, "%s token concatenation #%d", BUILTINS[e], i);
            check_piece(v, t, buf, n, label);
        }
        /* Runs of one token or of a token and a byte. */
        for (int i = 0; i < 150; i++) {
            uint32_t r = (uint32_t)rnd_below(v->n_ranks);
            uint32_t l = tkm_vocab_token_len(v, r);
            if (l == 0 || l > 64)
                continue;
            size_t n = 0, want = random_len();
            uint8_t extra = (uint8_t)rnd();
            bool with_byte = rnd() & 1;
            while (n + l + 1 <= want) {
                memcpy(buf + n, v->bytes + v->off[r], l);
                n += l;
                if (with_byte)
                    buf[n++] = extra;
            }
            if (n == 0)
                continue;
            snprintf(label, sizeof label, "%s token run #%d", BUILTINS[e], i);
            check_piece(v, t, buf, n, label);
        }
        tkm_encoding_free(enc);
    }
    print_message("%zu random pieces\n", n_cases - before);
    free(buf);
}

/* ---- the pathological kinds ---- */

static size_t make_kind(int kind, uint8_t *s, size_t n)
{
    uint32_t x = 12345;
    static const char B64_ALPHA[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    switch (kind) {
    case 0:
        memset(s, 'a', n);
        return n;
    case 1:
        memset(s, ' ', n);
        return n;
    case 2:
        memset(s, '\n', n);
        return n;
    case 3:
        s[0] = 'a';
        memset(s + 1, ' ', n - 2);
        s[n - 1] = 'b';
        return n;
    case 4: {
        size_t k = 0;
        while (k + 3 <= n) {
            x = x * 1103515245u + 12345u;
            uint32_t cp = 0x4E00 + (x >> 8) % 0x5000;
            s[k++] = (uint8_t)(0xE0 | (cp >> 12));
            s[k++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            s[k++] = (uint8_t)(0x80 | (cp & 0x3F));
        }
        return k;
    }
    case 5:
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            s[i] = (uint8_t)B64_ALPHA[(x >> 16) & 63];
        }
        return n;
    case 6:
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            s[i] = (uint8_t)"0123456789abcdef"[(x >> 16) & 15];
        }
        return n;
    default:
        for (size_t i = 0; i < n; i++)
            s[i] = (uint8_t)('0' + (i * 7) % 10);
        return n;
    }
}

static const char *const KINDS[] = {"a",    "spaces", "newlines", "a+spaces+b",
                                    "CJK",  "base64", "hex",      "digits"};
#define N_KINDS 8

static void test_pathological(void **state)
{
    (void)state;
    static const size_t sizes[] = {257, 2048, 5000, 12000};
    uint8_t *buf = malloc(12000);
    assert_non_null(buf);
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_bt_tables *t = tables_of(enc, NULL);
        for (int k = 0; k < N_KINDS; k++) {
            for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                size_t n = make_kind(k, buf, sizes[z]);
                char label[64];
                snprintf(label, sizeof label, "%s %s", BUILTINS[e], KINDS[k]);
                check_piece(&enc->vocab, t, buf, n, label);
            }
        }
        tkm_encoding_free(enc);
    }
    free(buf);
}

/* ---- long pieces cut at uncrossed junctions (tkm_bt_uncrossed) ---- */

/* A UTF-8 character: 2-, 3- or 4-byte, some ill-formed (overlong,
 * surrogate), which lossless mode can hand over as pieces too. */
static size_t random_char(uint8_t *b)
{
    uint32_t cp;
    switch (rnd_below(10)) {
    case 0:
        cp = 0x80 + (uint32_t)rnd_below(0x780);
        break;
    case 1:
        cp = 0x10000 + (uint32_t)rnd_below(0x100000);
        break;
    case 2: /* overlong or surrogate: raw bytes */
        b[0] = rnd_below(2) ? 0xE0 : 0xED;
        b[1] = (uint8_t)(0x80 | rnd_below(64));
        b[2] = (uint8_t)(0x80 | rnd_below(64));
        return 3;
    case 3:
        cp = 0xAC00 + (uint32_t)rnd_below(11172); /* Hangul */
        break;
    default:
        cp = 0x4E00 + (uint32_t)rnd_below(0x5200); /* CJK */
        break;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0x4E2D;
    if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (uint8_t)(0xF0 | cp >> 18);
    b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    b[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* tkm_bpe_piece through a piece cache and memo, cold then warm, against
 * the reference (check_piece covers the path without them). */
static void check_cached(const tkm_vocab *v, tkm_piece_cache *c, const uint8_t *p, size_t n,
                         const char *label)
{
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    uint32_t *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    tkm_bpe_scratch s;
    memset(&s, 0, sizeof s);
    size_t bad = 0;
    tkm_sink sy = {y, n + 1, 0, SIZE_MAX};
    assert_int_equal(tkm_bpe_piece_reference(v, p, n, &a, &sy, &bad), TKM_OK);
    for (int round = 0; round < 2; round++) {
        tkm_sink sx = {x, n + 1, 0, SIZE_MAX};
        assert_int_equal(tkm_bpe_piece(v, p, n, &s, c, &a, &sx, &bad), TKM_OK);
        if (sx.n != sy.n || memcmp(x, y, sx.n * sizeof *x) != 0)
            fail_msg("%s (%zu bytes, %s cache): %zu ids, reference %zu", label, n,
                     round ? "warm" : "cold", sx.n, sy.n);
    }
    tkm_bpe_scratch_free(&s, &a);
    free(x);
    free(y);
    n_cases++;
}

static void test_cut_pieces(void **state)
{
    (void)state;
    uint8_t *buf = malloc(4100);
    assert_non_null(buf);
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    size_t before = n_cases;
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_vocab *v = &enc->vocab;
        const tkm_bt_tables *t = tables_of(enc, NULL);
        assert_non_null(t);
        /* Every 2- and 3-byte sequence: the table against the reference. */
        for (size_t i = 0; i < TKM_BT_CHARS; i++) {
            uint8_t b[3];
            size_t n = tkm_bt_char_bytes(i, b);
            uint32_t got[4], want[4];
            size_t bad;
            tkm_sink sg = {got, 4, 0, SIZE_MAX}, sw = {want, 4, 0, SIZE_MAX};
            assert_true(tkm_bt_char(t, b, n, &sg));
            assert_int_equal(tkm_bpe_merge_reference(v, b, n, &a, &sw, &bad), TKM_OK);
            if (sg.n != sw.n || memcmp(got, want, sg.n * sizeof *got) != 0)
                fail_msg("%s: %zu-byte sequence %02x %02x: table %zu ids, reference %zu",
                         BUILTINS[e], n, b[0], b[1], sg.n, sw.n);
        }
        /* Multi-byte tokens of the vocabulary: pieces of them cross many
         * junctions, where the filter must say no. */
        uint32_t *multi = malloc(v->n_ranks * sizeof *multi);
        assert_non_null(multi);
        size_t n_multi = 0;
        for (uint32_t r = 0; r < v->n_ranks; r++) {
            uint32_t len = tkm_vocab_token_len(v, r);
            const uint8_t *q = v->bytes + v->off[r];
            if (len >= 2 && q[0] >= 0xC0 && (q[len - 1] & 0xC0) == 0x80)
                multi[n_multi++] = r;
        }
        assert_true(n_multi > 100);
        tkm_piece_cache cache;
        memset(&cache, 0, sizeof cache);
        assert_true(tkm_piece_cache_bind(&cache, enc->fingerprint, enc->vocab.n_ranks, SIZE_MAX / 2, &a));
        rng_state = 0xC0FFEEull + e;
        char label[96];
        for (int i = 0; i < 400; i++) {
            size_t want = 65 + rnd_below(i % 4 == 0 ? 4000 : 300), n = 0;
            while (n + 4 <= want) {
                if (i % 2) {
                    n += random_char(buf + n);
                } else {
                    uint32_t r = multi[rnd_below(n_multi)];
                    uint32_t len = tkm_vocab_token_len(v, r);
                    if (n + len > want)
                        break;
                    memcpy(buf + n, v->bytes + v->off[r], len);
                    n += len;
                }
            }
            if (n < 65)
                n += random_char(buf + n);
            snprintf(label, sizeof label, "%s %s #%d", BUILTINS[e],
                     i % 2 ? "random characters" : "multi-byte tokens", i);
            check_piece(v, t, buf, n, label);
            check_cached(v, &cache, buf, n, label);
        }
        tkm_piece_cache_free(&cache, &a);
        free(multi);
        tkm_encoding_free(enc);
    }
    printf("cut pieces: %zu cases\n", n_cases - before);
    free(buf);
}

/* 256 KiB of each kind against the heap merge (itself checked against the
 * reference by test_giant and below), too long for the O(n*m) reference. */
static void test_long_against_heap(void **state)
{
    (void)state;
    size_t n = 256u << 10;
    uint8_t *buf = malloc(n);
    uint32_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(buf);
    assert_non_null(x);
    assert_non_null(y);
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    for (size_t e = 2; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        const tkm_bt_tables *t = tables_of(enc, NULL);
        tkm_bpe_scratch s;
        memset(&s, 0, sizeof s);
        for (int k = 0; k < N_KINDS; k++) {
            size_t len = make_kind(k, buf, n), bad;
            tkm_sink sx = {x, n, 0, SIZE_MAX}, sy = {y, n, 0, SIZE_MAX};
            double t0 = now_ms();
            assert_int_equal(tkm_bt_encode(t, &enc->vocab, buf, len, &s, &a, &sx), TKM_OK);
            double t1 = now_ms();
            assert_int_equal(tkm_bpe_heap_merge(&enc->vocab, buf, len, &s, &a, &sy, &bad), TKM_OK);
            double t2 = now_ms();
            if (sx.n != sy.n || memcmp(x, y, sx.n * sizeof *x) != 0)
                fail_msg("%s %s (%zu bytes): backtracking %zu ids, heap merge %zu", BUILTINS[e],
                         KINDS[k], len, sx.n, sy.n);
            print_message("%-12s %-11s %zu KiB: backtracking %.2f ms, heap merge %.2f ms\n",
                          BUILTINS[e], KINDS[k], len >> 10, t1 - t0, t2 - t1);
        }
        tkm_bpe_scratch_free(&s, &a);
        tkm_encoding_free(enc);
    }
    free(buf);
    free(x);
    free(y);
}

/* The heap merge itself against the reference (tkm_bpe_piece no longer
 * takes it for long pieces). */
static void test_heap_equals_reference(void **state)
{
    (void)state;
    uint8_t *buf = malloc(4096);
    uint32_t *x = malloc(4096 * sizeof *x), *y = malloc(4096 * sizeof *y);
    assert_non_null(buf);
    assert_non_null(x);
    assert_non_null(y);
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    rng_state = 77;
    for (size_t e = 0; e < N_BUILTINS; e++) {
        tkm_encoding *enc = load(BUILTINS[e]);
        tkm_bpe_scratch s;
        memset(&s, 0, sizeof s);
        for (size_t g = 0; g < sizeof GENS / sizeof GENS[0]; g++) {
            for (int i = 0; i < 20; i++) {
                size_t n = 2 + rnd_below(3000), bx = 0, by = 0;
                fill_units(buf, n, GENS[g].units);
                tkm_sink sx = {x, n, 0, SIZE_MAX}, sy = {y, n, 0, SIZE_MAX};
                tkm_status sa = tkm_bpe_heap_merge(&enc->vocab, buf, n, &s, &a, &sx, &bx);
                tkm_status sb = tkm_bpe_merge_reference(&enc->vocab, buf, n, &a, &sy, &by);
                assert_int_equal(sa, sb);
                assert_int_equal(sx.n, sy.n);
                assert_memory_equal(x, y, sx.n * sizeof *x);
                n_cases++;
            }
        }
        tkm_bpe_scratch_free(&s, &a);
        tkm_encoding_free(enc);
    }
    free(buf);
    free(x);
    free(y);
}

/* ---- custom vocabularies ---- */

typedef struct rank_text {
    char *s;
    size_t n, cap;
} rank_text;

static void add_token(rank_text *rt, const uint8_t *tok, size_t len, uint32_t rank)
{
    char enc[128];
    assert_true(len <= 90);
    test_b64(tok, len, enc);
    if (rt->n + 160 > rt->cap) {
        rt->cap = rt->cap * 2 + 4096;
        rt->s = realloc(rt->s, rt->cap);
        assert_non_null(rt->s);
    }
    rt->n += (size_t)snprintf(rt->s + rt->n, rt->cap - rt->n, "%s %u\n", enc, rank);
}

static tkm_encoding *load_custom(const rank_text *rt)
{
    tkm_encoding_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "custom";
    spec.ranks = rt->s;
    spec.ranks_len = rt->n;
    spec.pattern = "\\S+|\\s+";
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    tkm_status st = tkm_encoding_load(&spec, NULL, &enc, &d);
    if (st != TKM_OK)
        fail_msg("custom vocabulary: %s (%s)", tkm_strerror(st), d.message);
    return enc;
}

static void check_random_over(const tkm_encoding *enc, const tkm_bt_tables *t, const char *alpha,
                              int count, const char *label)
{
    uint8_t buf[1200];
    size_t al = strlen(alpha);
    for (int i = 0; i < count; i++) {
        size_t n = 1 + rnd_below(sizeof buf);
        for (size_t j = 0; j < n; j++)
            buf[j] = (uint8_t)alpha[rnd_below(al)];
        check_piece(&enc->vocab, t, buf, n, label);
    }
}

/* A byte that is not a token: no tables, and tkm_bpe_piece still fails (or
 * not) exactly as the reference does, at the same byte. */
static void test_missing_byte(void **state)
{
    (void)state;
    rank_text rt = {0};
    uint32_t rank = 0;
    for (int b = 0; b < 256; b++) {
        uint8_t c = (uint8_t)b;
        if (c != 'x')
            add_token(&rt, &c, 1, rank++);
    }
    static const char *const merges[] = {"ab", "abab", "xa", "ax", "xx", "xxxx", " x", "  "};
    for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++)
        add_token(&rt, (const uint8_t *)merges[i], strlen(merges[i]), rank++);
    tkm_encoding *enc = load_custom(&rt);
    assert_null(tables_of(enc, NULL));
    assert_null(tables_of(enc, NULL)); /* remembered, not rebuilt */
    rng_state = 99;
    check_random_over(enc, NULL, "abx ", 300, "missing byte");
    for (int i = 0; i < 64; i++) { /* every 3-byte piece over "abx " (merge3) */
        uint8_t three[3] = {(uint8_t)"abx "[i & 3], (uint8_t)"abx "[i >> 2 & 3],
                            (uint8_t)"abx "[i >> 4]};
        check_piece(&enc->vocab, NULL, three, 3, "missing byte, 3 bytes");
    }
    check_random_over(enc, NULL, "ab ", 100, "missing byte, not used");
    tkm_encoding_free(enc);
    free(rt.s);
}

/* "abc" (rank 260) is made by merging "ab" (rank 300) with "c": merges out
 * of rank order, which the tables' check must catch. */
static void test_out_of_order(void **state)
{
    (void)state;
    rank_text rt = {0};
    for (int b = 0; b < 256; b++) {
        uint8_t c = (uint8_t)b;
        add_token(&rt, &c, 1, (uint32_t)b);
    }
    add_token(&rt, (const uint8_t *)"abc", 3, 260);
    add_token(&rt, (const uint8_t *)"ab", 2, 300);
    add_token(&rt, (const uint8_t *)"cc", 2, 301);
    tkm_encoding *enc = load_custom(&rt);
    assert_null(tables_of(enc, NULL));
    rng_state = 5;
    check_random_over(enc, NULL, "abc", 200, "out of order");
    tkm_encoding_free(enc);
    free(rt.s);
}

/* A vocabulary loaded from a rank file goes through the tables' check; the
 * built-in's tokens pass it. */
static void test_file_vocab(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/cl100k_base.tiktoken", DATA_DIR);
    tkm_encoding_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "cl100k from file";
    spec.ranks_path = path;
    spec.pattern = "\\S+|\\s+";
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, NULL), TKM_OK);
    double ms;
    const tkm_bt_tables *t = tables_of(enc, &ms);
    assert_non_null(t);
    print_message("cl100k_base from a file: tables built and checked in %.1f ms\n", ms);
    uint8_t buf[3000];
    rng_state = 31337;
    for (size_t g = 0; g < sizeof GENS / sizeof GENS[0]; g++) {
        for (int i = 0; i < 20; i++) {
            size_t n = random_len() % sizeof buf + 1;
            fill_units(buf, n, GENS[g].units);
            check_piece(&enc->vocab, t, buf, n, "cl100k from file");
        }
    }
    tkm_encoding_free(enc);
}

/* Random small vocabularies over a 3-letter alphabet: random tokens at
 * random ranks (so merges out of order, unreachable tokens, gaps), single
 * bytes sometimes ranked above merges. Whenever the tables are accepted the
 * ids must equal the reference; either way tkm_bpe_piece must. */
static void test_random_vocabs(void **state)
{
    (void)state;
    size_t accepted = 0, total = 0;
    rng_state = 2024;
    for (int round = 0; round < 300; round++) {
        size_t n_merges = 5 + rnd_below(60);
        uint8_t toks[80][8];
        size_t lens[80];
        size_t nt = 0;
        while (nt < n_merges) {
            size_t l = 2 + rnd_below(round % 3 == 0 ? 7 : 4);
            for (size_t j = 0; j < l; j++)
                toks[nt][j] = (uint8_t)"abc"[rnd_below(3)];
            bool dup = false;
            for (size_t k = 0; k < nt; k++)
                dup = dup || (lens[k] == l && memcmp(toks[k], toks[nt], l) == 0);
            if (dup)
                continue;
            lens[nt++] = l;
        }
        /* Ranks: a random permutation of 0 .. 256 + nt + gaps. */
        size_t n_all = 256 + nt, n_slots = n_all + rnd_below(20);
        uint32_t *perm = malloc(n_slots * sizeof *perm);
        assert_non_null(perm);
        for (size_t i = 0; i < n_slots; i++)
            perm[i] = (uint32_t)i;
        /* Mostly ordered as trained vocabularies are (bytes first, merges
         * by length), with random swaps; sometimes fully shuffled. */
        size_t swaps = round % 4 == 0 ? n_slots * 4 : rnd_below(8);
        for (size_t i = 0; i < swaps; i++) {
            size_t p = rnd_below(n_slots), q = round % 4 == 0 ? rnd_below(n_slots)
                                                               : 256 + rnd_below(n_slots - 256);
            uint32_t tmp = perm[p];
            perm[p] = perm[q];
            perm[q] = tmp;
        }
        /* Trained order: shorter merges first. */
        if (round % 4 != 0) {
            for (size_t i = 1; i < nt; i++)
                for (size_t j = i; j > 0 && lens[j - 1] > lens[j]; j--) {
                    uint8_t tb[8];
                    memcpy(tb, toks[j], 8);
                    memcpy(toks[j], toks[j - 1], 8);
                    memcpy(toks[j - 1], tb, 8);
                    size_t tl = lens[j];
                    lens[j] = lens[j - 1];
                    lens[j - 1] = tl;
                }
        }
        rank_text rt = {0};
        for (int b = 0; b < 256; b++) {
            uint8_t c = (uint8_t)b;
            add_token(&rt, &c, 1, perm[b]);
        }
        for (size_t i = 0; i < nt; i++)
            add_token(&rt, toks[i], lens[i], perm[256 + i]);
        free(perm);
        tkm_encoding *enc = load_custom(&rt);
        const tkm_bt_tables *t = tables_of(enc, NULL);
        accepted += t != NULL;
        total++;
        check_random_over(enc, t, round % 2 ? "abc" : "aab", 12, "random vocabulary");
        tkm_encoding_free(enc);
        free(rt.s);
    }
    print_message("random vocabularies: tables accepted for %zu of %zu\n", accepted, total);
    /* Both outcomes must have been exercised, or the test proves little. */
    assert_true(accepted > total / 10);
    assert_true(accepted < total);
}

/* ---- allocation failure while building ---- */

typedef struct injector {
    long calls, fail_at, live;
} injector;

static void *inj_malloc(size_t n, void *ud)
{
    injector *f = ud;
    if (++f->calls == f->fail_at)
        return NULL;
    void *p = malloc(n ? n : 1);
    if (p)
        f->live++;
    return p;
}

static void inj_free(void *p, void *ud)
{
    injector *f = ud;
    if (p) {
        f->live--;
        free(p);
    }
}

static void test_alloc_failure(void **state)
{
    (void)state;
    uint8_t buf[600];
    rng_state = 4;
    fill_units(buf, sizeof buf, WORDS);
    tkm_allocator plain; /* what tkm_bt_get is passed: it must not be used */
    tkm_alloc_init(&plain, NULL);
    for (long k = 1;; k++) {
        injector f = {0, 0, 0};
        tkm_allocator a = {inj_malloc, inj_free, &f};
        tkm_encoding *enc = load_file("r50k_base", &a);
        long baseline = f.live;
        f.calls = 0;
        f.fail_at = k;
        const tkm_bt_tables *t = tkm_bt_get(&enc->vocab, &plain, true);
        long built_calls = f.calls;
        f.fail_at = 0;
        if (t) {
            /* k is past the build's allocations: done. They were the
             * encoding's allocator's. */
            assert_true(k > built_calls);
            assert_true(built_calls > 0);
            assert_true(f.live > baseline);
            tkm_encoding_free(enc);
            assert_int_equal(f.live, 0);
            print_message("table build: %ld allocations, each failed once\n", built_calls);
            break;
        }
        assert_int_equal(f.live, baseline); /* nothing leaked, nothing stored */
        /* The merge still works (heap merge), and a later call builds. */
        check_piece(&enc->vocab, NULL, buf, sizeof buf, "after a failed build");
        assert_non_null(tkm_bt_get(&enc->vocab, &plain, true));
        check_piece(&enc->vocab, tkm_bt_get(&enc->vocab, &plain, false), buf, sizeof buf,
                    "after a failed build, then a good one");
        tkm_encoding_free(enc);
        assert_int_equal(f.live, 0);
    }
}

/* ---- threads racing to build ---- */

typedef struct race {
    const tkm_encoding *enc;
    const tkm_bt_tables *t;
    uint32_t ids[4096];
    size_t n;
} race;

static void *race_main(void *arg)
{
    race *r = arg;
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    r->t = tkm_bt_get(&r->enc->vocab, &a, true);
    uint8_t buf[4096];
    size_t n = make_kind(0, buf, sizeof buf);
    tkm_bpe_scratch s;
    memset(&s, 0, sizeof s);
    tkm_sink sink = {r->ids, 4096, 0, SIZE_MAX};
    size_t bad;
    if (tkm_bpe_piece(&r->enc->vocab, buf, n, &s, NULL, &a, &sink, &bad) != TKM_OK)
        sink.n = SIZE_MAX;
    r->n = sink.n;
    tkm_bpe_scratch_free(&s, &a);
    return NULL;
}

static void test_threads_build_once(void **state)
{
    (void)state;
    enum { N = 4 };
    for (int round = 0; round < 3; round++) {
        tkm_encoding *enc = load_file("r50k_base", NULL); /* built at run time */
        static race rs[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
            rs[i].enc = enc;
            assert_int_equal(pthread_create(&th[i], NULL, race_main, &rs[i]), 0);
        }
        for (int i = 0; i < N; i++)
            assert_int_equal(pthread_join(th[i], NULL), 0);
        for (int i = 0; i < N; i++) {
            assert_non_null(rs[i].t);
            assert_ptr_equal(rs[i].t, rs[0].t);
            assert_int_equal(rs[i].n, rs[0].n);
            assert_memory_equal(rs[i].ids, rs[0].ids, rs[0].n * sizeof rs[0].ids[0]);
        }
        tkm_encoding_free(enc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_token),
        cmocka_unit_test(test_embedded_equals_runtime),
        cmocka_unit_test(test_short_pieces),
        cmocka_unit_test(test_random_pieces),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_cut_pieces),
        cmocka_unit_test(test_long_against_heap),
        cmocka_unit_test(test_heap_equals_reference),
        cmocka_unit_test(test_missing_byte),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_file_vocab),
        cmocka_unit_test(test_random_vocabs),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_threads_build_once),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    print_message("%zu pieces compared in all\n", n_cases);
    return rc;
}
