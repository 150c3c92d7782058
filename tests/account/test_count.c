/* test_count.c — chat, tool and image tokens against the OpenAI cookbook
 * ("How to count tokens with tiktoken", num_tokens_from_messages and
 * num_tokens_for_tools) and OpenAI's vision guide. Token counts of the texts
 * themselves always come from the library at test time. */
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

/* The cookbook's example conversation. */
static void cookbook_messages(tkm_chat_message m[6])
{
    m[0] = msg("system", "You are a helpful, pattern-following assistant that translates "
                         "corporate jargon into plain English.");
    m[1] = named("system", "example_user", "New synergies will help drive top-line growth.");
    m[2] = named("system", "example_assistant",
                 "Things working well together will increase revenue.");
    m[3] = named("system", "example_user",
                 "Let's circle back when we have more time to touch base on opportunities for "
                 "increased leverage.");
    m[4] = named("system", "example_assistant",
                 "Let's talk later when we're less busy about how to do better.");
    m[5] = msg("user", "This late pivot means we don't have time to boil the ocean for the "
                       "client deliverable.");
}

/* The formula, rebuilt from the library's plain text counts. */
static size_t formula(const tkm_encoding *e, const tkm_chat_message *m, size_t n, int per_msg,
                      int per_name)
{
    long total = 3;
    for (size_t i = 0; i < n; i++) {
        total += per_msg + (long)toks(e, m[i].role) + (long)toks(e, m[i].content);
        if (m[i].name)
            total += (long)toks(e, m[i].name) + per_name;
    }
    return (size_t)total;
}

static size_t chat(const char *name, const tkm_chat_message *m, size_t n)
{
    const tkm_model *md = model(table, name);
    tkm_encoding *e = encoding_of(md);
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(md, e, m, n, SIZE_MAX, &c, NULL), TKM_OK);
    assert_false(c.exact); /* framing overhead is a formula */
    assert_false(c.exceeded);
    tkm_encoding_free(e);
    return c.tokens;
}

static void test_cookbook_conversation(void **state)
{
    (void)state;
    tkm_chat_message m[6];
    cookbook_messages(m);
    /* The notebook prints 129 for gpt-3.5-turbo and gpt-4 and 124 for gpt-4o
     * and gpt-4o-mini (both from its own formula and from the API). */
    assert_int_equal(chat("gpt-3.5-turbo", m, 6), 129);
    assert_int_equal(chat("gpt-4", m, 6), 129);
    assert_int_equal(chat("gpt-4o", m, 6), 124);
    assert_int_equal(chat("gpt-4o-mini", m, 6), 124);
    /* gpt-3.5-turbo-0301: 4 per message, -1 per name (older notebook: 127). */
    assert_int_equal(chat("gpt-3.5-turbo-0301", m, 6), 127);

    /* And the same through the formula with library counts. */
    const tkm_model *md = model(table, "gpt-3.5-turbo-0301");
    tkm_encoding *e = encoding_of(md);
    assert_int_equal(chat("gpt-3.5-turbo-0301", m, 6), formula(e, m, 6, 4, -1));
    assert_int_equal(chat("gpt-4", m, 6), formula(e, m, 6, 3, 1));
    tkm_encoding_free(e);
}

static const char *const units[] = {"celsius", "fahrenheit"};
static const tkm_tool_property weather_props[] = {
    {LIT("location"), LIT("string"), LIT("The city and state, e.g. San Francisco, CA"), NULL, 0},
    {LIT("unit"), LIT("string"), LIT("The unit of temperature to return"), units, 2},
};
static const tkm_tool_def weather = {LIT("get_current_weather"),
                                     LIT("Get the current weather in a given location"),
                                     weather_props, 2};

static size_t tools_plus_messages(const char *name)
{
    tkm_chat_message m[2] = {
        msg("system", "You are a helpful assistant that can answer to questions about the weather."),
        msg("user", "What's the weather like in San Francisco?"),
    };
    const tkm_model *md = model(table, name);
    tkm_encoding *e = encoding_of(md);
    tkm_token_count tc;
    assert_int_equal(tkm_tools_count(md, e, &weather, 1, &tc, NULL), TKM_OK);
    assert_false(tc.exact);
    size_t n = tc.tokens + chat(name, m, 2);
    tkm_encoding_free(e);
    return n;
}

static void test_cookbook_tools(void **state)
{
    (void)state;
    /* Cookbook: the weather function with its two messages is 101 prompt
     * tokens for gpt-4o and gpt-4o-mini, 105 for gpt-3.5-turbo and gpt-4. */
    assert_int_equal(tools_plus_messages("gpt-4o"), 101);
    assert_int_equal(tools_plus_messages("gpt-4o-mini"), 101);
    assert_int_equal(tools_plus_messages("gpt-3.5-turbo"), 105);
    assert_int_equal(tools_plus_messages("gpt-4"), 105);

    /* The tools formula itself, with library counts (gpt-4o constants). */
    const tkm_model *md = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(md);
    size_t want = 7 + toks(e, "get_current_weather:Get the current weather in a given location") +
                  3 + 3 + toks(e, "location:string:The city and state, e.g. San Francisco, CA") +
                  3 + (size_t)(-3 + 3 + (int)toks(e, "celsius") + 3 + (int)toks(e, "fahrenheit")) +
                  toks(e, "unit:string:The unit of temperature to return") + 12;
    tkm_token_count tc;
    assert_int_equal(tkm_tools_count(md, e, &weather, 1, &tc, NULL), TKM_OK);
    assert_int_equal(tc.tokens, want);
    /* A final "." of a description is dropped before counting. */
    tkm_tool_def dot = weather;
    dot.description = "Get the current weather in a given location.";
    dot.description_len = strlen(dot.description);
    assert_int_equal(tkm_tools_count(md, e, &dot, 1, &tc, NULL), TKM_OK);
    assert_int_equal(tc.tokens, want);
    /* No tools: nothing, exactly. */
    assert_int_equal(tkm_tools_count(md, e, NULL, 0, &tc, NULL), TKM_OK);
    assert_int_equal(tc.tokens, 0);
    assert_true(tc.exact);
    tkm_encoding_free(e);

    /* Models the cookbook has no tool constants for say so. */
    md = model(table, "gpt-5");
    e = encoding_of(md);
    assert_int_equal(tkm_tools_count(md, e, &weather, 1, &tc, NULL), TKM_ERR_NO_RULES);
    tkm_encoding_free(e);
}

static size_t img(const char *name, uint32_t w, uint32_t h, tkm_image_detail d)
{
    size_t t = 0;
    assert_int_equal(tkm_image_tokens(model(table, name), w, h, d, &t), TKM_OK);
    return t;
}

static void test_image_tiles(void **state)
{
    (void)state;
    /* Vision guide checks (issue 4): 1024x1024 high on gpt-4o = 765,
     * 2048x4096 = 1105; low detail is the base. */
    assert_int_equal(img("gpt-4o", 1024, 1024, TKM_DETAIL_HIGH), 765);
    assert_int_equal(img("gpt-4o", 2048, 4096, TKM_DETAIL_HIGH), 1105);
    assert_int_equal(img("gpt-4o", 4096, 8192, TKM_DETAIL_LOW), 85);
    assert_int_equal(img("gpt-4o", 1024, 1024, TKM_DETAIL_AUTO), 765);
    /* Same geometry, other families' base + tile (4 and 6 tiles). */
    assert_int_equal(img("gpt-4.1", 1024, 1024, TKM_DETAIL_HIGH), 85 + 170 * 4);
    assert_int_equal(img("gpt-5", 2048, 4096, TKM_DETAIL_HIGH), 70 + 140 * 6);
    assert_int_equal(img("o1", 1024, 1024, TKM_DETAIL_HIGH), 75 + 150 * 4);
    assert_int_equal(img("gpt-4o-mini", 1024, 1024, TKM_DETAIL_HIGH), 2833 + 5667 * 4);
    assert_int_equal(img("gpt-4o-mini", 1024, 1024, TKM_DETAIL_LOW), 2833);
    size_t t;
    assert_int_equal(tkm_image_tokens(model(table, "gpt-4"), 64, 64, TKM_DETAIL_LOW, &t),
                     TKM_ERR_NO_RULES);
    assert_int_equal(tkm_image_tokens(model(table, "gpt-4o"), 0, 64, TKM_DETAIL_LOW, &t),
                     TKM_ERR_INVALID_ARGUMENT);
}

static void test_image_patches(void **state)
{
    (void)state;
    /* Vision guide: a 1024x1024 image is 32*32 = 1024 patches; 1800x2400 is
     * shrunk to 33x44 = 1452 patches. Then times the model's multiplier,
     * rounded up: gpt-4.1-mini 1.62, gpt-4.1-nano 2.46, o4-mini 1.72. */
    assert_int_equal(img("gpt-4.1-mini", 1024, 1024, TKM_DETAIL_HIGH), (1024 * 162 + 99) / 100);
    assert_int_equal(img("gpt-4.1-mini", 1800, 2400, TKM_DETAIL_HIGH), (1452 * 162 + 99) / 100);
    assert_int_equal(img("gpt-4.1-nano", 1800, 2400, TKM_DETAIL_HIGH), (1452 * 246 + 99) / 100);
    assert_int_equal(img("o4-mini", 1024, 1024, TKM_DETAIL_HIGH), (1024 * 172 + 99) / 100);
    /* Never more than 1536 patches, whatever the size. */
    assert_true(img("o4-mini", 20000, 30000, TKM_DETAIL_HIGH) <= (1536 * 172 + 99) / 100);
    assert_true(img("o4-mini", 1, 100000, TKM_DETAIL_HIGH) <= (1536 * 172 + 99) / 100);
}

static void test_image_parts_in_messages(void **state)
{
    (void)state;
    const tkm_model *md = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(md);
    tkm_content_part parts[2] = {
        {TKM_PART_TEXT, TXT("What is in this image?"), 0, 0, TKM_DETAIL_AUTO},
        {TKM_PART_IMAGE, NULL, 0, 1024, 1024, TKM_DETAIL_HIGH},
    };
    tkm_chat_message m = msg("user", "");
    m.parts = parts;
    m.n_parts = 2;
    tkm_chat_message plain = msg("user", "What is in this image?");
    tkm_token_count a, b;
    assert_int_equal(tkm_chat_count(md, e, &m, 1, SIZE_MAX, &a, NULL), TKM_OK);
    assert_int_equal(tkm_chat_count(md, e, &plain, 1, SIZE_MAX, &b, NULL), TKM_OK);
    assert_int_equal(a.tokens, b.tokens + 765);
    tkm_encoding_free(e);
}

static void test_tool_calls_and_results(void **state)
{
    (void)state;
    /* Our rule: a tool call is per_tool_call (3) + name + arguments; a tool
     * result is an ordinary message. */
    const tkm_model *md = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(md);
    tkm_tool_call call = {TXT("get_current_weather"), TXT("{\"location\": \"Paris, France\"}")};
    tkm_chat_message a = msg("assistant", "");
    a.tool_calls = &call;
    a.n_tool_calls = 1;
    tkm_token_count c;
    assert_int_equal(tkm_chat_message_count(md, e, &a, SIZE_MAX, &c, NULL), TKM_OK);
    assert_int_equal(c.tokens, 3 + toks(e, "assistant") + 3 + toks(e, "get_current_weather") +
                                   toks(e, "{\"location\": \"Paris, France\"}"));
    tkm_chat_message r = msg("tool", "{\"temperature\": 22}");
    assert_int_equal(tkm_chat_message_count(md, e, &r, SIZE_MAX, &c, NULL), TKM_OK);
    assert_int_equal(c.tokens, 3 + toks(e, "tool") + toks(e, "{\"temperature\": 22}"));
    tkm_encoding_free(e);
}

static void test_special_text_is_text(void **state)
{
    (void)state;
    const tkm_model *md = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(md);
    tkm_chat_message m = msg("user", "say <|endoftext|> please");
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(md, e, &m, 1, SIZE_MAX, &c, NULL), TKM_OK);
    assert_int_equal(c.tokens, 3 + toks(e, "user") + toks(e, "say <|endoftext|> please") + 3);
    assert_true(toks(e, "<|endoftext|>") > 1); /* counted as text, not one special */
    tkm_encoding_free(e);
}

static void test_harmony(void **state)
{
    (void)state;
    /* gpt-oss renders <|start|>role<|message|>content<|end|>; encode that
     * rendering with the specials allowed and compare. */
    const tkm_model *md = model(table, "gpt-oss-20b");
    tkm_encoding *e = encoding_of(md);
    tkm_chat_message m[3] = {msg("system", "You are terse."), msg("user", "Hi there"),
                             msg("assistant", "Hello.")};
    const char *rendered = "<|start|>system<|message|>You are terse.<|end|>"
                           "<|start|>user<|message|>Hi there<|end|>"
                           "<|start|>assistant<|channel|>final<|message|>Hello.<|end|>"
                           "<|start|>assistant";
    tkm_encode_options all = {TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, 0};
    size_t want;
    assert_int_equal(tkm_count(e, TXT(rendered), &all, &want, NULL), TKM_OK);
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(md, e, m, 3, SIZE_MAX, &c, NULL), TKM_OK);
    assert_int_equal(c.tokens, want);
    /* The harmony model needs the harmony encoding. */
    tkm_encoding *o200k;
    assert_int_equal(tkm_encoding_load_builtin("o200k_base", NULL, &o200k), TKM_OK);
    assert_int_equal(tkm_chat_count(md, o200k, m, 3, SIZE_MAX, &c, NULL), TKM_ERR_NO_RULES);
    tkm_encoding_free(o200k);
    tkm_encoding_free(e);
}

static void test_not_chat(void **state)
{
    (void)state;
    const tkm_model *md = model(table, "text-embedding-3-small");
    tkm_encoding *e = encoding_of(md);
    tkm_chat_message m = msg("user", "x");
    tkm_token_count c;
    assert_int_equal(tkm_chat_count(md, e, &m, 1, SIZE_MAX, &c, NULL), TKM_ERR_NO_RULES);
    assert_int_equal(tkm_text_count(e, TXT("hello world"), SIZE_MAX, &c, NULL), TKM_OK);
    assert_int_equal(c.tokens, toks(e, "hello world"));
    assert_true(c.exact);
    tkm_encoding *none;
    assert_int_equal(tkm_model_encoding_load(model(table, "whisper-1"), NULL, &none),
                     TKM_ERR_NO_RULES);
    tkm_encoding_free(e);
}

/* Field by field: the struct's padding is not part of the answer. */
static void assert_counts_equal(const tkm_token_count *a, const tkm_token_count *b)
{
    assert_int_equal(a->tokens, b->tokens);
    assert_int_equal(a->exact, b->exact);
    assert_int_equal(a->exceeded, b->exceeded);
}

/* The tkm_context_* counts equal the plain ones, call after call through one
 * context: the conversation and the tools, interleaved with texts that add
 * up to well over the 16 KiB after which a context's piece cache is warm, so
 * later calls count with entries earlier ones left; also with a limit that
 * stops a count early. */
static void test_context_counts(void **state)
{
    (void)state;
    const tkm_model *md = model(table, "gpt-4o");
    tkm_encoding *e = encoding_of(md);
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    tkm_chat_message m[6];
    cookbook_messages(m);
    static const char *const words[] = {"alpha ", "beta, ", "gamma. ", "Delta\n", "epsilon ",
                                        "\xc3\xa9t\xc3\xa9 ", "12345 ", "<|endoftext|> "};
    char text[4096];
    uint32_t x = 7;
    for (int round = 0; round < 40; round++) {
        size_t n = 0;
        while (n + 16 < sizeof text) {
            x = x * 1664525u + 1013904223u;
            const char *w = words[(x >> 24) % 8];
            memcpy(text + n, w, strlen(w));
            n += strlen(w);
        }
        tkm_token_count a, b;
        assert_int_equal(tkm_text_count(e, text, n, SIZE_MAX, &a, NULL), TKM_OK);
        assert_int_equal(tkm_context_text_count(ctx, e, text, n, SIZE_MAX, &b, NULL), TKM_OK);
        assert_counts_equal(&a, &b);
        assert_int_equal(tkm_text_count(e, text, n, 100, &a, NULL), TKM_OK);
        assert_int_equal(tkm_context_text_count(ctx, e, text, n, 100, &b, NULL), TKM_OK);
        assert_true(a.exceeded && b.exceeded);
        m[5].content = text; /* the conversation's last message, this round's text */
        m[5].content_len = n;
        assert_int_equal(tkm_chat_count(md, e, m, 6, SIZE_MAX, &a, NULL), TKM_OK);
        assert_int_equal(tkm_context_chat_count(ctx, md, e, m, 6, SIZE_MAX, &b, NULL), TKM_OK);
        assert_counts_equal(&a, &b);
        assert_int_equal(tkm_chat_count(md, e, m, 6, 50, &a, NULL), TKM_OK);
        assert_int_equal(tkm_context_chat_count(ctx, md, e, m, 6, 50, &b, NULL), TKM_OK);
        assert_true(a.exceeded && b.exceeded);
        assert_int_equal(tkm_tools_count(md, e, &weather, 1, &a, NULL), TKM_OK);
        assert_int_equal(tkm_context_tools_count(ctx, md, e, &weather, 1, &b, NULL), TKM_OK);
        assert_counts_equal(&a, &b);
        for (size_t i = 0; i < 6; i++) {
            assert_int_equal(tkm_chat_message_count(md, e, &m[i], SIZE_MAX, &a, NULL), TKM_OK);
            assert_int_equal(tkm_context_chat_message_count(ctx, md, e, &m[i], SIZE_MAX, &b, NULL),
                             TKM_OK);
            assert_counts_equal(&a, &b);
        }
    }
    tkm_token_count c;
    assert_int_equal(tkm_context_text_count(NULL, e, TXT("x"), SIZE_MAX, &c, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_context_chat_count(NULL, md, e, m, 6, SIZE_MAX, &c, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_context_tools_count(NULL, md, e, &weather, 1, &c, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_context_chat_message_count(NULL, md, e, m, SIZE_MAX, &c, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    /* Errors come through as from the plain calls. */
    tkm_error_detail d;
    assert_int_equal(tkm_context_text_count(ctx, e, "ab\xff", 3, SIZE_MAX, &c, &d),
                     TKM_ERR_INVALID_UTF8);
    assert_int_equal(d.offset, 2);
    tkm_context_free(ctx);
    tkm_encoding_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookbook_conversation),
        cmocka_unit_test(test_cookbook_tools),
        cmocka_unit_test(test_image_tiles),
        cmocka_unit_test(test_image_patches),
        cmocka_unit_test(test_image_parts_in_messages),
        cmocka_unit_test(test_tool_calls_and_results),
        cmocka_unit_test(test_special_text_is_text),
        cmocka_unit_test(test_harmony),
        cmocka_unit_test(test_not_chat),
        cmocka_unit_test(test_context_counts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
