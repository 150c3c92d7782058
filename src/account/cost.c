/* cost.c — what a request costs, from the model table's prices.
 *
 * Billing rules (OpenAI pricing page, as litellm encodes them):
 *  - cached tokens are a subset of the prompt tokens and are billed at the
 *    cached-input price instead of the input price;
 *  - reasoning tokens are a subset of the completion tokens, billed as output;
 *  - batch / flex / priority replace the standard prices when the table has
 *    them (no price is derived: a tier the table does not price is unknown);
 *  - above long_threshold prompt tokens the long-context prices apply to the
 *    whole request (input, cached input and output);
 *  - image models price image tokens separately from text tokens.
 * A line item with zero units costs 0 even when its price is unknown; one
 * with units and an unknown price is TKM_ERR_PRICE_UNKNOWN. */
#include "account_internal.h"

#include <string.h>

static const tkm_price_set *tier_prices(const tkm_model *m, tkm_service_tier tier)
{
    switch (tier) {
    case TKM_TIER_STANDARD: return &m->standard;
    case TKM_TIER_BATCH: return &m->batch;
    case TKM_TIER_FLEX: return &m->flex;
    case TKM_TIER_PRIORITY: return &m->priority;
    }
    return NULL;
}

/* The price set a request of prompt_tokens uses; NULL for a bad tier. Long
 * prompts use the long-context set, which the table prices for the standard
 * tier only: other tiers above the threshold are unknown. */
static const tkm_price_set *pick(const tkm_model *m, tkm_service_tier tier, uint64_t prompt,
                                 bool *long_ctx, tkm_price_set *scratch)
{
    const tkm_price_set *s = tier_prices(m, tier);
    *long_ctx = false;
    if (!s)
        return NULL;
    if (m->long_threshold && prompt > m->long_threshold) {
        *long_ctx = true;
        if (tier != TKM_TIER_STANDARD) {
            scratch->input = scratch->cached_input = scratch->output = TKM_PRICE_UNKNOWN;
            return scratch;
        }
        return &m->long_context;
    }
    return s;
}

static tkm_status line(uint64_t units, tkm_nanousd price, tkm_nanousd *out)
{
    if (units == 0) {
        *out = 0;
        return TKM_OK;
    }
    return tkm_money_per_million(units, price, out);
}

tkm_status tkm_cost_usage(const tkm_model *model, const tkm_usage *u, tkm_cost *out)
{
    if (!model || !u || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (u->cached_tokens > u->prompt_tokens || u->reasoning_tokens > u->completion_tokens ||
        u->image_input_tokens > u->prompt_tokens - u->cached_tokens ||
        u->image_output_tokens > u->completion_tokens)
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_price_set scratch;
    tkm_cost c;
    memset(&c, 0, sizeof c);
    const tkm_price_set *s = pick(model, u->tier, u->prompt_tokens, &c.long_context, &scratch);
    if (!s)
        return TKM_ERR_INVALID_ARGUMENT;
    uint64_t text_in = u->prompt_tokens - u->cached_tokens - u->image_input_tokens;
    uint64_t text_out = u->completion_tokens - u->image_output_tokens;
    tkm_nanousd img_in = 0, img_out = 0;
    tkm_status st = line(text_in, s->input, &c.input);
    if (st == TKM_OK)
        st = line(u->cached_tokens, s->cached_input, &c.cached_input);
    if (st == TKM_OK)
        st = line(text_out, s->output, &c.output);
    if (st == TKM_OK)
        st = line(u->image_input_tokens, model->image_input, &img_in);
    if (st == TKM_OK)
        st = line(u->image_output_tokens, model->image_output, &img_out);
    if (st != TKM_OK)
        return st;
    c.images = img_in;
    if (tkm_acct_add_money(&c.images, img_out) != TKM_OK ||
        tkm_acct_add_money(&c.total, c.input) != TKM_OK ||
        tkm_acct_add_money(&c.total, c.cached_input) != TKM_OK ||
        tkm_acct_add_money(&c.total, c.output) != TKM_OK ||
        tkm_acct_add_money(&c.total, c.images) != TKM_OK)
        return TKM_ERR_OVERFLOW;
    *out = c;
    return TKM_OK;
}

tkm_status tkm_cost_estimate_request(const tkm_model *model, uint64_t prompt_tokens,
                                     uint64_t max_output, tkm_service_tier tier,
                                     tkm_cost_estimate *out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_cost_estimate e;
    memset(&e, 0, sizeof e);
    tkm_price_set scratch;
    const tkm_price_set *s = pick(model, tier, prompt_tokens, &e.long_context, &scratch);
    if (!s)
        return TKM_ERR_INVALID_ARGUMENT;
    if (max_output == 0) {
        if (!model->max_output)
            return TKM_ERR_NO_RULES;
        max_output = model->max_output;
    }
    e.max_output = max_output;
    tkm_status st = line(prompt_tokens, s->input, &e.prompt);
    if (st == TKM_OK)
        st = line(max_output, s->output, &e.output_max);
    if (st != TKM_OK)
        return st;
    e.total_min = e.prompt;
    e.total_max = e.prompt;
    if (tkm_acct_add_money(&e.total_max, e.output_max) != TKM_OK)
        return TKM_ERR_OVERFLOW;
    *out = e;
    return TKM_OK;
}

tkm_status tkm_cost_images(const tkm_model *model, const char *quality, uint32_t width,
                           uint32_t height, uint64_t n, tkm_nanousd *out)
{
    if (!model || !quality || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < model->n_image_prices; i++) {
        const tkm_image_price *p = &model->image_prices[i];
        if (p->width != width || p->height != height || strcmp(p->quality, quality) != 0)
            continue;
        if (p->price == TKM_PRICE_UNKNOWN)
            return TKM_ERR_PRICE_UNKNOWN;
        return tkm_acct_mul_div(n, p->price, 1, out);
    }
    return TKM_ERR_PRICE_UNKNOWN;
}

tkm_status tkm_cost_audio(const tkm_model *model, uint64_t milliseconds, tkm_nanousd *out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (model->per_minute == TKM_PRICE_UNKNOWN)
        return TKM_ERR_PRICE_UNKNOWN;
    /* Pro rata per millisecond: a minute is 60000 ms. */
    return tkm_acct_mul_div(milliseconds, model->per_minute, 60000u, out);
}

tkm_status tkm_cost_speech(const tkm_model *model, uint64_t n_chars, tkm_nanousd *out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_money_per_million(n_chars, model->per_million_chars, out);
}

tkm_status tkm_cost_embedding(const tkm_model *model, uint64_t tokens, tkm_service_tier tier,
                              tkm_nanousd *out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    const tkm_price_set *s = tier_prices(model, tier);
    if (!s)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_money_per_million(tokens, s->input, out);
}
