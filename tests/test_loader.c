/* test_loader.c — custom encodings: the rank-file loader's errors (with line
 * numbers), checksums, special-token definitions, patterns.
 * Vocabularies here are made up by the test itself (bytes 0..255 at ranks
 * 0..255 plus a few merges), so their ids are the test's own definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tokmeter.h"
#include "test_b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIMPLE_PATTERN "[a-z]+|[0-9]+|\\s+|."

/* All 256 bytes at ranks 0..255 (optionally skipping one byte), then extra
 * lines appended verbatim. */
static char *make_ranks(int skip_byte, const char *extra)
{
    size_t cap = 256 * 16 + strlen(extra) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t o = 0;
    for (int b = 0; b < 256; b++) {
        if (b == skip_byte)
            continue;
        unsigned char c = (unsigned char)b;
        char enc[8];
        test_b64(&c, 1, enc);
        o += (size_t)snprintf(s + o, cap - o, "%s %d\n", enc, b);
    }
    snprintf(s + o, cap - o, "%s", extra);
    return s;
}

static tkm_status load_text(const char *ranks, const tkm_special_token *sp, size_t nsp,
                            tkm_encoding **enc, tkm_error_detail *d)
{
    tkm_encoding_spec spec = {0};
    spec.name = "test";
    spec.ranks = ranks;
    spec.ranks_len = strlen(ranks);
    spec.pattern = SIMPLE_PATTERN;
    spec.specials = sp;
    spec.n_specials = nsp;
    return tkm_encoding_load(&spec, NULL, enc, d);
}

/* Encode and compare with ids given by the test's own vocabulary. */
static void expect_ids(tkm_encoding *enc, const char *text, const uint32_t *want, size_t n)
{
    uint32_t ids[64];
    size_t m = 0;
    tkm_error_detail d;
    assert_int_equal(tkm_encode_ordinary(enc, text, strlen(text), ids, 64, &m, &d), TKM_OK);
    assert_int_equal(m, n);
    assert_memory_equal(ids, want, n * sizeof *want);
}

static void test_valid_custom(void **state)
{
    (void)state;
    /* "ab"=256, "abc"=257, "bc"=258 (rank above "ab": "abc" = ab + c). */
    char *r = make_ranks(-1, "YWI= 256\r\n\nYWJj 257\nYmM= 258");
    tkm_special_token sp[] = {{"<eos>", 5, 300}};
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    tkm_status st = load_text(r, sp, 1, &enc, &d);
    if (st != TKM_OK)
        fail_msg("%s", d.message);
    assert_string_equal(tkm_encoding_name(enc), "test");
    assert_int_equal(tkm_encoding_n_vocab(enc), 301); /* ranks 259..299 are a gap */
    assert_int_equal(tkm_encoding_n_ordinary(enc), 259);
    expect_ids(enc, "abc", (uint32_t[]){257}, 1);
    expect_ids(enc, "abab", (uint32_t[]){256, 256}, 2);
    /* "xbc": no "xb"; "bc" merges (258). */
    expect_ids(enc, "xbc", (uint32_t[]){'x', 258}, 2);
    uint32_t ids[8];
    size_t n;
    assert_int_equal(tkm_encode(enc, "ab<eos>", 7,
                                &(tkm_encode_options){TKM_ENCODE_ALLOW_ALL_SPECIAL, NULL, 0}, ids,
                                8, &n, &d),
                     TKM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[1], 300);
    char out[8];
    uint32_t gap[] = {280};
    assert_int_equal(tkm_decode(enc, gap, 1, out, 8, &n, &d), TKM_ERR_INVALID_TOKEN);
    tkm_encoding_free(enc);
    free(r);
}

typedef struct bad_case {
    const char *extra;
    tkm_status status;
    size_t line; /* 1-based; the 256 byte lines come first */
} bad_case;

static void test_rank_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"YWI=\n", TKM_ERR_RANK_PARSE, 257},               /* missing rank */
        {"YWI= 256 7\n", TKM_ERR_RANK_PARSE, 257},         /* extra field */
        {"YWI= x56\n", TKM_ERR_RANK_PARSE, 257},           /* not a number */
        {"YWI= -1\n", TKM_ERR_RANK_PARSE, 257},            /* negative */
        {"YWI= 16777216\n", TKM_ERR_RANK_PARSE, 257},      /* too large */
        {"YWI= 99999999999999999999\n", TKM_ERR_RANK_PARSE, 257},
        {"\nYW@= 256\n", TKM_ERR_RANK_PARSE, 258},         /* bad base64 character */
        {"YWI 256\n", TKM_ERR_RANK_PARSE, 257},            /* bad base64 length */
        {"YWJ= 256\n", TKM_ERR_RANK_PARSE, 257},           /* non-canonical padding bits */
        {"Y=I= 256\n", TKM_ERR_RANK_PARSE, 257},           /* padding in the middle */
        {"YWI= 256\nYWM= 256\n", TKM_ERR_RANK_DUPLICATE, 258}, /* duplicate rank */
        {"YWI= 256\nYWI= 257\n", TKM_ERR_RANK_DUPLICATE, 258}, /* duplicate token */
        {"YQ== 256\n", TKM_ERR_RANK_DUPLICATE, 257},       /* "a" again */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = make_ranks(-1, cases[i].extra);
        tkm_encoding *enc = NULL;
        tkm_error_detail d;
        tkm_status st = load_text(r, NULL, 0, &enc, &d);
        if (st != cases[i].status || d.line != cases[i].line)
            fail_msg("case %zu (%s): got %s line %zu (%s)", i, cases[i].extra, tkm_strerror(st),
                     d.line, d.message);
        assert_null(enc);
        assert_int_equal(d.status, st);
        assert_non_null(strstr(d.message, "line"));
        free(r);
    }
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    assert_int_equal(load_text("", NULL, 0, &enc, &d), TKM_ERR_RANK_PARSE);
    assert_int_equal(load_text("\n\n", NULL, 0, &enc, &d), TKM_ERR_RANK_PARSE);
}

static void test_specials_and_vocab(void **state)
{
    (void)state;
    char *r = make_ranks(-1, "");
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    tkm_special_token collide[] = {{"<x>", 3, 65}};
    assert_int_equal(load_text(r, collide, 1, &enc, &d), TKM_ERR_SPECIAL_TOKEN);
    tkm_special_token dup_text[] = {{"<x>", 3, 300}, {"<x>", 3, 301}};
    assert_int_equal(load_text(r, dup_text, 2, &enc, &d), TKM_ERR_SPECIAL_TOKEN);
    /* Two texts may share an id (as o200k_harmony's 200018); the last decodes. */
    tkm_special_token dup_id[] = {{"<x>", 3, 300}, {"<y>", 3, 300}};
    assert_int_equal(load_text(r, dup_id, 2, &enc, &d), TKM_OK);
    const char *t;
    size_t tl;
    assert_int_equal(tkm_encoding_token_bytes(enc, 300, &t, &tl), TKM_OK);
    assert_memory_equal(t, "<y>", 3);
    tkm_encoding_free(enc);
    tkm_special_token empty[] = {{"", 0, 300}};
    assert_int_equal(load_text(r, empty, 1, &enc, &d), TKM_ERR_SPECIAL_TOKEN);

    tkm_encoding_spec spec = {0};
    spec.ranks = r;
    spec.ranks_len = strlen(r);
    spec.pattern = SIMPLE_PATTERN;
    spec.explicit_n_vocab = 257;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_ERR_VOCAB_SIZE);
    spec.explicit_n_vocab = 256;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_OK);
    tkm_encoding_free(enc);

    spec.pattern = "[a-z";
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_ERR_REGEX_COMPILE);
    assert_int_equal(d.offset, 4);
    spec.pattern = NULL;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tkm_encoding_load(NULL, NULL, &enc, &d), TKM_ERR_INVALID_ARGUMENT);
    free(r);

    /* A vocabulary without the byte 'q': text containing it cannot be encoded. */
    r = make_ranks('q', "");
    assert_int_equal(load_text(r, NULL, 0, &enc, &d), TKM_OK);
    uint32_t ids[16];
    size_t n;
    assert_int_equal(tkm_encode_ordinary(enc, "ab q", 4, ids, 16, &n, &d), TKM_ERR_UNENCODABLE);
    assert_int_equal(d.offset, 3);
    tkm_encoding_free(enc);
    free(r);
}

static void test_files_and_checksums(void **state)
{
    (void)state;
    /* tiktoken's published SHA-256 of the four rank files. */
    static const char *const files[][3] = {
        {"r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
         "r50k_base"},
        {"p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
         "p50k_base"},
        {"cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
         "cl100k_base"},
        {"o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
         "o200k_base"},
    };
    const char *text = "Files loaded at run time must encode exactly like the embedded ones: "
                       "caf\xc3\xa9, 12345, \xe4\xbd\xa0\xe5\xa5\xbd, don't  stop\n\n";
    for (size_t i = 0; i < 4; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.tiktoken", DATA_DIR, files[i][0]);
        tkm_encoding *builtin = NULL, *loaded = NULL;
        assert_int_equal(tkm_encoding_load_builtin(files[i][2], NULL, &builtin), TKM_OK);
        tkm_encoding_spec spec = {0};
        spec.name = files[i][0];
        spec.ranks_path = path;
        spec.pattern = tkm_encoding_pattern(builtin);
        spec.sha256_hex = files[i][1];
        tkm_error_detail d;
        tkm_status st = tkm_encoding_load(&spec, NULL, &loaded, &d);
        if (st != TKM_OK)
            fail_msg("%s: %s", path, d.message);
        uint32_t a[256], b[256];
        size_t na, nb;
        assert_int_equal(tkm_encode_ordinary(builtin, text, strlen(text), a, 256, &na, &d), TKM_OK);
        assert_int_equal(tkm_encode_ordinary(loaded, text, strlen(text), b, 256, &nb, &d), TKM_OK);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na * sizeof *a);
        assert_int_equal(tkm_encoding_n_ordinary(builtin), tkm_encoding_n_ordinary(loaded));
        tkm_encoding_free(loaded);
        /* Wrong checksum (another file's) and upper-case hex. */
        spec.sha256_hex = files[(i + 1) % 4][1];
        assert_int_equal(tkm_encoding_load(&spec, NULL, &loaded, &d), TKM_ERR_CHECKSUM);
        tkm_encoding_free(builtin);
    }
    tkm_encoding_spec spec = {0};
    spec.ranks_path = "/nonexistent/x.tiktoken";
    spec.pattern = SIMPLE_PATTERN;
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_ERR_IO);
    assert_non_null(strstr(d.message, "/nonexistent/x.tiktoken"));
}

static void test_regex_limits(void **state)
{
    (void)state;
    /* A recursive custom pattern that needs a deep JIT stack on long input
     * must fail loudly, not return a truncated encoding. */
    char *r = make_ranks(-1, "");
    tkm_encoding_spec spec = {0};
    spec.ranks = r;
    spec.ranks_len = strlen(r);
    spec.pattern = "(a(?1)?)|.";
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    assert_int_equal(tkm_encoding_load(&spec, NULL, &enc, &d), TKM_OK);
    size_t n = 4u << 20;
    char *text = malloc(n);
    assert_non_null(text);
    memset(text, 'a', n);
    size_t c;
    assert_int_equal(tkm_count(enc, text, n, NULL, &c, &d), TKM_ERR_REGEX_MATCH);
    assert_true(strlen(d.message) > 0);
    /* Short input works. */
    assert_int_equal(tkm_count(enc, text, 100, NULL, &c, &d), TKM_OK);
    assert_int_equal(c, 100);
    free(text);
    tkm_encoding_free(enc);
    free(r);
}

/* A context caches pieces per encoding. Two custom encodings with the same
 * name and pattern but different merges, the second loaded after the first
 * is freed (so it may well reuse its memory), must not see each other's
 * cached pieces: "abc" is "ab" + "c" under one and "a" + "bc" under the
 * other. The text is long enough (> 16 KiB) for the cache to be in use. */
static void test_context_cache_isolation(void **state)
{
    (void)state;
    const char *extras[2] = {"YWI= 256\n", "YmM= 256\n"};
    const uint32_t want[2][2] = {{256, 'c'}, {'a', 256}};
    size_t len = 0;
    char *text = malloc(40001);
    assert_non_null(text);
    while (len + 4 <= 40000) {
        memcpy(text + len, "abc ", 4);
        len += 4;
    }
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    uint32_t *ids = malloc(len * sizeof *ids);
    assert_non_null(ids);
    for (int round = 0; round < 4; round++) {
        char *r = make_ranks(-1, extras[round % 2]);
        tkm_encoding *enc = NULL;
        tkm_error_detail d;
        if (load_text(r, NULL, 0, &enc, &d) != TKM_OK)
            fail_msg("%s", d.message);
        for (int pass = 0; pass < 2; pass++) {
            size_t n = 0;
            assert_int_equal(tkm_context_encode(ctx, enc, text, len, NULL, ids, len, &n, &d),
                             TKM_OK);
            assert_int_equal(n, len / 4 * 3);
            for (size_t i = 0; i < n; i += 3) {
                assert_int_equal(ids[i], want[round % 2][0]);
                assert_int_equal(ids[i + 1], want[round % 2][1]);
                assert_int_equal(ids[i + 2], ' ');
            }
        }
        tkm_encoding_free(enc);
        free(r);
    }
    free(ids);
    tkm_context_free(ctx);
    free(text);
}

/* The pair memo keeps only the low 4 bits of the cache's epoch (one per
 * encoding bound to the context), so it must be cleared before an epoch
 * reuses them. One context: encoding A merges "abcd" as "abc" + "d", which
 * memoises (ab, c) -> "abc"; then k other encodings bound in turn, on text
 * without that pair; then B, where "abc" is no token: "ab" + "cd". A memo
 * entry surviving from A would make it "abc" + "d". k runs over 13-17, so
 * that B meets A's low bits whether or not the epoch skipped a value in
 * between. Every vocabulary has a 5-byte token ("qqqqq"), so that a 3-byte
 * concatenation is never ruled out by length before the memo is asked. */
/* 40,000 bytes of a 5-byte unit, enough to warm a context's piece cache;
 * *len = 40000. */
static char *repeat_unit(const char unit[5], size_t *len)
{
    char *s = malloc(40000);
    assert_non_null(s);
    for (*len = 0; *len + 5 <= 40000; *len += 5)
        memcpy(s + *len, unit, 5);
    return s;
}

static void test_pair_memo_epochs(void **state)
{
    (void)state;
    const char *ranks_a = "YWI= 256\nYWJj 257\ncXFxcXE= 258\n";        /* ab, abc */
    const char *ranks_b = "YWI= 256\nY2Q= 257\ncXFxcXE= 258\n";        /* ab, cd */
    const char *ranks_other[2] = {"eHk= 256\ncXFxcXE= 257\n",          /* xy */
                                  "eXo= 256\ncXFxcXE= 257\n"};         /* yz */
    size_t len = 0;
    char *abcd = repeat_unit("abcd ", &len), *xyzw = repeat_unit("xyzw ", &len);
    uint32_t *ids = malloc(len * sizeof *ids);
    assert_non_null(ids);
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    for (int k = 13; k <= 17; k++) {
        for (int round = 0; round <= k + 1; round++) {
            int which = round == 0 ? 0 : round == k + 1 ? 1 : 2;
            char *r = make_ranks(-1, which == 0   ? ranks_a
                                     : which == 1 ? ranks_b
                                                  : ranks_other[round % 2]);
            tkm_encoding *enc = NULL;
            tkm_error_detail d;
            if (load_text(r, NULL, 0, &enc, &d) != TKM_OK)
                fail_msg("%s", d.message);
            size_t n = 0;
            assert_int_equal(tkm_context_encode(ctx, enc, which == 2 ? xyzw : abcd, len, NULL,
                                                ids, len, &n, &d),
                             TKM_OK);
            if (which != 2) {
                assert_int_equal(n, len / 5 * 3);
                assert_int_equal(ids[0], which == 0 ? 257 : 256); /* "abc" or "ab" */
                assert_int_equal(ids[1], which == 0 ? 'd' : 257); /* "d" or "cd" */
            }
            tkm_encoding_free(enc);
            free(r);
        }
    }
    tkm_context_free(ctx);
    free(ids);
    free(abcd);
    free(xyzw);
}

/* Ranks of 2^18 and more do not fit the piece cache's short entries (18
 * bits an id): pieces with such ids must come back whole from a warm
 * context, cached in the other table. "ab" = 300000, "cd" = 2^18 - 1 (the
 * largest that fits): "abcd" is [ab, cd]. */
static void test_large_ranks_cached(void **state)
{
    (void)state;
    char *r = make_ranks(-1, "YWI= 300000\nY2Q= 262143\n");
    tkm_encoding *enc = NULL;
    tkm_error_detail d;
    if (load_text(r, NULL, 0, &enc, &d) != TKM_OK)
        fail_msg("%s", d.message);
    size_t len = 0;
    char *text = repeat_unit("abcd ", &len);
    uint32_t *ids = malloc(len * sizeof *ids);
    assert_non_null(ids);
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    for (int round = 0; round < 2; round++) { /* the second starts warm */
        size_t n = 0;
        assert_int_equal(tkm_context_encode(ctx, enc, text, len, NULL, ids, len, &n, &d), TKM_OK);
        assert_int_equal(n, len / 5 * 3);
        for (size_t i = 0; i < n; i += 3) {
            assert_int_equal(ids[i], 300000);
            assert_int_equal(ids[i + 1], 262143);
            assert_int_equal(ids[i + 2], ' ');
        }
    }
    tkm_context_free(ctx);
    tkm_encoding_free(enc);
    free(ids);
    free(text);
    free(r);
}

/* Text that switches between random base64 and hex (pieces that nearly all
 * miss the context's piece cache, so the built-in scanners' driver stops
 * using it and its pair memo for a while) and natural words (where it starts
 * again): a built-in through one warm context must give the ids of the same
 * rank file loaded as a custom encoding (PCRE2 path, fresh context). */
static void test_cache_bypass_exact(void **state)
{
    (void)state;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char *const words[] = {"the ", "merge ", "of ", "caf\xc3\xa9 ", "tokens, ",
                                        "\xd0\xbc\xd0\xb8\xd1\x80 ", "and ", "rank\n",
                                        "\xe4\xbd\xa0\xe5\xa5\xbd", "  don't "};
    size_t cap = 1u << 20, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    uint32_t x = 12345;
    for (int seg = 0; len + 70000 < cap; seg++) {
        size_t end = len + (seg % 3 == 2 ? 30000 : 60000);
        while (len < end) {
            x = x * 1664525u + 1013904223u;
            if (seg % 3 == 0)
                text[len++] = b64[x >> 26];
            else if (seg % 3 == 1)
                text[len++] = "0123456789abcdef"[x >> 28];
            else {
                const char *w = words[(x >> 16) % (sizeof words / sizeof words[0])];
                memcpy(text + len, w, strlen(w));
                len += strlen(w);
            }
        }
    }
    const char *names[] = {"cl100k_base", "o200k_base"};
    uint32_t *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    tkm_context *ctx = NULL;
    assert_int_equal(tkm_context_create(NULL, &ctx), TKM_OK);
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.tiktoken", DATA_DIR, names[i]);
        tkm_encoding *builtin = NULL, *loaded = NULL;
        assert_int_equal(tkm_encoding_load_builtin(names[i], NULL, &builtin), TKM_OK);
        tkm_encoding_spec spec = {0};
        spec.ranks_path = path;
        spec.pattern = tkm_encoding_pattern(builtin);
        assert_int_equal(tkm_encoding_load(&spec, NULL, &loaded, NULL), TKM_OK);
        size_t na = 0, nb = 0;
        for (int pass = 0; pass < 2; pass++) { /* the second pass starts warm */
            assert_int_equal(tkm_context_encode(ctx, builtin, text, len, NULL, a, len, &na, NULL),
                             TKM_OK);
            assert_int_equal(tkm_encode_ordinary(loaded, text, len, b, len, &nb, NULL), TKM_OK);
            assert_int_equal(na, nb);
            assert_memory_equal(a, b, na * sizeof *a);
        }
        tkm_encoding_free(loaded);
        tkm_encoding_free(builtin);
    }
    tkm_context_free(ctx);
    free(a);
    free(b);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_custom),       cmocka_unit_test(test_rank_errors),
        cmocka_unit_test(test_specials_and_vocab), cmocka_unit_test(test_files_and_checksums),
        cmocka_unit_test(test_regex_limits),       cmocka_unit_test(test_context_cache_isolation),
        cmocka_unit_test(test_cache_bypass_exact),
        cmocka_unit_test(test_pair_memo_epochs),   cmocka_unit_test(test_large_ranks_cached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
