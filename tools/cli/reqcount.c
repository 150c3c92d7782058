/* reqcount.c — counting a parsed request for one model: the prompt tokens
 * split into the exact text part and the estimated overhead, the context
 * check, and the cost range.
 *
 *  text     tokens of the strings themselves (contents, text parts, names,
 *           tool-call names and arguments): exact, from the tokenizer;
 *  framing  what tkm_chat_count adds around them (per message, roles, per
 *           name, per tool call, reply priming): estimate;
 *  tools    tkm_tools_count of the function definitions: estimate;
 *  images   tkm_image_tokens of each image part: estimate.
 * prompt = text + framing + tools + images. Completions and embeddings
 * inputs are plain text: exact, no framing.
 *
 * Fit: tkm_fit_check with the reserved output (--reserve-output, else the
 * request's max tokens, else 0). Cost: tkm_cost_usage for the prompt alone
 * (minimum) and for the prompt plus the largest possible output (maximum):
 * the reserved output, else the most the window leaves (capped by the
 * model's max output), times n. */
#include "request.h"
#include "json_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every count goes through req_count's context (the caller's, whose piece
 * cache then stays warm from request to request, or one of its own). */
static tkm_status count_text(tkm_context *ctx, const tkm_encoding *enc, const char *s, size_t len,
                             size_t *acc)
{
    if (!s || !len)
        return TKM_OK;
    tkm_token_count c;
    tkm_status st = tkm_context_text_count(ctx, enc, s, len, SIZE_MAX, &c, NULL);
    if (st == TKM_OK)
        *acc += c.tokens;
    return st;
}

static tkm_status exact_text(const chat_req *r, tkm_context *ctx, const tkm_encoding *enc,
                             size_t *out)
{
    size_t t = 0;
    tkm_status st = TKM_OK;
    for (size_t i = 0; i < r->n_msgs && st == TKM_OK; i++) {
        const tkm_chat_message *m = &r->msgs[i];
        if (m->n_parts) {
            for (size_t k = 0; k < m->n_parts && st == TKM_OK; k++)
                if (m->parts[k].kind == TKM_PART_TEXT)
                    st = count_text(ctx, enc, m->parts[k].text, m->parts[k].text_len, &t);
        } else {
            st = count_text(ctx, enc, m->content, m->content_len, &t);
        }
        if (st == TKM_OK && m->name)
            st = count_text(ctx, enc, m->name, m->name_len, &t);
        for (size_t k = 0; k < m->n_tool_calls && st == TKM_OK; k++) {
            st = count_text(ctx, enc, m->tool_calls[k].name, m->tool_calls[k].name_len, &t);
            if (st == TKM_OK)
                st = count_text(ctx, enc, m->tool_calls[k].arguments,
                                m->tool_calls[k].arguments_len, &t);
        }
    }
    *out = t;
    return st;
}

static int fail(const char *who, int rc, const char *fmt, ...) CLI_PRINTF(3, 4);
static int fail(const char *who, int rc, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_err("%s%s%s", who ? who : "", who ? ": " : "", msg);
    return rc;
}

/* Image tokens, or a copy of the messages without the images the model
 * cannot count (then noted). */
static int images(chat_req *r, const tkm_model *m, const char *who, const tkm_chat_message **msgs,
                  size_t *total, size_t *uncounted)
{
    size_t out_uncounted = 0;
    *msgs = r->msgs;
    *total = 0;
    if (!r->n_images)
        return EXIT_OK;
    tkm_image_family fam = m->image.family;
    if (fam == TKM_IMAGE_NONE)
        return fail(who, EXIT_USAGE, "%s takes no image input (%s)", m->name, r->images[0].where);
    if (fam == TKM_IMAGE_TILE || fam == TKM_IMAGE_PATCH) {
        for (size_t i = 0; i < r->n_images; i++) {
            req_image *im = &r->images[i];
            tkm_status st = tkm_image_tokens(m, im->info.width, im->info.height, im->detail,
                                             &im->tokens);
            if (st != TKM_OK)
                return fail(who, cli_status_exit(st), "%s: %s", im->where, tkm_strerror(st));
            im->counted = true;
            *total += im->tokens;
        }
        return EXIT_OK;
    }
    /* The table does not say how this model counts images: leave them out. */
    tkm_chat_message *copy = req_alloc(r, r->n_msgs * sizeof *copy);
    if (!copy)
        return fail(who, EXIT_DATA, "out of memory");
    memcpy(copy, r->msgs, r->n_msgs * sizeof *copy);
    for (size_t i = 0; i < r->n_images; i++) {
        req_image *im = &r->images[i];
        im->counted = false;
        im->tokens = 0;
        out_uncounted++;
        tkm_chat_message *cm = &copy[im->msg];
        if (cm->parts == r->msgs[im->msg].parts) {
            tkm_content_part *parts = req_alloc(r, cm->n_parts * sizeof *parts);
            if (!parts)
                return fail(who, EXIT_DATA, "out of memory");
            memcpy(parts, cm->parts, cm->n_parts * sizeof *parts);
            cm->parts = parts;
        }
        tkm_content_part *pp = (tkm_content_part *)&cm->parts[im->part];
        memset(pp, 0, sizeof *pp);
        pp->kind = TKM_PART_TEXT;
    }
    *msgs = copy;
    *uncounted = out_uncounted;
    return EXIT_OK;
}

static int count_chat(chat_req *r, const tkm_model *m, tkm_context *ctx, const tkm_encoding *enc,
                      const char *who, req_result *out)
{
    if (m->kind != TKM_MODEL_CHAT)
        return fail(who, EXIT_USAGE, "%s is a%s model: it takes no chat messages", m->name,
                    m->kind == TKM_MODEL_EMBEDDING ? "n embedding"
                    : m->kind == TKM_MODEL_COMPLETION ? " completion"
                    : m->kind == TKM_MODEL_IMAGE      ? "n image"
                                                      : " non-chat");
    const tkm_chat_message *msgs;
    int rc = images(r, m, who, &msgs, &out->images, &out->images_uncounted);
    if (rc != EXIT_OK)
        return rc;
    tkm_token_count chat, tools = {0, true, false};
    tkm_error_detail d;
    memset(&d, 0, sizeof d);
    r->count_msgs = msgs;
    tkm_status st = tkm_context_chat_count(ctx, m, enc, msgs, r->n_msgs, SIZE_MAX, &chat, &d);
    if (st == TKM_ERR_NO_RULES)
        return fail(who, EXIT_DATA, "%s: the model table has no chat counting rules for it",
                    m->name);
    if (st != TKM_OK)
        return fail(who, cli_status_exit(st), "%s: %s", m->name,
                    d.message[0] ? d.message : tkm_strerror(st));
    if (r->n_tools) {
        st = tkm_context_tools_count(ctx, m, enc, r->tools, r->n_tools, &tools, &d);
        if (st == TKM_ERR_NO_RULES) {
            tools.tokens = 0;
            out->tools_uncounted = r->n_tools;
        } else if (st != TKM_OK) {
            return fail(who, cli_status_exit(st), "tools: %s", tkm_strerror(st));
        }
    }
    st = exact_text(r, ctx, enc, &out->text);
    if (st != TKM_OK)
        return fail(who, cli_status_exit(st), "%s", tkm_strerror(st));
    out->tools = tools.tokens;
    out->framing = chat.tokens >= out->text + out->images ? chat.tokens - out->text - out->images : 0;
    out->prompt = chat.tokens + tools.tokens;
    out->largest = out->prompt;
    out->exact = false;
    return EXIT_OK;
}

static int count_texts(chat_req *r, const tkm_model *m, tkm_context *ctx, const tkm_encoding *enc,
                       const char *who, req_result *out)
{
    if (strcmp(r->endpoint, "embeddings") == 0 ? m->kind != TKM_MODEL_EMBEDDING
                                               : m->kind != TKM_MODEL_COMPLETION &&
                                                     m->kind != TKM_MODEL_CHAT)
        return fail(who, EXIT_USAGE, "%s is not a model for /v1/%s", m->name, r->endpoint);
    size_t total = 0, largest = 0;
    for (size_t i = 0; i < r->n_texts; i++) {
        size_t t = 0;
        tkm_status st = count_text(ctx, enc, r->texts[i].text, r->texts[i].len, &t);
        if (st != TKM_OK)
            return fail(who, cli_status_exit(st), "%s", tkm_strerror(st));
        total += t;
        if (t > largest)
            largest = t;
    }
    out->text = total + r->pretokenized;
    out->prompt = out->text;
    out->largest = largest > r->largest_pretok ? largest : r->largest_pretok;
    out->exact = true;
    return EXIT_OK;
}

int req_count(chat_req *r, const tkm_model *m, tkm_context *ctx, const tkm_encoding *enc,
              const cli_opts *o, bool tier_forced, tkm_service_tier tier, const char *who,
              req_result *out)
{
    memset(out, 0, sizeof *out);
    tkm_context *own = NULL;
    if (!ctx) {
        if (tkm_context_create(NULL, &own) != TKM_OK)
            return fail(who, EXIT_DATA, "out of memory");
        ctx = own;
    }
    int rc = r->kind == REQ_CHAT ? count_chat(r, m, ctx, enc, who, out)
                                 : count_texts(r, m, ctx, enc, who, out);
    tkm_context_free(own);
    if (rc != EXIT_OK)
        return rc;
    bool embed = r->kind == REQ_TEXT && strcmp(r->endpoint, "embeddings") == 0;
    out->reserved = o && o->has_reserve ? o->reserve_output
                    : r->has_max_output ? r->max_output
                                        : 0;
    out->reserved_from_option = o && o->has_reserve;
    out->fit_known = tkm_fit_check(m, out->largest, out->exact, (size_t)out->reserved,
                                   &out->fit) == TKM_OK;
    out->fit.prompt_tokens = out->prompt;

    /* Output tokens for the cost maximum. */
    out->out_known = true;
    if (embed)
        out->out_per_choice = 0;
    else if ((o && o->has_reserve) || r->has_max_output)
        out->out_per_choice = out->reserved;
    else if (out->fit_known && out->fit.max_output_fit)
        out->out_per_choice = out->fit.max_output_fit;
    else if (m->max_output)
        out->out_per_choice = m->max_output;
    else
        out->out_known = false;
    uint64_t mult = r->n * (r->kind == REQ_TEXT && r->n_prompts ? r->n_prompts : 1);
    out->out_total = out->out_per_choice;
    if (mult && out->out_total > UINT64_MAX / mult)
        out->out_known = false;
    else
        out->out_total *= mult;

    out->tier = tier_forced ? tier : r->has_tier ? r->tier : tier;
    if (embed) {
        tkm_nanousd c;
        out->cost_status = tkm_cost_embedding(m, out->prompt, out->tier, &c);
        memset(&out->cost_min, 0, sizeof out->cost_min);
        out->cost_min.input = out->cost_min.total = c;
        out->cost_max = out->cost_min;
        return EXIT_OK;
    }
    tkm_usage u;
    memset(&u, 0, sizeof u);
    u.prompt_tokens = out->prompt;
    u.tier = out->tier;
    out->cost_status = tkm_cost_usage(m, &u, &out->cost_min);
    if (out->cost_status == TKM_OK && out->out_known) {
        u.completion_tokens = out->out_total;
        out->cost_status = tkm_cost_usage(m, &u, &out->cost_max);
    }
    return EXIT_OK;
}

/* The request's notes, plus what this model could not count. */
static size_t result_note(const chat_req *r, const req_result *res, const tkm_model *m, size_t i,
                          char *where, size_t wcap, char *what, size_t cap)
{
    size_t k = 0;
    if (res && res->tools_uncounted) {
        if (i == k) {
            snprintf(where, wcap, "tools");
            snprintf(what, cap,
                     "%zu tool definition%s not counted: the model table has no tool rules for "
                     "%s (the cookbook gives them for gpt-4o, gpt-4o-mini, gpt-4 and "
                     "gpt-3.5-turbo only)",
                     res->tools_uncounted, res->tools_uncounted == 1 ? " is" : "s are", m->name);
        }
        k++;
    }
    if (res && res->images_uncounted) {
        if (i == k) {
            snprintf(where, wcap, "%s", r->images[0].where);
            snprintf(what, cap, "%zu image%s not counted: the model table has no image rules for %s",
                     res->images_uncounted, res->images_uncounted == 1 ? " is" : "s are", m->name);
        }
        k++;
    }
    return k;
}

size_t req_n_notes(const chat_req *r, const req_result *res, const tkm_model *m)
{
    char a[8], b[8];
    return r->n_notes + result_note(r, res, m, SIZE_MAX, a, sizeof a, b, sizeof b);
}

void req_note_at(const chat_req *r, const req_result *res, const tkm_model *m, size_t i,
                 char *where, size_t wcap, char *what, size_t cap)
{
    if (i < r->n_notes) {
        snprintf(where, wcap, "%s", r->notes[i].where);
        snprintf(what, cap, "%s", r->notes[i].what);
    } else {
        result_note(r, res, m, i - r->n_notes, where, wcap, what, cap);
    }
}

json_t *req_notes_json(const chat_req *r, const req_result *res, const tkm_model *m)
{
    json_t *a = json_array();
    size_t n = req_n_notes(r, res, m);
    for (size_t i = 0; i < n; i++) {
        char where[200], what[400];
        req_note_at(r, res, m, i, where, sizeof where, what, sizeof what);
        json_t *o = json_object();
        json_object_set_new(o, "where", jstr(where));
        json_object_set_new(o, "reason", jstr(what));
        json_array_append_new(a, o);
    }
    return a;
}

void req_print_notes(const chat_req *r, const req_result *res, const tkm_model *m, FILE *f,
                     const char *prefix)
{
    size_t n = req_n_notes(r, res, m);
    for (size_t i = 0; i < n; i++) {
        char where[200], what[400];
        req_note_at(r, res, m, i, where, sizeof where, what, sizeof what);
        fprintf(f, "%s%s: %s\n", prefix, where, what);
    }
}

json_t *req_images_json(const chat_req *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_images; i++) {
        const req_image *im = &r->images[i];
        json_t *o = json_object();
        json_object_set_new(o, "where", jstr(im->where));
        json_object_set_new(o, "source", json_string(im->info.source));
        json_object_set_new(o, "format", im->info.format ? json_string(im->info.format) : json_null());
        json_object_set_new(o, "width", json_integer(im->info.width));
        json_object_set_new(o, "height", json_integer(im->info.height));
        json_object_set_new(o, "assumed", json_boolean(im->info.assumed));
        json_object_set_new(o, "detail", json_string(req_detail_name(im->detail)));
        json_object_set_new(o, "tokens", im->counted ? json_integer((json_int_t)im->tokens) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}
