/*
 * test_scanner.c — the hand-written scanners (src/scan.c) against the PCRE2
 * translations of the built-in patterns (src/builtin_patterns.c).
 *
 * For every subject, the PCRE2 translation is matched at successive
 * positions (JIT, PCRE2_NO_UTF_CHECK, as the core does); each match must
 * start where the previous ended and tkm_scan_next must return its end.
 * tkm_scan_pieces must give the same ends. Subjects:
 *   a. every string of up to 4 characters over an alphabet of 24 covering
 *      every class boundary, and of up to 4 over an alphabet of 22 for the
 *      contractions; every string of 5 over 16- and 12-character subsets;
 *   b. 250k random strings (fixed seed, 0..64 characters) from those
 *      alphabets, all of ASCII, and random code points of every class;
 *      12k longer ones (64..463) mostly of printable ASCII without
 *      whitespace, which the scanners split 64 bytes at a time, and 20k
 *      (64..563) of ASCII text with whitespace, which cl100k's and o200k's
 *      do too;
 *   c. 10k-character runs of each character, alone and before each of a
 *      few terminators, hand-picked mixed runs, and random concatenations of
 *      long runs;
 *   d. 1 MiB pathological inputs, also checked to scan in linear time.
 *
 * Built by hand (it compiles src/scan.c itself), e.g.
 *   cc -std=c11 -O2 -Iinclude -Isrc tests/test_scanner.c src/scan.c
 *      src/unicode_data.c src/utf8.c src/builtin_patterns.c -lpcre2-8 -lcmocka
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "builtin_patterns.h"
#include "scan.h"
#include "unicode_data.h"

#define NKIND 3
static const tkm_scan_kind kinds[NKIND] = {TKM_SCAN_R50K, TKM_SCAN_CL100K, TKM_SCAN_O200K};
static const char *const kind_names[NKIND] = {"r50k", "cl100k", "o200k"};

static pcre2_code *codes[NKIND];
static pcre2_match_data *md;
static pcre2_match_context *mctx;
static pcre2_jit_stack *jit_stack;

/* Reference ends of the current subject, and scratch for the batch form. */
static size_t *ref_ends, *batch_ends;
static size_t ends_cap;

static unsigned long long subjects_checked;

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */
/* ------------------------------------------------------------------------ */

static size_t utf8_put(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* A growable byte buffer for building subjects. */
typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void buf_reserve(buf *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra)
        cap *= 2;
    b->p = realloc(b->p, cap);
    assert_non_null(b->p);
    b->cap = cap;
}

static void buf_cp(buf *b, uint32_t cp)
{
    buf_reserve(b, 4);
    b->n += utf8_put(cp, b->p + b->n);
}

static void buf_cps(buf *b, uint32_t cp, size_t count)
{
    for (size_t i = 0; i < count; i++)
        buf_cp(b, cp);
}

static void buf_str(buf *b, const char *s)
{
    size_t k = strlen(s);
    buf_reserve(b, k);
    memcpy(b->p + b->n, s, k);
    b->n += k;
}

static void buf_strs(buf *b, const char *s, size_t count)
{
    for (size_t i = 0; i < count; i++)
        buf_str(b, s);
}

static void print_subject(const uint8_t *s, size_t n)
{
    size_t shown = n > 200 ? 200 : n;
    fprintf(stderr, "  subject (%zu bytes):", n);
    for (size_t i = 0; i < shown; i++) {
        if (s[i] >= 0x21 && s[i] < 0x7F)
            fprintf(stderr, " %c", s[i]);
        else
            fprintf(stderr, " %02X", s[i]);
    }
    fprintf(stderr, "%s\n", shown < n ? " ..." : "");
}

static void ensure_ends(size_t need)
{
    if (need <= ends_cap)
        return;
    size_t cap = ends_cap ? ends_cap : 1024;
    while (cap < need)
        cap *= 2;
    ref_ends = realloc(ref_ends, cap * sizeof *ref_ends);
    batch_ends = realloc(batch_ends, cap * sizeof *batch_ends);
    assert_non_null(ref_ends);
    assert_non_null(batch_ends);
    ends_cap = cap;
}

/*
 * Check one subject for one kind. Returns 0 if the scanner agrees with PCRE2,
 * else prints the first difference and returns 1 (so callers can fail after
 * reporting, without flooding the log).
 */
static int check_kind(int k, const uint8_t *s, size_t n)
{
    ensure_ends(n + 1);
    size_t count = 0, pos = 0;
    while (pos < n) {
        int rc = pcre2_jit_match(codes[k], (PCRE2_SPTR)s, n, pos, PCRE2_NO_UTF_CHECK, md, mctx);
        if (rc <= 0) {
            fprintf(stderr, "%s: PCRE2 returned %d at %zu\n", kind_names[k], rc, pos);
            print_subject(s, n);
            return 1;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[0] != pos || ov[1] <= pos) {
            fprintf(stderr, "%s: PCRE2 match [%zu, %zu) does not continue at %zu\n",
                    kind_names[k], (size_t)ov[0], (size_t)ov[1], pos);
            print_subject(s, n);
            return 1;
        }
        size_t got = tkm_scan_next(kinds[k], s, n, pos);
        if (got != ov[1]) {
            fprintf(stderr, "%s: piece at %zu: scanner ends at %zu, PCRE2 at %zu\n",
                    kind_names[k], pos, got, (size_t)ov[1]);
            print_subject(s, n);
            return 1;
        }
        ref_ends[count++] = ov[1];
        pos = ov[1];
    }
    /* The batch form, in chunks of 7 to exercise resuming mid-subject. */
    size_t got_count = 0;
    pos = 0;
    for (;;) {
        size_t w = tkm_scan_pieces(kinds[k], s, n, pos, batch_ends + got_count, 7);
        if (w == 0)
            break;
        got_count += w;
        pos = batch_ends[got_count - 1];
        if (got_count > count)
            break;
    }
    if (got_count != count || memcmp(ref_ends, batch_ends, count * sizeof *ref_ends) != 0) {
        size_t i = 0;
        while (i < count && i < got_count && ref_ends[i] == batch_ends[i])
            i++;
        fprintf(stderr, "%s: tkm_scan_pieces differs from the PCRE2 pieces from piece %zu on",
                kind_names[k], i);
        if (i < count && i < got_count)
            fprintf(stderr, ": PCRE2 ends it at %zu, tkm_scan_pieces at %zu", ref_ends[i],
                    batch_ends[i]);
        fprintf(stderr, " (%zu and %zu pieces)\n", count, got_count);
        print_subject(s, n);
        return 1;
    }
    return 0;
}

static int check_all(const uint8_t *s, size_t n)
{
    /* An exact-size heap copy, so that a sanitizer build catches any read
     * past the subject's end. */
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int bad = 0;
    for (int k = 0; k < NKIND; k++)
        bad |= check_kind(k, copy, n);
    free(copy);
    subjects_checked++;
    return bad;
}

/* xorshift64*: deterministic across platforms. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t rng_below(uint32_t bound)
{
    return (uint32_t)((rng() >> 32) % bound);
}

/* ------------------------------------------------------------------------ */
/* alphabets and class buckets                                              */
/* ------------------------------------------------------------------------ */

/* Every class boundary of the three patterns. */
static const uint32_t alpha_classes[] = {
    'a',     /* Ll */
    'A',     /* Lu */
    's',     /* contraction letter */
    'S',     /* contraction letter, other case */
    0x017F,  /* ſ: folds to s */
    'l',     /* 'll */
    'L',     /* 'LL */
    'd',     /* 'd */
    '\'',    /* the apostrophe */
    '1',     /* Nd */
    ' ',     /* the optional space */
    '\t',    /* \s, in [^\r\n\p{L}\p{N}] */
    '\n',    /* \s, [\r\n] */
    '\r',    /* \s, [\r\n] */
    0x00A0,  /* NBSP: \s, non-ASCII */
    0x0300,  /* Mn: in [^\s\p{L}\p{N}], UP and LO */
    0x01C5,  /* ǅ: Lt (UP only) */
    0x02B0,  /* ʰ: Lm (UP and LO) */
    0x4E2D,  /* 中: Lo */
    '/',     /* o200k's [\r\n/] */
    '!',     /* punctuation */
    0x0661,  /* ١: Arabic-Indic digit */
    0x1C89,  /* new in Unicode 16.0: Lu */
    0x2028,  /* LINE SEPARATOR: \s but not [\r\n] */
};
#define N_CLASSES (sizeof alpha_classes / sizeof alpha_classes[0])

/* Every letter of every contraction, both cases, and neighbours. */
static const uint32_t alpha_contractions[] = {
    '\'', 's', 'S', 0x017F, 't', 'T', 'r', 'R', 'e', 'E', 'v',
    'V',  'l', 'L', 'm',    'd', 'D', 'a', 'A', ' ', 0x4E2D, 0x0300,
};
#define N_CONTRACTIONS (sizeof alpha_contractions / sizeof alpha_contractions[0])

/* Other characters worth drawing in random strings. */
static const uint32_t alpha_extra[] = {
    0x000B, 0x000C, 0x001C, 0x001F, 0x0085, 0x1680, 0x2000, 0x200A, 0x200B, 0x2029, 0x202F,
    0x205F, 0x3000, 0xFEFF, 0x212A, 0x0130, 0x00DF, 0x1E9E, 0x0345, 0x0488, 0x0903, 0x16EE,
    0x00B2, 0x2163, 0x1F600, 0x10D40, 0x10D4A, 0x11F50, 0x0378, 0xE000, 0x10FFFF, 0x1D400,
    0x02C6, 0x3005, 0x0041, 0x005F, 0x002D, 0x0022, 0x2019,
};
#define N_EXTRA (sizeof alpha_extra / sizeof alpha_extra[0])

/* Code points bucketed by their tkm_uc_flags() value. */
static uint32_t *bucket_cps[64];
static size_t bucket_len[64];
static int bucket_ids[64];
static int n_buckets;

static void build_buckets(void)
{
    size_t count[64] = {0};
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        count[tkm_uc_flags(cp) & 63]++;
    }
    for (int f = 0; f < 64; f++) {
        if (!count[f])
            continue;
        bucket_cps[f] = malloc(count[f] * sizeof(uint32_t));
        bucket_ids[n_buckets++] = f;
    }
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        unsigned f = tkm_uc_flags(cp) & 63;
        bucket_cps[f][bucket_len[f]++] = cp;
    }
}

static uint32_t random_cp(void)
{
    uint32_t r = rng_below(16);
    if (r < 5)
        return alpha_classes[rng_below(N_CLASSES)];
    if (r < 7)
        return alpha_contractions[rng_below(N_CONTRACTIONS)];
    if (r < 8)
        return alpha_extra[rng_below(N_EXTRA)];
    if (r < 11)
        return rng_below(128);
    int f = bucket_ids[rng_below((uint32_t)n_buckets)];
    return bucket_cps[f][rng_below((uint32_t)bucket_len[f])];
}

/* ------------------------------------------------------------------------ */
/* setup                                                                    */
/* ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    const char *pats[NKIND] = {tkm_pcre2_pattern_r50k, tkm_pcre2_pattern_cl100k,
                               tkm_pcre2_pattern_o200k};
    for (int k = 0; k < NKIND; k++) {
        int err;
        PCRE2_SIZE off;
        codes[k] = pcre2_compile((PCRE2_SPTR)pats[k], PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
        if (!codes[k] || pcre2_jit_compile(codes[k], PCRE2_JIT_COMPLETE) != 0) {
            fprintf(stderr, "cannot compile/JIT the %s translation\n", kind_names[k]);
            return -1;
        }
    }
    md = pcre2_match_data_create(1, NULL);
    mctx = pcre2_match_context_create(NULL);
    jit_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, NULL);
    if (!md || !mctx || !jit_stack)
        return -1;
    pcre2_jit_stack_assign(mctx, NULL, jit_stack);
    build_buckets();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int k = 0; k < NKIND; k++)
        pcre2_code_free(codes[k]);
    pcre2_match_data_free(md);
    pcre2_match_context_free(mctx);
    pcre2_jit_stack_free(jit_stack);
    for (int f = 0; f < 64; f++)
        free(bucket_cps[f]);
    free(ref_ends);
    free(batch_ends);
    fprintf(stderr, "[ scanner  ] %llu subjects checked against PCRE2 (x3 patterns)\n",
            subjects_checked);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* a. exhaustive                                                            */
/* ------------------------------------------------------------------------ */

/* Every string of minlen..maxlen characters over alpha[0..na). */
static void exhaustive(const uint32_t *alpha, size_t na, int minlen, int maxlen)
{
    uint8_t enc[32][4];
    size_t enc_len[32];
    assert_true(na <= 32);
    for (size_t i = 0; i < na; i++)
        enc_len[i] = utf8_put(alpha[i], enc[i]);
    int failures = 0;
    for (int len = minlen; len <= maxlen; len++) {
        size_t idx[8] = {0};
        for (;;) {
            uint8_t s[64];
            size_t n = 0;
            for (int i = 0; i < len; i++) {
                memcpy(s + n, enc[idx[i]], enc_len[idx[i]]);
                n += enc_len[idx[i]];
            }
            if (check_all(s, n) && ++failures >= 10)
                fail_msg("too many differences");
            /* next tuple (odometer) */
            int i = len - 1;
            while (i >= 0 && ++idx[i] == na)
                idx[i--] = 0;
            if (i < 0)
                break;
        }
    }
    assert_int_equal(failures, 0);
}

/* Length 5 over the full alphabets would take too long (24^5 subjects);
 * these subsets keep one character of each class and the contraction
 * letters that matter, for the longer contexts. */
static const uint32_t alpha_classes5[] = {
    'a', 'A', 's', '\'', '1', ' ', '\t', '\n', '\r', 0x00A0, 0x0300, 0x01C5, 0x02B0, 0x4E2D, '/', '!',
};
static const uint32_t alpha_contractions5[] = {
    '\'', 's', 'S', 0x017F, 't', 'r', 'e', 'v', 'l', 'L', 'A', ' ',
};

static void test_exhaustive_classes(void **state)
{
    (void)state;
    exhaustive(alpha_classes, N_CLASSES, 0, 4);
    exhaustive(alpha_classes5, sizeof alpha_classes5 / sizeof alpha_classes5[0], 5, 5);
}

static void test_exhaustive_contractions(void **state)
{
    (void)state;
    exhaustive(alpha_contractions, N_CONTRACTIONS, 0, 4);
    exhaustive(alpha_contractions5, sizeof alpha_contractions5 / sizeof alpha_contractions5[0], 5,
               5);
}

/* ------------------------------------------------------------------------ */
/* b. random                                                                */
/* ------------------------------------------------------------------------ */

static void test_random(void **state)
{
    (void)state;
    buf b = {0};
    int failures = 0;
    for (int iter = 0; iter < 250000; iter++) {
        b.n = 0;
        uint32_t len = rng_below(65);
        for (uint32_t i = 0; i < len; i++)
            buf_cp(&b, random_cp());
        if (check_all(b.p, b.n) && ++failures >= 10)
            break;
    }
    free(b.p);
    assert_int_equal(failures, 0);
}

/* Spans of printable ASCII without whitespace (base64, hex, identifiers,
 * minified code), which the scanners split 64 bytes at a time with bit masks
 * (block_pieces in scan.c): long random strings drawn mostly from such an
 * alphabet, with a few of the characters that end a span (the apostrophe of
 * the contractions, whitespace, non-ASCII letters, digits and marks, DEL,
 * controls), and stretches that stress one rule (digit runs cut by threes,
 * case changes, punctuation runs, lone punctuation before letters). */
static void test_ascii_spans(void **state)
{
    (void)state;
    static const char base[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    static const char punct[] = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~";
    static const uint32_t breaks[] = {'\'', ' ', '\n', '\r', '\t', 0x7F, 0x01, 0x1F, 0x00E9,
                                      0x4E2D, 0x0661, 0x0300, 0x00A0, 's', 'S'};
    buf b = {0};
    int failures = 0;
    for (int iter = 0; iter < 12000; iter++) {
        b.n = 0;
        uint32_t len = 64 + rng_below(400);
        uint32_t mode = rng_below(6);
        for (uint32_t i = 0; i < len; i++) {
            uint32_t r = rng_below(1000);
            uint32_t cp;
            if (r < 8 + (uint32_t)(iter % 4) * 8)
                cp = breaks[rng_below(sizeof breaks / sizeof breaks[0])];
            else if (mode == 1) /* hex, long digit runs */
                cp = (uint32_t)"0123456789abcdef0123456789"[rng_below(26)];
            else if (mode == 2) /* case changes */
                cp = (uint32_t)"aAbBzZ"[rng_below(6)];
            else if (mode == 3) /* punctuation runs and lone punctuation */
                cp = rng_below(3) ? (uint32_t)punct[rng_below(sizeof punct - 1)]
                                  : (uint32_t)"aB9"[rng_below(3)];
            else if (mode == 4) /* digits and letters in long runs */
                cp = (uint32_t)((i / (1 + rng_below(8))) % 2 ? '7' : 'q');
            else
                cp = (uint32_t)base[rng_below(sizeof base - 1)];
            buf_cp(&b, cp);
        }
        if (check_all(b.p, b.n) && ++failures >= 10)
            break;
    }
    free(b.p);
    assert_int_equal(failures, 0);
}

/* ASCII text with whitespace (prose, source code, mail), which the cl100k
 * and o200k scanners also split 64 bytes at a time (ws_starts in scan.c):
 * random sequences of short items chosen to meet each rule there. Words in
 * every case pattern, digit runs, punctuation runs with and without a space
 * before them, slashes and line breaks after punctuation (which its piece
 * takes), runs of every ASCII whitespace character with and without line
 * breaks (indentation, CRLF, blank lines), contractions and apostrophes
 * that are none, and now and then a character that ends the span: controls
 * and DEL, non-ASCII letters (U+017F after an apostrophe is the long s of
 * a contraction), and non-ASCII whitespace, which continues a run of ASCII
 * whitespace past the span's end. */
static void test_ascii_text(void **state)
{
    (void)state;
    static const char *const items[] = {
        "the", "The", "THE", "tHe", "aBc", "ABc", "x", "Q", "camelCase", "snake_case",
        "7", "42", "1234", "31415926", "x1", "a9b",
        ".", ",", "(", ")", "{", "}", ";", "->", "==", "//", "/", "/*", "*/", "#", "\\", "\"",
        " ", " ", " ", "  ", "    ", "\t", "\t\t", "\n", "\n", "\r\n", "\n\n", " \n", "\n    ",
        "\n\t", "\v", "\f", " \t ", "\r", "\n/", "/\n", ";\n", "{\n/\n", "( ", " (", " ((",
        " x", "\tx", " 1", "\t1", " /", "\t/", "\n/x", ".\n/a", "}\r\n\r\n",
        "'s", "'S", "'t", "'m", "'D", "'re", "'rE", "'ve", "'VE", "'ll", "'lL", "'l", "'r", "'v",
        "'x", "'", "''", "n't", "it's", "don'T", "'s's", "'ll'", " '", "\t'", "('s", "'\n",
    };
    static const uint32_t breaks[] = {0x01, 0x1F, 0x7F, 0x00E9, 0x00C9, 0x4E2D, 0x0300, 0x0661,
                                      0x00A0, 0x0085, 0x2028, 0x3000, 0x1680, 0x017F};
    buf b = {0};
    int failures = 0;
    for (int iter = 0; iter < 20000; iter++) {
        b.n = 0;
        uint32_t len = 64 + rng_below(500);
        uint32_t nitems = sizeof items / sizeof items[0];
        /* Each subject draws from a random part of the list, so some are
         * mostly whitespace, some mostly words, some mostly punctuation. */
        uint32_t lo = rng_below(nitems / 2), hi = lo + nitems / 4 + rng_below(nitems - lo - nitems / 4);
        uint32_t break_rate = rng_below(4) * 5; /* per 1000 items */
        while (b.n < len) {
            if (rng_below(1000) < break_rate)
                buf_cp(&b, breaks[rng_below(sizeof breaks / sizeof breaks[0])]);
            else if (rng_below(4) == 0)
                buf_cp(&b, ' ');
            else {
                const char *it = items[lo + rng_below(hi - lo + 1)];
                for (size_t i = 0; it[i]; i++)
                    buf_cp(&b, (uint8_t)it[i]);
            }
        }
        if (check_all(b.p, b.n) && ++failures >= 10)
            break;
    }
    /* A contraction that the 64-byte window cuts, at every offset: its
     * apostrophe at the window's end, or the subject's, or before U+017F
     * (a long s, which folds to s), after letters or a space. */
    static const char *const lead[] = {"a", "Ab ", "a\n"};
    static const uint32_t tails[][3] = {{'\'', 0x017F, 0}, {'\'', 0, 0},   {'\'', 'l', 0},
                                        {'\'', 'L', 'l'},  {'\'', 'r', 0}, {'\'', 'v', 'E'},
                                        {'\'', 's', 0},    {'\'', '\'', 's'}};
    for (size_t t = 0; t < sizeof tails / sizeof tails[0] && failures < 10; t++)
        for (size_t k = 0; k < sizeof lead / sizeof lead[0] && failures < 10; k++)
            for (size_t len = 1; len < 140 && failures < 10; len++)
                for (int more = 0; more < 2; more++) {
                    b.n = 0;
                    while (b.n < len)
                        for (size_t i = 0; lead[k][i] && b.n < len; i++)
                            buf_cp(&b, (uint8_t)lead[k][i]);
                    for (size_t i = 0; i < 3 && tails[t][i]; i++)
                        buf_cp(&b, tails[t][i]);
                    if (more)
                        buf_cp(&b, 'x');
                    if (check_all(b.p, b.n))
                        failures++;
                }
    free(b.p);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------ */
/* c. long runs                                                             */
/* ------------------------------------------------------------------------ */

static void test_long_runs(void **state)
{
    (void)state;
    static const uint32_t terminators[] = {0, 'a', 'A', '1', '!', ' ', '\n', 0x4E2D, 0x0300, '\''};
    buf b = {0};
    int failures = 0;
    for (size_t c = 0; c < N_CLASSES; c++) {
        for (size_t t = 0; t < sizeof terminators / sizeof terminators[0]; t++) {
            b.n = 0;
            buf_cps(&b, alpha_classes[c], 10000);
            if (terminators[t])
                buf_cp(&b, terminators[t]);
            failures += check_all(b.p, b.n);
            /* and with a leading space / letter / mark */
            b.n = 0;
            buf_cp(&b, t % 3 == 0 ? ' ' : t % 3 == 1 ? 'x' : 0x0300);
            buf_cps(&b, alpha_classes[c], 10000);
            if (terminators[t])
                buf_cp(&b, terminators[t]);
            failures += check_all(b.p, b.n);
        }
    }
    free(b.p);
    assert_int_equal(failures, 0);
}

static void test_mixed_runs(void **state)
{
    (void)state;
    buf b = {0};
    int failures = 0;
#define CHECK_BUF() (failures += check_all(b.p, b.n), b.n = 0)
    /* "a" + spaces + "b": the run gives back one space to " b". */
    buf_str(&b, "a"), buf_strs(&b, " ", 10000), buf_str(&b, "b"), CHECK_BUF();
    buf_str(&b, "a"), buf_strs(&b, " ", 10000), CHECK_BUF();
    buf_str(&b, "a"), buf_strs(&b, "\t", 10000), buf_str(&b, "b"), CHECK_BUF();
    buf_str(&b, "a"), buf_cps(&b, 0x3000, 10000), buf_str(&b, "b"), CHECK_BUF();
    buf_strs(&b, " \n", 5000), buf_str(&b, "x"), CHECK_BUF();
    buf_strs(&b, " \n", 5000), buf_strs(&b, "  ", 10), CHECK_BUF();
    buf_strs(&b, "\r\n", 5000), buf_str(&b, "x"), CHECK_BUF();
    buf_strs(&b, "\n", 10000), buf_str(&b, " x"), CHECK_BUF();
    buf_strs(&b, "\n ", 5000), buf_str(&b, "!"), CHECK_BUF();
    /* Lo/Lu alternations: o200k's [UP]* backtracking to the last LO. */
    buf_strs(&b, "中A", 5000), CHECK_BUF();
    buf_strs(&b, "中A", 5000), buf_str(&b, "1"), CHECK_BUF();
    buf_strs(&b, "A中", 5000), buf_str(&b, "a"), CHECK_BUF();
    buf_str(&b, "中"), buf_strs(&b, "A", 10000), buf_str(&b, "1"), CHECK_BUF();
    buf_str(&b, "!"), buf_strs(&b, "A", 10000), buf_str(&b, "'S"), CHECK_BUF();
    /* A mark before an uppercase run: the mark alone, then the run. */
    buf_cp(&b, 0x0300), buf_strs(&b, "A", 10000), buf_str(&b, "1"), CHECK_BUF();
    buf_cp(&b, 0x0300), buf_cps(&b, 0x01C5, 10000), buf_str(&b, "'ll"), CHECK_BUF();
    for (int i = 0; i < 5000; i++)
        buf_cp(&b, 0x0300), buf_cp(&b, 'A');
    CHECK_BUF();
    buf_cps(&b, 0x0300, 10000), buf_str(&b, "A"), CHECK_BUF();
    buf_cps(&b, 0x02B0, 10000), buf_str(&b, "ABC"), CHECK_BUF();
    /* Contractions and apostrophes in bulk. */
    buf_strs(&b, "'s", 5000), CHECK_BUF();
    buf_strs(&b, "A'S", 5000), CHECK_BUF();
    buf_strs(&b, "'", 10000), buf_str(&b, "re"), CHECK_BUF();
    buf_strs(&b, "x'LL ", 2000), CHECK_BUF();
    /* Digits: runs of three. */
    buf_strs(&b, "1", 10000), CHECK_BUF();
    buf_strs(&b, " 1", 5000), CHECK_BUF();
    buf_strs(&b, "!/", 5000), buf_strs(&b, "\n/", 5000), buf_str(&b, "a"), CHECK_BUF();
    /* Random concatenations of long runs of random characters. */
    for (int iter = 0; iter < 300; iter++) {
        int runs = 1 + (int)rng_below(8);
        for (int r = 0; r < runs; r++)
            buf_cps(&b, random_cp(), 1 + rng_below(r % 2 ? 5 : 3000));
        CHECK_BUF();
    }
#undef CHECK_BUF
    free(b.p);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------ */
/* d. 1 MiB pathological inputs: agreement and linear time                  */
/* ------------------------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_pathological(void **state)
{
    (void)state;
    const size_t MiB = 1u << 20;
    buf b = {0};
    int failures = 0;
    for (int which = 0; which < 10; which++) {
        b.n = 0;
        switch (which) {
        case 0: buf_strs(&b, " ", MiB); break;
        case 1: buf_strs(&b, "\n", MiB); break;
        case 2: buf_strs(&b, "a", MiB); break;
        case 3: buf_strs(&b, "中", MiB / 3); break;
        case 4: buf_str(&b, "a"), buf_strs(&b, " ", MiB), buf_str(&b, "b"); break;
        case 5: buf_strs(&b, "A", MiB), buf_str(&b, "1"); break;
        case 6: buf_strs(&b, "中A", MiB / 4), buf_str(&b, "1"); break;
        case 7: buf_strs(&b, " \n", MiB / 2), buf_str(&b, " "); break;
        case 8: buf_cp(&b, 0x0300), buf_strs(&b, "A", MiB); break;
        case 9: buf_strs(&b, "\t", MiB), buf_str(&b, "x"); break;
        }
        if (check_all(b.p, b.n)) {
            failures++;
            continue; /* a wrong scanner may also be a slow one */
        }
        /* Linear time: a quadratic scan of 1 MiB would take minutes; 10
         * passes of a linear one take milliseconds. */
        double t0 = now();
        for (int rep = 0; rep < 10; rep++)
            for (int k = 0; k < NKIND; k++) {
                size_t pos = 0;
                while (pos < b.n)
                    pos = tkm_scan_next(kinds[k], b.p, b.n, pos);
            }
        double dt = now() - t0;
        if (dt > 2.0) {
            fprintf(stderr, "pathological input %d: %.2f s for 30 scans\n", which, dt);
            failures++;
        }
    }
    free(b.p);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------ */
/* API edges and hand-checked splits                                        */
/* ------------------------------------------------------------------------ */

static void test_api_edges(void **state)
{
    (void)state;
    const uint8_t *s = (const uint8_t *)"ab cd";
    size_t ends[8];
    assert_int_equal(tkm_scan_pieces(TKM_SCAN_CL100K, s, 5, 0, ends, 0), 0);
    assert_int_equal(tkm_scan_pieces(TKM_SCAN_CL100K, s, 5, 5, ends, 8), 0);
    assert_int_equal(tkm_scan_pieces(TKM_SCAN_NONE, s, 5, 0, ends, 8), 0);
    assert_int_equal(tkm_scan_next(TKM_SCAN_NONE, s, 5, 2), 2);
    assert_int_equal(tkm_scan_pieces(TKM_SCAN_O200K, s, 5, 0, ends, 8), 2);
    assert_int_equal(ends[0], 2);
    assert_int_equal(ends[1], 5);
    assert_int_equal(tkm_scan_pieces(TKM_SCAN_O200K, s, 5, 2, ends, 1), 1);
    assert_int_equal(ends[0], 5);
}

/* Splits of the tiktoken quirks, written out by hand. */
static void expect_split(tkm_scan_kind kind, const char *text, const char *const *pieces)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t n = strlen(text), pos = 0;
    for (size_t i = 0; pieces[i]; i++) {
        assert_true(pos < n);
        size_t e = tkm_scan_next(kind, s, n, pos);
        size_t want = strlen(pieces[i]);
        if (e - pos != want || memcmp(s + pos, pieces[i], want) != 0) {
            fprintf(stderr, "kind %d, \"%s\": piece %zu is \"%.*s\", expected \"%s\"\n", (int)kind,
                    text, i, (int)(e - pos), text + pos, pieces[i]);
            fail();
        }
        pos = e;
    }
    assert_int_equal(pos, n);
}

#define SPLIT(kind, text, ...)                                                                    \
    do {                                                                                          \
        static const char *const p_[] = {__VA_ARGS__, NULL};                                      \
        expect_split(kind, text, p_);                                                             \
    } while (0)

static void test_known_splits(void **state)
{
    (void)state;
    SPLIT(TKM_SCAN_R50K, "a   b", "a", "  ", " b");
    SPLIT(TKM_SCAN_R50K, "I'm He'S", "I", "'m", " He", "'", "S");
    SPLIT(TKM_SCAN_R50K, "x \n", "x", " \n");
    SPLIT(TKM_SCAN_CL100K, "I'M he's", "I", "'M", " he", "'s");
    SPLIT(TKM_SCAN_CL100K, "a\t\tb", "a", "\t", "\tb");
    SPLIT(TKM_SCAN_CL100K, "12345", "123", "45");
    SPLIT(TKM_SCAN_CL100K, "x  \n\n  y", "x", "  \n\n", " ", " y");
    SPLIT(TKM_SCAN_CL100K, "x!!\r\n\r\ny", "x", "!!\r\n\r\n", "y");
    SPLIT(TKM_SCAN_CL100K, "x\n  ", "x", "\n  ");
    SPLIT(TKM_SCAN_O200K, "x\n  ", "x", "\n", "  ");
    SPLIT(TKM_SCAN_O200K, "HelloWORLD's", "Hello", "WORLD's");
    SPLIT(TKM_SCAN_O200K, "中AB1", "中", "AB", "1");
    SPLIT(TKM_SCAN_O200K, "\xcc\x80" "AB1", "\xcc\x80", "AB", "1");
    SPLIT(TKM_SCAN_O200K, " !/\n/x", " !/\n/", "x");
    SPLIT(TKM_SCAN_O200K, "it's THEY'RE", "it's", " THEY'RE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_edges),
        cmocka_unit_test(test_known_splits),
        cmocka_unit_test(test_exhaustive_classes),
        cmocka_unit_test(test_exhaustive_contractions),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_ascii_spans),
        cmocka_unit_test(test_ascii_text),
        cmocka_unit_test(test_long_runs),
        cmocka_unit_test(test_mixed_runs),
        cmocka_unit_test(test_pathological),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
