/* common.c — small helpers shared by the accounting layer: allocation through
 * the caller's allocator, error details, and the one way text is counted. */
#include "account_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *tkm_acct_alloc(const tkm_allocator *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (a && a->malloc_fn)
        return a->malloc_fn(size, a->user_data);
    return malloc(size);
}

void tkm_acct_free(const tkm_allocator *a, void *p)
{
    if (!p)
        return;
    if (a && a->free_fn)
        a->free_fn(p, a->user_data);
    else
        free(p);
}

tkm_status tkm_acct_fail(tkm_error_detail *d, tkm_status status, size_t line, size_t offset,
                         const char *fmt, ...)
{
    if (!d)
        return status;
    memset(d, 0, sizeof *d);
    d->status = status;
    d->line = line;
    d->offset = offset;
    d->index = SIZE_MAX;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->message, sizeof d->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

int tkm_acct_eq(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return s && n == l && memcmp(s, lit, l) == 0;
}

/* Message content is user text: the API never turns "<|endoftext|>" typed by a
 * user into the special token, so special-token text is counted as text
 * (tiktoken's encode_ordinary). Invalid UTF-8 stays an error: a JSON request
 * cannot carry it either. */
static const tkm_encode_options text_opts = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};

const tkm_encode_options *tkm_acct_text_opts(void)
{
    return &text_opts;
}

tkm_status tkm_acct_count_text(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                               size_t len, size_t limit, size_t *n, bool *exceeded,
                               tkm_error_detail *detail)
{
    *n = 0;
    *exceeded = false;
    if (len == 0)
        return TKM_OK;
    if (ctx)
        return tkm_context_count(ctx, enc, text, len, &text_opts, limit, n, exceeded, detail);
    return tkm_count_limit(enc, text, len, &text_opts, limit, n, exceeded, detail);
}

tkm_status tkm_acct_text_count(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                               size_t len, size_t limit, tkm_token_count *out,
                               tkm_error_detail *detail)
{
    if (!enc || !out || (!text && len))
        return TKM_ERR_INVALID_ARGUMENT;
    size_t n;
    bool exc;
    tkm_status st = tkm_acct_count_text(ctx, enc, text, len, limit, &n, &exc, detail);
    if (st != TKM_OK)
        return st;
    out->tokens = n;
    out->exact = true;
    out->exceeded = exc;
    return TKM_OK;
}

tkm_status tkm_text_count(const tkm_encoding *enc, const char *text, size_t len, size_t limit,
                          tkm_token_count *out, tkm_error_detail *detail)
{
    return tkm_acct_text_count(NULL, enc, text, len, limit, out, detail);
}

tkm_status tkm_context_text_count(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                                  size_t len, size_t limit, tkm_token_count *out,
                                  tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return tkm_acct_text_count(ctx, enc, text, len, limit, out, detail);
}
