/* request.c — a Chat Completions request body as accounting structs.
 *
 * Read: model, messages (role; content as a string, null, or parts: text,
 * image_url, refusal; name; tool_calls; legacy function_call; tool
 * messages), tools (and legacy functions), tool_choice, max_tokens /
 * max_completion_tokens, n, service_tier. Fields that change no prompt
 * token (temperature, stream, seed...) are accepted silently; anything else
 * the count cannot include (audio, files, response_format schemas, unknown
 * fields) becomes a note that every report shows. Wrong types and missing
 * fields are input errors at the value's FILE:LINE:COL. */
#include "request.h"
#include "io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct arena_block {
    arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *req_alloc(chat_req *r, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (size == 0)
        size = sizeof(max_align_t);
    arena_block *b = r->arena;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > (1u << 16) ? size : (1u << 16);
        arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->next = r->arena;
        nb->used = 0;
        nb->cap = cap;
        r->arena = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void req_init(chat_req *r)
{
    memset(r, 0, sizeof *r);
    r->n = 1;
}

void req_free(chat_req *r)
{
    arena_block *b = r->arena;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    json_decref(r->root);
    req_init(r);
}

/* Grow an arena array (old contents copied; the old block is left in the arena). */
static void *grow(chat_req *r, void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return arr;
    size_t nc = *cap ? *cap * 2 : 8;
    void *na = req_alloc(r, nc * size);
    if (!na)
        return NULL;
    if (arr)
        memcpy(na, arr, n * size);
    *cap = nc;
    return na;
}

/* ---- diagnostics ---- */

bool req_fail(req_parser *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_json_err(p->src, &p->path, "%s", msg);
    return false;
}

void req_note_add(req_parser *p, const char *fmt, ...)
{
    chat_req *r = p->r;
    req_note *nn = grow(r, r->notes, &r->cap_notes, r->n_notes, sizeof *nn);
    if (!nn)
        return;
    r->notes = nn;
    req_note *n = &r->notes[r->n_notes++];
    jp_format(&p->path, n->where, sizeof n->where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->what, sizeof n->what, fmt, ap);
    va_end(ap);
}

bool req_opt_string(req_parser *p, json_t *obj, const char *key, const char **s, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    *s = NULL;
    *len = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        jp_key(&p->path, key);
        bool ok = req_fail(p, "expected a string, got %s", cli_json_type(v));
        jp_pop(&p->path);
        return ok;
    }
    *s = json_string_value(v);
    *len = json_string_length(v);
    return true;
}

bool req_opt_count(req_parser *p, json_t *obj, const char *key, uint64_t min, bool *has,
                   uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (has)
        *has = false;
    if (!v || json_is_null(v))
        return true;
    jp_key(&p->path, key);
    bool ok = true;
    if (!json_is_integer(v))
        ok = req_fail(p, "expected a whole number, got %s", cli_json_type(v));
    else if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) < min)
        ok = req_fail(p, "must be at least %llu, not %lld", (unsigned long long)min,
                      (long long)json_integer_value(v));
    jp_pop(&p->path);
    if (ok) {
        *out = (uint64_t)json_integer_value(v);
        if (has)
            *has = true;
    }
    return ok;
}

static bool req_string(req_parser *p, json_t *obj, const char *key, const char **s, size_t *len)
{
    if (!json_object_get(obj, key) || json_is_null(json_object_get(obj, key)))
        return req_fail(p, "missing \"%s\" (a string)", key);
    return req_opt_string(p, obj, key, s, len);
}

/* ---- images ---- */

const char *req_detail_name(tkm_image_detail d)
{
    return d == TKM_DETAIL_LOW ? "low" : d == TKM_DETAIL_HIGH ? "high" : "auto";
}

bool req_add_image(req_parser *p, const char *url, size_t url_len, bool file_id, json_t *detail,
                   size_t msg, size_t part, tkm_content_part *out)
{
    chat_req *r = p->r;
    req_image *ni = grow(r, r->images, &r->cap_images, r->n_images, sizeof *ni);
    if (!ni)
        return req_fail(p, "out of memory");
    r->images = ni;
    req_image *im = &r->images[r->n_images];
    memset(im, 0, sizeof *im);
    im->msg = msg;
    im->part = part;
    im->detail = TKM_DETAIL_AUTO;
    if (detail && !json_is_null(detail)) {
        const char *d = json_is_string(detail) ? json_string_value(detail) : NULL;
        jp_key(&p->path, "detail");
        if (!d) {
            return req_fail(p, "expected \"auto\", \"low\" or \"high\", got %s",
                            cli_json_type(detail));
        } else if (strcmp(d, "low") == 0) {
            im->detail = TKM_DETAIL_LOW;
        } else if (strcmp(d, "high") == 0) {
            im->detail = TKM_DETAIL_HIGH;
        } else if (strcmp(d, "auto") != 0) {
            req_note_add(p, "detail \"%s\" is not auto, low or high: counted as high", d);
            im->detail = TKM_DETAIL_HIGH;
        }
        jp_pop(&p->path);
    }
    jp_format(&p->path, im->where, sizeof im->where);
    if (file_id) {
        cli_image_assume(p->o, &im->info, "file_id");
    } else {
        char err[512];
        jp_key(&p->path, "url");
        if (cli_image_resolve(url, url_len, p->base_dir, p->o, &im->info, err, sizeof err) != 0)
            return req_fail(p, "%s", err);
        jp_pop(&p->path);
    }
    r->n_images++;
    out->kind = TKM_PART_IMAGE;
    out->width = im->info.width;
    out->height = im->info.height;
    out->detail = im->detail;
    return true;
}

/* ---- content parts ---- */

bool req_parse_parts(req_parser *p, json_t *arr, size_t mi, tkm_chat_message *m)
{
    size_t n = json_array_size(arr);
    tkm_content_part *parts = req_alloc(p->r, (n ? n : 1) * sizeof *parts);
    if (!parts)
        return req_fail(p, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *part = json_array_get(arr, i);
        jp_index(&p->path, i);
        if (json_is_string(part)) { /* tolerated: a bare string is a text part */
            parts[k].kind = TKM_PART_TEXT;
            parts[k].text = json_string_value(part);
            parts[k++].text_len = json_string_length(part);
            jp_pop(&p->path);
            continue;
        }
        if (!json_is_object(part))
            return req_fail(p, "expected a content part object, got %s", cli_json_type(part));
        const char *type;
        size_t tl;
        if (!req_string(p, part, "type", &type, &tl))
            return false;
        const char *s;
        size_t sl;
        if (strcmp(type, "text") == 0 || strcmp(type, "input_text") == 0 ||
            strcmp(type, "output_text") == 0) {
            if (!req_string(p, part, "text", &s, &sl))
                return false;
            parts[k].kind = TKM_PART_TEXT;
            parts[k].text = s;
            parts[k++].text_len = sl;
        } else if (strcmp(type, "refusal") == 0) {
            if (!req_string(p, part, "refusal", &s, &sl))
                return false;
            parts[k].kind = TKM_PART_TEXT;
            parts[k].text = s;
            parts[k++].text_len = sl;
        } else if (strcmp(type, "image_url") == 0) {
            json_t *iu = json_object_get(part, "image_url");
            jp_key(&p->path, "image_url");
            json_t *detail = NULL;
            if (json_is_object(iu)) {
                if (!req_string(p, iu, "url", &s, &sl))
                    return false;
                detail = json_object_get(iu, "detail");
            } else if (json_is_string(iu)) {
                s = json_string_value(iu);
                sl = json_string_length(iu);
            } else {
                return req_fail(p, iu ? "expected an object {\"url\", \"detail\"}, got %s"
                                      : "missing \"image_url\"%s",
                                iu ? cli_json_type(iu) : "");
            }
            if (!req_add_image(p, s, sl, false, detail, mi, k, &parts[k]))
                return false;
            k++;
            jp_pop(&p->path);
        } else if (strcmp(type, "input_image") == 0) {
            /* Responses style: image_url is a string, or file_id. */
            json_t *fid = json_object_get(part, "file_id");
            if (!req_opt_string(p, part, "image_url", &s, &sl))
                return false;
            if (!s && !(fid && json_is_string(fid)))
                return req_fail(p, "missing \"image_url\" or \"file_id\"");
            if (!req_add_image(p, s, sl, s == NULL, json_object_get(part, "detail"), mi, k,
                               &parts[k]))
                return false;
            k++;
        } else if (strcmp(type, "input_audio") == 0) {
            req_note_add(p, "audio input is not counted (no published token rule)");
        } else if (strcmp(type, "file") == 0 || strcmp(type, "input_file") == 0) {
            req_note_add(p, "file input is not counted (its extracted text is not known offline)");
        } else {
            req_note_add(p, "content part of type \"%s\" is not counted", type);
        }
        jp_pop(&p->path);
    }
    m->parts = parts;
    m->n_parts = k;
    m->content = NULL;
    m->content_len = 0;
    return true;
}

/* ---- messages ---- */

static bool parse_tool_calls(req_parser *p, json_t *calls, tkm_chat_message *m)
{
    if (!json_is_array(calls))
        return req_fail(p, "expected an array of tool calls, got %s", cli_json_type(calls));
    size_t n = json_array_size(calls);
    tkm_tool_call *tc = req_alloc(p->r, (n ? n : 1) * sizeof *tc);
    if (!tc)
        return req_fail(p, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(calls, i);
        jp_index(&p->path, i);
        if (!json_is_object(c))
            return req_fail(p, "expected a tool call object, got %s", cli_json_type(c));
        const char *type = NULL;
        size_t tl;
        if (!req_opt_string(p, c, "type", &type, &tl))
            return false;
        const char *fkey = !type || strcmp(type, "function") == 0 ? "function"
                           : strcmp(type, "custom") == 0           ? "custom"
                                                                   : NULL;
        if (!fkey) {
            req_note_add(p, "tool call of type \"%s\" is not counted", type);
            jp_pop(&p->path);
            continue;
        }
        json_t *f = json_object_get(c, fkey);
        jp_key(&p->path, fkey);
        if (!json_is_object(f))
            return req_fail(p, f ? "expected an object, got %s" : "missing%s",
                            f ? cli_json_type(f) : "");
        if (!req_string(p, f, "name", &tc[k].name, &tc[k].name_len))
            return false;
        const char *argkey = fkey[0] == 'f' ? "arguments" : "input";
        if (!req_string(p, f, argkey, &tc[k].arguments, &tc[k].arguments_len))
            return false;
        k++;
        jp_pop(&p->path);
        jp_pop(&p->path);
    }
    m->tool_calls = tc;
    m->n_tool_calls = k;
    return true;
}

static const char *const ROLES[] = {"system", "developer", "user", "assistant", "tool", "function"};

static bool parse_message(req_parser *p, json_t *msg, size_t mi, tkm_chat_message *m)
{
    if (!json_is_object(msg))
        return req_fail(p, "expected a message object, got %s", cli_json_type(msg));
    size_t rl;
    if (!req_string(p, msg, "role", &m->role, &rl))
        return false;
    m->role_len = rl;
    bool known = false;
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        known |= strcmp(m->role, ROLES[i]) == 0;
    if (!known) {
        jp_key(&p->path, "role");
        return req_fail(p, "unknown role \"%s\" (system, developer, user, assistant, tool)",
                        m->role);
    }
    bool assistant = strcmp(m->role, "assistant") == 0;
    json_t *content = json_object_get(msg, "content");
    jp_key(&p->path, "content");
    if (json_is_string(content)) {
        m->content = json_string_value(content);
        m->content_len = json_string_length(content);
    } else if (json_is_array(content)) {
        if (!req_parse_parts(p, content, mi, m))
            return false;
    } else if (!content || json_is_null(content)) {
        if (!assistant && !json_object_get(msg, "function_call")) {
            jp_pop(&p->path);
            return req_fail(p, "missing \"content\" (a %s message needs one)", m->role);
        }
    } else {
        return req_fail(p, "expected a string or an array of parts, got %s",
                        cli_json_type(content));
    }
    jp_pop(&p->path);
    size_t nl;
    if (!req_opt_string(p, msg, "name", &m->name, &nl))
        return false;
    m->name_len = nl;
    json_t *calls = json_object_get(msg, "tool_calls");
    if (calls && !json_is_null(calls)) {
        jp_key(&p->path, "tool_calls");
        if (!parse_tool_calls(p, calls, m))
            return false;
        jp_pop(&p->path);
    }
    json_t *fc = json_object_get(msg, "function_call");
    if (fc && !json_is_null(fc)) { /* legacy: one call */
        jp_key(&p->path, "function_call");
        if (!json_is_object(fc))
            return req_fail(p, "expected an object, got %s", cli_json_type(fc));
        tkm_tool_call *tc = req_alloc(p->r, sizeof *tc);
        if (!tc)
            return req_fail(p, "out of memory");
        if (!req_string(p, fc, "name", &tc->name, &tc->name_len) ||
            !req_string(p, fc, "arguments", &tc->arguments, &tc->arguments_len))
            return false;
        if (m->n_tool_calls == 0) {
            m->tool_calls = tc;
            m->n_tool_calls = 1;
        } else {
            req_note_add(p, "function_call next to tool_calls is not counted");
        }
        jp_pop(&p->path);
    }
    const char *refusal;
    size_t rlen;
    if (!req_opt_string(p, msg, "refusal", &refusal, &rlen))
        return false;
    if (refusal && rlen) {
        jp_key(&p->path, "refusal");
        req_note_add(p, "an assistant refusal string is not counted");
        jp_pop(&p->path);
    }
    const char *key;
    json_t *v;
    json_object_foreach(msg, key, v) {
        if (strcmp(key, "role") && strcmp(key, "content") && strcmp(key, "name") &&
            strcmp(key, "tool_calls") && strcmp(key, "tool_call_id") &&
            strcmp(key, "function_call") && strcmp(key, "refusal") && !json_is_null(v)) {
            jp_key(&p->path, key);
            req_note_add(p, "message field \"%s\" is not counted", key);
            jp_pop(&p->path);
        }
    }
    return true;
}

/* ---- tools ---- */

static char *enum_text(chat_req *r, json_t *v)
{
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        char *s = req_alloc(r, n + 1);
        if (s)
            memcpy(s, json_string_value(v), n);
        return s;
    }
    char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!d)
        return NULL;
    size_t n = strlen(d);
    char *s = req_alloc(r, n + 1);
    if (s)
        memcpy(s, d, n);
    free(d);
    return s;
}

static bool parse_property(req_parser *p, const char *key, json_t *def, tkm_tool_property *pr,
                           bool *nested)
{
    pr->name = key;
    pr->name_len = strlen(key);
    if (!json_is_object(def))
        return req_fail(p, "expected a property schema object, got %s", cli_json_type(def));
    json_t *type = json_object_get(def, "type");
    if (json_is_string(type)) {
        pr->type = json_string_value(type);
        pr->type_len = json_string_length(type);
    } else if (json_is_array(type)) {
        /* ["string", "null"]: the rule has no case for it; count the names. */
        size_t total = 0;
        for (size_t i = 0; i < json_array_size(type); i++)
            if (json_is_string(json_array_get(type, i)))
                total += json_string_length(json_array_get(type, i)) + 2;
        char *s = req_alloc(p->r, total + 1);
        if (!s)
            return req_fail(p, "out of memory");
        size_t k = 0;
        for (size_t i = 0; i < json_array_size(type); i++) {
            json_t *t = json_array_get(type, i);
            if (!json_is_string(t))
                continue;
            if (k) {
                memcpy(s + k, ", ", 2);
                k += 2;
            }
            memcpy(s + k, json_string_value(t), json_string_length(t));
            k += json_string_length(t);
        }
        pr->type = s;
        pr->type_len = k;
    }
    size_t dl;
    if (!req_opt_string(p, def, "description", &pr->description, &dl))
        return false;
    pr->description_len = dl;
    json_t *en = json_object_get(def, "enum");
    if (json_is_array(en) && json_array_size(en)) {
        size_t n = json_array_size(en);
        const char **vals = req_alloc(p->r, n * sizeof *vals);
        if (!vals)
            return req_fail(p, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (!(vals[i] = enum_text(p->r, json_array_get(en, i))))
                return req_fail(p, "out of memory");
        pr->enum_values = vals;
        pr->n_enum = n;
    }
    if (json_object_get(def, "properties") || json_is_object(json_object_get(def, "items")) ||
        json_object_get(def, "anyOf") || json_object_get(def, "oneOf"))
        *nested = true;
    return true;
}

bool req_parse_function(req_parser *p, json_t *fn, tkm_tool_def *t)
{
    if (!json_is_object(fn))
        return req_fail(p, "expected a function object, got %s", cli_json_type(fn));
    if (!req_string(p, fn, "name", &t->name, &t->name_len))
        return false;
    if (!req_opt_string(p, fn, "description", &t->description, &t->description_len))
        return false;
    json_t *params = json_object_get(fn, "parameters");
    if (!params || json_is_null(params))
        return true;
    jp_key(&p->path, "parameters");
    if (!json_is_object(params))
        return req_fail(p, "expected a JSON schema object, got %s", cli_json_type(params));
    json_t *props = json_object_get(params, "properties");
    if (props && !json_is_object(props)) {
        jp_key(&p->path, "properties");
        return req_fail(p, "expected an object, got %s", cli_json_type(props));
    }
    size_t n = props ? json_object_size(props) : 0;
    if (n) {
        tkm_tool_property *pr = req_alloc(p->r, n * sizeof *pr);
        if (!pr)
            return req_fail(p, "out of memory");
        size_t k = 0;
        bool nested = false;
        const char *key;
        json_t *def;
        jp_key(&p->path, "properties");
        json_object_foreach(props, key, def) {
            jp_key(&p->path, key);
            if (!parse_property(p, key, def, &pr[k++], &nested))
                return false;
            jp_pop(&p->path);
        }
        if (nested)
            req_note_add(p, "nested schemas (objects, arrays of objects, anyOf) are not "
                            "counted: the published rule covers top-level properties only");
        jp_pop(&p->path);
        t->properties = pr;
        t->n_properties = k;
    }
    jp_pop(&p->path);
    return true;
}

static bool parse_tools(req_parser *p, json_t *tools, bool legacy)
{
    if (!json_is_array(tools))
        return req_fail(p, "expected an array, got %s", cli_json_type(tools));
    chat_req *r = p->r;
    size_t n = json_array_size(tools);
    tkm_tool_def *defs = req_alloc(r, (n + r->n_tools + 1) * sizeof *defs);
    if (!defs)
        return req_fail(p, "out of memory");
    if (r->n_tools)
        memcpy(defs, r->tools, r->n_tools * sizeof *defs);
    size_t k = r->n_tools;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tools, i);
        jp_index(&p->path, i);
        if (!json_is_object(t))
            return req_fail(p, "expected a tool object, got %s", cli_json_type(t));
        if (legacy) {
            if (!req_parse_function(p, t, &defs[k]))
                return false;
            k++;
        } else {
            const char *type;
            size_t tl;
            if (!req_string(p, t, "type", &type, &tl))
                return false;
            if (strcmp(type, "function") == 0) {
                json_t *fn = json_object_get(t, "function");
                jp_key(&p->path, "function");
                if (!fn)
                    return req_fail(p, "missing \"function\"");
                if (!req_parse_function(p, fn, &defs[k]))
                    return false;
                k++;
                jp_pop(&p->path);
            } else {
                req_note_add(p, "tool of type \"%s\" is not counted (no published rule)", type);
            }
        }
        jp_pop(&p->path);
    }
    r->tools = defs;
    r->n_tools = k;
    return true;
}

void req_service_tier(req_parser *p, json_t *body)
{
    json_t *st = json_object_get(body, "service_tier");
    if (!json_is_string(st))
        return;
    const char *s = json_string_value(st);
    p->r->has_tier = true;
    if (strcmp(s, "flex") == 0)
        p->r->tier = TKM_TIER_FLEX;
    else if (strcmp(s, "priority") == 0)
        p->r->tier = TKM_TIER_PRIORITY;
    else if (strcmp(s, "auto") == 0 || strcmp(s, "default") == 0)
        p->r->tier = TKM_TIER_STANDARD;
    else {
        p->r->has_tier = false;
        jp_key(&p->path, "service_tier");
        req_note_add(p, "service tier \"%s\" is not priced; the standard prices are used", s);
        jp_pop(&p->path);
    }
}

/* Top-level fields that change no prompt token. */
static const char *const INERT[] = {
    "model", "messages", "tools", "functions", "tool_choice", "function_call", "max_tokens",
    "max_completion_tokens", "n", "service_tier", "temperature", "top_p", "stream",
    "stream_options", "seed", "user", "metadata", "store", "logprobs", "top_logprobs",
    "presence_penalty", "frequency_penalty", "logit_bias", "parallel_tool_calls", "stop",
    "reasoning_effort", "verbosity", "safety_identifier", "prompt_cache_key",
    "prompt_cache_retention", "modalities", "response_format"};

bool req_parse_chat(req_parser *p, json_t *body)
{
    chat_req *r = p->r;
    r->kind = REQ_CHAT;
    r->endpoint = "chat.completions";
    if (!json_is_object(body))
        return req_fail(p, "expected a request object, got %s", cli_json_type(body));
    size_t ml;
    if (!req_opt_string(p, body, "model", &r->model, &ml))
        return false;
    json_t *msgs = json_object_get(body, "messages");
    if (!msgs)
        return req_fail(p, "missing \"messages\" (an array of messages)");
    jp_key(&p->path, "messages");
    if (!json_is_array(msgs))
        return req_fail(p, "expected an array of messages, got %s", cli_json_type(msgs));
    size_t n = json_array_size(msgs);
    r->msgs = req_alloc(r, (n ? n : 1) * sizeof *r->msgs);
    if (!r->msgs)
        return req_fail(p, "out of memory");
    for (size_t i = 0; i < n; i++) {
        jp_index(&p->path, i);
        if (!parse_message(p, json_array_get(msgs, i), i, &r->msgs[i]))
            return false;
        jp_pop(&p->path);
    }
    r->n_msgs = n;
    jp_pop(&p->path);
    static const char *const tool_keys[] = {"tools", "functions"};
    for (int legacy = 0; legacy < 2; legacy++) {
        json_t *t = json_object_get(body, tool_keys[legacy]);
        if (!t || json_is_null(t))
            continue;
        jp_key(&p->path, tool_keys[legacy]);
        if (!parse_tools(p, t, legacy))
            return false;
        jp_pop(&p->path);
    }
    json_t *tc = json_object_get(body, "tool_choice");
    if (json_is_object(tc)) {
        jp_key(&p->path, "tool_choice");
        req_note_add(p, "forcing a tool is not counted (no published rule)");
        jp_pop(&p->path);
    }
    json_t *rf = json_object_get(body, "response_format");
    json_t *rft = json_is_object(rf) ? json_object_get(rf, "type") : NULL;
    if (json_is_string(rft) && strcmp(json_string_value(rft), "json_schema") == 0) {
        jp_key(&p->path, "response_format");
        req_note_add(p, "a json_schema response format is not counted (no published rule)");
        jp_pop(&p->path);
    }
    bool has_mct, has_mt;
    uint64_t mct = 0, mt = 0;
    if (!req_opt_count(p, body, "max_completion_tokens", 1, &has_mct, &mct) ||
        !req_opt_count(p, body, "max_tokens", 1, &has_mt, &mt) ||
        !req_opt_count(p, body, "n", 1, NULL, &r->n))
        return false;
    if (has_mct) {
        r->has_max_output = true;
        r->max_output = mct;
        r->max_output_key = "max_completion_tokens";
    } else if (has_mt) {
        r->has_max_output = true;
        r->max_output = mt;
        r->max_output_key = "max_tokens";
    }
    req_service_tier(p, body);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        bool inert = false;
        for (size_t i = 0; i < sizeof INERT / sizeof INERT[0] && !inert; i++)
            inert = strcmp(key, INERT[i]) == 0;
        if (!inert && !json_is_null(v)) {
            jp_key(&p->path, key);
            req_note_add(p, "request field \"%s\" is not counted", key);
            jp_pop(&p->path);
        }
    }
    return true;
}

int req_load_chat_file(const char *path, const cli_opts *o, chat_req *r, char **text, size_t *len)
{
    req_init(r);
    *text = NULL;
    if (cli_read_file(path, text, len) != 0)
        return EXIT_USAGE;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    cli_src src = {name, *text, *len, 0};
    r->root = cli_json_parse(&src);
    if (!r->root)
        return EXIT_USAGE;
    char *dir = cli_dirname(path);
    req_parser p = {&src, dir, o, {.n = 0}, r};
    bool ok = req_parse_chat(&p, r->root);
    free(dir);
    return ok ? EXIT_OK : EXIT_USAGE;
}
