/* test_api.c — the public contract of tokmeter.h: statuses, buffers, special
 * tokens, decoding, model names, custom encodings, allocators.
 *
 * Token ids are never typed here: expectations are built from other API
 * paths (e.g. ordinary encodings of the parts around a special token) or
 * come from the golden vectors (test_vectors.c). Special-token ids and
 * vocabulary sizes are tiktoken 0.14's published constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tkm_encoding *load(const char *name)
{
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(name, NULL, &enc), TKM_OK);
    assert_non_null(enc);
    return enc;
}

/* Encode with options into a malloc'd array; returns the count. */
static size_t enc_ids(const tkm_encoding *enc, const char *text, size_t len,
                      const tkm_encode_options *o, uint32_t **ids)
{
    size_t cap = tkm_encode_bound(len), n = 0;
    *ids = malloc((cap + 1) * sizeof **ids);
    assert_non_null(*ids);
    tkm_error_detail d;
    tkm_status st = tkm_encode(enc, text, len, o, *ids, cap, &n, &d);
    if (st != TKM_OK)
        fail_msg("encode failed: %s (%s)", tkm_strerror(st), d.message);
    return n;
}

static void test_version_and_strerror(void **state)
{
    (void)state;
    assert_string_equal(tkm_version_string(), "0.1.0");
    assert_int_equal(tkm_version_number(), TKM_VERSION_NUMBER);
    for (int s = 0; s <= TKM_ERR_INTERNAL; s++) {
        const char *m = tkm_strerror((tkm_status)s);
        assert_non_null(m);
        assert_string_not_equal(m, "unknown status");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(m, tkm_strerror((tkm_status)t));
    }
    assert_string_equal(tkm_strerror((tkm_status)9999), "unknown status");
}

static void test_builtins(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t n_vocab;
        size_t n_special;
    } want[] = {{"r50k_base", 50257, 1},   {"p50k_base", 50281, 1},
                {"p50k_edit", 50284, 4},   {"cl100k_base", 100277, 5},
                {"o200k_base", 200019, 2}, {"o200k_harmony", 201088, 1091}};
    assert_int_equal(tkm_builtin_count(), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(tkm_builtin_name(i), want[i].name);
        tkm_encoding *enc = load(want[i].name);
        assert_string_equal(tkm_encoding_name(enc), want[i].name);
        assert_int_equal(tkm_encoding_n_vocab(enc), want[i].n_vocab);
        assert_int_equal(tkm_encoding_n_special(enc), want[i].n_special);
        if (i < 2) /* tiktoken's explicit_n_vocab: no gaps in r50k/p50k */
            assert_int_equal(tkm_encoding_n_ordinary(enc) + tkm_encoding_n_special(enc),
                             want[i].n_vocab);
        assert_true(strlen(tkm_encoding_pattern(enc)) > 10);
        tkm_encoding_free(enc);
    }
    assert_null(tkm_builtin_name(6));
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("gpt2", NULL, &enc), TKM_OK);
    assert_string_equal(tkm_encoding_name(enc), "r50k_base");
    tkm_encoding_free(enc);
    assert_int_equal(tkm_encoding_load_builtin("nope", NULL, &enc), TKM_ERR_UNKNOWN_ENCODING);
    assert_int_equal(tkm_encoding_load_builtin(NULL, NULL, &enc), TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_encoding_load_builtin("cl100k_base", NULL, NULL),
                     TKM_ERR_INVALID_ARGUMENT);
    tkm_encoding_free(NULL);
    tkm_context_free(NULL);
}

static void test_models(void **state)
{
    (void)state;
    /* tiktoken 0.14 model.py: exact names, then prefixes; ft: through the base. */
    static const char *const map[][2] = {
        {"gpt-4o", "o200k_base"},
        {"gpt-4o-2024-08-06", "o200k_base"},
        {"gpt-4o-mini", "o200k_base"},
        {"chatgpt-4o-latest", "o200k_base"},
        {"gpt-4.1-nano", "o200k_base"},
        {"gpt-4.5-preview", "o200k_base"},
        {"gpt-5", "o200k_base"},
        {"gpt-5-mini", "o200k_base"},
        {"gpt-5.1", "o200k_base"},
        {"o1", "o200k_base"},
        {"o1-mini", "o200k_base"},
        {"o3-pro", "o200k_base"},
        {"o4-mini-2025-04-16", "o200k_base"},
        {"gpt-oss-20b", "o200k_harmony"},
        {"gpt-oss-120b", "o200k_harmony"},
        {"gpt-4", "cl100k_base"},
        {"gpt-4-32k", "cl100k_base"},
        {"gpt-4-turbo", "cl100k_base"},
        {"gpt-3.5-turbo", "cl100k_base"},
        {"gpt-3.5-turbo-0301", "cl100k_base"},
        {"gpt-35-turbo", "cl100k_base"},
        {"text-embedding-3-small", "cl100k_base"},
        {"text-embedding-ada-002", "cl100k_base"},
        {"davinci-002", "cl100k_base"},
        {"text-davinci-003", "p50k_base"},
        {"code-davinci-edit-001", "p50k_edit"},
        {"text-davinci-001", "r50k_base"},
        {"gpt2", "gpt2"},
        {"ft:gpt-4o-mini-2024-07-18:org::abc123", "o200k_base"},
        {"ft:gpt-3.5-turbo-0125:acme:suffix:id", "cl100k_base"},
        {"ft:davinci-002:org::x", "cl100k_base"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *name = NULL;
        tkm_status st = tkm_model_encoding_name(map[i][0], &name);
        if (st != TKM_OK)
            fail_msg("%s: %s", map[i][0], tkm_strerror(st));
        assert_string_equal(name, map[i][1]);
    }
    const char *name;
    assert_int_equal(tkm_model_encoding_name("claude-3", &name), TKM_ERR_UNKNOWN_MODEL);
    assert_int_equal(tkm_model_encoding_name("", &name), TKM_ERR_UNKNOWN_MODEL);
    assert_int_equal(tkm_model_encoding_name("ft:", &name), TKM_ERR_UNKNOWN_MODEL);
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_for_model("gpt-4o", NULL, &enc), TKM_OK);
    assert_string_equal(tkm_encoding_name(enc), "o200k_base");
    tkm_encoding_free(enc);
}

static void test_special_tokens(void **state)
{
    (void)state;
    tkm_encoding *enc = load("cl100k_base");
    const char text[] = "Hello <|endoftext|> world <|fim_prefix|>!";
    size_t len = sizeof text - 1;
    size_t eot = strstr(text, "<|endoftext|>") - text;
    uint32_t ids[64];
    size_t n = 0;
    tkm_error_detail d;

    /* Default: every special token disallowed; the first occurrence is reported. */
    assert_int_equal(tkm_encode(enc, text, len, NULL, ids, 64, &n, &d), TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(d.status, TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(d.offset, eot);
    assert_int_equal(d.token, 100257);
    assert_non_null(strstr(d.message, "<|endoftext|>"));
    size_t cnt;
    assert_int_equal(tkm_count(enc, text, len, NULL, &cnt, &d), TKM_ERR_DISALLOWED_SPECIAL);

    /* Allowing one: the other is still disallowed, and reported. */
    const char *allow_eot[] = {"<|endoftext|>"};
    tkm_encode_options o = {0, allow_eot, 1};
    assert_int_equal(tkm_encode(enc, text, len, &o, ids, 64, &n, &d), TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(d.token, 100258);

    /* Allowed + the rest as text: the special becomes its id, the rest is text. */
    o.flags = TKM_ENCODE_SPECIAL_AS_TEXT;
    uint32_t *got;
    size_t ng = enc_ids(enc, text, len, &o, &got);
    uint32_t *pre, *post;
    size_t np = enc_ids(enc, text, eot, &(tkm_encode_options){TKM_ENCODE_SPECIAL_AS_TEXT, 0, 0},
                        &pre);
    size_t after = eot + strlen("<|endoftext|>");
    size_t nq = enc_ids(enc, text + after, len - after,
                        &(tkm_encode_options){TKM_ENCODE_SPECIAL_AS_TEXT, 0, 0}, &post);
    assert_int_equal(ng, np + 1 + nq);
    assert_memory_equal(got, pre, np * sizeof *got);
    assert_int_equal(got[np], 100257);
    assert_memory_equal(got + np + 1, post, nq * sizeof *got);
    free(got);
    free(pre);
    free(post);

    /* All allowed. */
    o = (tkm_encode_options){TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, 0};
    ng = enc_ids(enc, text, len, &o, &got);
    int specials = 0;
    for (size_t i = 0; i < ng; i++)
        specials += tkm_encoding_is_special(enc, got[i]);
    assert_int_equal(specials, 2);
    free(got);

    /* Ordinary: no special ids at all. */
    assert_int_equal(tkm_encode_ordinary(enc, text, len, ids, 64, &n, &d), TKM_OK);
    for (size_t i = 0; i < n; i++)
        assert_false(tkm_encoding_is_special(enc, ids[i]));

    /* An unknown name in the allowed list is an error, not ignored. */
    const char *bad[] = {"<|nope|>"};
    o = (tkm_encode_options){0, bad, 1};
    assert_int_equal(tkm_encode(enc, text, len, &o, ids, 64, &n, &d), TKM_ERR_UNKNOWN_SPECIAL);
    /* Invalid option combinations. */
    o = (tkm_encode_options){TKM_ENCODE_LOSSLESS | TKM_ENCODE_REPLACE_INVALID, NULL, 0};
    assert_int_equal(tkm_encode(enc, "x", 1, &o, ids, 64, &n, &d), TKM_ERR_INVALID_ARGUMENT);
    o = (tkm_encode_options){0x100, NULL, 0};
    assert_int_equal(tkm_encode(enc, "x", 1, &o, ids, 64, &n, &d), TKM_ERR_INVALID_ARGUMENT);

    /* Lookups. */
    uint32_t id;
    assert_int_equal(tkm_encoding_special_id(enc, "<|endofprompt|>", 15, &id), TKM_OK);
    assert_int_equal(id, 100276);
    assert_int_equal(tkm_encoding_special_id(enc, "<|endofprompt", 13, &id),
                     TKM_ERR_UNKNOWN_SPECIAL);
    const char *t;
    size_t tl;
    assert_int_equal(tkm_encoding_special_at(enc, 0, &t, &tl, &id), TKM_OK);
    assert_int_equal(id, 100257);
    assert_int_equal(tkm_encoding_special_at(enc, 5, &t, &tl, &id), TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_encoding_token_id(enc, "<|endoftext|>", 13, &id), TKM_OK);
    assert_int_equal(id, 100257);
    assert_int_equal(tkm_encoding_token_bytes(enc, 100276, &t, &tl), TKM_OK);
    assert_int_equal(tl, 15);
    assert_memory_equal(t, "<|endofprompt|>", 15);
    tkm_encoding_free(enc);

    /* o200k_harmony: named and reserved specials. */
    enc = load("o200k_harmony");
    assert_int_equal(tkm_encoding_special_id(enc, "<|start|>", 9, &id), TKM_OK);
    assert_int_equal(id, 200006);
    assert_int_equal(tkm_encoding_special_id(enc, "<|reserved_200013|>", 19, &id), TKM_OK);
    assert_int_equal(id, 200013);
    /* 200018 is both <|endofprompt|> and <|reserved_200018|>; decoding gives
     * the later-defined one, as tiktoken does. 200002 is <|return|> only. */
    assert_int_equal(tkm_encoding_special_id(enc, "<|reserved_200018|>", 19, &id), TKM_OK);
    assert_int_equal(id, 200018);
    assert_int_equal(tkm_encoding_special_id(enc, "<|endofprompt|>", 15, &id), TKM_OK);
    assert_int_equal(id, 200018);
    assert_int_equal(tkm_encoding_token_bytes(enc, 200018, &t, &tl), TKM_OK);
    assert_int_equal(tl, 19);
    assert_memory_equal(t, "<|reserved_200018|>", 19);
    assert_int_equal(tkm_encoding_special_id(enc, "<|reserved_200002|>", 19, &id),
                     TKM_ERR_UNKNOWN_SPECIAL);
    tkm_encoding_free(enc);
}

static void test_buffers_and_counts(void **state)
{
    (void)state;
    tkm_encoding *enc = load("o200k_base");
    const char *text = "The quick brown fox jumps over the lazy dog, twice: 1234567.";
    size_t len = strlen(text);
    uint32_t *all;
    size_t n = enc_ids(enc, text, len, NULL, &all);
    assert_true(n > 5);

    /* Sizing call and too-small buffers report the size needed. */
    size_t need = 0;
    tkm_error_detail d;
    assert_int_equal(tkm_encode(enc, text, len, NULL, NULL, 0, &need, &d),
                     TKM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, n);
    uint32_t small[3] = {0};
    assert_int_equal(tkm_encode(enc, text, len, NULL, small, 3, &need, &d),
                     TKM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, n);
    assert_memory_equal(small, all, sizeof small);
    assert_int_equal(tkm_encode(enc, text, len, NULL, NULL, 5, &need, &d),
                     TKM_ERR_INVALID_ARGUMENT);
    assert_true(tkm_encode_bound(len) >= n);

    /* Counting. */
    size_t c = 0;
    bool ex = true;
    assert_int_equal(tkm_count(enc, text, len, NULL, &c, &d), TKM_OK);
    assert_int_equal(c, n);
    assert_int_equal(tkm_count_limit(enc, text, len, NULL, n, &c, &ex, &d), TKM_OK);
    assert_false(ex);
    assert_int_equal(c, n);
    assert_int_equal(tkm_count_limit(enc, text, len, NULL, 2, &c, &ex, &d), TKM_OK);
    assert_true(ex);
    assert_true(c > 2);
    assert_int_equal(tkm_count(enc, "", 0, NULL, &c, &d), TKM_OK);
    assert_int_equal(c, 0);
    assert_int_equal(tkm_count(enc, NULL, 0, NULL, &c, &d), TKM_OK);
    assert_int_equal(tkm_count(enc, NULL, 3, NULL, &c, &d), TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_count(NULL, "x", 1, NULL, &c, &d), TKM_ERR_INVALID_ARGUMENT);

    /* Early exit on a large input: a huge text against a small limit stops
     * early and still says "exceeded". */
    size_t big = 8u << 20;
    char *huge = malloc(big);
    assert_non_null(huge);
    for (size_t i = 0; i < big; i++)
        huge[i] = "lorem ipsum dolor sit amet "[i % 27];
    assert_int_equal(tkm_count_limit(enc, huge, big, NULL, 8192, &c, &ex, &d), TKM_OK);
    assert_true(ex);
    assert_true(c > 8192 && c < 8192 + 64);
    free(huge);

    /* Contexts give the same answers and can be reused across encodings. */
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    uint32_t buf[128];
    size_t m = 0;
    assert_int_equal(tkm_context_encode(ctx, enc, text, len, NULL, buf, 128, &m, &d), TKM_OK);
    assert_int_equal(m, n);
    assert_memory_equal(buf, all, n * sizeof *buf);
    tkm_encoding *cl = load("cl100k_base");
    assert_int_equal(tkm_context_count(ctx, cl, text, len, NULL, SIZE_MAX, &c, &ex, &d), TKM_OK);
    assert_false(ex);
    assert_int_equal(tkm_context_encode(ctx, enc, text, len, NULL, buf, 128, &m, &d), TKM_OK);
    assert_memory_equal(buf, all, n * sizeof *buf);
    tkm_context_free(ctx);
    tkm_encoding_free(cl);
    free(all);
    tkm_encoding_free(enc);
}

/* A buffer too small cuts the ids anywhere: inside a merged piece's ids,
 * inside a piece-cache replay (the text is long enough, and repeats its
 * pieces, so a context's cache is warm). Every cut must hold the prefix of
 * the full result and report the full count. */
static void test_buffer_cuts(void **state)
{
    (void)state;
    static const char *const words[] = {
        " Qm9vayBvZiB0aGU", " internationalisation", " Zusammenarbeit", " материалов",
        " 東京都庁舎", " xYzzY_42qRv", " the", ", ", " représentation", "\n\n",
        " counterrevolutionaries", " ++abcXYZdef//", " 1234567", " Grüße"};
    size_t cap = 64 * 1024, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    unsigned x = 12345;
    while (len + 64 < cap) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % (sizeof words / sizeof words[0])];
        memcpy(text + len, w, strlen(w));
        len += strlen(w);
    }
    const char *const names[] = {"cl100k_base", "o200k_base"};
    for (size_t e = 0; e < 2; e++) {
        tkm_encoding *enc = load(names[e]);
        uint32_t *all;
        size_t n = enc_ids(enc, text, len, NULL, &all);
        uint32_t *buf = malloc((n + 1) * sizeof *buf);
        assert_non_null(buf);
        tkm_context *ctx = NULL;
        assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
        tkm_error_detail d;
        for (size_t k = 0; k < 300; k++) {
            x = x * 1103515245u + 12345u;
            size_t c = k < 150 ? n - 1 - k : (x >> 8) % n; /* the end, then anywhere */
            size_t need = 0;
            buf[c] = 0xDEADBEEFu;
            assert_int_equal(tkm_context_encode(ctx, enc, text, len, NULL, buf, c, &need, &d),
                             TKM_ERR_BUFFER_TOO_SMALL);
            assert_int_equal(need, n);
            assert_memory_equal(buf, all, c * sizeof *buf);
            assert_int_equal(buf[c], 0xDEADBEEFu); /* nothing past the capacity */
        }
        tkm_context_free(ctx);
        free(buf);
        free(all);
        tkm_encoding_free(enc);
    }
    free(text);
}

static void test_decode(void **state)
{
    (void)state;
    tkm_encoding *enc = load("cl100k_base");
    const char text[] = "caf\xc3\xa9 \xf0\x9f\x8e\x89 <|endoftext|> ok";
    size_t len = sizeof text - 1;
    uint32_t *ids;
    tkm_encode_options all = {TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, 0};
    size_t n = enc_ids(enc, text, len, &all, &ids);
    char out[128];
    size_t m = 0;
    tkm_error_detail d;
    assert_int_equal(tkm_decode(enc, ids, n, out, sizeof out, &m, &d), TKM_OK);
    assert_int_equal(m, len);
    assert_memory_equal(out, text, len);

    /* Too small: the size needed. */
    size_t need = 0;
    assert_int_equal(tkm_decode(enc, ids, n, out, 4, &need, &d), TKM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, len);
    assert_int_equal(tkm_decode(enc, ids, n, NULL, 0, &need, &d), TKM_ERR_BUFFER_TOO_SMALL);

    /* Offsets: each token's start in the text. */
    size_t off[64];
    assert_int_equal(tkm_decode_offsets(enc, ids, n, off, &d), TKM_OK);
    assert_int_equal(off[0], 0);
    for (size_t i = 0; i < n; i++) {
        const char *b;
        size_t bl;
        assert_int_equal(tkm_encoding_token_bytes(enc, ids[i], &b, &bl), TKM_OK);
        assert_memory_equal(text + off[i], b, bl);
    }

    /* Invalid ids: beyond the vocabulary, and the gap below the specials. */
    uint32_t bad[] = {ids[0], 100256 + 5, 7};
    need = 12345;
    assert_int_equal(tkm_decode(enc, bad, 3, out, sizeof out, &need, &d), TKM_ERR_INVALID_TOKEN);
    assert_int_equal(need, 12345);
    assert_int_equal(d.index, 1);
    assert_int_equal(d.token, 100261);
    uint32_t huge_id[] = {UINT32_MAX};
    assert_int_equal(tkm_decode_offsets(enc, huge_id, 1, off, &d), TKM_ERR_INVALID_TOKEN);
    const char *b;
    size_t bl;
    assert_int_equal(tkm_encoding_token_bytes(enc, 100261, &b, &bl), TKM_ERR_INVALID_TOKEN);
    uint32_t id;
    assert_int_equal(tkm_encoding_token_id(enc, "\xff\xfe\xfd\xfc", 4, &id), TKM_ERR_INVALID_TOKEN);
    assert_int_equal(tkm_decode(enc, NULL, 0, NULL, 0, &need, &d), TKM_OK);
    assert_int_equal(need, 0);
    free(ids);
    tkm_encoding_free(enc);
}

/* A counting allocator: every byte the library uses must come through it. */
typedef struct counting {
    size_t live, total;
} counting;

static void *count_malloc(size_t n, void *ud)
{
    counting *c = ud;
    c->live++;
    c->total++;
    return malloc(n);
}

static void count_free(void *p, void *ud)
{
    counting *c = ud;
    c->live--;
    free(p);
}

static void test_allocator(void **state)
{
    (void)state;
    counting c = {0, 0};
    tkm_allocator a = {count_malloc, count_free, &c};
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin("o200k_harmony", &a, &enc), TKM_OK);
    size_t after_load = c.total;
    assert_true(after_load > 0);
    uint32_t ids[64];
    size_t n;
    assert_int_equal(tkm_encode(enc, "hello <|start|> world", 21, NULL, ids, 64, &n, NULL),
                     TKM_ERR_DISALLOWED_SPECIAL);
    assert_int_equal(tkm_encode_ordinary(enc, "hello world", 11, ids, 64, &n, NULL), TKM_OK);
    assert_true(c.total > after_load); /* per-call scratch uses the encoding's allocator */
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(&a, &ctx), TKM_OK);
    assert_int_equal(tkm_context_encode(ctx, enc, "hi", 2, NULL, ids, 64, &n, NULL), TKM_OK);
    tkm_context_free(ctx);
    tkm_encoding_free(enc);
    assert_int_equal(c.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_strerror), cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_models),               cmocka_unit_test(test_special_tokens),
        cmocka_unit_test(test_buffers_and_counts),   cmocka_unit_test(test_decode),
        cmocka_unit_test(test_allocator),            cmocka_unit_test(test_buffer_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
