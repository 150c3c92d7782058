/* bench.c — `tokmeter bench [-e ENCODING]... FILE...`: encode and count
 * speed on the user's own text, single thread.
 *
 * For each file and encoding (default cl100k_base and o200k_base): one
 * untimed warm-up, then encode (ids into a preallocated buffer) and count
 * are each repeated until at least --min-time seconds (default 1) and 3
 * runs have passed, each with a fresh context; the fastest run is reported,
 * as MB/s (1 MB = 10^6 bytes of input) and tokens/s. Special-token text
 * counts as text unless --allowed-special; invalid UTF-8 is an error unless
 * --invalid-utf8.
 *
 * --json keys: min_time_seconds, results [{path, encoding, bytes, tokens,
 * encode_mb_s, count_mb_s, encode_tokens_s, count_tokens_s, encode_runs,
 * count_runs}]. */
#include "cli.h"
#include "io.h"
#include "json_out.h"
#include "progress.h"
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct measure {
    double best; /* seconds of the fastest run */
    unsigned runs;
} measure;

typedef struct bench_ctx {
    const tkm_encoding *enc;
    const tkm_encode_options *opts;
    const char *buf;
    size_t len;
    uint32_t *ids;
    size_t cap;
} bench_ctx;

/* Each run gets a fresh context, as a one-shot `tokmeter count` has: a
 * context's caches would otherwise carry over from the previous run of the
 * same text and flatter the figure. */
static tkm_status run_once(bench_ctx *b, bool encode, size_t *n, tkm_error_detail *d)
{
    tkm_context *ctx = NULL;
    tkm_status st = tkm_context_create(NULL, &ctx);
    if (st != TKM_OK)
        return st;
    if (encode)
        st = tkm_context_encode(ctx, b->enc, b->buf, b->len, b->opts, b->ids, b->cap, n, d);
    else
        st = tkm_context_count(ctx, b->enc, b->buf, b->len, b->opts, SIZE_MAX, n, NULL, d);
    tkm_context_free(ctx);
    return st;
}

static tkm_status timed(bench_ctx *b, bool encode, double min_time, measure *m, size_t *tokens,
                        tkm_error_detail *d, cli_progress *prog, uint64_t *done)
{
    m->best = INFINITY;
    m->runs = 0;
    double start = cli_now();
    for (;;) {
        double t0 = cli_now();
        tkm_status st = run_once(b, encode, tokens, d);
        double t = cli_now() - t0;
        if (st != TKM_OK)
            return st;
        m->runs++;
        if (t < m->best)
            m->best = t;
        cli_progress_update(prog, *done, 0);
        if (m->runs >= 3 && cli_now() - start >= min_time)
            break;
    }
    (*done)++;
    return TKM_OK;
}

static double rate(double amount, double seconds)
{
    double r = seconds > 0 ? amount / seconds : 0;
    return round(r * 100.0) / 100.0;
}

int cmd_bench(cli_opts *o)
{
    if (o->n_files == 0)
        return cli_usage("%s", "bench needs FILE... (or - for stdin): benchmark on your own text");
    static const char *defaults[] = {"cl100k_base", "o200k_base"};
    const char **encs = o->n_encodings ? o->encodings : defaults;
    size_t n_encs = o->n_encodings ? o->n_encodings : 2;
    double min_time = o->min_time > 0 ? o->min_time : 1.0;
    json_t *results = o->json ? json_array() : NULL;
    if (!o->json)
        printf("%-24s %-13s %10s %10s %11s %10s %13s %13s\n", "file", "encoding", "bytes",
               "tokens", "encode MB/s", "count MB/s", "encode tok/s", "count tok/s");
    cli_progress prog;
    cli_progress_begin(&prog, "measurements", (uint64_t)(o->n_files * n_encs * 2));
    uint64_t done = 0;
    int rc = EXIT_OK;
    cli_text *texts = calloc(n_encs, sizeof *texts);
    if (!texts)
        rc = EXIT_DATA;
    for (size_t e = 0; e < n_encs && rc == EXIT_OK; e++) {
        cli_opts one = *o;
        one.encoding = encs[e];
        one.model = NULL;
        rc = cli_text_open(&one, false, &texts[e]);
    }
    for (size_t f = 0; f < o->n_files && rc == EXIT_OK; f++) {
        const char *path = o->files[f];
        char *buf;
        size_t len;
        if (cli_read_file(path, &buf, &len) != 0) {
            rc = EXIT_USAGE;
            break;
        }
        size_t cap = tkm_encode_bound(len);
        uint32_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
        for (size_t e = 0; e < n_encs && rc == EXIT_OK; e++) {
            const tkm_encoding *enc = texts[e].enc;
            bench_ctx b = {enc, &texts[e].opts, buf, len, ids, cap};
            measure me, mc;
            size_t tokens = 0;
            tkm_error_detail d;
            tkm_status st = ids ? run_once(&b, true, &tokens, &d) : TKM_ERR_NOMEM; /* warm-up */
            if (st == TKM_OK)
                st = timed(&b, true, min_time, &me, &tokens, &d, &prog, &done);
            if (st == TKM_OK)
                st = timed(&b, false, min_time, &mc, &tokens, &d, &prog, &done);
            if (st != TKM_OK) {
                cli_progress_clear(&prog);
                rc = cli_report_text_error(path, buf, len, st, &d);
            } else if (results) {
                json_t *r = json_object();
                json_object_set_new(r, "path", jstr(path));
                json_object_set_new(r, "encoding", json_string(tkm_encoding_name(enc)));
                json_object_set_new(r, "bytes", jcount(len, false));
                json_object_set_new(r, "tokens", jcount(tokens, false));
                json_object_set_new(r, "encode_mb_s", json_real(rate((double)len / 1e6, me.best)));
                json_object_set_new(r, "count_mb_s", json_real(rate((double)len / 1e6, mc.best)));
                json_object_set_new(r, "encode_tokens_s", json_real(rate((double)tokens, me.best)));
                json_object_set_new(r, "count_tokens_s", json_real(rate((double)tokens, mc.best)));
                json_object_set_new(r, "encode_runs", json_integer(me.runs));
                json_object_set_new(r, "count_runs", json_integer(mc.runs));
                json_array_append_new(results, r);
            } else {
                cli_progress_clear(&prog);
                printf("%-24s %-13s %10zu %10zu %11.1f %10.1f %13.0f %13.0f\n", path,
                       tkm_encoding_name(enc), len, tokens, rate((double)len / 1e6, me.best),
                       rate((double)len / 1e6, mc.best), rate((double)tokens, me.best),
                       rate((double)tokens, mc.best));
                fflush(stdout);
            }
        }
        free(ids);
        free(buf);
    }
    for (size_t e = 0; texts && e < n_encs; e++)
        cli_text_close(&texts[e]);
    free(texts);
    cli_progress_end(&prog);
    if (results) {
        if (rc == EXIT_OK) {
            json_t *d = json_object();
            json_object_set_new(d, "min_time_seconds", json_real(min_time));
            json_object_set_new(d, "results", results);
            if (cli_json_print(d) != 0)
                rc = EXIT_DATA;
            json_decref(d);
        } else {
            json_decref(results);
        }
    }
    return rc;
}
