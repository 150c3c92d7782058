/* chat.c — tokens of chat messages and tool definitions.
 *
 * Messages follow the OpenAI cookbook's num_tokens_from_messages
 * (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb):
 * every message costs tokens_per_message (3) + tokens(role) + tokens(content),
 * a name adds tokens(name) + tokens_per_name (1), and 3 more prime the reply;
 * gpt-3.5-turbo-0301 used 4 and -1. The constants live in the model table.
 * Tool definitions follow the same notebook's num_tokens_for_tools.
 *
 * Our own rules (OpenAI publishes none), documented in tokmeter_account.h:
 *  - an assistant tool call costs per_tool_call + tokens(name) +
 *    tokens(arguments); a tool result is an ordinary message with role "tool";
 *  - harmony (gpt-oss) renders <|start|>role<|message|>content<|end|>, with
 *    <|channel|>final after an assistant role, and primes the reply with
 *    <|start|>assistant. Each special token is one token.
 * Everything with such overhead is an estimate (exact = false).
 */
#include "account_internal.h"

#include <string.h>

typedef struct acc {
    tkm_context *ctx; /* NULL: each text with a fresh context */
    const tkm_encoding *enc;
    int64_t total;
    size_t limit;
    bool exceeded;
    tkm_error_detail *detail;
} acc;

static void acc_check(acc *a)
{
    if (a->limit != SIZE_MAX && a->total > 0 && (uint64_t)a->total > (uint64_t)a->limit)
        a->exceeded = true;
}

static tkm_status acc_add(acc *a, int64_t v)
{
    if ((v > 0 && a->total > INT64_MAX - v) || (v < 0 && a->total < INT64_MIN - v))
        return TKM_ERR_OVERFLOW;
    a->total += v;
    acc_check(a);
    return TKM_OK;
}

static tkm_status acc_size(acc *a, size_t v)
{
    if ((uint64_t)v > (uint64_t)INT64_MAX)
        return TKM_ERR_OVERFLOW;
    return acc_add(a, (int64_t)v);
}

static tkm_status acc_text(acc *a, const char *text, size_t len)
{
    if (a->exceeded || len == 0)
        return TKM_OK;
    if (!text)
        return TKM_ERR_INVALID_ARGUMENT;
    /* Count only as far as the remaining budget: early exit on huge input. */
    size_t lim = SIZE_MAX;
    if (a->limit != SIZE_MAX) {
        if (a->total < 0)
            lim = a->limit > SIZE_MAX - (size_t)(-a->total) ? SIZE_MAX - 1
                                                             : a->limit + (size_t)(-a->total);
        else
            lim = a->limit - (size_t)a->total;
    }
    size_t n;
    bool exc;
    tkm_status st = tkm_acct_count_text(a->ctx, a->enc, text, len, lim, &n, &exc, a->detail);
    if (st != TKM_OK)
        return st;
    st = acc_size(a, n);
    if (exc)
        a->exceeded = true;
    return st;
}

static tkm_status acc_lit(acc *a, const char *lit)
{
    return acc_text(a, lit, strlen(lit));
}

static tkm_status check_model(const tkm_model *model, const tkm_encoding *enc)
{
    if (!model || !enc)
        return TKM_ERR_INVALID_ARGUMENT;
    if (model->kind != TKM_MODEL_CHAT)
        return TKM_ERR_NO_RULES;
    if (model->chat.format == TKM_FORMAT_CHATML)
        return model->chat.message_known ? TKM_OK : TKM_ERR_NO_RULES;
    if (model->chat.format == TKM_FORMAT_HARMONY) {
        /* The harmony framing tokens must exist in the encoding given. */
        static const char *const specials[] = {"<|start|>", "<|message|>", "<|end|>",
                                               "<|channel|>"};
        for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) {
            uint32_t id;
            if (tkm_encoding_special_id(enc, specials[i], strlen(specials[i]), &id) != TKM_OK)
                return TKM_ERR_NO_RULES;
        }
        return TKM_OK;
    }
    return TKM_ERR_NO_RULES;
}

static tkm_status add_content(acc *a, const tkm_model *model, const tkm_chat_message *m)
{
    tkm_status st;
    if (m->n_parts == 0)
        return acc_text(a, m->content, m->content_len);
    if (!m->parts)
        return TKM_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < m->n_parts && !a->exceeded; i++) {
        const tkm_content_part *p = &m->parts[i];
        if (p->kind == TKM_PART_TEXT) {
            st = acc_text(a, p->text, p->text_len);
        } else if (p->kind == TKM_PART_IMAGE) {
            size_t t;
            st = tkm_image_tokens(model, p->width, p->height, p->detail, &t);
            if (st == TKM_OK)
                st = acc_size(a, t);
        } else {
            st = TKM_ERR_INVALID_ARGUMENT;
        }
        if (st != TKM_OK)
            return st;
    }
    return TKM_OK;
}

static tkm_status add_tool_calls(acc *a, const tkm_model *model, const tkm_chat_message *m)
{
    if (m->n_tool_calls && !m->tool_calls)
        return TKM_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < m->n_tool_calls && !a->exceeded; i++) {
        const tkm_tool_call *c = &m->tool_calls[i];
        tkm_status st = acc_add(a, model->chat.tool_call_known ? model->chat.per_tool_call : 0);
        if (st == TKM_OK)
            st = acc_text(a, c->name, c->name_len);
        if (st == TKM_OK)
            st = acc_text(a, c->arguments, c->arguments_len);
        if (st != TKM_OK)
            return st;
    }
    return TKM_OK;
}

static tkm_status add_message(acc *a, const tkm_model *model, const tkm_chat_message *m)
{
    tkm_status st;
    if ((!m->role && m->role_len) || (!m->content && m->content_len) ||
        (!m->name && m->name_len))
        return TKM_ERR_INVALID_ARGUMENT;
    if (model->chat.format == TKM_FORMAT_HARMONY) {
        st = acc_add(a, 1); /* <|start|> */
        if (st == TKM_OK)
            st = acc_text(a, m->role, m->role_len);
        if (st == TKM_OK && tkm_acct_eq(m->role, m->role_len, "assistant")) {
            st = acc_add(a, 1); /* <|channel|> */
            if (st == TKM_OK)
                st = acc_lit(a, "final");
        }
        if (st == TKM_OK)
            st = acc_add(a, 1); /* <|message|> */
        if (st == TKM_OK)
            st = add_content(a, model, m);
        if (st == TKM_OK && m->name)
            st = acc_text(a, m->name, m->name_len);
        if (st == TKM_OK)
            st = add_tool_calls(a, model, m);
        if (st == TKM_OK)
            st = acc_add(a, 1); /* <|end|> */
        return st;
    }
    st = acc_add(a, model->chat.per_message);
    if (st == TKM_OK)
        st = acc_text(a, m->role, m->role_len);
    if (st == TKM_OK)
        st = add_content(a, model, m);
    if (st == TKM_OK && m->name) {
        st = acc_text(a, m->name, m->name_len);
        if (st == TKM_OK)
            st = acc_add(a, model->chat.per_name);
    }
    if (st == TKM_OK)
        st = add_tool_calls(a, model, m);
    return st;
}

static tkm_status finish(acc *a, tkm_token_count *out)
{
    out->tokens = a->total < 0 ? 0 : (size_t)a->total;
    out->exact = false;
    out->exceeded = a->exceeded;
    return TKM_OK;
}

tkm_status tkm_acct_message_count(tkm_context *ctx, const tkm_model *model,
                                  const tkm_encoding *enc, const tkm_chat_message *msg,
                                  size_t limit, tkm_token_count *out, tkm_error_detail *detail)
{
    tkm_status st = check_model(model, enc);
    if (st != TKM_OK)
        return st;
    if (!msg || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    acc a = {ctx, enc, 0, limit, false, detail};
    st = add_message(&a, model, msg);
    if (st != TKM_OK)
        return st;
    return finish(&a, out);
}

tkm_status tkm_acct_chat_count(tkm_context *ctx, const tkm_model *model, const tkm_encoding *enc,
                               const tkm_chat_message *msgs, size_t n_msgs, size_t limit,
                               tkm_token_count *out, tkm_error_detail *detail)
{
    tkm_status st = check_model(model, enc);
    if (st != TKM_OK)
        return st;
    if (!out || (!msgs && n_msgs))
        return TKM_ERR_INVALID_ARGUMENT;
    acc a = {ctx, enc, 0, limit, false, detail};
    for (size_t i = 0; i < n_msgs && !a.exceeded; i++) {
        st = add_message(&a, model, &msgs[i]);
        if (st != TKM_OK)
            return st;
    }
    /* Prime the reply: <|start|>assistant<|message|> in the cookbook's words. */
    if (model->chat.format == TKM_FORMAT_HARMONY) {
        st = acc_add(&a, 1);
        if (st == TKM_OK)
            st = acc_lit(&a, "assistant");
    } else {
        st = acc_add(&a, model->chat.reply);
    }
    if (st != TKM_OK)
        return st;
    return finish(&a, out);
}

/* ---- tool definitions (cookbook num_tokens_for_tools) ---- */

/* Drop one final "." as the cookbook does before counting a description. */
static size_t strip_period(const char *s, size_t n)
{
    return n && s[n - 1] == '.' ? n - 1 : n;
}

/* A long joined line is counted through a stream (in the encoding's
 * allocator, with exactly the whole-text result) instead of being copied. */
static tkm_status acc_joined_stream(acc *a, const char *p1, size_t n1, const char *p2, size_t n2,
                                    const char *p3, size_t n3, bool three)
{
    if (a->exceeded)
        return TKM_OK;
    tkm_stream *s = NULL;
    tkm_status st = tkm_stream_create(a->enc, tkm_acct_text_opts(), NULL, &s);
    if (st == TKM_OK)
        st = tkm_stream_feed(s, p1, n1, a->detail);
    if (st == TKM_OK)
        st = tkm_stream_feed(s, ":", 1, a->detail);
    if (st == TKM_OK)
        st = tkm_stream_feed(s, p2, n2, a->detail);
    if (st == TKM_OK && three)
        st = tkm_stream_feed(s, ":", 1, a->detail);
    if (st == TKM_OK && three)
        st = tkm_stream_feed(s, p3, n3, a->detail);
    size_t n = 0;
    if (st == TKM_OK)
        st = tkm_stream_finish(s, &n, a->detail);
    tkm_stream_free(s);
    if (st != TKM_OK)
        return st;
    st = acc_size(a, n);
    acc_check(a);
    return st;
}

/* Count the concatenation a ":" b [":" c]: tokens of a joined string differ
 * from the sum of its pieces, so the line is built before counting. */
static tkm_status acc_joined(acc *a, const char *p1, size_t n1, const char *p2, size_t n2,
                             const char *p3, size_t n3, bool three)
{
    char stackbuf[512];
    size_t n = n1 + 1 + n2 + (three ? 1 + n3 : 0);
    if (n < n1 || (n1 && !p1) || (n2 && !p2) || (n3 && !p3))
        return TKM_ERR_INVALID_ARGUMENT;
    if (n > sizeof stackbuf)
        return acc_joined_stream(a, p1, n1, p2, n2, p3, n3, three);
    char *buf = stackbuf;
    size_t k = 0;
    if (n1)
        memcpy(buf + k, p1, n1);
    k += n1;
    buf[k++] = ':';
    if (n2)
        memcpy(buf + k, p2, n2);
    k += n2;
    if (three) {
        buf[k++] = ':';
        if (n3)
            memcpy(buf + k, p3, n3);
    }
    return acc_text(a, buf, n);
}

tkm_status tkm_acct_tools_count(tkm_context *ctx, const tkm_model *model,
                                const tkm_encoding *enc, const tkm_tool_def *tools, size_t n_tools,
                                tkm_token_count *out, tkm_error_detail *detail)
{
    if (!model || !enc || !out || (!tools && n_tools))
        return TKM_ERR_INVALID_ARGUMENT;
    if (n_tools == 0) {
        out->tokens = 0;
        out->exact = true;
        out->exceeded = false;
        return TKM_OK;
    }
    const tkm_chat_rules *r = &model->chat;
    if (!r->tools_known)
        return TKM_ERR_NO_RULES;
    acc a = {ctx, enc, 0, SIZE_MAX, false, detail};
    tkm_status st = TKM_OK;
    for (size_t f = 0; f < n_tools && st == TKM_OK; f++) {
        const tkm_tool_def *t = &tools[f];
        st = acc_add(&a, r->func_init);
        if (st == TKM_OK)
            st = acc_joined(&a, t->name, t->name_len, t->description,
                            strip_period(t->description, t->description_len), NULL, 0, false);
        if (st != TKM_OK)
            break;
        if (t->n_properties && !t->properties)
            return TKM_ERR_INVALID_ARGUMENT;
        if (t->n_properties)
            st = acc_add(&a, r->prop_init);
        for (size_t i = 0; i < t->n_properties && st == TKM_OK; i++) {
            const tkm_tool_property *p = &t->properties[i];
            st = acc_add(&a, r->prop_key);
            if (st == TKM_OK && p->n_enum) {
                if (!p->enum_values)
                    return TKM_ERR_INVALID_ARGUMENT;
                st = acc_add(&a, r->enum_init);
                for (size_t e = 0; e < p->n_enum && st == TKM_OK; e++) {
                    st = acc_add(&a, r->enum_item);
                    if (st == TKM_OK)
                        st = acc_lit(&a, p->enum_values[e] ? p->enum_values[e] : "");
                }
            }
            if (st == TKM_OK)
                st = acc_joined(&a, p->name, p->name_len, p->type, p->type_len, p->description,
                                strip_period(p->description, p->description_len), true);
        }
    }
    if (st == TKM_OK)
        st = acc_add(&a, r->func_end);
    if (st != TKM_OK)
        return st;
    return finish(&a, out);
}

tkm_status tkm_chat_count(const tkm_model *model, const tkm_encoding *enc,
                          const tkm_chat_message *msgs, size_t n_msgs, size_t limit,
                          tkm_token_count *out, tkm_error_detail *detail)
{
    return tkm_acct_chat_count(NULL, model, enc, msgs, n_msgs, limit, out, detail);
}

tkm_status tkm_context_chat_count(tkm_context *ctx, const tkm_model *model,
                                  const tkm_encoding *enc, const tkm_chat_message *msgs,
                                  size_t n_msgs, size_t limit, tkm_token_count *out,
                                  tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_acct_chat_count(ctx, model, enc, msgs, n_msgs, limit, out, detail);
}

tkm_status tkm_tools_count(const tkm_model *model, const tkm_encoding *enc,
                           const tkm_tool_def *tools, size_t n_tools, tkm_token_count *out,
                           tkm_error_detail *detail)
{
    return tkm_acct_tools_count(NULL, model, enc, tools, n_tools, out, detail);
}

tkm_status tkm_context_tools_count(tkm_context *ctx, const tkm_model *model,
                                   const tkm_encoding *enc, const tkm_tool_def *tools,
                                   size_t n_tools, tkm_token_count *out,
                                   tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_acct_tools_count(ctx, model, enc, tools, n_tools, out, detail);
}

tkm_status tkm_chat_message_count(const tkm_model *model, const tkm_encoding *enc,
                                  const tkm_chat_message *msg, size_t limit,
                                  tkm_token_count *out, tkm_error_detail *detail)
{
    return tkm_acct_message_count(NULL, model, enc, msg, limit, out, detail);
}

tkm_status tkm_context_chat_message_count(tkm_context *ctx, const tkm_model *model,
                                          const tkm_encoding *enc, const tkm_chat_message *msg,
                                          size_t limit, tkm_token_count *out,
                                          tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_acct_message_count(ctx, model, enc, msg, limit, out, detail);
}
