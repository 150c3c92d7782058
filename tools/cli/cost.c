/* cost.c — `tokmeter cost`: the price of tokens.
 *
 *   cost -m MODEL --input N --output N [--cached N] [--reasoning N]
 *        [--batch | --tier standard|batch|flex|priority]
 *   cost [-m MODEL] --usage USAGE.json
 *
 * --usage takes a response's usage object: Chat Completions
 * (prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,
 * completion_tokens_details.reasoning_tokens) or Responses (input_tokens,
 * output_tokens, input_tokens_details.cached_tokens,
 * output_tokens_details.reasoning_tokens), or the whole response, whose
 * "model" and "service_tier" are then used too. Cached tokens are part of
 * the prompt and billed at the cached price; reasoning tokens are part of
 * the completion and billed as output (tkm_cost_usage).
 *
 * --json keys: model, model_match, tier, data_version, prompt_tokens,
 * cached_tokens, completion_tokens, reasoning_tokens, long_context,
 * prices_per_1m {input_usd, cached_input_usd, output_usd}, cost {input_usd,
 * input_nanousd, cached_input_usd, cached_input_nanousd, output_usd,
 * output_nanousd, images_usd, images_nanousd, total_usd, total_nanousd},
 * not_counted [...]. Exit 3 when the table lacks a price the answer needs. */
#include "cli.h"
#include "io.h"
#include "json_in.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "$2.50" style: dollars per 1M tokens with 2 to 9 decimals. */
static const char *price_text(tkm_nanousd p, char *buf, size_t cap)
{
    if (p == TKM_PRICE_UNKNOWN) {
        snprintf(buf, cap, "unknown");
        return buf;
    }
    long long whole = (long long)(p / TKM_NANOUSD_PER_USD), frac = (long long)(p % TKM_NANOUSD_PER_USD);
    char f[16];
    snprintf(f, sizeof f, "%09lld", frac);
    int keep = 9;
    while (keep > 2 && f[keep - 1] == '0')
        keep--;
    snprintf(buf, cap, "$%lld.%.*s", whole, keep, f);
    return buf;
}

typedef struct usage_in {
    tkm_usage u;
    const char *model;      /* from a whole response */
    const char *tier;       /* service_tier of a whole response */
    char notes[4][200];
    size_t n_notes;
} usage_in;

/* Read a count at obj.key (or obj.key.sub). Absent: 0. */
static bool get_count(const cli_src *src, cli_jpath *p, json_t *obj, const char *key,
                      const char *sub, uint64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    jp_key(p, key);
    if (sub) {
        if (!v || json_is_null(v)) {
            jp_pop(p);
            return true;
        }
        if (!json_is_object(v)) {
            cli_json_err(src, p, "expected an object, got %s", cli_json_type(v));
            return false;
        }
        v = json_object_get(v, sub);
        jp_key(p, sub);
    }
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v)) {
            cli_json_err(src, p, "expected a whole number, got %s", cli_json_type(v));
            return false;
        }
        if (json_integer_value(v) < 0) {
            cli_json_err(src, p, "a token count cannot be negative (%lld)",
                         (long long)json_integer_value(v));
            return false;
        }
        *out = (uint64_t)json_integer_value(v);
        if (present)
            *present = true;
    }
    if (sub)
        jp_pop(p);
    jp_pop(p);
    return true;
}

static int read_usage(const char *path, usage_in *in, json_t **root_out, char **text)
{
    size_t len;
    if (cli_read_file(path, text, &len) != 0)
        return EXIT_USAGE;
    cli_src src = {strcmp(path, "-") == 0 ? "<stdin>" : path, *text, len, 0};
    json_t *root = cli_json_parse(&src);
    if (!root)
        return EXIT_USAGE;
    *root_out = root;
    cli_jpath p = {.n = 0};
    json_t *u = root;
    if (!json_is_object(root)) {
        cli_json_err(&src, &p, "expected a usage object, got %s", cli_json_type(root));
        return EXIT_USAGE;
    }
    json_t *inner = json_object_get(root, "usage");
    if (inner) { /* a whole response */
        json_t *m = json_object_get(root, "model"), *t = json_object_get(root, "service_tier");
        in->model = json_is_string(m) ? json_string_value(m) : NULL;
        in->tier = json_is_string(t) ? json_string_value(t) : NULL;
        jp_key(&p, "usage");
        if (!json_is_object(inner)) {
            cli_json_err(&src, &p, "expected a usage object, got %s", cli_json_type(inner));
            return EXIT_USAGE;
        }
        u = inner;
    }
    bool chat = json_object_get(u, "prompt_tokens") || json_object_get(u, "completion_tokens");
    bool resp = json_object_get(u, "input_tokens") || json_object_get(u, "output_tokens");
    if (!chat && !resp) {
        cli_json_err(&src, &p, "missing \"prompt_tokens\"/\"completion_tokens\" (or "
                               "\"input_tokens\"/\"output_tokens\")");
        return EXIT_USAGE;
    }
    const char *in_key = chat ? "prompt_tokens" : "input_tokens";
    const char *out_key = chat ? "completion_tokens" : "output_tokens";
    const char *in_det = chat ? "prompt_tokens_details" : "input_tokens_details";
    const char *out_det = chat ? "completion_tokens_details" : "output_tokens_details";
    uint64_t total = 0, audio_in = 0, audio_out = 0, image_in = 0;
    bool has_total = false;
    if (!get_count(&src, &p, u, in_key, NULL, &in->u.prompt_tokens, NULL) ||
        !get_count(&src, &p, u, out_key, NULL, &in->u.completion_tokens, NULL) ||
        !get_count(&src, &p, u, "total_tokens", NULL, &total, &has_total) ||
        !get_count(&src, &p, u, in_det, "cached_tokens", &in->u.cached_tokens, NULL) ||
        !get_count(&src, &p, u, out_det, "reasoning_tokens", &in->u.reasoning_tokens, NULL) ||
        !get_count(&src, &p, u, in_det, "audio_tokens", &audio_in, NULL) ||
        !get_count(&src, &p, u, out_det, "audio_tokens", &audio_out, NULL) ||
        !get_count(&src, &p, u, in_det, "image_tokens", &image_in, NULL))
        return EXIT_USAGE;
    if (has_total && total != in->u.prompt_tokens + in->u.completion_tokens)
        cli_note("%s: note: total_tokens %llu is not %s + %s = %llu", src.path,
                (unsigned long long)total, in_key, out_key,
                (unsigned long long)(in->u.prompt_tokens + in->u.completion_tokens));
    if (audio_in + audio_out && in->n_notes < 4)
        snprintf(in->notes[in->n_notes++], sizeof in->notes[0],
                 "%llu audio tokens are priced as text tokens (the table has no audio prices)",
                 (unsigned long long)(audio_in + audio_out));
    in->u.image_input_tokens = image_in;
    return EXIT_OK;
}

static int run(cli_opts *o, tkm_model_table *t, usage_in *in)
{
    const char *name = o->model ? o->model : in->model;
    if (!name)
        return cli_usage("%s", "cost needs -m MODEL (or a response with \"model\" in --usage)");
    const tkm_model *m;
    tkm_model_match how;
    int rc = cli_find_model(t, name, &m, &how);
    if (rc != EXIT_OK)
        return rc;
    tkm_usage *u = &in->u;
    u->tier = o->has_tier ? o->tier : TKM_TIER_STANDARD;
    if (!o->has_tier && in->tier) {
        if (strcmp(in->tier, "flex") == 0)
            u->tier = TKM_TIER_FLEX;
        else if (strcmp(in->tier, "priority") == 0)
            u->tier = TKM_TIER_PRIORITY;
    }
    if (m->kind == TKM_MODEL_IMAGE)
        u->image_output_tokens = u->completion_tokens; /* image models bill output as image tokens */
    if (u->cached_tokens > u->prompt_tokens)
        return cli_usage("cached tokens (%llu) are part of the input and cannot exceed it (%llu)",
                         (unsigned long long)u->cached_tokens, (unsigned long long)u->prompt_tokens);
    if (u->reasoning_tokens > u->completion_tokens)
        return cli_usage("reasoning tokens (%llu) are part of the output and cannot exceed it (%llu)",
                         (unsigned long long)u->reasoning_tokens,
                         (unsigned long long)u->completion_tokens);
    tkm_cost c;
    tkm_status st = tkm_cost_usage(m, u, &c);
    if (st == TKM_ERR_PRICE_UNKNOWN) {
        cli_err("%s: the model table (data version %s) has no %s-tier price for this usage",
                m->name, tkm_model_table_version(t), cli_tier_name(u->tier));
        return EXIT_DATA;
    }
    if (st != TKM_OK) {
        cli_err("%s: %s", m->name, tkm_strerror(st));
        return st == TKM_ERR_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_DATA;
    }
    const tkm_price_set *ps = c.long_context                ? &m->long_context
                              : u->tier == TKM_TIER_BATCH    ? &m->batch
                              : u->tier == TKM_TIER_FLEX     ? &m->flex
                              : u->tier == TKM_TIER_PRIORITY ? &m->priority
                                                             : &m->standard;
    char a[40], b[40];
    if (o->json) {
        json_t *d = json_object();
        json_object_set_new(d, "model", jstr(m->name));
        json_object_set_new(d, "model_match", json_string(cli_match_name(how)));
        json_object_set_new(d, "tier", json_string(cli_tier_name(u->tier)));
        json_object_set_new(d, "data_version", jstr(tkm_model_table_version(t)));
        json_object_set_new(d, "prompt_tokens", jcount(u->prompt_tokens, false));
        json_object_set_new(d, "cached_tokens", jcount(u->cached_tokens, false));
        json_object_set_new(d, "completion_tokens", jcount(u->completion_tokens, false));
        json_object_set_new(d, "reasoning_tokens", jcount(u->reasoning_tokens, false));
        json_object_set_new(d, "long_context", json_boolean(c.long_context));
        json_t *pr = json_object();
        json_object_set_new(pr, "input_usd", jusd(ps->input));
        json_object_set_new(pr, "cached_input_usd", jusd(ps->cached_input));
        json_object_set_new(pr, "output_usd", jusd(ps->output));
        json_object_set_new(d, "prices_per_1m", pr);
        json_t *co = json_object();
        jset_money(co, "input", c.input);
        jset_money(co, "cached_input", c.cached_input);
        jset_money(co, "output", c.output);
        jset_money(co, "images", c.images);
        jset_money(co, "total", c.total);
        json_object_set_new(d, "cost", co);
        json_t *nc = json_array();
        for (size_t i = 0; i < in->n_notes; i++) {
            json_t *n = json_object();
            json_object_set_new(n, "where", json_string("usage"));
            json_object_set_new(n, "reason", json_string(in->notes[i]));
            json_array_append_new(nc, n);
        }
        json_object_set_new(d, "not_counted", nc);
        rc = cli_json_print(d) == 0 ? EXIT_OK : EXIT_DATA;
        json_decref(d);
        return rc;
    }
    printf("model      %s (%s tier%s; model table %s)\n", m->name, cli_tier_name(u->tier),
           c.long_context ? ", long-context prices" : "", tkm_model_table_version(t));
    uint64_t uncached = u->prompt_tokens - u->cached_tokens - u->image_input_tokens;
    printf("input      %llu tokens x %s/1M = %s\n", (unsigned long long)uncached,
           price_text(ps->input, a, sizeof a), cli_money(c.input, b, sizeof b));
    if (u->cached_tokens)
        printf("cached     %llu tokens x %s/1M = %s\n", (unsigned long long)u->cached_tokens,
               price_text(ps->cached_input, a, sizeof a), cli_money(c.cached_input, b, sizeof b));
    printf("output     %llu tokens", (unsigned long long)(u->completion_tokens - u->image_output_tokens));
    if (u->reasoning_tokens)
        printf(" (%llu reasoning)", (unsigned long long)u->reasoning_tokens);
    printf(" x %s/1M = %s\n", price_text(ps->output, a, sizeof a), cli_money(c.output, b, sizeof b));
    if (c.images)
        printf("images     %s\n", cli_money(c.images, b, sizeof b));
    printf("total      %s\n", cli_money(c.total, b, sizeof b));
    for (size_t i = 0; i < in->n_notes; i++)
        printf("note       %s\n", in->notes[i]);
    return EXIT_OK;
}

int cmd_cost(cli_opts *o)
{
    if (o->n_files)
        return cli_usage("cost takes no FILE ('%s'); use --usage FILE for a usage object", o->files[0]);
    bool numbers = o->has_input || o->has_output || o->has_cached || o->has_reasoning;
    if (o->usage_file && numbers)
        return cli_usage("%s", "give either --usage FILE or --input/--output numbers, not both");
    if (!o->usage_file && !o->has_input && !o->has_output)
        return cli_usage("%s", "cost needs --input N and --output N (or --usage FILE)");
    usage_in in;
    memset(&in, 0, sizeof in);
    json_t *root = NULL;
    char *text = NULL;
    int rc = EXIT_OK;
    if (o->usage_file) {
        rc = read_usage(o->usage_file, &in, &root, &text);
    } else {
        in.u.prompt_tokens = o->input;
        in.u.completion_tokens = o->output;
        in.u.cached_tokens = o->cached;
        in.u.reasoning_tokens = o->reasoning;
    }
    tkm_model_table *t = NULL;
    if (rc == EXIT_OK)
        rc = cli_table_load(o, &t);
    if (rc == EXIT_OK)
        rc = run(o, t, &in);
    tkm_model_table_free(t);
    json_decref(root);
    free(text);
    return rc;
}
