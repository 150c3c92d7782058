/* pretok.c — PCRE2 (with JIT) as the pre-tokenizer.
 *
 * tiktoken runs its patterns on fancy-regex over &str. To reproduce it:
 *  - the subject is always valid UTF-8 (the encode driver guarantees it), so
 *    we match with PCRE2_NO_UTF_CHECK;
 *  - `$` in fancy-regex is end of text, never "before a final newline":
 *    PCRE2_DOLLAR_ENDONLY;
 *  - each segment between special tokens is its own subject, as tiktoken
 *    calls find_iter on &text[start..end].
 * Match failures that are resource limits (JIT stack, match/heap limit) are
 * errors, never a silently shorter result.
 */
#include "pretok.h"

#include <stdio.h>

static void *gctx_malloc(size_t size, void *ud)
{
    const tkm_allocator *a = ud;
    return tkm_alloc(a, size);
}

static void gctx_free(void *p, void *ud)
{
    const tkm_allocator *a = ud;
    tkm_free(a, p);
}

/* The general context keeps a pointer to the allocator struct, which lives
 * inside the owning encoding or context, so it stays valid as long as they do. */
static pcre2_general_context *make_gctx(const tkm_allocator *a)
{
    return pcre2_general_context_create(gctx_malloc, gctx_free, (void *)a);
}

tkm_status tkm_pretok_compile(tkm_pretok *p, const char *pattern, uint32_t options,
                              const tkm_allocator *a, tkm_error_detail *d)
{
    p->code = NULL;
    p->jit = false;
    p->gctx = make_gctx(a);
    if (!p->gctx)
        return tkm_fail(d, TKM_ERR_NOMEM, "pattern: out of memory");
    pcre2_compile_context *cctx = pcre2_compile_context_create(p->gctx);
    if (!cctx) {
        tkm_pretok_free(p);
        return tkm_fail(d, TKM_ERR_NOMEM, "pattern: out of memory");
    }
    int err = 0;
    PCRE2_SIZE eoff = 0;
    p->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &err, &eoff, cctx);
    pcre2_compile_context_free(cctx);
    if (!p->code) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(err, msg, sizeof msg);
        tkm_pretok_free(p);
        if (err == PCRE2_ERROR_HEAP_FAILED)
            return tkm_fail(d, TKM_ERR_NOMEM, "pattern: out of memory");
        if (d)
            d->offset = eoff;
        return tkm_fail(d, TKM_ERR_REGEX_COMPILE, "pattern offset %zu: %s", (size_t)eoff,
                        (const char *)msg);
    }
    int jrc = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    if (jrc == PCRE2_ERROR_NOMEMORY) {
        tkm_pretok_free(p);
        return tkm_fail(d, TKM_ERR_NOMEM, "pattern JIT: out of memory");
    }
    /* Any other JIT failure (e.g. no JIT on this CPU) leaves the interpreter,
     * which gives the same matches, only slower. */
    p->jit = jrc == 0;
    return TKM_OK;
}

void tkm_pretok_free(tkm_pretok *p)
{
    if (!p)
        return;
    pcre2_code_free(p->code);
    pcre2_general_context_free(p->gctx);
    p->code = NULL;
    p->gctx = NULL;
}

tkm_status tkm_match_scratch_init(tkm_match_scratch *m, const tkm_allocator *a)
{
    if (m->md)
        return TKM_OK;
    m->gctx = make_gctx(a);
    if (m->gctx) {
        m->md = pcre2_match_data_create(1, m->gctx);
        m->mctx = pcre2_match_context_create(m->gctx);
        /* Fixed patterns only need a small JIT stack; custom ones may need
         * more. Past 8 MiB we report TKM_ERR_REGEX_MATCH. */
        m->jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, m->gctx);
    }
    if (!m->gctx || !m->md || !m->mctx || !m->jit_stack) {
        tkm_match_scratch_free(m);
        return TKM_ERR_NOMEM;
    }
    pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    return TKM_OK;
}

void tkm_match_scratch_free(tkm_match_scratch *m)
{
    if (!m)
        return;
    pcre2_jit_stack_free(m->jit_stack);
    pcre2_match_context_free(m->mctx);
    pcre2_match_data_free(m->md);
    pcre2_general_context_free(m->gctx);
    m->jit_stack = NULL;
    m->mctx = NULL;
    m->md = NULL;
    m->gctx = NULL;
}

tkm_status tkm_pretok_next(const tkm_pretok *p, tkm_match_scratch *m, const uint8_t *subj,
                           size_t len, size_t start, size_t *ms, size_t *me, bool *found,
                           tkm_error_detail *d)
{
    int rc = pcre2_match(p->code, (PCRE2_SPTR)subj, len, start, PCRE2_NO_UTF_CHECK, m->md,
                         m->mctx);
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        *ms = ov[0];
        *me = ov[1];
        *found = true;
        return TKM_OK;
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
        *found = false;
        return TKM_OK;
    }
    if (rc == PCRE2_ERROR_NOMEMORY)
        return tkm_fail(d, TKM_ERR_NOMEM, "pattern matching: out of memory");
    PCRE2_UCHAR msg[128];
    pcre2_get_error_message(rc, msg, sizeof msg);
    if (d)
        d->offset = start;
    return tkm_fail(d, TKM_ERR_REGEX_MATCH, "pattern matching failed near byte %zu: %s", start,
                    (const char *)msg);
}
