/* models.c — `tokmeter models [--fits FILE|-] [--reserve-output N]
 * [--kind KIND] [--json]`: the model table (limits, prices, data version),
 * or with --fits the models whose limits fit a prompt, cheapest first.
 *
 * --fits reads plain text, or a Chat Completions request when the file is a
 * JSON object with "messages" (or --as chat). Text is counted once per
 * encoding (exact); a request once per model, with that model's chat rules.
 * A model fits when tkm_fit_check says so with the reserved output. The
 * order is the cost of the prompt (plus the reserved output) at standard
 * prices; models with unknown prices come last. Exit 0 when some model
 * fits, 1 when none does.
 *
 * --json keys: listing: data_version, models [{name, aliases, kind,
 * encoding, context_window, max_input_tokens, max_output_tokens,
 * prices_per_1m {input_usd, cached_input_usd, output_usd, batch_input_usd,
 * batch_output_usd, flex_input_usd, flex_output_usd, priority_input_usd,
 * priority_output_usd}, long_context {threshold_tokens, input_usd,
 * output_usd} | null, source, verified}].
 * --fits: data_version, prompt {path, as, tokens_min, tokens_max},
 * reserve_output, fits [{model, encoding, prompt_tokens, exact,
 * context_window, max_input_tokens, max_output_tokens, max_output_fit,
 * cost_usd, cost_nanousd, complete}], too_big [{model, prompt_tokens, budget}],
 * excluded [{model, reason}]. */
#include "chat.h"
#include "io.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool kind_wanted(const cli_opts *o, tkm_model_kind k, bool fits_mode, bool chat)
{
    if (o->kind)
        return strcmp(o->kind, "any") == 0 || strcmp(o->kind, cli_kind_name(k)) == 0;
    if (!fits_mode)
        return true;
    return chat ? k == TKM_MODEL_CHAT : k == TKM_MODEL_CHAT || k == TKM_MODEL_COMPLETION;
}

static void num(uint64_t v, char *buf, size_t cap)
{
    if (v)
        snprintf(buf, cap, "%llu", (unsigned long long)v);
    else
        snprintf(buf, cap, "?");
}

static void per_m(tkm_nanousd p, char *buf, size_t cap)
{
    if (p == TKM_PRICE_UNKNOWN) {
        snprintf(buf, cap, "?");
        return;
    }
    /* Dollars with up to 4 decimals, trailing zeros dropped (at least 2). */
    long long whole = (long long)(p / TKM_NANOUSD_PER_USD);
    long long frac = (long long)(p % TKM_NANOUSD_PER_USD);
    char f[16];
    snprintf(f, sizeof f, "%09lld", frac);
    int keep = 9;
    while (keep > 2 && f[keep - 1] == '0')
        keep--;
    snprintf(buf, cap, "%lld.%.*s", whole, keep, f);
}

static json_t *model_json(const tkm_model *m)
{
    json_t *d = json_object();
    json_object_set_new(d, "name", jstr(m->name));
    json_t *al = json_array();
    for (size_t i = 0; i < m->n_aliases; i++)
        json_array_append_new(al, jstr(m->aliases[i]));
    json_object_set_new(d, "aliases", al);
    json_object_set_new(d, "kind", json_string(cli_kind_name(m->kind)));
    json_object_set_new(d, "encoding", jstr(m->encoding));
    json_object_set_new(d, "context_window", jcount(m->context_window, true));
    json_object_set_new(d, "max_input_tokens", jcount(m->max_input, true));
    json_object_set_new(d, "max_output_tokens", jcount(m->max_output, true));
    json_t *p = json_object();
    json_object_set_new(p, "input_usd", jusd(m->standard.input));
    json_object_set_new(p, "cached_input_usd", jusd(m->standard.cached_input));
    json_object_set_new(p, "output_usd", jusd(m->standard.output));
    json_object_set_new(p, "batch_input_usd", jusd(m->batch.input));
    json_object_set_new(p, "batch_output_usd", jusd(m->batch.output));
    json_object_set_new(p, "flex_input_usd", jusd(m->flex.input));
    json_object_set_new(p, "flex_output_usd", jusd(m->flex.output));
    json_object_set_new(p, "priority_input_usd", jusd(m->priority.input));
    json_object_set_new(p, "priority_output_usd", jusd(m->priority.output));
    json_object_set_new(d, "prices_per_1m", p);
    if (m->long_threshold) {
        json_t *l = json_object();
        json_object_set_new(l, "threshold_tokens", jcount(m->long_threshold, false));
        json_object_set_new(l, "input_usd", jusd(m->long_context.input));
        json_object_set_new(l, "output_usd", jusd(m->long_context.output));
        json_object_set_new(d, "long_context", l);
    } else {
        json_object_set_new(d, "long_context", json_null());
    }
    json_object_set_new(d, "source", jstr(m->source_url));
    json_object_set_new(d, "verified", jstr(m->verified));
    return d;
}

static int list(const cli_opts *o, const tkm_model_table *t)
{
    size_t n = tkm_model_table_count(t);
    if (o->json) {
        json_t *d = json_object(), *arr = json_array();
        json_object_set_new(d, "data_version", jstr(tkm_model_table_version(t)));
        for (size_t i = 0; i < n; i++) {
            const tkm_model *m = tkm_model_table_at(t, i);
            if (kind_wanted(o, m->kind, false, false))
                json_array_append_new(arr, model_json(m));
        }
        json_object_set_new(d, "models", arr);
        int rc = cli_json_print(d) == 0 ? EXIT_OK : EXIT_DATA;
        json_decref(d);
        return rc;
    }
    printf("model table %s; limits in tokens, prices in USD per 1M tokens, ? = unknown\n",
           tkm_model_table_version(t));
    printf("%-28s %-13s %-13s %8s %8s %8s %9s %9s %9s %9s %9s\n", "model", "kind", "encoding",
           "context", "max_in", "max_out", "input", "cached", "output", "batch_in", "batch_out");
    for (size_t i = 0; i < n; i++) {
        const tkm_model *m = tkm_model_table_at(t, i);
        if (!kind_wanted(o, m->kind, false, false))
            continue;
        char c[24], mi[24], mo[24], a[24], b[24], cc[24], d[24], e[24];
        num(m->context_window, c, sizeof c);
        num(m->max_input, mi, sizeof mi);
        num(m->max_output, mo, sizeof mo);
        per_m(m->standard.input, a, sizeof a);
        per_m(m->standard.cached_input, cc, sizeof cc);
        per_m(m->standard.output, b, sizeof b);
        per_m(m->batch.input, d, sizeof d);
        per_m(m->batch.output, e, sizeof e);
        printf("%-28s %-13s %-13s %8s %8s %8s %9s %9s %9s %9s %9s\n", m->name,
               cli_kind_name(m->kind), m->encoding ? m->encoding : "?", c, mi, mo, a, cc, b, d, e);
    }
    return EXIT_OK;
}

typedef struct fit_row {
    const tkm_model *m;
    size_t tokens;
    bool exact;
    tkm_fit fit;
    tkm_nanousd cost;
    const char *reason; /* excluded: why */
    char why[200];
    bool uncounted; /* tools or images the model has no rules for */
} fit_row;

static int cmp_rows(const void *a, const void *b)
{
    const fit_row *x = a, *y = b;
    bool ux = x->cost == TKM_PRICE_UNKNOWN, uy = y->cost == TKM_PRICE_UNKNOWN;
    if (ux != uy)
        return ux ? 1 : -1;
    if (!ux && x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return strcmp(x->m->name, y->m->name);
}

static bool looks_like_chat(const cli_opts *o, const char *text, size_t len)
{
    if (o->fits_as)
        return strcmp(o->fits_as, "chat") == 0;
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", text[i]))
        i++;
    if (i == len || text[i] != '{')
        return false;
    json_t *j = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
    bool chat = json_is_array(json_object_get(j, "messages"));
    json_decref(j);
    return chat;
}

static int fits(const cli_opts *o, const tkm_model_table *t)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_file(o->fits, &text, &len) != 0)
        return EXIT_USAGE;
    const char *name = strcmp(o->fits, "-") == 0 ? "<stdin>" : o->fits;
    bool chat = looks_like_chat(o, text, len);
    chat_req r;
    req_init(&r);
    int rc = EXIT_OK;
    if (chat) {
        cli_src src = {name, text, len, 0};
        r.root = cli_json_parse(&src);
        char *dir = cli_dirname(o->fits);
        req_parser p = {&src, dir, o, {.n = 0}, &r};
        if (!r.root || !req_parse_chat(&p, r.root))
            rc = EXIT_USAGE;
        free(dir);
    }
    size_t n = tkm_model_table_count(t), n_rows = 0;
    fit_row *rows = calloc(n ? n : 1, sizeof *rows);
    cli_enc_cache encs;
    memset(&encs, 0, sizeof encs);
    struct {
        const char *enc;
        size_t tokens;
    } text_counts[8];
    size_t n_tc = 0;
    if (!rows)
        rc = EXIT_DATA;
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        const tkm_model *m = tkm_model_table_at(t, i);
        fit_row *row = &rows[n_rows++];
        row->m = m;
        row->cost = TKM_PRICE_UNKNOWN;
        if (!kind_wanted(o, m->kind, true, chat)) {
            row->reason = "another kind of model";
            continue;
        }
        if (!m->encoding) {
            row->reason = "no encoding in the table";
            continue;
        }
        if (!m->context_window && !m->max_input) {
            row->reason = "limits unknown";
            continue;
        }
        tkm_encoding *enc;
        if ((rc = cli_enc_for_model(&encs, m, &enc)) != EXIT_OK)
            break;
        if (chat) {
            req_result res;
            cli_diag_mute(true);
            int crc = req_count(&r, m, encs.ctx, enc, o, true, TKM_TIER_STANDARD, NULL, &res);
            cli_diag_mute(false);
            if (crc != EXIT_OK) {
                size_t l, c;
                snprintf(row->why, sizeof row->why, "%s", cli_last_text(&l, &c));
                row->reason = row->why;
                continue;
            }
            row->tokens = res.prompt;
            row->exact = res.exact;
            row->uncounted = res.tools_uncounted || res.images_uncounted;
        } else {
            size_t k = 0;
            while (k < n_tc && strcmp(text_counts[k].enc, m->encoding) != 0)
                k++;
            if (k == n_tc) {
                tkm_token_count c;
                tkm_error_detail d;
                tkm_status st = tkm_text_count(enc, text, len, SIZE_MAX, &c, &d);
                if (st != TKM_OK) {
                    rc = cli_report_text_error(name, text, len, st, &d);
                    break;
                }
                text_counts[n_tc].enc = m->encoding;
                text_counts[n_tc++].tokens = c.tokens;
            }
            row->tokens = text_counts[k].tokens;
            row->exact = true;
        }
        tkm_fit_check(m, row->tokens, row->exact, (size_t)o->reserve_output, &row->fit);
        tkm_usage u;
        memset(&u, 0, sizeof u);
        u.prompt_tokens = row->tokens;
        u.completion_tokens = o->reserve_output;
        tkm_cost c;
        if (tkm_cost_usage(m, &u, &c) == TKM_OK)
            row->cost = c.total;
    }
    size_t n_fit = 0;
    if (rc == EXIT_OK) {
        qsort(rows, n_rows, sizeof *rows, cmp_rows);
        json_t *doc = NULL, *jf = NULL, *jt = NULL, *je = NULL;
        size_t tmin = SIZE_MAX, tmax = 0;
        for (size_t i = 0; i < n_rows; i++) {
            if (rows[i].reason)
                continue;
            tmin = rows[i].tokens < tmin ? rows[i].tokens : tmin;
            tmax = rows[i].tokens > tmax ? rows[i].tokens : tmax;
        }
        if (o->json) {
            doc = json_object();
            jf = json_array();
            jt = json_array();
            je = json_array();
            json_object_set_new(doc, "data_version", jstr(tkm_model_table_version(t)));
            json_t *pr = json_object();
            json_object_set_new(pr, "path", jstr(name));
            json_object_set_new(pr, "as", json_string(chat ? "chat" : "text"));
            json_object_set_new(pr, "tokens_min", tmin == SIZE_MAX ? json_null() : jcount(tmin, false));
            json_object_set_new(pr, "tokens_max", tmin == SIZE_MAX ? json_null() : jcount(tmax, false));
            json_object_set_new(doc, "prompt", pr);
            json_object_set_new(doc, "reserve_output", jcount(o->reserve_output, false));
        } else {
            printf("models that fit %s (%s, %llu output tokens reserved), cheapest first:\n", name,
                   chat ? "chat request" : "text", (unsigned long long)o->reserve_output);
            printf("%-28s %10s %9s %10s %12s\n", "model", "tokens", "context", "max_output", "cost");
        }
        size_t n_big = 0, n_excl = 0, n_star = 0;
        for (size_t i = 0; i < n_rows; i++) {
            fit_row *w = &rows[i];
            if (w->reason) {
                n_excl++;
                if (je) {
                    json_t *x = json_object();
                    json_object_set_new(x, "model", jstr(w->m->name));
                    json_object_set_new(x, "reason", jstr(w->reason));
                    json_array_append_new(je, x);
                }
                continue;
            }
            if (!w->fit.fits) {
                n_big++;
                if (jt) {
                    json_t *x = json_object();
                    json_object_set_new(x, "model", jstr(w->m->name));
                    json_object_set_new(x, "prompt_tokens", jcount(w->tokens, false));
                    json_object_set_new(x, "budget", jcount(w->fit.budget, false));
                    json_array_append_new(jt, x);
                }
                continue;
            }
            n_fit++;
            if (jf) {
                json_t *x = json_object();
                json_object_set_new(x, "model", jstr(w->m->name));
                json_object_set_new(x, "encoding", jstr(w->m->encoding));
                json_object_set_new(x, "prompt_tokens", jcount(w->tokens, false));
                json_object_set_new(x, "exact", json_boolean(w->exact));
                json_object_set_new(x, "context_window", jcount(w->m->context_window, true));
                json_object_set_new(x, "max_input_tokens", jcount(w->m->max_input, true));
                json_object_set_new(x, "max_output_tokens", jcount(w->m->max_output, true));
                json_object_set_new(x, "max_output_fit", jcount(w->fit.max_output_fit, false));
                jset_money(x, "cost", w->cost);
                json_object_set_new(x, "complete", json_boolean(!w->uncounted));
                json_array_append_new(jf, x);
            } else {
                char c[24], money[40];
                num(w->m->context_window, c, sizeof c);
                printf("%-28s %10zu %9s %10zu %12s%s\n", w->m->name, w->tokens, c,
                       w->fit.max_output_fit, cli_money(w->cost, money, sizeof money),
                       w->uncounted ? "  *" : "");
                n_star += w->uncounted;
            }
        }
        if (doc) {
            json_object_set_new(doc, "fits", jf);
            json_object_set_new(doc, "too_big", jt);
            json_object_set_new(doc, "excluded", je);
            if (cli_json_print(doc) != 0)
                rc = EXIT_DATA;
            json_decref(doc);
        } else {
            if (n_star)
                printf("* tool definitions or images not counted: the table has no rules for "
                       "these models, so their counts are too low\n");
            printf("%zu model%s, %zu too small, %zu not considered (other kinds, unknown "
                   "limits%s; --json lists why)\n",
                   n_fit, n_fit == 1 ? " fits" : "s fit", n_big, n_excl,
                   chat ? ", no rules for the request" : "");
        }
        if (chat && n_fit)
            req_print_notes(&r, NULL, NULL, stderr, "tokmeter: not counted: ");
    }
    if (rc == EXIT_OK && n_fit == 0)
        rc = EXIT_NEGATIVE;
    cli_enc_cache_free(&encs);
    free(rows);
    req_free(&r);
    free(text);
    return rc;
}

int cmd_models(cli_opts *o)
{
    if (o->n_files)
        return cli_usage("models takes no FILE ('%s'); use --fits FILE", o->files[0]);
    if (o->kind && strcmp(o->kind, "any") != 0) {
        bool ok = false;
        for (int k = TKM_MODEL_CHAT; k <= TKM_MODEL_SPEECH; k++)
            ok |= strcmp(o->kind, cli_kind_name((tkm_model_kind)k)) == 0;
        if (!ok)
            return cli_usage("--kind takes chat, completion, embedding, image, transcription, "
                             "speech or any, not '%s'", o->kind);
    }
    tkm_model_table *t = NULL;
    int rc = cli_table_load(o, &t);
    if (rc == EXIT_OK)
        rc = o->fits ? fits(o, t) : list(o, t);
    tkm_model_table_free(t);
    return rc;
}
