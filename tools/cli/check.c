/* check.c — `tokmeter check -m MODEL [--max-tokens N] [--max-cost USD]
 * [--reserve-output N] FILE|DIR|GLOB...`: lint prompt files in CI.
 *
 * Each file's exact token count must fit
 *  - the model: prompt <= max input and prompt + reserved output <= context
 *    window (tkm_fit_check);
 *  - --max-tokens N, when given;
 *  - --max-cost USD, when given: the prompt at the input price plus the
 *    reserved output at the output price (the most the request can cost).
 * Output: one line per file, "ok" or "OVER", and a summary; exit 1 if any
 * file is over, 0 if all fit, 2 on input errors (unknown model with close
 * names suggested, unreadable or non-UTF-8 files: reported, the others are
 * still checked).
 *
 * --json keys: model, encoding, data_version, limit_tokens, reserve_output,
 * max_tokens, max_cost_usd, max_cost_nanousd, files [{path, tokens, fits,
 * over_tokens, over_cost, cost_usd, cost_nanousd}], files_over, all_fit,
 * skipped [...], errors [...]. */
#include "cli.h"
#include "files.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>
#include <string.h>

typedef struct check_state {
    const cli_opts *o;
    const tkm_model *m;
    uint64_t limit; /* the smallest token limit that applies */
    json_t *files;
    size_t n_files, n_over;
} check_state;

static void on_file(void *ctx, const cli_file_result *r)
{
    check_state *s = ctx;
    const cli_opts *o = s->o;
    tkm_fit fit;
    bool model_ok = true;
    if (tkm_fit_check(s->m, r->tokens, true, (size_t)o->reserve_output, &fit) == TKM_OK)
        model_ok = fit.fits;
    bool over_tokens = !model_ok || (o->has_max_tokens && r->tokens > o->max_tokens);
    tkm_usage u;
    memset(&u, 0, sizeof u);
    u.prompt_tokens = r->tokens;
    u.completion_tokens = o->reserve_output;
    tkm_cost c;
    tkm_nanousd cost = tkm_cost_usage(s->m, &u, &c) == TKM_OK ? c.total : TKM_PRICE_UNKNOWN;
    bool over_cost = o->has_max_cost && (cost == TKM_PRICE_UNKNOWN || cost > o->max_cost);
    bool fits = !over_tokens && !over_cost;
    s->n_files++;
    s->n_over += !fits;
    if (s->files) {
        json_t *f = json_object();
        json_object_set_new(f, "path", jstr(r->path));
        json_object_set_new(f, "tokens", json_integer((json_int_t)r->tokens));
        json_object_set_new(f, "fits", json_boolean(fits));
        json_object_set_new(f, "over_tokens", json_boolean(over_tokens));
        json_object_set_new(f, "over_cost", json_boolean(over_cost));
        jset_money(f, "cost", cost);
        json_array_append_new(s->files, f);
        return;
    }
    char money[40];
    printf("%-4s %10zu tokens %12s  %s", fits ? "ok" : "OVER", r->tokens,
           cli_money(cost, money, sizeof money), r->path);
    if (over_tokens)
        printf(": %llu tokens over the limit of %llu",
               (unsigned long long)(r->tokens - s->limit), (unsigned long long)s->limit);
    if (over_cost) {
        char lim[40];
        printf("%s cost %s over --max-cost %s", over_tokens ? ";" : ":",
               cost == TKM_PRICE_UNKNOWN ? "unknown, so" : money,
               cli_money(o->max_cost, lim, sizeof lim));
    }
    printf("\n");
}

/* The token limit a file must stay under, and how it comes about. */
static uint64_t token_limit(const cli_opts *o, const tkm_model *m, char *why, size_t cap)
{
    uint64_t lim = UINT64_MAX;
    size_t k = 0;
    why[0] = '\0';
    if (m->max_input) {
        lim = m->max_input;
        k += (size_t)snprintf(why + k, cap - k, "max input %llu", (unsigned long long)m->max_input);
    }
    if (m->context_window) {
        uint64_t c = m->context_window > o->reserve_output ? m->context_window - o->reserve_output : 0;
        if (k < cap)
            k += (size_t)snprintf(why + k, cap - k, "%scontext %llu - %llu reserved", k ? ", " : "",
                                  (unsigned long long)m->context_window,
                                  (unsigned long long)o->reserve_output);
        if (c < lim)
            lim = c;
    }
    if (o->has_max_tokens) {
        if (k < cap)
            snprintf(why + k, cap - k, "%s--max-tokens %llu", k ? ", " : "",
                     (unsigned long long)o->max_tokens);
        if (o->max_tokens < lim)
            lim = o->max_tokens;
    }
    return lim;
}

int cmd_check(cli_opts *o)
{
    if (o->n_files == 0)
        return cli_usage("%s", "check needs FILE... (or - for stdin)");
    cli_text t;
    int rc = cli_text_open(o, true, &t);
    if (rc != EXIT_OK) {
        cli_text_close(&t);
        return rc;
    }
    const tkm_model *m = t.model;
    if (!m->context_window && !m->max_input && !o->has_max_tokens && !o->has_max_cost) {
        rc = cli_usage("the model table has no limits for %s: give --max-tokens N or --max-cost USD",
                       m->name);
        cli_text_close(&t);
        return rc;
    }
    if (m->max_output && o->reserve_output > m->max_output) {
        rc = cli_usage("--reserve-output %llu exceeds %s's max output of %llu tokens",
                       (unsigned long long)o->reserve_output, m->name,
                       (unsigned long long)m->max_output);
        cli_text_close(&t);
        return rc;
    }
    char why[256];
    uint64_t limit = token_limit(o, m, why, sizeof why);
    cli_walk w;
    cli_walk_inputs(o, &w);
    check_state s = {o, m, limit, o->json ? json_array() : NULL, 0, 0};
    rc = cli_count_files(o, t.enc, &t.opts, &w, on_file, &s);
    cli_walk_report_skipped(&w, o->verbose);
    if (o->json) {
        json_t *d = json_object();
        json_object_set_new(d, "model", jstr(m->name));
        json_object_set_new(d, "encoding", jstr(tkm_encoding_name(t.enc)));
        json_object_set_new(d, "data_version", jstr(tkm_model_table_version(t.table)));
        json_object_set_new(d, "limit_tokens", limit == UINT64_MAX ? json_null() : jcount(limit, false));
        json_object_set_new(d, "reserve_output", jcount(o->reserve_output, false));
        json_object_set_new(d, "max_tokens", o->has_max_tokens ? jcount(o->max_tokens, false) : json_null());
        json_object_set_new(d, "max_cost_usd", o->has_max_cost ? jusd(o->max_cost) : json_null());
        json_object_set_new(d, "max_cost_nanousd", o->has_max_cost ? jnano(o->max_cost) : json_null());
        json_object_set_new(d, "files", s.files);
        json_object_set_new(d, "files_over", json_integer((json_int_t)s.n_over));
        json_object_set_new(d, "all_fit", json_boolean(s.n_over == 0 && w.n_errors == 0));
        json_object_set_new(d, "skipped", cli_walk_skipped_json(&w));
        json_object_set_new(d, "errors", cli_walk_errors_json(&w));
        if (cli_json_print(d) != 0)
            rc = cli_worse(rc, EXIT_DATA);
        json_decref(d);
    } else {
        char lim[400] = "", mc[40];
        if (limit != UINT64_MAX)
            snprintf(lim, sizeof lim, "limit %llu tokens (%s)", (unsigned long long)limit, why);
        printf("%s: %zu of %zu file%s over; %s%s%s\n", m->name, s.n_over, s.n_files,
               s.n_files == 1 ? "" : "s", lim[0] ? lim : "no token limit",
               o->has_max_cost ? ", max cost " : "",
               o->has_max_cost ? cli_money(o->max_cost, mc, sizeof mc) : "");
        if (w.n_errors)
            printf("%zu file%s could not be checked (see above)\n", w.n_errors,
                   w.n_errors == 1 ? "" : "s");
    }
    if (rc == EXIT_OK && s.n_over)
        rc = EXIT_NEGATIVE;
    cli_walk_free(&w);
    cli_text_close(&t);
    return rc;
}
