/* account_internal.h — helpers shared by the accounting layer's sources.
 * Built only on the public API: this layer includes tokmeter.h and
 * tokmeter_account.h, never the core's internal.h. */
#ifndef TKM_ACCOUNT_INTERNAL_H
#define TKM_ACCOUNT_INTERNAL_H

#include "tokmeter_account.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#  define TKM_ACCT_HIDDEN __attribute__((visibility("hidden")))
#  define TKM_ACCT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define TKM_ACCT_HIDDEN
#  define TKM_ACCT_PRINTF(a, b)
#endif

/* Allocation through the optional caller allocator (NULL = malloc/free). */
TKM_ACCT_HIDDEN void *tkm_acct_alloc(const tkm_allocator *a, size_t size);
TKM_ACCT_HIDDEN void tkm_acct_free(const tkm_allocator *a, void *p);

/* Fill *d (when not NULL) with status, line, offset and a message; return status. */
TKM_ACCT_HIDDEN tkm_status tkm_acct_fail(tkm_error_detail *d, tkm_status status, size_t line,
                                         size_t offset, const char *fmt, ...)
    TKM_ACCT_PRINTF(5, 6);

/* Case-sensitive comparison of (s, n) with a NUL-terminated literal. */
TKM_ACCT_HIDDEN int tkm_acct_eq(const char *s, size_t n, const char *lit);

/* units * price / div, rounded half up, overflow-checked (price >= 0, div > 0). */
TKM_ACCT_HIDDEN tkm_status tkm_acct_mul_div(uint64_t units, int64_t price, uint64_t div,
                                            int64_t *out);

/* *acc += v with overflow check. */
TKM_ACCT_HIDDEN tkm_status tkm_acct_add_money(int64_t *acc, int64_t v);

/* The encode options every accounting count uses: special-token text is text. */
TKM_ACCT_HIDDEN const tkm_encode_options *tkm_acct_text_opts(void);

/* Content tokens of a text (special-token text counted as text) with a limit,
 * with ctx's scratch (tkm_context_count) or, for ctx NULL, a fresh context's
 * (tkm_count_limit). */
TKM_ACCT_HIDDEN tkm_status tkm_acct_count_text(tkm_context *ctx, const tkm_encoding *enc,
                                               const char *text, size_t len, size_t limit,
                                               size_t *n, bool *exceeded,
                                               tkm_error_detail *detail);

/* The public counts through ctx, or for ctx NULL with fresh contexts (the
 * plain calls); their tkm_context_* forms are these with ctx required. */
TKM_ACCT_HIDDEN tkm_status tkm_acct_text_count(tkm_context *ctx, const tkm_encoding *enc,
                                               const char *text, size_t len, size_t limit,
                                               tkm_token_count *out, tkm_error_detail *detail);
TKM_ACCT_HIDDEN tkm_status tkm_acct_chat_count(tkm_context *ctx, const tkm_model *model,
                                               const tkm_encoding *enc,
                                               const tkm_chat_message *msgs, size_t n_msgs,
                                               size_t limit, tkm_token_count *out,
                                               tkm_error_detail *detail);
TKM_ACCT_HIDDEN tkm_status tkm_acct_message_count(tkm_context *ctx, const tkm_model *model,
                                                  const tkm_encoding *enc,
                                                  const tkm_chat_message *msg, size_t limit,
                                                  tkm_token_count *out, tkm_error_detail *detail);
TKM_ACCT_HIDDEN tkm_status tkm_acct_tools_count(tkm_context *ctx, const tkm_model *model,
                                                const tkm_encoding *enc,
                                                const tkm_tool_def *tools, size_t n_tools,
                                                tkm_token_count *out, tkm_error_detail *detail);

#endif
