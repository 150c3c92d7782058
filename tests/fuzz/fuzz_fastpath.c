/* fuzz_fastpath.c — the built-in encoding against a custom encoding built
 * from the same rank file, pattern and special tokens.
 *
 * A built-in encoding may take fast paths (a hand-written pre-tokenizer for
 * its fixed pattern, embedded tables); a custom encoding loaded with
 * tkm_encoding_load() from data/<name>.tiktoken and the built-in's
 * tkm_encoding_pattern() takes the plain path (PCRE2 plus the simple merge).
 * Both must give identical ids on any input, in every mode, and identical
 * statuses and error details where they fail. The built-in side also runs
 * through one long-lived context, so its warm piece cache is compared with
 * the cold path as well. (Were the linked PCRE2's Unicode tables not the
 * version the exact translations were made for, the custom load would fall
 * back to the scanner too and this would compare the scanner with itself;
 * Debian 12's PCRE2 10.42 is that version.)
 *
 * The first input byte picks the encoding (byte % 6) and a second mode
 * compared besides lossless-ordinary (byte / 6 % 3: lossless with specials
 * allowed, replace, strict with specials disallowed); the rest is the text.
 * DATA_DIR (a compile definition) is the repository's data/ directory.
 */
#include "fuzz_common.h"

#ifndef DATA_DIR
#  error "DATA_DIR must name the repository's data/ directory"
#endif

typedef struct pair {
    const char *builtin;
    const char *file; /* data/<file>.tiktoken */
    tkm_encoding *fast;
    tkm_encoding *plain;
} pair;

static pair pairs[] = {
    {"r50k_base", "r50k_base", NULL, NULL},     {"cl100k_base", "cl100k_base", NULL, NULL},
    {"o200k_base", "o200k_base", NULL, NULL},   {"p50k_base", "p50k_base", NULL, NULL},
    {"p50k_edit", "p50k_base", NULL, NULL},     {"o200k_harmony", "o200k_base", NULL, NULL},
};
#define N_PAIRS (sizeof pairs / sizeof pairs[0])
static bool loaded;
/* The built-in side encodes through one long-lived context, so its
 * per-context caches (the piece cache, once 16 KiB have gone through) are
 * warm and shared by all six encodings; the custom side uses the simple
 * API, a fresh context per call, so it never hits a cache. */
static tkm_context *warm;

static void load_pair(pair *p)
{
    p->fast = fuzz_load_builtin(p->builtin);
    size_t ns = tkm_encoding_n_special(p->fast);
    tkm_special_token *sp = fuzz_xmalloc((ns + 1) * sizeof *sp);
    for (size_t i = 0; i < ns; i++)
        FUZZ_CHECK(tkm_encoding_special_at(p->fast, i, &sp[i].text, &sp[i].len, &sp[i].id) ==
                       TKM_OK,
                   "%s: special_at(%zu)", p->builtin, i);
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s.tiktoken", DATA_DIR, p->file);
    FUZZ_CHECK(w > 0 && (size_t)w < sizeof path, "path too long");
    tkm_encoding_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.name = p->builtin;
    spec.ranks_path = path;
    spec.pattern = tkm_encoding_pattern(p->fast);
    spec.specials = sp;
    spec.n_specials = ns;
    tkm_error_detail d;
    tkm_status st = tkm_encoding_load(&spec, NULL, &p->plain, &d);
    FUZZ_CHECK(st == TKM_OK, "custom %s from %s: %s (%s)", p->builtin, path, tkm_strerror(st),
               d.message);
    free(sp);
    FUZZ_CHECK(tkm_encoding_n_vocab(p->fast) == tkm_encoding_n_vocab(p->plain) &&
                   tkm_encoding_n_ordinary(p->fast) == tkm_encoding_n_ordinary(p->plain) &&
                   tkm_encoding_n_special(p->fast) == tkm_encoding_n_special(p->plain),
               "%s: built-in and custom vocabularies differ in size", p->builtin);
    FUZZ_CHECK(strcmp(tkm_encoding_pattern(p->fast), tkm_encoding_pattern(p->plain)) == 0,
               "%s: patterns differ", p->builtin);
}

static void load_all(void)
{
    if (loaded)
        return;
    for (size_t i = 0; i < N_PAIRS; i++)
        load_pair(&pairs[i]);
    FUZZ_CHECK(tkm_context_create(NULL, &warm) == TKM_OK, "tkm_context_create");
    loaded = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load_all();
    return 0;
}

static void compare(const pair *p, const uint8_t *text, size_t len, unsigned flags,
                    const char *label, bool counts)
{
    uint32_t *a, *b;
    size_t na, nb;
    tkm_error_detail da, db;
    tkm_encode_options wo = {flags, NULL, 0};
    size_t cap = tkm_encode_bound(len);
    a = fuzz_xmalloc((cap + 1) * sizeof *a);
    tkm_status sa =
        tkm_context_encode(warm, p->fast, (const char *)text, len, &wo, a, cap, &na, &da);
    tkm_status sb = fuzz_encode(p->plain, text, len, flags, &b, &nb, &db);
    FUZZ_CHECK_STATUS_KNOWN(sa);
    FUZZ_CHECK(sa == sb, "%s %s: built-in %s (%s), custom %s (%s)", p->builtin, label,
               tkm_strerror(sa), da.message, tkm_strerror(sb), db.message);
    if (sa == TKM_OK) {
        size_t i = 0;
        while (i < na && i < nb && a[i] == b[i])
            i++;
        FUZZ_CHECK(na == nb && i == na,
                   "%s %s: built-in gives %zu ids, custom %zu; first difference at id index %zu "
                   "(%u vs %u)",
                   p->builtin, label, na, nb, i, i < na ? a[i] : 0u, i < nb ? b[i] : 0u);
    } else {
        FUZZ_CHECK(da.offset == db.offset && da.token == db.token,
                   "%s %s: %s at offset %zu (token %u) vs offset %zu (token %u)", p->builtin,
                   label, tkm_strerror(sa), da.offset, da.token, db.offset, db.token);
    }
    free(a);
    free(b);

    if (sa != TKM_OK || !counts)
        return;
    /* Counting takes the same paths without storing ids. */
    tkm_encode_options o = {flags, NULL, 0};
    size_t ca = SIZE_MAX, cb = SIZE_MAX;
    sa = tkm_context_count(warm, p->fast, (const char *)text, len, &o, SIZE_MAX, &ca, NULL, &da);
    sb = tkm_count(p->plain, (const char *)text, len, &o, &cb, &db);
    FUZZ_CHECK(sa == TKM_OK && sb == TKM_OK && ca == na && cb == na,
               "%s %s: counts %zu (%s) and %zu (%s), %zu ids", p->builtin, label, ca,
               tkm_strerror(sa), cb, tkm_strerror(sb), na);
    size_t limit = na / 2;
    bool ea = false, eb = false;
    sa = tkm_context_count(warm, p->fast, (const char *)text, len, &o, limit, &ca, &ea, &da);
    sb = tkm_count_limit(p->plain, (const char *)text, len, &o, limit, &cb, &eb, &db);
    FUZZ_CHECK(sa == TKM_OK && sb == TKM_OK && ea == eb && ea == (na > limit),
               "%s %s: count_limit(%zu) exceeded %d vs %d, count %zu", p->builtin, label, limit,
               (int)ea, (int)eb, na);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all();
    if (size == 0)
        return 0;
    const pair *p = &pairs[data[0] % N_PAIRS];
    const uint8_t *text = data + 1;
    size_t len = size - 1;
    compare(p, text, len, TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT, "ordinary lossless",
            true);
    switch ((data[0] / N_PAIRS) % 3) {
    case 0:
        compare(p, text, len, TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL,
                "allow-all lossless", false);
        break;
    case 1:
        compare(p, text, len, TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT,
                "ordinary replace", false);
        break;
    default:
        compare(p, text, len, 0, "default strict", false);
        break;
    }
    return 0;
}
