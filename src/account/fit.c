/* fit.c — "does this request fit?": a prompt against the context window and
 * max input, with the room left for output.
 *
 * The context window holds prompt and completion together, while max_input
 * caps the prompt alone (GPT-5: 400000 window, 272000 input, 128000 output).
 * Counting is bounded by the prompt budget, so a 10 MB prompt against an 8k
 * window stops after a few thousand tokens instead of tokenizing it all. */
#include "account_internal.h"

/* The prompt budget: min(max_input, context); SIZE_MAX when both unknown. */
static size_t prompt_budget(const tkm_model *m)
{
    uint64_t b = UINT64_MAX;
    if (m->max_input && m->max_input < b)
        b = m->max_input;
    if (m->context_window && m->context_window < b)
        b = m->context_window;
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

tkm_status tkm_fit_check(const tkm_model *model, size_t prompt_tokens, bool prompt_exact,
                         size_t reserved_output, tkm_fit *out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (!model->context_window && !model->max_input)
        return TKM_ERR_NO_RULES;
    tkm_fit f = {0};
    uint64_t p = prompt_tokens, r = reserved_output;
    uint64_t ctx = model->context_window, mi = model->max_input, mo = model->max_output;
    f.prompt_tokens = prompt_tokens;
    f.prompt_exact = prompt_exact;
    f.budget = prompt_budget(model);
    bool prompt_ok = (!mi || p <= mi) && (!ctx || p <= ctx);
    bool output_ok = !mo || r <= mo;
    bool total_ok = !ctx || (p <= ctx && r <= ctx - p);
    f.fits = prompt_ok && output_ok && total_ok;
    /* Room left after the prompt and the reservation; without a known window
     * only the input cap can say how much prompt is left. */
    if (ctx)
        f.remaining = (p <= ctx && r <= ctx - p) ? (size_t)(ctx - p - r) : 0;
    else
        f.remaining = p <= mi ? (size_t)(mi - p) : 0;
    /* The largest max_tokens that still fits: the window minus the prompt,
     * capped by the model's max output. */
    if (prompt_ok) {
        uint64_t room = ctx ? ctx - p : (mo ? mo : 0);
        if (mo && mo < room)
            room = mo;
        f.max_output_fit = room > SIZE_MAX ? SIZE_MAX : (size_t)room;
    }
    *out = f;
    return TKM_OK;
}

static tkm_status chat_fit(tkm_context *ctx, const tkm_model *model, const tkm_encoding *enc,
                           const tkm_chat_message *msgs, size_t n_msgs, const tkm_tool_def *tools,
                           size_t n_tools, size_t reserved_output, tkm_fit *out,
                           tkm_error_detail *detail)
{
    if (!model || !enc || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (!model->context_window && !model->max_input)
        return TKM_ERR_NO_RULES;
    size_t budget = prompt_budget(model);
    tkm_token_count tc = {0, true, false}, mc;
    tkm_status st = tkm_acct_tools_count(ctx, model, enc, tools, n_tools, &tc, detail);
    if (st != TKM_OK)
        return st;
    size_t left = tc.tokens >= budget ? 0 : budget - tc.tokens;
    st = tkm_acct_chat_count(ctx, model, enc, msgs, n_msgs, left, &mc, detail);
    if (st != TKM_OK)
        return st;
    size_t total = mc.tokens > SIZE_MAX - tc.tokens ? SIZE_MAX : mc.tokens + tc.tokens;
    st = tkm_fit_check(model, total, false, reserved_output, out);
    if (st == TKM_OK && (mc.exceeded || total > budget)) {
        out->prompt_exceeded = mc.exceeded;
        out->fits = false;
        out->remaining = 0;
        out->max_output_fit = 0;
    }
    return st;
}

tkm_status tkm_chat_fit(const tkm_model *model, const tkm_encoding *enc,
                        const tkm_chat_message *msgs, size_t n_msgs, const tkm_tool_def *tools,
                        size_t n_tools, size_t reserved_output, tkm_fit *out,
                        tkm_error_detail *detail)
{
    return chat_fit(NULL, model, enc, msgs, n_msgs, tools, n_tools, reserved_output, out, detail);
}

tkm_status tkm_context_chat_fit(tkm_context *ctx, const tkm_model *model,
                                const tkm_encoding *enc, const tkm_chat_message *msgs,
                                size_t n_msgs, const tkm_tool_def *tools, size_t n_tools,
                                size_t reserved_output, tkm_fit *out, tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return chat_fit(ctx, model, enc, msgs, n_msgs, tools, n_tools, reserved_output, out, detail);
}

static tkm_status text_fit(tkm_context *ctx, const tkm_model *model, const tkm_encoding *enc,
                           const char *text, size_t len, size_t reserved_output, tkm_fit *out,
                           tkm_error_detail *detail)
{
    if (!model || !enc || !out || (!text && len))
        return TKM_ERR_INVALID_ARGUMENT;
    if (!model->context_window && !model->max_input)
        return TKM_ERR_NO_RULES;
    tkm_token_count c;
    tkm_status st = tkm_acct_text_count(ctx, enc, text, len, prompt_budget(model), &c, detail);
    if (st != TKM_OK)
        return st;
    st = tkm_fit_check(model, c.tokens, true, reserved_output, out);
    if (st == TKM_OK && c.exceeded) {
        out->prompt_exceeded = true;
        out->prompt_exact = false;
        out->fits = false;
        out->remaining = 0;
        out->max_output_fit = 0;
    }
    return st;
}

tkm_status tkm_text_fit(const tkm_model *model, const tkm_encoding *enc, const char *text,
                        size_t len, size_t reserved_output, tkm_fit *out,
                        tkm_error_detail *detail)
{
    return text_fit(NULL, model, enc, text, len, reserved_output, out, detail);
}

tkm_status tkm_context_text_fit(tkm_context *ctx, const tkm_model *model,
                                const tkm_encoding *enc, const char *text, size_t len,
                                size_t reserved_output, tkm_fit *out, tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return text_fit(ctx, model, enc, text, len, reserved_output, out, detail);
}
