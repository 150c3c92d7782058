/*
 * scan_bench.c — throughput of the hand-written scanners (src/scan.c) against
 * the PCRE2 JIT translations of the same patterns, as the core ran them.
 *
 * Inputs: ~10 MB of English prose (the files named on the command line, or
 * by default every file in /usr/share/common-licenses and /usr/share/doc/PKG/copyright,
 * concatenated, invalid UTF-8 dropped, repeated to 10 MB), ~10 MB of a
 * generated multilingual mix, and 1 MiB pathological inputs. For each input
 * and pattern it checks that both split identically, then reports MB/s
 * (10^6 bytes per second, best of several runs) of
 *   next  - a tkm_scan_next loop,
 *   batch - tkm_scan_pieces, 256 ends per call,
 *   pcre2 - pcre2_match with PCRE2_NO_UTF_CHECK, as src/pretok.c calls it.
 *
 * Build and run by hand (single thread):
 *   cc -std=c11 -O2 -Iinclude -Isrc bench/scan_bench.c src/scan.c src/unicode_data.c
 *      src/utf8.c src/builtin_patterns.c -lpcre2-8 -o /tmp/scan_bench && /tmp/scan_bench
 */
#define _POSIX_C_SOURCE 200809L

#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "builtin_patterns.h"
#include "scan.h"
#include "utf8.h"

#define NKIND 3
static const tkm_scan_kind kinds[NKIND] = {TKM_SCAN_R50K, TKM_SCAN_CL100K, TKM_SCAN_O200K};
static const char *const kind_names[NKIND] = {"r50k", "cl100k", "o200k"};

static pcre2_code *codes[NKIND];
static pcre2_match_data *md;
static pcre2_match_context *mctx;

/* A PCRE2 run that takes longer than this is stopped (quadratic inputs). */
#define PCRE2_TIME_LIMIT 20.0

/* This thread's CPU time: the machine may be shared, and time slices
 * given to other processes must not count against either side. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void buf_reserve(buf *b, size_t need)
{
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < need)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->cap = cap;
    }
}

/* p must not point into b (a reallocation would move it): see fit. */
static void buf_add(buf *b, const void *p, size_t k)
{
    buf_reserve(b, b->n + k);
    memcpy(b->p + b->n, p, k);
    b->n += k;
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_rep(buf *b, const char *s, size_t count)
{
    for (size_t i = 0; i < count; i++)
        buf_str(b, s);
}

/* Append the valid UTF-8 of p[0..n), dropping ill-formed bytes. */
static void buf_add_valid(buf *b, const uint8_t *p, size_t n)
{
    while (n) {
        size_t ok = tkm_utf8_valid_prefix(p, n);
        buf_add(b, p, ok);
        p += ok;
        n -= ok;
        if (n) {
            size_t bad = tkm_utf8_invalid_len(p, n);
            p += bad;
            n -= bad;
        }
    }
}

static void add_file(buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint8_t chunk[1 << 16];
    size_t k;
    buf raw = {0};
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&raw, chunk, k);
    fclose(f);
    buf_add_valid(b, raw.p, raw.n);
    free(raw.p);
}

/* Truncate to at most `size` bytes on a character boundary, after first
 * repeating the content until it is at least that long. */
static void fit(buf *b, size_t size)
{
    size_t base = b->n;
    if (!base)
        return;
    buf_reserve(b, size); /* the copies below read b itself */
    while (b->n < size)
        buf_add(b, b->p, b->n < size - b->n ? b->n : size - b->n);
    b->n = size < b->n ? size : b->n;
    while (b->n && (b->p[b->n - 1] & 0xC0) == 0x80)
        b->n--;
    if (b->n && b->p[b->n - 1] >= 0xC0)
        b->n--;
}

static void english(buf *b, int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            add_file(b, argv[i]);
    } else {
        const char *pats[] = {"/usr/share/common-licenses/*", "/usr/share/doc/*/copyright"};
        for (size_t k = 0; k < 2; k++) {
            glob_t g;
            if (glob(pats[k], 0, NULL, &g) == 0) {
                for (size_t i = 0; i < g.gl_pathc; i++)
                    add_file(b, g.gl_pathv[i]);
                globfree(&g);
            }
        }
    }
    fit(b, 10 * 1000 * 1000);
}

/* xorshift64*: the multilingual text is the same on every run. */
static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint32_t rng_below(uint32_t bound)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)(((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % bound);
}

static void multilingual(buf *b)
{
    /* Words of several scripts, including combining marks (Devanagari,
     * Thai, Vietnamese), CJK runs, contractions, numbers and code. */
    static const char *const words[] = {
        "the", "The", "of", "and", "don't", "I'm", "we'LL", "THEY'RE", "naïve", "café",
        "Straße", "über", "élève", "Ελληνικά", "λόγος", "Москва", "привет", "Здравствуйте",
        "中文", "汉字测试", "日本語", "ひらがな", "カタカナ", "한국어", "안녕하세요",
        "العربية", "مرحبا", "हिन्दी", "नमस्ते", "ภาษาไทย", "Tiếng", "Việt", "😀", "🚀🚀",
        "2024", "3.14159", "١٢٣٤", "x86_64", "foo_bar()", "{\"key\":", "=>", "//", "#include",
        "ǅ", "ʰ", "ſt",
    };
    static const char *const seps[] = {" ", " ", " ", " ", " ", ", ", ". ", "\n", "\n\n",
                                       "  ", "\t", " — ", "! ", "? ", "/", "\r\n"};
    const size_t nw = sizeof words / sizeof words[0], ns = sizeof seps / sizeof seps[0];
    while (b->n < 10 * 1000 * 1000) {
        buf_str(b, words[rng_below((uint32_t)nw)]);
        buf_str(b, seps[rng_below((uint32_t)ns)]);
    }
}

typedef struct input {
    const char *name;
    buf text;
} input;

static void pathological(input *in, int *count)
{
    const size_t M = 1u << 20;
    struct {
        const char *name;
        const char *pre, *unit, *post;
        size_t reps;
    } specs[] = {
        {"1 MiB spaces", "", " ", "", M},
        {"1 MiB newlines", "", "\n", "", M},
        {"1 MiB 'a'", "", "a", "", M},
        {"1 MiB 'A' + '1'", "", "A", "1", M},
        {"1 MiB CJK", "", "中", "", M / 3},
        {"'a' + 1 MiB spaces + 'b'", "a", " ", "b", M},
        {"'a' + 1 MiB tabs + 'b'", "a", "\t", "b", M},
        {"1 MiB ' \\n'", "", " \n", "x", M / 2},
        {"1 MiB U+4E2D 'A' + '1'", "", "中A", "1", M / 4},
        {"U+0300 + 1 MiB 'A'", "\xcc\x80", "A", "", M},
        {"1 MiB digits", "", "1", "", M},
        {"1 MiB '!'", "", "!", "", M},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        input *p = &in[(*count)++];
        p->name = specs[i].name;
        memset(&p->text, 0, sizeof p->text);
        buf_str(&p->text, specs[i].pre);
        buf_rep(&p->text, specs[i].unit, specs[i].reps);
        buf_str(&p->text, specs[i].post);
    }
}

/* ---- the three ways to split ---- */

/* Pieces and a checksum of their ends: the scanner's and PCRE2's must agree. */
typedef struct split {
    size_t pieces;
    uint64_t sum;
    size_t covered; /* bytes split (PCRE2 may be stopped early) */
} split;

static split run_next(tkm_scan_kind kind, const uint8_t *s, size_t n)
{
    split r = {0, 0, 0};
    size_t pos = 0;
    while (pos < n) {
        pos = tkm_scan_next(kind, s, n, pos);
        r.pieces++;
        r.sum = r.sum * 31 + pos;
    }
    r.covered = pos;
    return r;
}

static split run_batch(tkm_scan_kind kind, const uint8_t *s, size_t n)
{
    split r = {0, 0, 0};
    size_t buf_ends[256];
    size_t pos = 0, k;
    while ((k = tkm_scan_pieces(kind, s, n, pos, buf_ends, 256)) > 0) {
        for (size_t i = 0; i < k; i++)
            r.sum = r.sum * 31 + buf_ends[i];
        r.pieces += k;
        pos = buf_ends[k - 1];
    }
    r.covered = pos;
    return r;
}

static split run_pcre2(tkm_scan_kind kind, const uint8_t *s, size_t n)
{
    int k = 0;
    while (kinds[k] != kind)
        k++;
    split r = {0, 0, 0};
    size_t pos = 0;
    double t0 = now();
    while (pos < n) {
        int rc = pcre2_match(codes[k], (PCRE2_SPTR)s, n, pos, PCRE2_NO_UTF_CHECK, md, mctx);
        if (rc <= 0) {
            fprintf(stderr, "pcre2_match: %d at %zu\n", rc, pos);
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        pos = ov[1];
        r.pieces++;
        r.sum = r.sum * 31 + pos;
        if ((r.pieces & 1023) == 0 && now() - t0 > PCRE2_TIME_LIMIT)
            break;
    }
    r.covered = pos;
    return r;
}

/* Best MB/s of fn over samples of at least ~20 ms each (short inputs are
 * split several times per sample): at least min_reps and at most max_reps
 * samples, about 0.25 s in total. */
typedef split (*scan_fn)(tkm_scan_kind, const uint8_t *, size_t);

static double mbps(scan_fn fn, tkm_scan_kind kind, const uint8_t *s, size_t n, int max_reps,
                   int min_reps, split *out)
{
    double t0 = now();
    *out = fn(kind, s, n);
    double once = now() - t0;
    if (out->covered < n) /* PCRE2 stopped: too slow to repeat */
        return (double)out->covered / 1e6 / once;
    int inner = once >= 0.02 ? 1 : (int)(0.02 / (once > 1e-6 ? once : 1e-6)) + 1;
    double best = 1e30, total = 0;
    for (int rep = 0; rep < max_reps && (rep < min_reps || total < 0.25); rep++) {
        t0 = now();
        for (int i = 0; i < inner; i++)
            *out = fn(kind, s, n);
        double dt = (now() - t0) / inner;
        total += dt * inner;
        if (dt < best)
            best = dt;
    }
    return (double)n / 1e6 / best;
}

int main(int argc, char **argv)
{
    const char *pats[NKIND] = {tkm_pcre2_pattern_r50k, tkm_pcre2_pattern_cl100k,
                               tkm_pcre2_pattern_o200k};
    for (int k = 0; k < NKIND; k++) {
        int err;
        PCRE2_SIZE off;
        codes[k] = pcre2_compile((PCRE2_SPTR)pats[k], PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
        if (!codes[k] || pcre2_jit_compile(codes[k], PCRE2_JIT_COMPLETE) != 0) {
            fprintf(stderr, "cannot compile/JIT %s\n", kind_names[k]);
            return 1;
        }
    }
    md = pcre2_match_data_create(1, NULL);
    mctx = pcre2_match_context_create(NULL);
    /* The core's JIT stack (src/pretok.c). */
    pcre2_jit_stack *js = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
    pcre2_jit_stack_assign(mctx, NULL, js);

    input in[32];
    int count = 0;
    memset(in, 0, sizeof in);
    in[count].name = "English prose (10 MB)";
    english(&in[count++].text, argc, argv);
    in[count].name = "multilingual mix (10 MB)";
    multilingual(&in[count++].text);
    pathological(in, &count);

    printf("%-26s %-7s %9s %9s %9s %8s %10s\n", "input", "pattern", "next", "batch", "pcre2",
           "speedup", "pieces");
    int mismatches = 0;
    for (int i = 0; i < count; i++) {
        const uint8_t *s = in[i].text.p;
        size_t n = in[i].text.n;
        if (tkm_utf8_valid_prefix(s, n) != n) {
            fprintf(stderr, "%s: not valid UTF-8\n", in[i].name);
            return 1;
        }
        for (int k = 0; k < NKIND; k++) {
            split a, b, c;
            double v_next = mbps(run_next, kinds[k], s, n, 20, 5, &a);
            double v_batch = mbps(run_batch, kinds[k], s, n, 20, 5, &b);
            double v_pcre = mbps(run_pcre2, kinds[k], s, n, 10, 3, &c);
            const char *note = "";
            if (c.covered < n) {
                note = " (PCRE2 stopped)";
            } else if (a.pieces != c.pieces || a.sum != c.sum || b.pieces != c.pieces ||
                       b.sum != c.sum) {
                note = " MISMATCH";
                mismatches++;
            }
            printf("%-26s %-7s %9.1f %9.1f %9.1f %7.1fx %10zu%s\n", k ? "" : in[i].name,
                   kind_names[k], v_next, v_batch, v_pcre, v_next / v_pcre, a.pieces, note);
            fflush(stdout);
        }
    }
    printf("MB/s = 10^6 bytes per CPU second, single thread, best of several runs.\n");
    for (int i = 0; i < count; i++)
        free(in[i].text.p);
    for (int k = 0; k < NKIND; k++)
        pcre2_code_free(codes[k]);
    pcre2_match_data_free(md);
    pcre2_match_context_free(mctx);
    pcre2_jit_stack_free(js);
    return mismatches != 0;
}
