/* test_cost.c — pricing usage records and requests. Expected dollars come
 * from litellm's per-token prices (the table's source), multiplied out by
 * hand in the comments; money is compared in nano-dollars. */
#include "acct_test.h"

static tkm_model_table *table;

static int setup(void **state)
{
    (void)state;
    table = builtin_table();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tkm_model_table_free(table);
    return 0;
}

#define NANO(usd_num, usd_den) ((tkm_nanousd)((usd_num) * (INT64_C(1000000000) / (usd_den))))

static void test_usage_standard(void **state)
{
    (void)state;
    /* gpt-4o: input 2.5e-06, cached 1.25e-06, output 1e-05 per token.
     * 1,000,000 prompt (200,000 cached) + 500,000 completion (100,000 of it
     * reasoning, billed as output):
     *   800,000 * 2.5e-06 = $2.00; 200,000 * 1.25e-06 = $0.25;
     *   500,000 * 1e-05 = $5.00; total $7.25. */
    tkm_usage u = {1000000, 200000, 500000, 100000, 0, 0, TKM_TIER_STANDARD};
    tkm_cost c;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-4o"), &u, &c), TKM_OK);
    assert_true(c.input == NANO(2, 1));
    assert_true(c.cached_input == NANO(25, 100));
    assert_true(c.output == NANO(5, 1));
    assert_true(c.total == NANO(725, 100));
    assert_false(c.long_context);
    char buf[32];
    size_t n;
    assert_int_equal(tkm_money_format(c.total, buf, sizeof buf, &n), TKM_OK);
    assert_string_equal(buf, "$7.250000");
    assert_int_equal(n, 9);
}

static void test_usage_tiers(void **state)
{
    (void)state;
    /* gpt-4o batch: 1.25e-06 in, 5e-06 out. 1,000 in + 1,000 out =
     * $0.00125 + $0.005 = $0.00625. */
    tkm_usage u = {1000, 0, 1000, 0, 0, 0, TKM_TIER_BATCH};
    tkm_cost c;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-4o"), &u, &c), TKM_OK);
    assert_true(c.total == 6250000);
    /* gpt-5 flex: 6.25e-07 in, 5e-06 out: $0.000625 + $0.005. */
    u.tier = TKM_TIER_FLEX;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-5"), &u, &c), TKM_OK);
    assert_true(c.total == 625000 + 5000000);
    /* gpt-5 priority: 2.5e-06 in, 2e-05 out. */
    u.tier = TKM_TIER_PRIORITY;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-5"), &u, &c), TKM_OK);
    assert_true(c.total == 2500000 + 20000000);
    /* litellm has no batch price for gpt-5: unknown, never guessed. */
    u.tier = TKM_TIER_BATCH;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-5"), &u, &c), TKM_ERR_PRICE_UNKNOWN);
    u.tier = (tkm_service_tier)9;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-5"), &u, &c), TKM_ERR_INVALID_ARGUMENT);
}

static void test_long_context(void **state)
{
    (void)state;
    /* gpt-5.4: above 272k prompt tokens the whole request is billed at
     * 5e-06 in, 5e-07 cached, 2.25e-05 out (litellm *_above_272k_tokens). */
    const tkm_model *m = model(table, "gpt-5.4");
    tkm_usage u = {272000, 0, 1000, 0, 0, 0, TKM_TIER_STANDARD};
    tkm_cost c;
    assert_int_equal(tkm_cost_usage(m, &u, &c), TKM_OK);
    assert_false(c.long_context);
    assert_true(c.total == 272000 * 2500 + 1000 * 15000); /* 2.5e-06, 1.5e-05 */
    u.prompt_tokens = 300000;
    u.cached_tokens = 100000;
    assert_int_equal(tkm_cost_usage(m, &u, &c), TKM_OK);
    assert_true(c.long_context);
    assert_true(c.input == 200000 * INT64_C(5000));
    assert_true(c.cached_input == 100000 * INT64_C(500));
    assert_true(c.output == 1000 * INT64_C(22500));
    /* The table has no long-context batch price. */
    u.tier = TKM_TIER_BATCH;
    assert_int_equal(tkm_cost_usage(m, &u, &c), TKM_ERR_PRICE_UNKNOWN);
}

static void test_usage_validation(void **state)
{
    (void)state;
    const tkm_model *m = model(table, "gpt-4o");
    tkm_cost c;
    tkm_usage cached_too_big = {10, 11, 0, 0, 0, 0, TKM_TIER_STANDARD};
    assert_int_equal(tkm_cost_usage(m, &cached_too_big, &c), TKM_ERR_INVALID_ARGUMENT);
    tkm_usage reasoning_too_big = {10, 0, 5, 6, 0, 0, TKM_TIER_STANDARD};
    assert_int_equal(tkm_cost_usage(m, &reasoning_too_big, &c), TKM_ERR_INVALID_ARGUMENT);
    tkm_usage huge = {UINT64_MAX, 0, 0, 0, 0, 0, TKM_TIER_STANDARD};
    assert_int_equal(tkm_cost_usage(m, &huge, &c), TKM_ERR_OVERFLOW);
    /* gpt-oss has no list price: unknown, not free. */
    tkm_usage one = {1, 0, 0, 0, 0, 0, TKM_TIER_STANDARD};
    assert_int_equal(tkm_cost_usage(model(table, "gpt-oss-20b"), &one, &c),
                     TKM_ERR_PRICE_UNKNOWN);
    /* Zero tokens need no price. */
    tkm_usage zero = {0, 0, 0, 0, 0, 0, TKM_TIER_STANDARD};
    assert_int_equal(tkm_cost_usage(model(table, "gpt-oss-20b"), &zero, &c), TKM_OK);
    assert_true(c.total == 0);
}

static void test_rounding(void **state)
{
    (void)state;
    /* gpt-5-nano flex cached input: 2.5e-09 per token = 2.5 nano-dollars:
     * one token rounds half up to 3, two tokens are exactly 5. */
    const tkm_model *m = model(table, "gpt-5-nano");
    assert_true(m->flex.cached_input == 2500000);
    tkm_nanousd v;
    assert_int_equal(tkm_money_per_million(1, m->flex.cached_input, &v), TKM_OK);
    assert_true(v == 3);
    assert_int_equal(tkm_money_per_million(2, m->flex.cached_input, &v), TKM_OK);
    assert_true(v == 5);
    assert_int_equal(tkm_money_per_million(1, TKM_PRICE_UNKNOWN, &v), TKM_ERR_PRICE_UNKNOWN);
    assert_int_equal(tkm_money_per_million(1, -1, &v), TKM_ERR_INVALID_ARGUMENT);
    /* 10^13 tokens at $600/1M = $6e9 = 6e18 nano-dollars: fits; 10x does not. */
    assert_int_equal(tkm_money_per_million(UINT64_C(10000000000000), INT64_C(600000000000), &v),
                     TKM_OK);
    assert_true(v == INT64_C(6000000000000000000));
    assert_int_equal(tkm_money_per_million(UINT64_C(100000000000000), INT64_C(600000000000), &v),
                     TKM_ERR_OVERFLOW);
}

static void test_estimate(void **state)
{
    (void)state;
    /* gpt-4o, 1,000 prompt tokens: $0.0025; output 0..16,384 tokens (its
     * max output): up to 16,384 * 1e-05 = $0.16384. */
    tkm_cost_estimate e;
    assert_int_equal(
        tkm_cost_estimate_request(model(table, "gpt-4o"), 1000, 0, TKM_TIER_STANDARD, &e),
        TKM_OK);
    assert_true(e.prompt == 2500000);
    assert_int_equal(e.max_output, 16384);
    assert_true(e.output_max == 163840000);
    assert_true(e.total_min == 2500000);
    assert_true(e.total_max == 2500000 + 163840000);
    assert_int_equal(
        tkm_cost_estimate_request(model(table, "gpt-4o"), 1000, 100, TKM_TIER_STANDARD, &e),
        TKM_OK);
    assert_true(e.output_max == 1000000);
    assert_int_equal(
        tkm_cost_estimate_request(model(table, "gpt-oss-20b"), 1, 1, TKM_TIER_STANDARD, &e),
        TKM_ERR_PRICE_UNKNOWN);
}

static void test_services(void **state)
{
    (void)state;
    tkm_nanousd v;
    /* dall-e-3 hd 1024x1792: 6.539e-08/pixel * 1,835,008 px = $0.12 each. */
    assert_int_equal(tkm_cost_images(model(table, "dall-e-3"), "hd", 1024, 1792, 2, &v), TKM_OK);
    assert_true(v == 240000000);
    /* gpt-image-1 medium 1024x1536: litellm input_cost_per_image 0.063. */
    assert_int_equal(tkm_cost_images(model(table, "gpt-image-1"), "medium", 1024, 1536, 1, &v),
                     TKM_OK);
    assert_true(v == 63000000);
    assert_int_equal(tkm_cost_images(model(table, "dall-e-3"), "hd", 512, 512, 1, &v),
                     TKM_ERR_PRICE_UNKNOWN);
    /* whisper-1: 0.0001 per second; 90 s = $0.009. */
    assert_int_equal(tkm_cost_audio(model(table, "whisper-1"), 90000, &v), TKM_OK);
    assert_true(v == 9000000);
    /* tts-1: 1.5e-05 per character; tts-1-hd 3e-05. 1,000 characters. */
    assert_int_equal(tkm_cost_speech(model(table, "tts-1"), 1000, &v), TKM_OK);
    assert_true(v == 15000000);
    assert_int_equal(tkm_cost_speech(model(table, "tts-1-hd"), 1000, &v), TKM_OK);
    assert_true(v == 30000000);
    assert_int_equal(tkm_cost_speech(model(table, "whisper-1"), 1000, &v), TKM_ERR_PRICE_UNKNOWN);
    /* text-embedding-3-small: 2e-08 per token, batch 1e-08. 1M tokens. */
    assert_int_equal(
        tkm_cost_embedding(model(table, "text-embedding-3-small"), 1000000, TKM_TIER_STANDARD, &v),
        TKM_OK);
    assert_true(v == 20000000);
    assert_int_equal(
        tkm_cost_embedding(model(table, "text-embedding-3-small"), 1000000, TKM_TIER_BATCH, &v),
        TKM_OK);
    assert_true(v == 10000000);
    /* gpt-image-1 tokens: 1,000 text in at 5e-06, 1,000 image in at 1e-05,
     * 4,160 image out at 4e-05 = 0.005 + 0.01 + 0.1664. */
    tkm_usage u = {2000, 0, 4160, 0, 1000, 4160, TKM_TIER_STANDARD};
    tkm_cost c;
    assert_int_equal(tkm_cost_usage(model(table, "gpt-image-1"), &u, &c), TKM_OK);
    assert_true(c.input == 5000000);
    assert_true(c.images == 10000000 + 166400000);
    assert_true(c.total == 5000000 + 10000000 + 166400000);
}

static void test_money_format(void **state)
{
    (void)state;
    char buf[32];
    size_t n;
    assert_int_equal(tkm_money_format(1234567, buf, sizeof buf, &n), TKM_OK);
    assert_string_equal(buf, "$0.001235");
    assert_int_equal(tkm_money_format(-1500, buf, sizeof buf, &n), TKM_OK);
    assert_string_equal(buf, "-$0.000002");
    assert_int_equal(tkm_money_format(TKM_PRICE_UNKNOWN, buf, sizeof buf, &n), TKM_OK);
    assert_string_equal(buf, "unknown");
    assert_int_equal(tkm_money_format(INT64_C(12000000000), NULL, 0, &n),
                     TKM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, strlen("$12.000000"));
    assert_int_equal(tkm_money_format(INT64_C(12000000000), buf, n, &n), TKM_ERR_BUFFER_TOO_SMALL);
    assert_true(tkm_money_to_usd(2500000000) == 2.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_standard), cmocka_unit_test(test_usage_tiers),
        cmocka_unit_test(test_long_context),   cmocka_unit_test(test_usage_validation),
        cmocka_unit_test(test_rounding),       cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_services),       cmocka_unit_test(test_money_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
