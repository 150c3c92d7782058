/* test_prune.c — pruning a conversation to a token budget. Budgets are built
 * from the library's own per-message counts, so the tests say which messages
 * must survive, not how many tokens a sentence has. */
#include "acct_test.h"

static tkm_model_table *table;
static const tkm_model *md;
static tkm_encoding *enc;
/* One context for every tkm_context_chat_prune of the file: each call after
 * the first finds it warm with earlier calls' texts. */
static tkm_context *ctx;

static int setup(void **state)
{
    (void)state;
    table = builtin_table();
    md = model(table, "gpt-4o");
    enc = encoding_of(md);
    return tkm_context_create(NULL, &ctx) == TKM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tkm_context_free(ctx);
    tkm_encoding_free(enc);
    tkm_model_table_free(table);
    return 0;
}

static size_t cost_of(const tkm_chat_message *m)
{
    tkm_token_count c;
    assert_int_equal(tkm_chat_message_count(md, enc, m, SIZE_MAX, &c, NULL), TKM_OK);
    return c.tokens;
}

static size_t reply(void)
{
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(md, enc, NULL, 0, SIZE_MAX, &c, NULL), TKM_OK);
    return c.tokens;
}

/* tkm_chat_prune, checked against tkm_context_chat_prune through the
 * file's one context: same status, same kept messages, same result. */
static tkm_status prune_tools(const tkm_chat_message *m, size_t n, const tkm_tool_def *tools,
                              size_t n_tools, tkm_prune_options *o, size_t *keep, size_t cap,
                              size_t *n_kept, tkm_prune_result *r, tkm_error_detail *d)
{
    tkm_status st = tkm_chat_prune(md, enc, m, n, tools, n_tools, o, NULL, keep, cap, n_kept, r, d);
    size_t keep2[64], n2 = SIZE_MAX;
    tkm_prune_result r2;
    memset(&r2, 0xAB, sizeof r2);
    assert_true(cap <= 64);
    tkm_status st2 =
        tkm_context_chat_prune(ctx, md, enc, m, n, tools, n_tools, o, NULL, keep2, cap, &n2, &r2, NULL);
    assert_int_equal(st2, st);
    if (st == TKM_OK || st == TKM_ERR_DOES_NOT_FIT || st == TKM_ERR_BUFFER_TOO_SMALL)
        assert_int_equal(n2, *n_kept);
    if (st == TKM_OK || st == TKM_ERR_DOES_NOT_FIT) {
        assert_memory_equal(keep2, keep, *n_kept * sizeof *keep);
        assert_int_equal(r2.n_kept, r->n_kept);
        assert_int_equal(r2.tokens, r->tokens);
        assert_int_equal(r2.budget, r->budget);
        assert_int_equal(r2.truncated_index, r->truncated_index);
        assert_int_equal(r2.truncated_offset, r->truncated_offset);
        assert_int_equal(r2.truncated_len, r->truncated_len);
    }
    return st;
}

static tkm_status prune(const tkm_chat_message *m, size_t n, tkm_prune_options *o, size_t *keep,
                        size_t *n_kept, tkm_prune_result *r)
{
    return prune_tools(m, n, NULL, 0, o, keep, n, n_kept, r, NULL);
}

static tkm_chat_message convo[7];
static tkm_tool_call call = {LIT("lookup"), LIT("{\"q\": \"weather in Oslo\"}")};

static void build(void)
{
    convo[0] = msg("system", "You are a helpful assistant.");
    convo[1] = msg("user", "First question about the history of Norway, in some detail please.");
    convo[2] = msg("assistant", "Norway has a long history; here is a fairly long answer about it.");
    convo[3] = msg("assistant", "");
    convo[3].tool_calls = &call;
    convo[3].n_tool_calls = 1;
    convo[4] = msg("tool", "{\"temp\": -3, \"sky\": \"snow\"}");
    convo[5] = msg("assistant", "It is snowing in Oslo.");
    convo[6] = msg("user", "And tomorrow?");
}

static size_t sum(const size_t *idx, size_t n)
{
    size_t t = reply();
    for (size_t i = 0; i < n; i++)
        t += cost_of(&convo[idx[i]]);
    return t;
}

static void test_everything_fits(void **state)
{
    (void)state;
    build();
    size_t all[7] = {0, 1, 2, 3, 4, 5, 6}, keep[7], n;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, sum(all, 7), 0, false};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    assert_int_equal(n, 7);
    assert_int_equal(r.tokens, sum(all, 7));
    assert_int_equal(r.truncated_index, SIZE_MAX);
}

static void test_oldest_first_keeps_system(void **state)
{
    (void)state;
    build();
    /* Room for everything except the first user turn. */
    size_t want[6] = {0, 2, 3, 4, 5, 6}, keep[7], n;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, sum(want, 6), 0, false};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(keep, want, sizeof want);
    assert_int_equal(r.tokens, sum(want, 6));
}

static void test_tool_pair_straddling_the_cut(void **state)
{
    (void)state;
    build();
    /* A budget that would fit if only the assistant tool call were dropped
     * and its result kept: the pair must go (or stay) together. */
    size_t straddle[4] = {0, 4, 5, 6}, keep[7], n;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, sum(straddle, 4), 0, false};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    size_t want[3] = {0, 5, 6};
    assert_int_equal(n, 3);
    assert_memory_equal(keep, want, sizeof want);
    for (size_t i = 0; i < n; i++)
        assert_true(keep[i] != 3 && keep[i] != 4);
    assert_true(r.tokens <= sum(straddle, 4));
}

static void test_lone_system_message_too_long(void **state)
{
    (void)state;
    tkm_chat_message sys = msg("system", "You are a very detailed assistant with many rules.");
    size_t keep[1], n;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, cost_of(&sys) + reply() - 1, 0, true};
    tkm_prune_result r;
    tkm_error_detail d;
    assert_int_equal(prune_tools(&sys, 1, NULL, 0, &o, keep, 1, &n, &r, &d),
                     TKM_ERR_DOES_NOT_FIT);
    assert_int_equal(d.status, TKM_ERR_DOES_NOT_FIT);
    assert_int_equal(n, 1); /* the minimal set is still reported */
    assert_int_equal(keep[0], 0);
    assert_int_equal(r.tokens, cost_of(&sys) + reply());
    /* With one more token it fits. */
    o.budget++;
    assert_int_equal(prune_tools(&sys, 1, NULL, 0, &o, keep, 1, &n, &r, NULL),
                     TKM_OK);
}

static void test_keep_last_n(void **state)
{
    (void)state;
    build();
    size_t keep[7], n;
    tkm_prune_options o = {TKM_PRUNE_KEEP_LAST_N, 2, 1000000, 0, false};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    /* turns: [1] [2] [3,4] [5] [6]: the last two turns are 5 and 6 */
    size_t want[3] = {0, 5, 6};
    assert_int_equal(n, 3);
    assert_memory_equal(keep, want, sizeof want);
    o.keep_last_n = 3; /* the tool pair counts as one turn */
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    size_t want3[5] = {0, 3, 4, 5, 6};
    assert_int_equal(n, 5);
    assert_memory_equal(keep, want3, sizeof want3);
}

static void test_middle_out(void **state)
{
    (void)state;
    build();
    /* Budget for system + first turn + last turn only. */
    size_t want[3] = {0, 1, 6}, keep[7], n;
    tkm_prune_options o = {TKM_PRUNE_MIDDLE_OUT, 0, sum(want, 3), 0, false};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(keep, want, sizeof want);
}

static void test_truncate_oldest(void **state)
{
    (void)state;
    build();
    /* Ten tokens short of everything: the oldest turn is shortened, not dropped. */
    size_t all[7] = {0, 1, 2, 3, 4, 5, 6}, keep[7], n;
    size_t full = sum(all, 7);
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, full - 5, 0, true};
    tkm_prune_result r;
    assert_int_equal(prune(convo, 7, &o, keep, &n, &r), TKM_OK);
    assert_int_equal(n, 7);
    assert_int_equal(r.truncated_index, 1);
    assert_true(r.tokens <= full - 5);
    assert_int_equal(r.truncated_offset + r.truncated_len, convo[1].content_len);
    assert_true(r.truncated_offset > 0);
    /* The shortened message really costs what the result says. */
    tkm_chat_message cut = convo[1];
    cut.content += r.truncated_offset;
    cut.content_len = r.truncated_len;
    assert_int_equal(r.tokens, full - cost_of(&convo[1]) + cost_of(&cut));
    /* The caller's messages are untouched. */
    assert_string_equal(convo[1].content,
                        "First question about the history of Norway, in some detail please.");
}

static void test_buffer_and_budget_from_model(void **state)
{
    (void)state;
    build();
    size_t keep[2], n;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, 0, 1000, false};
    tkm_prune_result r;
    assert_int_equal(prune_tools(convo, 7, NULL, 0, &o, keep, 2, &n, &r, NULL),
                     TKM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 7);
    assert_int_equal(r.budget, 128000 - 1000); /* gpt-4o window minus the reservation */
}

/* A conversation long enough (60 messages of ~1.2 KiB) that tkm_chat_prune's
 * own context warms its piece cache: each kept message costs what a fresh
 * context counts for it, and the total is their sum, for each strategy. */
static void test_long_conversation(void **state)
{
    (void)state;
    enum { N = 60, LEN = 1200 };
    static char text[N][LEN + 1];
    static const char *const words[] = {"the ", "budget ", "of ", "tokens, ", "window ",
                                        ("pr\xc3\xbc" "fen "), "42 ", "context. "};
    tkm_chat_message m[N];
    uint32_t x = 3;
    for (size_t i = 0; i < N; i++) {
        size_t n = 0;
        while (n + 16 < LEN) {
            x = x * 1664525u + 1013904223u;
            const char *w = words[(x >> 24) % 8];
            memcpy(text[i] + n, w, strlen(w));
            n += strlen(w);
        }
        text[i][n] = 0;
        m[i] = msg(i == 0 ? "system" : i % 2 ? "user" : "assistant", text[i]);
    }
    size_t all = reply();
    for (size_t i = 0; i < N; i++)
        all += cost_of(&m[i]);
    static const tkm_prune_strategy strategies[] = {TKM_PRUNE_OLDEST_FIRST, TKM_PRUNE_MIDDLE_OUT,
                                                    TKM_PRUNE_KEEP_LAST_N};
    for (size_t k = 0; k < 3; k++) {
        tkm_prune_options o = {strategies[k], 20, all / 2, 0, false};
        size_t keep[N], n_kept;
        tkm_prune_result r;
        assert_int_equal(prune(m, N, &o, keep, &n_kept, &r), TKM_OK);
        assert_true(n_kept > 1 && n_kept < N);
        size_t want = reply();
        for (size_t i = 0; i < n_kept; i++)
            want += cost_of(&m[keep[i]]);
        assert_int_equal(r.tokens, want);
        assert_true(r.tokens <= all / 2);
    }
}

static void test_context_args(void **state)
{
    (void)state;
    tkm_prune_options o = {TKM_PRUNE_OLDEST_FIRST, 0, 1000, 0, false};
    size_t keep[7], n;
    tkm_prune_result r;
    assert_int_equal(tkm_context_chat_prune(NULL, md, enc, convo, 7, NULL, 0, &o, NULL, keep, 7,
                                            &n, &r, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything_fits),
        cmocka_unit_test(test_oldest_first_keeps_system),
        cmocka_unit_test(test_tool_pair_straddling_the_cut),
        cmocka_unit_test(test_lone_system_message_too_long),
        cmocka_unit_test(test_keep_last_n),
        cmocka_unit_test(test_middle_out),
        cmocka_unit_test(test_truncate_oldest),
        cmocka_unit_test(test_buffer_and_budget_from_model),
        cmocka_unit_test(test_long_conversation),
        cmocka_unit_test(test_context_args),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
