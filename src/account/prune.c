/* prune.c — choose which messages of a conversation to send so the prompt
 * fits a token budget.
 *
 * Rules (tokmeter_account.h):
 *  - system and developer messages carry the instructions: always kept;
 *  - the conversation is cut in turns; an assistant message with tool calls
 *    and the "tool" messages right after it form one turn, because the API
 *    rejects a tool result whose call is missing (and a call without results);
 *  - the last turn is the question being asked: always kept;
 *  - the caller's array is never modified: the answer is a list of indices
 *    (plus, optionally, one message to shorten to its last N tokens).
 * Costs are per-message counts (tkm_chat_message_count), which add up to the
 * tkm_chat_count of any subset plus the reply priming. */
#include "account_internal.h"

#include <string.h>

typedef struct unit {
    size_t first, last; /* message index range [first, last] */
    size_t cost;
    bool kept;
} unit;

static bool pinned(const tkm_chat_message *m)
{
    return tkm_acct_eq(m->role, m->role_len, "system") ||
           tkm_acct_eq(m->role, m->role_len, "developer");
}

static bool is_tool(const tkm_chat_message *m)
{
    return tkm_acct_eq(m->role, m->role_len, "tool");
}

typedef struct pruner {
    const tkm_model *model;
    tkm_context *ctx; /* one for all of the call's counts */
    const tkm_encoding *enc;
    const tkm_chat_message *msgs;
    size_t *cost;  /* per message */
    unit *units;
    size_t n_units;
    size_t total;
    size_t budget;
    bool truncate;
    tkm_prune_result *res;
    tkm_error_detail *detail;
} pruner;

static void drop(pruner *p, size_t u)
{
    p->units[u].kept = false;
    p->total -= p->units[u].cost;
}

/* Instead of dropping unit u, keep the tail of its content if any of it fits.
 * Only a lone message with string content qualifies. */
static tkm_status try_truncate(pruner *p, size_t u, bool *done)
{
    *done = false;
    const unit *un = &p->units[u];
    const tkm_chat_message *m = &p->msgs[un->first];
    if (un->first != un->last || m->n_parts || m->n_tool_calls || m->content_len == 0)
        return TKM_OK;
    size_t content;
    bool exc;
    tkm_status st = tkm_acct_count_text(p->ctx, p->enc, m->content, m->content_len, SIZE_MAX, &content,
                                        &exc, p->detail);
    if (st != TKM_OK)
        return st;
    size_t frame = un->cost >= content ? un->cost - content : 0;
    size_t others = p->total - un->cost;
    if (others + frame >= p->budget)
        return TKM_OK; /* not even one content token fits: drop it */
    size_t allow = p->budget - others - frame;
    tkm_truncation tr;
    st = tkm_text_truncate(p->enc, m->content, m->content_len, allow, TKM_KEEP_TAIL, NULL, &tr,
                           p->detail);
    if (st != TKM_OK)
        return st;
    if (tr.tokens == 0)
        return TKM_OK;
    p->res->truncated_index = un->first;
    p->res->truncated_offset = tr.tail_offset;
    p->res->truncated_len = tr.tail_len;
    p->total = others + frame + tr.tokens;
    *done = true;
    return TKM_OK;
}

/* Drop (or truncate) the oldest kept turn except the last until it fits. */
static tkm_status oldest_first(pruner *p)
{
    for (size_t u = 0; u + 1 < p->n_units && p->total > p->budget; u++) {
        if (!p->units[u].kept)
            continue;
        if (p->truncate) {
            bool done;
            tkm_status st = try_truncate(p, u, &done);
            if (st != TKM_OK)
                return st;
            if (done)
                return TKM_OK;
        }
        drop(p, u);
    }
    return TKM_OK;
}

static tkm_status middle_out(pruner *p)
{
    /* Keep the first turn (it usually sets the task) and the last; drop from
     * the middle outwards, then fall back to oldest-first. */
    while (p->total > p->budget && p->n_units > 2) {
        size_t alive = 0;
        for (size_t u = 1; u + 1 < p->n_units; u++)
            alive += p->units[u].kept;
        if (alive == 0)
            break;
        size_t target = alive / 2, seen = 0;
        for (size_t u = 1; u + 1 < p->n_units; u++) {
            if (!p->units[u].kept)
                continue;
            if (seen++ == target) {
                drop(p, u);
                break;
            }
        }
    }
    return oldest_first(p);
}

/* tkm_chat_prune through the caller's context, or (given == NULL) one of
 * its own for the call. */
static tkm_status prune_with(tkm_context *given, const tkm_model *model, const tkm_encoding *enc,
                             const tkm_chat_message *msgs, size_t n_msgs,
                             const tkm_tool_def *tools, size_t n_tools,
                             const tkm_prune_options *opts, const tkm_allocator *alloc,
                             size_t *keep, size_t cap, size_t *n_out, tkm_prune_result *out,
                             tkm_error_detail *detail)
{
    if (!model || !enc || !opts || !n_out || !out || (!msgs && n_msgs) || (!keep && cap) ||
        opts->strategy < TKM_PRUNE_OLDEST_FIRST || opts->strategy > TKM_PRUNE_MIDDLE_OUT ||
        (alloc && (!alloc->malloc_fn || !alloc->free_fn)))
        return TKM_ERR_INVALID_ARGUMENT;
    if (n_msgs > SIZE_MAX / sizeof(unit))
        return TKM_ERR_NOMEM;

    tkm_prune_result res;
    memset(&res, 0, sizeof res);
    res.truncated_index = SIZE_MAX;

    /* The budget: given, or what the model leaves after the reserved output. */
    size_t budget = opts->budget;
    if (budget == 0) {
        uint64_t b = UINT64_MAX;
        if (model->max_input)
            b = model->max_input;
        if (model->context_window) {
            uint64_t c = model->context_window > opts->reserved_output
                             ? model->context_window - opts->reserved_output
                             : 0;
            if (c < b)
                b = c;
        }
        if (b == UINT64_MAX)
            return TKM_ERR_NO_RULES;
        budget = b > SIZE_MAX ? SIZE_MAX : (size_t)b;
    }
    res.budget = budget;

    /* One context for every count of the call: a conversation long enough to
     * prune is long enough to warm its piece cache, where a fresh context
     * per message never would. */
    tkm_context *ctx = given;
    size_t *cost = NULL;
    unit *units = NULL;
    tkm_token_count tc, reply;
    tkm_status st = given ? TKM_OK : tkm_context_create(alloc, &ctx);
    if (st == TKM_OK)
        st = tkm_acct_tools_count(ctx, model, enc, tools, n_tools, &tc, detail);
    if (st == TKM_OK) /* reply priming */
        st = tkm_acct_chat_count(ctx, model, enc, NULL, 0, SIZE_MAX, &reply, detail);
    if (st != TKM_OK)
        goto done;

    cost = tkm_acct_alloc(alloc, (n_msgs ? n_msgs : 1) * sizeof *cost);
    units = tkm_acct_alloc(alloc, (n_msgs ? n_msgs : 1) * sizeof *units);
    if (!cost || !units) {
        st = TKM_ERR_NOMEM;
        goto done;
    }
    pruner p = {model, ctx, enc, msgs, cost, units, 0, tc.tokens + reply.tokens, budget,
                opts->truncate, &res, detail};
    for (size_t i = 0; i < n_msgs; i++) {
        tkm_token_count mc;
        st = tkm_acct_message_count(ctx, model, enc, &msgs[i], SIZE_MAX, &mc, detail);
        if (st != TKM_OK)
            goto done;
        cost[i] = mc.tokens;
        if (p.total > SIZE_MAX - mc.tokens) {
            st = TKM_ERR_OVERFLOW;
            goto done;
        }
        p.total += mc.tokens;
    }
    /* Turns: every non-pinned message starts one, except tool results that
     * follow an assistant tool call (or another result of it). */
    for (size_t i = 0; i < n_msgs; i++) {
        if (pinned(&msgs[i]))
            continue;
        if (is_tool(&msgs[i]) && p.n_units && units[p.n_units - 1].last + 1 == i &&
            (msgs[units[p.n_units - 1].first].n_tool_calls > 0)) {
            units[p.n_units - 1].last = i;
            units[p.n_units - 1].cost += cost[i];
            continue;
        }
        units[p.n_units].first = units[p.n_units].last = i;
        units[p.n_units].cost = cost[i];
        units[p.n_units].kept = true;
        p.n_units++;
    }

    if (opts->strategy == TKM_PRUNE_KEEP_LAST_N) {
        size_t n_keep = opts->keep_last_n ? opts->keep_last_n : 1;
        for (size_t u = 0; u + n_keep < p.n_units; u++)
            drop(&p, u);
        st = oldest_first(&p);
    } else if (opts->strategy == TKM_PRUNE_MIDDLE_OUT) {
        st = middle_out(&p);
    } else {
        st = oldest_first(&p);
    }
    if (st != TKM_OK)
        goto done;

    /* Write the kept indices in order. */
    size_t n_kept = 0, u = 0;
    for (size_t i = 0; i < n_msgs; i++) {
        while (u < p.n_units && units[u].last < i)
            u++;
        bool in_unit = u < p.n_units && units[u].first <= i && i <= units[u].last;
        bool k = pinned(&msgs[i]) || (in_unit && units[u].kept);
        if (!k)
            continue;
        if (n_kept < cap)
            keep[n_kept] = i;
        n_kept++;
    }
    res.n_kept = n_kept;
    res.tokens = p.total;
    *n_out = n_kept;
    *out = res;
    if (n_kept > cap)
        st = TKM_ERR_BUFFER_TOO_SMALL;
    else if (p.total > budget)
        st = tkm_acct_fail(detail, TKM_ERR_DOES_NOT_FIT, 0, SIZE_MAX,
                           "the messages that are always kept need %zu tokens, budget %zu",
                           p.total, budget);
done:
    tkm_acct_free(alloc, cost);
    tkm_acct_free(alloc, units);
    if (!given)
        tkm_context_free(ctx);
    return st;
}

tkm_status tkm_chat_prune(const tkm_model *model, const tkm_encoding *enc,
                          const tkm_chat_message *msgs, size_t n_msgs, const tkm_tool_def *tools,
                          size_t n_tools, const tkm_prune_options *opts,
                          const tkm_allocator *alloc, size_t *keep, size_t cap, size_t *n_out,
                          tkm_prune_result *out, tkm_error_detail *detail)
{
    return prune_with(NULL, model, enc, msgs, n_msgs, tools, n_tools, opts, alloc, keep, cap,
                      n_out, out, detail);
}

tkm_status tkm_context_chat_prune(tkm_context *ctx, const tkm_model *model,
                                  const tkm_encoding *enc, const tkm_chat_message *msgs,
                                  size_t n_msgs, const tkm_tool_def *tools, size_t n_tools,
                                  const tkm_prune_options *opts, const tkm_allocator *alloc,
                                  size_t *keep, size_t cap, size_t *n_out, tkm_prune_result *out,
                                  tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return prune_with(ctx, model, enc, msgs, n_msgs, tools, n_tools, opts, alloc, keep, cap,
                      n_out, out, detail);
}
