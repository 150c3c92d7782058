/* chat.c — `tokmeter chat [-m MODEL] REQUEST.json`: the prompt tokens of a
 * Chat Completions request (exact text part and estimated overhead), the
 * context check and the cost range. Exit 0 when it fits (or the model's
 * limits are unknown), 1 when it does not, 2 on input errors.
 *
 * --json keys (README.md): model, model_match, encoding, data_version,
 * messages, tools, prompt_tokens, exact, text_tokens, overhead_tokens,
 * overhead {framing, tools, images}, fits, context_window,
 * max_input_tokens, max_output_tokens, reserved_output_tokens,
 * reserved_from, remaining_tokens, max_output_fit, n, cost {tier,
 * long_context, output_tokens_max, input_usd, input_nanousd, output_usd_max,
 * output_nanousd_max, total_usd_min, total_nanousd_min, total_usd_max,
 * total_nanousd_max, unknown_reason}, images [...], not_counted [...]. */
#include "chat.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *chat_cost_json(const req_result *res)
{
    json_t *c = json_object();
    bool ok = res->cost_status == TKM_OK;
    bool out_ok = ok && res->out_known;
    json_object_set_new(c, "tier", json_string(cli_tier_name(res->tier)));
    json_object_set_new(c, "long_context", json_boolean(ok && res->cost_max.long_context));
    json_object_set_new(c, "output_tokens_max",
                        res->out_known ? jcount(res->out_total, false) : json_null());
    tkm_nanousd unknown = TKM_PRICE_UNKNOWN;
    tkm_nanousd in = ok ? res->cost_min.total : unknown;
    tkm_nanousd out = out_ok ? res->cost_max.total - res->cost_min.total : unknown;
    tkm_nanousd tmax = out_ok ? res->cost_max.total : unknown;
    json_object_set_new(c, "input_usd", jusd(in));
    json_object_set_new(c, "input_nanousd", jnano(in));
    json_object_set_new(c, "output_usd_max", jusd(out));
    json_object_set_new(c, "output_nanousd_max", jnano(out));
    json_object_set_new(c, "total_usd_min", jusd(in));
    json_object_set_new(c, "total_nanousd_min", jnano(in));
    json_object_set_new(c, "total_usd_max", jusd(tmax));
    json_object_set_new(c, "total_nanousd_max", jnano(tmax));
    json_object_set_new(c, "unknown_reason",
                        !ok        ? json_string(tkm_strerror(res->cost_status))
                        : !out_ok ? json_string("the maximum output is unknown")
                                  : json_null());
    return c;
}

void chat_print_cost(const req_result *res, FILE *f)
{
    char a[40], b[40], c[40];
    if (res->cost_status != TKM_OK) {
        fprintf(f, "cost         unknown at the %s tier: %s\n", cli_tier_name(res->tier),
                tkm_strerror(res->cost_status));
        return;
    }
    cli_money(res->cost_min.total, a, sizeof a);
    if (!res->out_known) {
        fprintf(f, "cost         %s tier: prompt %s; the output is unbounded (no max output known)\n",
                cli_tier_name(res->tier), a);
        return;
    }
    cli_money(res->cost_max.total - res->cost_min.total, b, sizeof b);
    cli_money(res->cost_max.total, c, sizeof c);
    fprintf(f, "cost         %s tier%s: prompt %s + output up to %s (%llu tokens) = %s to %s\n",
            cli_tier_name(res->tier), res->cost_max.long_context ? ", long-context prices" : "",
            a, b, (unsigned long long)res->out_total, a, c);
}

int chat_resolve_model(const cli_opts *o, const chat_req *r, const tkm_model_table *t,
                       const tkm_model **m, tkm_model_match *how)
{
    const char *name = o->model ? o->model : r->model;
    if (!name)
        return cli_usage("%s", "the request has no \"model\": give -m MODEL");
    if (o->model && r->model && strcmp(o->model, r->model) != 0)
        cli_note("note: counting for -m %s, not the request's model %s", o->model, r->model);
    return cli_find_model(t, name, m, how);
}

static void print_text(const chat_req *r, const tkm_model *m, const tkm_encoding *enc,
                       const req_result *res, const char *version)
{
    printf("model        %s (%s; model table %s)\n", m->name, tkm_encoding_name(enc), version);
    printf("prompt       %zu tokens, %s: %zu text (exact) + %zu overhead (estimate: %zu "
           "framing, %zu tools, %zu images)\n",
           res->prompt, res->exact ? "exact" : "estimate", res->text, res->prompt - res->text,
           res->framing, res->tools, res->images);
    printf("limits       ");
    if (m->context_window)
        printf("%llu context window", (unsigned long long)m->context_window);
    else
        printf("context window unknown");
    if (m->max_input)
        printf(", %llu max input", (unsigned long long)m->max_input);
    if (m->max_output)
        printf(", %llu max output", (unsigned long long)m->max_output);
    printf("\n");
    const char *from = !res->reserved              ? NULL
                       : res->reserved_from_option ? "--reserve-output"
                                                   : r->max_output_key;
    if (!res->fit_known) {
        printf("fits         unknown: the model table has no limits for %s\n", m->name);
    } else if (res->fit.fits) {
        printf("fits         yes: %zu prompt", res->prompt);
        if (from)
            printf(" + %llu output (%s)", (unsigned long long)res->reserved, from);
        printf(" leaves %zu tokens", res->fit.remaining);
        printf("; max_tokens up to %zu\n", res->fit.max_output_fit);
    } else {
        printf("fits         NO: %zu prompt", res->prompt);
        if (from)
            printf(" + %llu output (%s)", (unsigned long long)res->reserved, from);
        if (m->max_output && res->reserved > m->max_output)
            printf("; the output exceeds the max output of %llu\n",
                   (unsigned long long)m->max_output);
        else if (res->largest > res->fit.budget)
            printf(": the prompt exceeds the prompt budget of %zu\n", res->fit.budget);
        else
            printf(" = %llu exceeds the %llu-token context window\n",
                   (unsigned long long)(res->prompt + res->reserved),
                   (unsigned long long)m->context_window);
    }
    if (r->n > 1)
        printf("choices      n = %llu (the output is paid n times)\n", (unsigned long long)r->n);
    chat_print_cost(res, stdout);
    for (size_t i = 0; i < r->n_images; i++) {
        const req_image *im = &r->images[i];
        printf("image        %s: %s%s%s %ux%u%s, detail %s: ", im->where, im->info.source,
               im->info.format ? " " : "", im->info.format ? im->info.format : "",
               im->info.width, im->info.height, im->info.assumed ? " (assumed: size unknown; --image-size WxH)" : "",
               req_detail_name(im->detail));
        if (im->counted)
            printf("%zu tokens\n", im->tokens);
        else
            printf("not counted\n");
    }
    size_t nn = req_n_notes(r, res, m);
    for (size_t i = 0; i < nn; i++) {
        char where[200], what[400];
        req_note_at(r, res, m, i, where, sizeof where, what, sizeof what);
        printf("not counted  %s: %s\n", where, what);
    }
}

json_t *chat_result_json(const chat_req *r, const tkm_model *m, const tkm_encoding *enc,
                         tkm_model_match how, const req_result *res, const char *version)
{
    json_t *d = json_object();
    json_object_set_new(d, "model", jstr(m->name));
    json_object_set_new(d, "model_match", json_string(cli_match_name(how)));
    json_object_set_new(d, "encoding", json_string(tkm_encoding_name(enc)));
    json_object_set_new(d, "data_version", jstr(version));
    json_object_set_new(d, "endpoint", json_string(r->endpoint));
    json_object_set_new(d, "messages", json_integer((json_int_t)r->n_msgs));
    json_object_set_new(d, "tools", json_integer((json_int_t)r->n_tools));
    json_object_set_new(d, "prompt_tokens", json_integer((json_int_t)res->prompt));
    json_object_set_new(d, "exact", json_boolean(res->exact));
    json_object_set_new(d, "text_tokens", json_integer((json_int_t)res->text));
    json_object_set_new(d, "overhead_tokens", json_integer((json_int_t)(res->prompt - res->text)));
    json_t *ov = json_object();
    json_object_set_new(ov, "framing", json_integer((json_int_t)res->framing));
    json_object_set_new(ov, "tools", json_integer((json_int_t)res->tools));
    json_object_set_new(ov, "images", json_integer((json_int_t)res->images));
    json_object_set_new(d, "overhead", ov);
    json_object_set_new(d, "fits", res->fit_known ? json_boolean(res->fit.fits) : json_null());
    json_object_set_new(d, "context_window", jcount(m->context_window, true));
    json_object_set_new(d, "max_input_tokens", jcount(m->max_input, true));
    json_object_set_new(d, "max_output_tokens", jcount(m->max_output, true));
    json_object_set_new(d, "reserved_output_tokens", jcount(res->reserved, false));
    json_object_set_new(d, "reserved_from",
                        !res->reserved              ? json_null()
                        : res->reserved_from_option ? json_string("--reserve-output")
                                                    : json_string(r->max_output_key));
    json_object_set_new(d, "remaining_tokens",
                        res->fit_known ? jcount(res->fit.remaining, false) : json_null());
    json_object_set_new(d, "max_output_fit",
                        res->fit_known ? jcount(res->fit.max_output_fit, false) : json_null());
    json_object_set_new(d, "n", jcount(r->n, false));
    json_object_set_new(d, "cost", chat_cost_json(res));
    json_object_set_new(d, "images", req_images_json(r));
    json_object_set_new(d, "not_counted", req_notes_json(r, res, m));
    return d;
}

int cmd_chat(cli_opts *o)
{
    if (o->n_files > 1)
        return cli_usage("%s", "chat takes one REQUEST.json (or - for stdin)");
    const char *path = o->n_files ? o->files[0] : "-";
    chat_req r;
    char *text = NULL;
    size_t len = 0;
    tkm_model_table *t = NULL;
    tkm_encoding *enc = NULL;
    int rc = req_load_chat_file(path, o, &r, &text, &len);
    if (rc == EXIT_OK)
        rc = cli_table_load(o, &t);
    const tkm_model *m = NULL;
    tkm_model_match how = TKM_MATCH_EXACT;
    if (rc == EXIT_OK)
        rc = chat_resolve_model(o, &r, t, &m, &how);
    if (rc == EXIT_OK && !m->encoding) {
        cli_err("%s: the model table gives no encoding (it has no token counting rules)", m->name);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && tkm_model_encoding_load(m, NULL, &enc) != TKM_OK) {
        cli_err("%s: cannot load the encoding %s", m->name, m->encoding);
        rc = EXIT_DATA;
    }
    req_result res;
    if (rc == EXIT_OK)
        rc = req_count(&r, m, NULL, enc, o, o->has_tier, o->tier, NULL, &res);
    if (rc == EXIT_OK) {
        const char *version = tkm_model_table_version(t);
        if (o->json) {
            json_t *doc = chat_result_json(&r, m, enc, how, &res, version);
            if (cli_json_print(doc) != 0)
                rc = EXIT_DATA;
            json_decref(doc);
        } else {
            print_text(&r, m, enc, &res, version);
        }
        if (rc == EXIT_OK && res.fit_known && !res.fit.fits)
            rc = EXIT_NEGATIVE;
    }
    tkm_encoding_free(enc);
    tkm_model_table_free(t);
    req_free(&r);
    free(text);
    return rc;
}
