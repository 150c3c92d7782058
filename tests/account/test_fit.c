/* test_fit.c — context checks: window versus max input, remaining room, the
 * largest max_tokens that fits, and the early exit on huge prompts. */
#include "acct_test.h"

#include <stdlib.h>

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

static void test_fit_arithmetic(void **state)
{
    (void)state;
    tkm_fit f;
    /* GPT-5 (litellm): 272000 max input, 128000 max output, 400000 window. */
    const tkm_model *g5 = model(table, "gpt-5");
    assert_int_equal(tkm_fit_check(g5, 272000, true, 128000, &f), TKM_OK);
    assert_true(f.fits);
    assert_int_equal(f.remaining, 0);
    assert_int_equal(f.max_output_fit, 128000);
    assert_int_equal(f.budget, 272000);
    /* one token over max input fails even though the window has room */
    assert_int_equal(tkm_fit_check(g5, 272001, true, 0, &f), TKM_OK);
    assert_false(f.fits);
    assert_int_equal(f.max_output_fit, 0);
    /* output above max_output does not fit */
    assert_int_equal(tkm_fit_check(g5, 1000, true, 128001, &f), TKM_OK);
    assert_false(f.fits);
    assert_int_equal(f.max_output_fit, 128000);
    assert_int_equal(f.remaining, 400000 - 1000 - 128001);

    /* gpt-4 (litellm): 8192 window shared by prompt and output (max 4096). */
    const tkm_model *g4 = model(table, "gpt-4");
    assert_int_equal(tkm_fit_check(g4, 5000, true, 3000, &f), TKM_OK);
    assert_true(f.fits);
    assert_int_equal(f.remaining, 192);
    assert_int_equal(f.max_output_fit, 3192);
    assert_int_equal(tkm_fit_check(g4, 5000, true, 3193, &f), TKM_OK);
    assert_false(f.fits);
    assert_int_equal(f.remaining, 0);
    assert_int_equal(tkm_fit_check(g4, 1000, true, 0, &f), TKM_OK);
    assert_int_equal(f.max_output_fit, 4096); /* capped by max_output */

    /* A model with no limits cannot answer. */
    assert_int_equal(tkm_fit_check(model(table, "whisper-1"), 1, true, 0, &f), TKM_ERR_NO_RULES);
}

static void test_chat_fit(void **state)
{
    (void)state;
    const tkm_model *m = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(m);
    tkm_chat_message msgs[2] = {msg("system", "Be brief."), msg("user", "Hello!")};
    tkm_fit f;
    tkm_token_count c;
    assert_int_equal(tkm_chat_fit(m, e, msgs, 2, NULL, 0, 1000, &f, NULL), TKM_OK);
    assert_int_equal(tkm_chat_count(m, e, msgs, 2, SIZE_MAX, &c, NULL), TKM_OK);
    assert_true(f.fits);
    assert_false(f.prompt_exact);
    assert_int_equal(f.prompt_tokens, c.tokens);
    assert_int_equal(f.remaining, 128000 - c.tokens - 1000);
    assert_int_equal(f.max_output_fit, 16384);
    tkm_encoding_free(e);
}

static void test_early_exit(void **state)
{
    (void)state;
    /* A 10 MB prompt against gpt-4's 8k window stops early. */
    size_t n = 10u * 1024 * 1024;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = "lorem ipsum dolor sit amet, "[i % 28];
    const tkm_model *m = model(table, "gpt-4");
    tkm_encoding *e = encoding_of(m);
    tkm_fit f;
    assert_int_equal(tkm_text_fit(m, e, big, n, 0, &f, NULL), TKM_OK);
    assert_false(f.fits);
    assert_true(f.prompt_exceeded);
    assert_true(f.prompt_tokens > 8192);
    /* It stopped early: the whole text is about 2.2 million tokens. */
    assert_true(f.prompt_tokens < 1000000);
    assert_int_equal(f.max_output_fit, 0);

    tkm_chat_message msgs[2] = {msg("system", "Summarize."), msg("user", "")};
    msgs[1].content = big;
    msgs[1].content_len = n;
    assert_int_equal(tkm_chat_fit(m, e, msgs, 2, NULL, 0, 100, &f, NULL), TKM_OK);
    assert_false(f.fits);
    assert_true(f.prompt_exceeded);
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(m, e, msgs, 2, 8192, &c, NULL), TKM_OK);
    assert_true(c.exceeded);
    assert_true(c.tokens > 8192);
    tkm_encoding_free(e);
    free(big);
}

/* Field by field: the struct's padding is not part of the answer. */
static void assert_fits_equal(const tkm_fit *a, const tkm_fit *b)
{
    assert_int_equal(a->fits, b->fits);
    assert_int_equal(a->prompt_tokens, b->prompt_tokens);
    assert_int_equal(a->prompt_exact, b->prompt_exact);
    assert_int_equal(a->prompt_exceeded, b->prompt_exceeded);
    assert_int_equal(a->budget, b->budget);
    assert_int_equal(a->remaining, b->remaining);
    assert_int_equal(a->max_output_fit, b->max_output_fit);
}

/* tkm_context_chat_fit and tkm_context_text_fit answer as the plain calls,
 * fit after fit through one context: prompts of 1-40 KiB of prose (so the
 * context's piece cache warms), against a small window (gpt-4, stops early)
 * and a large one (gpt-4o), with and without tools. */
static void test_context_fits(void **state)
{
    (void)state;
    static const char *const names[] = {"gpt-4", "gpt-4o"};
    static const tkm_tool_property props[] = {
        {LIT("city"), LIT("string"), LIT("The city."), NULL, 0}};
    static const tkm_tool_def tool = {LIT("weather"), LIT("Get the weather."), props, 1};
    size_t cap = 40 * 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t i = 0; i < cap; i++)
        text[i] = "The quick brown fox jumps over the lazy dog; "[i % 45];
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    for (size_t k = 0; k < 2; k++) {
        const tkm_model *m = model(table, names[k]);
        tkm_encoding *e = encoding_of(m);
        for (size_t len = 1024; len <= cap; len += 3 * 1024) {
            tkm_chat_message msgs[2] = {msg("system", "Be brief."), msg("user", "")};
            msgs[1].content = text;
            msgs[1].content_len = len;
            for (size_t nt = 0; nt <= 1; nt++) {
                tkm_fit a, b;
                assert_int_equal(tkm_chat_fit(m, e, msgs, 2, &tool, nt, 500, &a, NULL), TKM_OK);
                assert_int_equal(tkm_context_chat_fit(ctx, m, e, msgs, 2, &tool, nt, 500, &b, NULL),
                                 TKM_OK);
                assert_fits_equal(&a, &b);
            }
            tkm_fit a, b;
            assert_int_equal(tkm_text_fit(m, e, text, len, 500, &a, NULL), TKM_OK);
            assert_int_equal(tkm_context_text_fit(ctx, m, e, text, len, 500, &b, NULL), TKM_OK);
            assert_fits_equal(&a, &b);
        }
        tkm_fit f;
        assert_int_equal(tkm_context_text_fit(NULL, m, e, text, 10, 0, &f, NULL),
                         TKM_ERR_INVALID_ARGUMENT);
        assert_int_equal(tkm_context_chat_fit(NULL, m, e, NULL, 0, NULL, 0, 0, &f, NULL),
                         TKM_ERR_INVALID_ARGUMENT);
        tkm_encoding_free(e);
    }
    tkm_context_free(ctx);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_arithmetic),
        cmocka_unit_test(test_chat_fit),
        cmocka_unit_test(test_early_exit),
        cmocka_unit_test(test_context_fits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
