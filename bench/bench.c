/* bench.c — single-thread throughput of encode and count.
 *
 *   tkm_bench [-e ENCODING]... [--seconds S] [--cpu] FILE...
 *   tkm_bench --worst [-e ENCODING]...     the pathological 1 MiB inputs
 *
 * --cpu times with the thread's CPU clock instead of the wall clock: on a
 * shared or busy machine, time spent descheduled is then not counted (cache
 * interference from the other load still is).
 *
 * For every encoding and input it repeats encode (ids materialised) and count
 * (no ids) for at least S seconds (default 1) of wall time and reports MB/s
 * of UTF-8 input (the mean over the window, then the best single pass of
 * encode / count), tokens/s, and the time of the first count. Every pass starts from a fresh tkm_context,
 * so a pass never reuses what the context cached over an earlier pass of
 * the same text. Benchmarks are measurements, never tests.
 */
#include "tokmeter.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    return bench_now(bench_clock);
}

/* One pass over the text with a fresh context, as a one-shot caller (the
 * CLI) makes it: nothing cached by an earlier pass over the same text. The
 * context's creation and first use are inside the timed pass. */
static tkm_status pass(const tkm_encoding *enc, const char *text, size_t len, uint32_t *ids,
                       size_t *n, tkm_error_detail *d)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
    tkm_context *ctx = NULL;
    tkm_status st = tkm_context_create(NULL, &ctx);
    if (st != TKM_OK)
        return st;
    if (ids)
        st = tkm_context_encode(ctx, enc, text, len, &o, ids, tkm_encode_bound(len), n, d);
    else
        st = tkm_context_count(ctx, enc, text, len, &o, SIZE_MAX, n, NULL, d);
    tkm_context_free(ctx);
    return st;
}

static void run(const tkm_encoding *enc, const char *name, const char *text, size_t len,
                double seconds)
{
    uint32_t *ids = malloc(tkm_encode_bound(len) * sizeof *ids + 4);
    if (!ids)
        return;
    size_t n = 0, iters = 0;
    tkm_error_detail d;
    /* Mean MB/s over the whole window (what bench/compare compares with the
     * peers' means), and the best single pass: on a shared VM the mean
     * moves by 20-30 % between minutes, the best much less. */
    double t0 = now(), t = 0, best_enc = 1e300, best_cnt = 1e300;
    do {
        double s = now();
        if (pass(enc, text, len, ids, &n, &d) != TKM_OK) {
            fprintf(stderr, "%s: %s\n", name, d.message);
            break;
        }
        double e = now();
        best_enc = e - s < best_enc ? e - s : best_enc;
        iters++;
        t = e - t0;
    } while (t < seconds);
    double enc_mbs = (double)len * (double)iters / t / 1e6;
    double enc_tps = (double)n * (double)iters / t;
    double first_ms = 0;
    size_t c = 0;
    iters = 0;
    t0 = now();
    do {
        double s = now();
        pass(enc, text, len, NULL, &c, &d);
        double e = now();
        if (iters == 0)
            first_ms = (e - s) * 1e3;
        best_cnt = e - s < best_cnt ? e - s : best_cnt;
        iters++;
        t = e - t0;
    } while (t < seconds);
    double cnt_mbs = (double)len * (double)iters / t / 1e6;
    printf("%-13s %-24s %9zu B %8zu tok  encode %8.2f MB/s %10.0f tok/s  count %8.2f MB/s"
           "  best %.2f / %.2f MB/s  (first count %.1f ms)\n",
           tkm_encoding_name(enc), name, len, n, enc_mbs, enc_tps, cnt_mbs,
           (double)len / best_enc / 1e6, (double)len / best_cnt / 1e6, first_ms);
    fflush(stdout);
    free(ids);
}

static char *worst(const char *kind, size_t *len)
{
    size_t n = 1u << 20;
    char *s = malloc(n + 2);
    if (!s)
        return NULL;
    if (strcmp(kind, "1MiB-a") == 0)
        memset(s, 'a', n);
    else if (strcmp(kind, "1MiB-spaces") == 0)
        memset(s, ' ', n);
    else if (strcmp(kind, "1MiB-newlines") == 0)
        memset(s, '\n', n);
    else if (strcmp(kind, "1MiB-digits") == 0)
        for (size_t i = 0; i < n; i++)
            s[i] = (char)('0' + i * 7 % 10);
    else if (strcmp(kind, "a+1MiB-spaces+b") == 0) {
        memset(s, ' ', n + 2);
        s[0] = 'a';
        s[n + 1] = 'b';
        n += 2;
    } else if (strcmp(kind, "1MiB-cjk") == 0) {
        uint32_t x = 1;
        size_t i = 0;
        for (; i + 3 <= n; i += 3) {
            x = x * 1103515245u + 12345u;
            uint32_t cp = 0x4E00 + (x >> 8) % 0x5000;
            s[i] = (char)(0xE0 | (cp >> 12));
            s[i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[i + 2] = (char)(0x80 | (cp & 0x3F));
        }
        n = i;
    } else if (strcmp(kind, "1MiB-base64") == 0) {
        static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        uint32_t x = 7;
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            s[i] = A[x >> 26];
        }
    } else if (strcmp(kind, "1MiB-hex") == 0) {
        uint32_t x = 9;
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            s[i] = "0123456789abcdef"[x >> 28];
        }
    } else if (strcmp(kind, "1MiB-minified") == 0) {
        /* Minified JavaScript as bundlers emit it: one line, names of one
         * to three characters, no optional whitespace. A fixed
         * pseudo-random walk: an operand (a name, a number or a short
         * string), then an operator or a keyword that joins it to the
         * next. */
        static const char *const join[] = {
            ".", "=", "(", ")", ",", ");", "){", "}", "[", "]", "&&", "||", "===", "!==",
            "+", "-", "*", "?", ":", ";", "=>", "++", "<", ">=", ".length;", ").", "](",
            ";var ", ";return ", "){return ", ";if(", "}else{", "function(", ";for(var ",
            ".prototype.", ".call(this,", "=new ", "=typeof ", "=void 0;", "=!0,", "=!1;",
            "=null;", "Object.keys(",
        };
        static const char name0[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
        static const char name1[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        uint32_t x = 11;
        size_t i = 0;
        while (i + 32 <= n) {
            x = x * 1664525u + 1013904223u;
            unsigned what = x >> 28, r = (x >> 8) & 0xFFFFF;
            if (what < 12) { /* a name */
                s[i++] = name0[r % 54];
                for (unsigned k = (r >> 6) % 3; k > 0; k--, r /= 36)
                    s[i++] = name1[(r >> 8) % 36];
            } else if (what < 15) { /* a number */
                i += (size_t)snprintf(s + i, 12, "%u", r % (what == 12 ? 10 : 100000));
            } else { /* a short string */
                i += (size_t)snprintf(s + i, 12, "\"%c%c%u\"", name0[r % 26],
                                      name0[(r >> 5) % 26], r % 100);
            }
            x = x * 1664525u + 1013904223u;
            const char *f = join[(x >> 8) % (sizeof join / sizeof *join)];
            size_t fl = strlen(f);
            memcpy(s + i, f, fl);
            i += fl;
        }
        n = i;
    }
    *len = n;
    return s;
}

int main(int argc, char **argv)
{
    const char *encs[16];
    size_t n_encs = 0;
    const char *files[256];
    size_t n_files = 0;
    double seconds = 1.0;
    int worst_case = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-e") == 0 && i + 1 < argc && n_encs < 16)
            encs[n_encs++] = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--cpu") == 0)
            bench_clock = CLOCK_THREAD_CPUTIME_ID;
        else if (strcmp(argv[i], "--worst") == 0)
            worst_case = 1;
        else if (n_files < 256)
            files[n_files++] = argv[i];
    }
    if (n_encs == 0) {
        encs[n_encs++] = "cl100k_base";
        encs[n_encs++] = "o200k_base";
    }
    if (!worst_case && n_files == 0) {
        fprintf(stderr, "usage: tkm_bench [-e ENCODING]... [--seconds S] [--cpu] (--worst | FILE...)\n");
        return 2;
    }
    static const char *const kinds[] = {"1MiB-a",      "1MiB-spaces",     "1MiB-newlines",
                                        "1MiB-digits", "a+1MiB-spaces+b", "1MiB-cjk",
                                        "1MiB-base64", "1MiB-hex",        "1MiB-minified"};
    for (size_t e = 0; e < n_encs; e++) {
        double t0 = now();
        tkm_encoding *enc = NULL;
        if (tkm_encoding_load_builtin(encs[e], NULL, &enc) != TKM_OK) {
            fprintf(stderr, "unknown encoding %s\n", encs[e]);
            return 2;
        }
        printf("%-13s load %.2f ms\n", encs[e], (now() - t0) * 1e3);
        for (size_t f = 0; f < n_files; f++) {
            size_t len;
            char *text = bench_read_all(files[f], &len);
            if (!text) {
                fprintf(stderr, "cannot read %s\n", files[f]);
                return 2;
            }
            const char *base = strrchr(files[f], '/');
            run(enc, base ? base + 1 : files[f], text, len, seconds);
            free(text);
        }
        for (size_t k = 0; worst_case && k < sizeof kinds / sizeof kinds[0]; k++) {
            size_t len;
            char *text = worst(kinds[k], &len);
            if (text)
                run(enc, kinds[k], text, len, seconds);
            free(text);
        }
        tkm_encoding_free(enc);
    }
    return 0;
}
