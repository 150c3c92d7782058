/* scale.c — how tkm_count_many scales with threads.
 *
 *   tkm_scale [-e ENCODING]... [--threads N] [--chunk BYTES] [--rounds R] FILE...
 *
 * The files are read and cut into texts of about BYTES (default 65536) each,
 * at the first newline from there on (a line is never split, so no text
 * starts inside a character), as a batch job over many documents would see
 * them. Each round times one tkm_count_many call over all of them on 1
 * thread and one on N threads (default: the online CPUs), in alternating
 * order, by the wall clock: on a shared VM whose speed drifts by the minute,
 * passes a moment apart see the same phase (as tkm_ab does). It prints the
 * MB/s of each, the speed-up (1-thread time / N-thread time) of the totals
 * and the median and quartiles of the per-round speed-ups, and checks that
 * every text got the same count both ways. Every call starts its workers
 * with fresh contexts, as tkm_count_many always does.
 *
 * The target is a speed-up of at least 1.8 on 2 cores. Benchmarks
 * measure; tests never assert wall time.
 */
#include "tokmeter.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 1000

typedef struct batch {
    const char **texts;
    size_t *lens;
    size_t n, bytes;
} batch;

/* Cuts text[0..len) into pieces of about chunk bytes, each ending just
 * after a newline (or at the end). Returns false when out of memory. */
static bool batch_cut(batch *b, const char *text, size_t len, size_t chunk)
{
    size_t cap = len / chunk + 2;
    b->texts = malloc(cap * sizeof *b->texts);
    b->lens = malloc(cap * sizeof *b->lens);
    if (!b->texts || !b->lens)
        return false;
    b->n = 0;
    b->bytes = len;
    for (size_t pos = 0; pos < len;) {
        size_t end = pos + chunk < len ? pos + chunk : len;
        const char *nl = end < len ? memchr(text + end, '\n', len - end) : NULL;
        end = nl ? (size_t)(nl - text) + 1 : len;
        if (b->n == cap) {
            cap *= 2;
            const char **t = realloc(b->texts, cap * sizeof *t);
            size_t *l = t ? realloc(b->lens, cap * sizeof *l) : NULL;
            if (t)
                b->texts = t;
            if (!l)
                return false;
            b->lens = l;
        }
        b->texts[b->n] = text + pos;
        b->lens[b->n++] = end - pos;
        pos = end;
    }
    return true;
}

/* One tkm_count_many call over the batch on `threads` threads: its wall
 * time in seconds, or a negative value on failure. */
static double timed_count(const tkm_encoding *enc, const batch *b, unsigned threads,
                          size_t *counts)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
    double t0 = bench_now(CLOCK_MONOTONIC);
    tkm_status st = tkm_count_many(enc, b->texts, b->lens, b->n, &o, threads, counts, NULL);
    double t = bench_now(CLOCK_MONOTONIC) - t0;
    if (st != TKM_OK) {
        fprintf(stderr, "tkm_count_many: %s\n", tkm_strerror(st));
        return -1;
    }
    return t;
}

static int run(const tkm_encoding *enc, const char *name, const batch *b, unsigned threads,
               int rounds)
{
    size_t *one = malloc(b->n * sizeof *one), *many = malloc(b->n * sizeof *many);
    double ratio[MAX_ROUNDS], t1 = 0, tn = 0;
    int rc = 0;
    if (!one || !many) {
        fprintf(stderr, "out of memory\n");
        rc = 3;
        goto out;
    }
    /* One warm-up call of each: page in the text and the tables. */
    if (timed_count(enc, b, 1, one) < 0 || timed_count(enc, b, threads, many) < 0) {
        rc = 3;
        goto out;
    }
    for (int r = 0; r < rounds; r++) {
        double a, c;
        if (r % 2 == 0) {
            a = timed_count(enc, b, 1, one);
            c = timed_count(enc, b, threads, many);
        } else {
            c = timed_count(enc, b, threads, many);
            a = timed_count(enc, b, 1, one);
        }
        if (a < 0 || c < 0) {
            rc = 3;
            goto out;
        }
        if (memcmp(one, many, b->n * sizeof *one) != 0) {
            fprintf(stderr, "%s: the counts on 1 and %u threads differ\n", name, threads);
            rc = 1;
            goto out;
        }
        t1 += a;
        tn += c;
        ratio[r] = a / c;
    }
    double q[3];
    bench_quartiles(ratio, (size_t)rounds, q);
    size_t tokens = 0;
    for (size_t i = 0; i < b->n; i++)
        tokens += one[i];
    printf("%-13s %-20s %6zu texts %9zu B  1 thread %8.2f MB/s  %u threads %8.2f MB/s  "
           "speed-up %.2f  median %.2f  quartiles %.2f-%.2f  (%d rounds, %zu tokens)\n",
           tkm_encoding_name(enc), name, b->n, b->bytes,
           (double)b->bytes * rounds / t1 / 1e6, threads,
           (double)b->bytes * rounds / tn / 1e6, t1 / tn, q[1], q[0], q[2], rounds, tokens);
    fflush(stdout);
out:
    free(one);
    free(many);
    return rc;
}

int main(int argc, char **argv)
{
    const char *encs[16];
    size_t n_encs = 0;
    const char *files[256];
    size_t n_files = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cpus > 0 ? (unsigned)cpus : 1;
    size_t chunk = 65536;
    int rounds = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-e") == 0 && i + 1 < argc && n_encs < 16)
            encs[n_encs++] = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (argv[i][0] != '-' && n_files < 256)
            files[n_files++] = argv[i];
        else
            n_files = 0, i = argc; /* usage below */
    }
    if (n_files == 0 || threads < 1 || chunk < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: tkm_scale [-e ENCODING]... [--threads N] [--chunk BYTES] "
                        "[--rounds R] FILE...\n");
        return 2;
    }
    if (n_encs == 0) {
        encs[n_encs++] = "cl100k_base";
        encs[n_encs++] = "o200k_base";
    }
    int rc = 0;
    for (size_t e = 0; e < n_encs && rc == 0; e++) {
        tkm_encoding *enc = NULL;
        if (tkm_encoding_load_builtin(encs[e], NULL, &enc) != TKM_OK) {
            fprintf(stderr, "unknown encoding %s\n", encs[e]);
            return 2;
        }
        for (size_t f = 0; f < n_files && rc == 0; f++) {
            size_t len;
            char *text = bench_read_all(files[f], &len);
            if (!text) {
                fprintf(stderr, "cannot read %s\n", files[f]);
                rc = 2;
                break;
            }
            batch b = {NULL, NULL, 0, 0};
            if (!batch_cut(&b, text, len, chunk)) {
                fprintf(stderr, "out of memory\n");
                rc = 3;
            } else {
                const char *base = strrchr(files[f], '/');
                rc = run(enc, base ? base + 1 : files[f], &b, threads, rounds);
            }
            free(b.texts);
            free(b.lens);
            free(text);
        }
        tkm_encoding_free(enc);
    }
    return rc;
}
