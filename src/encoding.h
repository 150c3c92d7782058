/* encoding.h — the tkm_encoding object. */
#ifndef TKM_ENCODING_H
#define TKM_ENCODING_H

#include "internal.h"
#include "pretok.h"
#include "scan.h"
#include "special.h"
#include "vocab.h"

struct tkm_encoding {
    tkm_allocator alloc; /* must stay first-class: PCRE2 contexts point at it */
    char *name;
    char *pattern;       /* tiktoken syntax, as given */
    tkm_vocab vocab;
    tkm_special_set specials;
    tkm_pretok pretok;   /* PCRE2; unused (code == NULL) when scan is set */
    tkm_scan_kind scan;  /* hand-written scanner for a built-in pattern */
    uint32_t n_vocab;
    /* Identifies the vocabulary's content (XXH3-128 of its ranks and bytes;
     * of the name for a built-in, whose data is fixed at compile time).
     * Contexts tag cached pieces with it, so a cache never serves ids of a
     * freed encoding whose memory a new one reuses. */
    uint64_t fingerprint[2];
};

/* Finish an encoding whose vocab is set: specials, pattern, n_vocab checks.
 * pcre_pattern is what PCRE2 compiles (a built-in's exact translation or the
 * caller's pattern); NULL when enc->scan is set and no regex is needed.
 * On failure the caller frees enc. */
TKM_INTERNAL tkm_status tkm_encoding_finish(tkm_encoding *enc, const char *name,
                                            const char *pattern, const char *pcre_pattern,
                                            uint32_t pcre_options,
                                            const tkm_special_token *specials, size_t n_specials,
                                            uint32_t explicit_n_vocab, tkm_error_detail *d);

/* The exact PCRE2 translation of a built-in tiktoken pattern, or NULL (not a
 * built-in pattern, or the linked PCRE2's Unicode tables are not those the
 * translation was generated against). */
TKM_INTERNAL const char *tkm_builtin_pcre_pattern(const char *tiktoken_pattern);

/* The scanner for a built-in tiktoken pattern, or TKM_SCAN_NONE. */
TKM_INTERNAL tkm_scan_kind tkm_builtin_scan_kind(const char *tiktoken_pattern);

/* tkm_context_count with every reported offset shifted by origin (the
 * position of text[0] in a larger input; used by streams). */
TKM_INTERNAL tkm_status tkm_context_count_at(tkm_context *ctx, const tkm_encoding *enc,
                                             const char *text, size_t len,
                                             const tkm_encode_options *opts, size_t origin,
                                             size_t limit, size_t *n_out, bool *exceeded,
                                             tkm_error_detail *detail);

/* Compile options for built-in translations and for custom patterns. */
#define TKM_PCRE2_BUILTIN_OPTIONS (PCRE2_UTF | PCRE2_DOLLAR_ENDONLY)
#define TKM_PCRE2_CUSTOM_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY)

#endif
