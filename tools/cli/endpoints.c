/* endpoints.c — request bodies of the other endpoints a Batch file may
 * target, mapped onto the same structs as a Chat Completions body:
 *
 *  /v1/responses    instructions (a system message), input (a string, or
 *                   items: messages with input_text / output_text /
 *                   input_image parts, function_call, function_call_output),
 *                   tools (flat function definitions), max_output_tokens;
 *                   counted with the chat rules, so an estimate.
 *  /v1/completions  prompt (a string, strings, or token id arrays), suffix,
 *                   max_tokens (16 when absent, as the API), n, best_of;
 *                   plain text: exact.
 *  /v1/embeddings   input (a string, strings, or token id arrays); exact,
 *                   and no output. */
#include "request.h"

#include <string.h>

/* A Responses message item -> tkm_chat_message. */
static bool response_message(req_parser *p, json_t *item, size_t mi, tkm_chat_message *m)
{
    size_t rl;
    json_t *role = json_object_get(item, "role");
    if (!json_is_string(role)) {
        jp_key(&p->path, "role");
        return req_fail(p, role ? "expected a string, got %s" : "missing \"role\"%s",
                        role ? cli_json_type(role) : "");
    }
    m->role = json_string_value(role);
    rl = json_string_length(role);
    m->role_len = rl;
    json_t *content = json_object_get(item, "content");
    jp_key(&p->path, "content");
    if (json_is_string(content)) {
        m->content = json_string_value(content);
        m->content_len = json_string_length(content);
    } else if (json_is_array(content)) {
        if (!req_parse_parts(p, content, mi, m))
            return false;
    } else {
        return req_fail(p, content ? "expected a string or an array of parts, got %s"
                                   : "missing \"content\"%s",
                        content ? cli_json_type(content) : "");
    }
    jp_pop(&p->path);
    return true;
}

static bool parse_responses(req_parser *p, json_t *body)
{
    chat_req *r = p->r;
    r->kind = REQ_CHAT;
    r->endpoint = "responses";
    size_t ml, il;
    const char *instr;
    if (!req_opt_string(p, body, "model", &r->model, &ml) ||
        !req_opt_string(p, body, "instructions", &instr, &il))
        return false;
    json_t *input = json_object_get(body, "input");
    size_t n_items = json_is_array(input) ? json_array_size(input) : 1;
    r->msgs = req_alloc(r, (n_items + 1) * sizeof *r->msgs);
    if (!r->msgs)
        return req_fail(p, "out of memory");
    size_t k = 0;
    if (instr) {
        r->msgs[k].role = "system";
        r->msgs[k].role_len = 6;
        r->msgs[k].content = instr;
        r->msgs[k++].content_len = il;
    }
    jp_key(&p->path, "input");
    if (json_is_string(input)) {
        r->msgs[k].role = "user";
        r->msgs[k].role_len = 4;
        r->msgs[k].content = json_string_value(input);
        r->msgs[k++].content_len = json_string_length(input);
    } else if (json_is_array(input)) {
        for (size_t i = 0; i < n_items; i++) {
            json_t *item = json_array_get(input, i);
            jp_index(&p->path, i);
            if (!json_is_object(item))
                return req_fail(p, "expected an input item object, got %s", cli_json_type(item));
            json_t *type = json_object_get(item, "type");
            const char *t = json_is_string(type) ? json_string_value(type) : "message";
            tkm_chat_message *m = &r->msgs[k];
            if (strcmp(t, "message") == 0) {
                if (!response_message(p, item, k, m))
                    return false;
                k++;
            } else if (strcmp(t, "function_call") == 0) {
                tkm_tool_call *tc = req_alloc(r, sizeof *tc);
                if (!tc)
                    return req_fail(p, "out of memory");
                if (!req_opt_string(p, item, "name", &tc->name, &tc->name_len) ||
                    !req_opt_string(p, item, "arguments", &tc->arguments, &tc->arguments_len))
                    return false;
                if (!tc->name)
                    return req_fail(p, "missing \"name\"");
                m->role = "assistant";
                m->role_len = 9;
                m->tool_calls = tc;
                m->n_tool_calls = 1;
                k++;
            } else if (strcmp(t, "function_call_output") == 0) {
                size_t ol;
                if (!req_opt_string(p, item, "output", &m->content, &ol))
                    return false;
                m->content_len = ol;
                m->role = "tool";
                m->role_len = 4;
                k++;
            } else {
                req_note_add(p, "input item of type \"%s\" is not counted", t);
            }
            jp_pop(&p->path);
        }
    } else if (input && !json_is_null(input)) {
        return req_fail(p, "expected a string or an array of input items, got %s",
                        cli_json_type(input));
    } else {
        return req_fail(p, "missing \"input\"");
    }
    jp_pop(&p->path);
    r->n_msgs = k;

    json_t *tools = json_object_get(body, "tools");
    if (json_is_array(tools)) {
        size_t n = json_array_size(tools), kt = 0;
        r->tools = req_alloc(r, (n ? n : 1) * sizeof *r->tools);
        if (!r->tools)
            return req_fail(p, "out of memory");
        jp_key(&p->path, "tools");
        for (size_t i = 0; i < n; i++) {
            json_t *t = json_array_get(tools, i);
            json_t *type = json_object_get(t, "type");
            jp_index(&p->path, i);
            if (json_is_string(type) && strcmp(json_string_value(type), "function") == 0) {
                if (!req_parse_function(p, t, &r->tools[kt]))
                    return false;
                kt++;
            } else {
                req_note_add(p, "tool of type \"%s\" is not counted (no published rule)",
                             json_is_string(type) ? json_string_value(type) : "?");
            }
            jp_pop(&p->path);
        }
        jp_pop(&p->path);
        r->n_tools = kt;
    }
    if (json_object_get(body, "previous_response_id")) {
        jp_key(&p->path, "previous_response_id");
        req_note_add(p, "the earlier turns of previous_response_id are not counted");
        jp_pop(&p->path);
    }
    json_t *text = json_object_get(body, "text");
    json_t *fmt = json_is_object(text) ? json_object_get(text, "format") : NULL;
    json_t *ft = json_is_object(fmt) ? json_object_get(fmt, "type") : NULL;
    if (json_is_string(ft) && strcmp(json_string_value(ft), "json_schema") == 0) {
        jp_key(&p->path, "text");
        req_note_add(p, "a json_schema text format is not counted (no published rule)");
        jp_pop(&p->path);
    }
    if (!req_opt_count(p, body, "max_output_tokens", 1, &r->has_max_output, &r->max_output))
        return false;
    if (r->has_max_output)
        r->max_output_key = "max_output_tokens";
    req_service_tier(p, body);
    return true;
}

/* prompt / input: a string, an array of strings, an array of token ids, or
 * an array of arrays of token ids. */
static bool parse_texts(req_parser *p, json_t *v, const char *key)
{
    chat_req *r = p->r;
    jp_key(&p->path, key);
    if (!v)
        return req_fail(p, "missing");
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    r->texts = req_alloc(r, (n + 1) * sizeof *r->texts);
    if (!r->texts)
        return req_fail(p, "out of memory");
    if (json_is_string(v)) {
        r->texts[0].text = json_string_value(v);
        r->texts[0].len = json_string_length(v);
        r->n_texts = 1;
        r->n_prompts = 1;
    } else if (json_is_array(v)) {
        bool ids = n && json_is_integer(json_array_get(v, 0));
        if (ids) { /* one prompt given as token ids */
            r->pretokenized = r->largest_pretok = n;
            r->n_prompts = 1;
            for (size_t i = 0; i < n; i++) {
                if (!json_is_integer(json_array_get(v, i))) {
                    jp_index(&p->path, i);
                    return req_fail(p, "expected a token id, got %s",
                                    cli_json_type(json_array_get(v, i)));
                }
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(v, i);
                jp_index(&p->path, i);
                if (json_is_string(e)) {
                    r->texts[r->n_texts].text = json_string_value(e);
                    r->texts[r->n_texts++].len = json_string_length(e);
                    r->n_prompts++;
                } else if (json_is_array(e)) {
                    size_t m = json_array_size(e);
                    for (size_t j = 0; j < m; j++) {
                        if (!json_is_integer(json_array_get(e, j))) {
                            jp_index(&p->path, j);
                            return req_fail(p, "expected a token id, got %s",
                                            cli_json_type(json_array_get(e, j)));
                        }
                    }
                    r->pretokenized += m;
                    r->n_prompts++;
                    if (m > r->largest_pretok)
                        r->largest_pretok = m;
                } else {
                    return req_fail(p, "expected a string or an array of token ids, got %s",
                                    cli_json_type(e));
                }
                jp_pop(&p->path);
            }
        }
    } else {
        return req_fail(p, "expected a string or an array, got %s", cli_json_type(v));
    }
    jp_pop(&p->path);
    return true;
}

static bool parse_completions(req_parser *p, json_t *body)
{
    chat_req *r = p->r;
    r->kind = REQ_TEXT;
    r->endpoint = "completions";
    size_t ml;
    if (!req_opt_string(p, body, "model", &r->model, &ml))
        return false;
    if (!parse_texts(p, json_object_get(body, "prompt"), "prompt"))
        return false;
    const char *suffix;
    size_t sl;
    if (!req_opt_string(p, body, "suffix", &suffix, &sl))
        return false;
    if (suffix && sl) {
        /* The suffix is sent with every prompt. */
        size_t np = r->n_texts;
        req_text *t = req_alloc(r, (np * 2 + 1) * sizeof *t);
        if (!t)
            return req_fail(p, "out of memory");
        memcpy(t, r->texts, np * sizeof *t);
        for (size_t i = 0; i < np; i++)
            t[np + i] = (req_text){suffix, sl};
        r->texts = t;
        r->n_texts = np * 2;
    }
    uint64_t best_of = 1;
    if (!req_opt_count(p, body, "max_tokens", 0, &r->has_max_output, &r->max_output) ||
        !req_opt_count(p, body, "n", 1, NULL, &r->n) ||
        !req_opt_count(p, body, "best_of", 1, NULL, &best_of))
        return false;
    if (best_of > r->n)
        r->n = best_of; /* best_of completions are generated (and billed) */
    if (!r->has_max_output) {
        r->has_max_output = true;
        r->max_output = 16; /* the Completions API default */
        r->max_output_key = "max_tokens (default 16)";
    } else {
        r->max_output_key = "max_tokens";
    }
    return true;
}

static bool parse_embeddings(req_parser *p, json_t *body)
{
    chat_req *r = p->r;
    r->kind = REQ_TEXT;
    r->endpoint = "embeddings";
    size_t ml;
    if (!req_opt_string(p, body, "model", &r->model, &ml))
        return false;
    r->n = 1;
    r->has_max_output = true;
    r->max_output = 0;
    r->max_output_key = "embeddings have no output";
    return parse_texts(p, json_object_get(body, "input"), "input");
}

bool req_parse_endpoint(req_parser *p, const char *url, json_t *body)
{
    if (!json_is_object(body))
        return req_fail(p, "expected a request body object, got %s", cli_json_type(body));
    if (strcmp(url, "/v1/chat/completions") == 0)
        return req_parse_chat(p, body);
    if (strcmp(url, "/v1/responses") == 0)
        return parse_responses(p, body);
    if (strcmp(url, "/v1/completions") == 0)
        return parse_completions(p, body);
    if (strcmp(url, "/v1/embeddings") == 0)
        return parse_embeddings(p, body);
    return req_fail(p, "unsupported url \"%s\" (/v1/chat/completions, /v1/responses, "
                       "/v1/completions, /v1/embeddings)", url);
}
