/* pretok.h — the pre-tokenizer: splits a text segment into pieces. */
#ifndef TKM_PRETOK_H
#define TKM_PRETOK_H

#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef struct tkm_pretok {
    pcre2_code *code;
    pcre2_general_context *gctx;
    bool jit;
} tkm_pretok;

/* Per-context match state (PCRE2 match data, JIT stack). Created lazily. */
typedef struct tkm_match_scratch {
    pcre2_general_context *gctx;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
} tkm_match_scratch;

/* Compile `pattern` (already in PCRE2 syntax) with `options`.
 * Returns TKM_OK, TKM_ERR_REGEX_COMPILE (detail: offset), TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_pretok_compile(tkm_pretok *p, const char *pattern, uint32_t options,
                                           const tkm_allocator *a, tkm_error_detail *d);
TKM_INTERNAL void tkm_pretok_free(tkm_pretok *p);

TKM_INTERNAL tkm_status tkm_match_scratch_init(tkm_match_scratch *m, const tkm_allocator *a);
TKM_INTERNAL void tkm_match_scratch_free(tkm_match_scratch *m);

/* Find the next match in subj[0..len) (valid UTF-8) at or after `start`.
 * On TKM_OK, *found tells whether there was one, at [*ms, *me).
 * Returns TKM_OK, TKM_ERR_REGEX_MATCH (JIT stack, match or heap limits),
 * TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_pretok_next(const tkm_pretok *p, tkm_match_scratch *m,
                                        const uint8_t *subj, size_t len, size_t start, size_t *ms,
                                        size_t *me, bool *found, tkm_error_detail *d);

#endif
