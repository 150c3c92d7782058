/* builtin.c — the six built-in encodings of tiktoken 0.14
 * (tiktoken_ext/openai_public.py): rank data embedded at build time, the
 * exact Unicode 16.0 translation of each pattern, and the special tokens. */
#include "builtin_patterns.h"
#include "encoding.h"

#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#ifdef TKM_EMBED_DATA
#  define DECLARE_EMBEDDED(name)                               \
      extern const uint32_t tkm_embedded_##name##_n_ranks;     \
      extern const uint32_t tkm_embedded_##name##_off[];       \
      extern const unsigned char tkm_embedded_##name##_bytes[];
DECLARE_EMBEDDED(r50k_base)
DECLARE_EMBEDDED(p50k_base)
DECLARE_EMBEDDED(cl100k_base)
DECLARE_EMBEDDED(o200k_base)
#  ifdef TKM_EMBED_TABLES
#    define DECLARE_TABLES(name)                                    \
        extern const size_t tkm_embedded_##name##_n_slots;         \
        extern const tkm_vocab_slot tkm_embedded_##name##_slots[]; \
        extern const uint8_t tkm_embedded_##name##_tags[];         \
        extern const uint32_t tkm_embedded_##name##_pairs[];       \
        extern const uint64_t tkm_embedded_##name##_tri[];         \
        extern const struct tkm_bt_tables tkm_embedded_##name##_bt;
DECLARE_TABLES(r50k_base)
DECLARE_TABLES(p50k_base)
DECLARE_TABLES(cl100k_base)
DECLARE_TABLES(o200k_base)
#    define TABLES(name)                                          \
        &tkm_embedded_##name##_n_slots, tkm_embedded_##name##_slots, \
        tkm_embedded_##name##_tags,                                 \
        tkm_embedded_##name##_pairs, tkm_embedded_##name##_tri, &tkm_embedded_##name##_bt
#  else
#    define TABLES(name) NULL, NULL, NULL, NULL, NULL, NULL
#  endif
#  define RANKS(name)                                                                      \
      &tkm_embedded_##name##_n_ranks, tkm_embedded_##name##_off, tkm_embedded_##name##_bytes, \
      TABLES(name)
#else
#  define RANKS(name) NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
#endif

#define ENDOFTEXT "<|endoftext|>"
#define FIM_PREFIX "<|fim_prefix|>"
#define FIM_MIDDLE "<|fim_middle|>"
#define FIM_SUFFIX "<|fim_suffix|>"
#define ENDOFPROMPT "<|endofprompt|>"
#define SPECIAL(text, id) {text, sizeof(text) - 1, id}

static const tkm_special_token r50k_specials[] = {SPECIAL(ENDOFTEXT, 50256)};
static const tkm_special_token p50k_edit_specials[] = {
    SPECIAL(ENDOFTEXT, 50256), SPECIAL(FIM_PREFIX, 50281), SPECIAL(FIM_MIDDLE, 50282),
    SPECIAL(FIM_SUFFIX, 50283)};
static const tkm_special_token cl100k_specials[] = {
    SPECIAL(ENDOFTEXT, 100257), SPECIAL(FIM_PREFIX, 100258), SPECIAL(FIM_MIDDLE, 100259),
    SPECIAL(FIM_SUFFIX, 100260), SPECIAL(ENDOFPROMPT, 100276)};
static const tkm_special_token o200k_specials[] = {SPECIAL(ENDOFTEXT, 199999),
                                                   SPECIAL(ENDOFPROMPT, 200018)};
/* o200k_harmony's named specials; the <|reserved_N|> ones are generated. */
static const tkm_special_token harmony_named[] = {
    SPECIAL("<|startoftext|>", 199998), SPECIAL(ENDOFTEXT, 199999),
    SPECIAL("<|return|>", 200002),      SPECIAL("<|constrain|>", 200003),
    SPECIAL("<|channel|>", 200005),     SPECIAL("<|start|>", 200006),
    SPECIAL("<|end|>", 200007),         SPECIAL("<|message|>", 200008),
    SPECIAL("<|call|>", 200012),        SPECIAL(ENDOFPROMPT, 200018)};
#define HARMONY_FIRST_RESERVED 200000u
#define HARMONY_LAST_RESERVED 201087u
#define HARMONY_LAST_NAMED 200012u /* <|call|> */

typedef struct builtin {
    const char *name;
    const uint32_t *n_ranks;
    const uint32_t *off;
    const unsigned char *bytes;
    const size_t *n_slots; /* compile-time hash table, or NULL: built at load */
    const tkm_vocab_slot *slots;
    const uint8_t *tags;
    const uint32_t *pairs;
    const uint64_t *tri;
    const struct tkm_bt_tables *bt; /* compile-time backtracking tables, or NULL */
    const char *pattern;
    const char *pcre_pattern;
    tkm_scan_kind scan;
    const tkm_special_token *specials;
    size_t n_specials;
    uint32_t explicit_n_vocab; /* tiktoken's explicit_n_vocab, or 0 */
} builtin;

static const builtin BUILTINS[] = {
    {"r50k_base", RANKS(r50k_base), tkm_pattern_r50k, tkm_pcre2_pattern_r50k, TKM_SCAN_R50K,
     r50k_specials, 1, 50257},
    {"p50k_base", RANKS(p50k_base), tkm_pattern_r50k, tkm_pcre2_pattern_r50k, TKM_SCAN_R50K,
     r50k_specials, 1, 50281},
    {"p50k_edit", RANKS(p50k_base), tkm_pattern_r50k, tkm_pcre2_pattern_r50k, TKM_SCAN_R50K,
     p50k_edit_specials, 4, 0},
    {"cl100k_base", RANKS(cl100k_base), tkm_pattern_cl100k, tkm_pcre2_pattern_cl100k,
     TKM_SCAN_CL100K, cl100k_specials, 5, 0},
    {"o200k_base", RANKS(o200k_base), tkm_pattern_o200k, tkm_pcre2_pattern_o200k, TKM_SCAN_O200K,
     o200k_specials, 2, 0},
    {"o200k_harmony", RANKS(o200k_base), tkm_pattern_o200k, tkm_pcre2_pattern_o200k,
     TKM_SCAN_O200K, NULL, 0, 0},
};
#define N_BUILTINS (sizeof BUILTINS / sizeof BUILTINS[0])

size_t tkm_builtin_count(void)
{
    return N_BUILTINS;
}

const char *tkm_builtin_name(size_t i)
{
    return i < N_BUILTINS ? BUILTINS[i].name : NULL;
}

/* True when the linked PCRE2 has the Unicode tables the translations were
 * generated against. */
static bool pcre2_tables_match(void)
{
    char uver[32] = "";
    pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, uver);
    return strcmp(uver, TKM_PCRE2_UNICODE_VERSION) == 0;
}

/* The first built-in whose tiktoken pattern is exactly this one, or NULL. */
static const builtin *by_pattern(const char *tiktoken_pattern)
{
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (strcmp(BUILTINS[i].pattern, tiktoken_pattern) == 0)
            return &BUILTINS[i];
    return NULL;
}

tkm_scan_kind tkm_builtin_scan_kind(const char *tiktoken_pattern)
{
    const builtin *b = by_pattern(tiktoken_pattern);
    return b ? b->scan : TKM_SCAN_NONE;
}

const char *tkm_builtin_pcre_pattern(const char *tiktoken_pattern)
{
    const builtin *b = by_pattern(tiktoken_pattern);
    return b && pcre2_tables_match() ? b->pcre_pattern : NULL;
}

/* Named specials plus <|reserved_N|> for every id in 200000..201087 that no
 * harmony-specific named special uses, as tiktoken 0.14 defines
 * o200k_harmony. 200018 is both o200k_base's <|endofprompt|> and
 * <|reserved_200018|>; the reserved one is defined later, so it is what
 * decodes, as in tiktoken. */
static tkm_status harmony_specials(const tkm_allocator *a, tkm_special_token **out, size_t *n,
                                   char **text_out)
{
    size_t n_named = sizeof harmony_named / sizeof harmony_named[0];
    size_t cap = n_named + (HARMONY_LAST_RESERVED - HARMONY_FIRST_RESERVED + 1);
    tkm_special_token *t = tkm_alloc_array(a, cap, sizeof *t);
    char *text = tkm_alloc_array(a, cap, 24);
    if (!t || !text) {
        tkm_free(a, t);
        tkm_free(a, text);
        return TKM_ERR_NOMEM;
    }
    memcpy(t, harmony_named, sizeof harmony_named);
    size_t k = n_named;
    for (uint32_t id = HARMONY_FIRST_RESERVED; id <= HARMONY_LAST_RESERVED; id++) {
        bool named = false;
        for (size_t i = 0; i < n_named; i++)
            named |= harmony_named[i].id == id && id <= HARMONY_LAST_NAMED;
        if (named)
            continue;
        char *s = text + 24 * k;
        int len = snprintf(s, 24, "<|reserved_%u|>", id);
        t[k].text = s;
        t[k].len = (size_t)len;
        t[k].id = id;
        k++;
    }
    *out = t;
    *n = k;
    *text_out = text;
    return TKM_OK;
}

static tkm_status load_ranks(tkm_encoding *enc, const builtin *b, tkm_error_detail *d)
{
#ifdef TKM_EMBED_DATA
    (void)d;
    if (b->slots) {
        tkm_vocab_wrap_tables(&enc->vocab, *b->n_ranks, b->off, b->bytes, b->slots, b->tags,
                              *b->n_slots, b->pairs, b->tri, b->bt, &enc->alloc);
        return TKM_OK;
    }
    return tkm_vocab_wrap(&enc->vocab, *b->n_ranks, b->off, b->bytes, &enc->alloc);
#else
    (void)enc;
    (void)b;
    return tkm_fail(d, TKM_ERR_UNKNOWN_ENCODING, "built-in data was not embedded in this build");
#endif
}

tkm_status tkm_encoding_load_builtin(const char *name, const tkm_allocator *alloc,
                                     tkm_encoding **out)
{
    if (!name || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (strcmp(name, "gpt2") == 0)
        name = "r50k_base";
    const builtin *b = NULL;
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            b = &BUILTINS[i];
    if (!b)
        return TKM_ERR_UNKNOWN_ENCODING;

    tkm_allocator a;
    tkm_alloc_init(&a, alloc);
    tkm_encoding *enc = tkm_calloc_array(&a, 1, sizeof *enc);
    if (!enc)
        return TKM_ERR_NOMEM;
    enc->alloc = a;
    tkm_status st = load_ranks(enc, b, NULL);
    /* Built-in data is fixed at compile time: its name identifies it (a
     * seed keeps these apart from content hashes of custom encodings). */
    XXH128_hash_t fp = XXH3_128bits_withSeed(b->name, strlen(b->name), 0x746B6D6275696C74ull);
    enc->fingerprint[0] = fp.low64;
    enc->fingerprint[1] = fp.high64;
    tkm_special_token *gen = NULL;
    char *gen_text = NULL;
    const tkm_special_token *specials = b->specials;
    size_t n_specials = b->n_specials;
    if (st == TKM_OK && !specials) {
        st = harmony_specials(&enc->alloc, &gen, &n_specials, &gen_text);
        specials = gen;
    }
    /* Built-ins run on their hand-written scanner (src/scan.c), which needs
     * no regex and no particular PCRE2 version. */
    enc->scan = b->scan;
    if (st == TKM_OK)
        st = tkm_encoding_finish(enc, b->name, b->pattern, NULL, 0, specials, n_specials,
                                 b->explicit_n_vocab, NULL);
    tkm_free(&enc->alloc, gen);
    tkm_free(&enc->alloc, gen_text);
    if (st != TKM_OK) {
        tkm_encoding_free(enc);
        return st;
    }
    *out = enc;
    return TKM_OK;
}
