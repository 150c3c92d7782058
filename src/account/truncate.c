/* truncate.c — cut a text to at most N tokens, keeping its head, its tail or
 * both ends.
 *
 * The cut is placed at a token boundary of the full encoding (from
 * tkm_decode_offsets), then moved onto a UTF-8 boundary: a token may end in
 * the middle of a character, and the kept text must stay valid text. A
 * prefix or suffix cut at a token boundary need not encode to exactly the
 * same tokens on its own (the pre-tokenizer sees a different end), so every
 * candidate is re-counted and the cut steps back one token until the kept
 * piece really has at most N tokens. */
#include "account_internal.h"

#include <string.h>

/* LOSSLESS so that invalid UTF-8 neither fails nor moves offsets; specials
 * are text, as everywhere in the accounting layer. */
static const tkm_encode_options trunc_opts = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS,
                                              NULL, 0};

static bool is_cont(unsigned char c)
{
    return (c & 0xC0u) == 0x80u;
}

/* Every count and the encode of one call go through one context (made with
 * the caller's allocator): the call passes over the text several times (a
 * count, an encode, then a count of each candidate cut), and all but the
 * first then find the piece cache warm. */
typedef struct cutter {
    tkm_context *ctx;
    const tkm_encoding *enc;
} cutter;

static tkm_status count(const cutter *c, const char *s, size_t n, size_t *out,
                        tkm_error_detail *detail)
{
    if (n == 0) {
        *out = 0;
        return TKM_OK;
    }
    return tkm_context_count(c->ctx, c->enc, s, n, &trunc_opts, SIZE_MAX, out, NULL, detail);
}

/* Longest head of at most k tokens: bytes [0, *len), tokens in *tok. */
static tkm_status cut_head(const cutter *cu, const char *text, size_t len,
                           const size_t *offs, size_t n, size_t k, size_t *out_len,
                           size_t *tok, tkm_error_detail *detail)
{
    for (;;) {
        size_t cut = k < n ? offs[k] : len;
        /* back off to the start of the character the cut falls in (at most 3) */
        for (int i = 0; i < 3 && cut > 0 && cut < len && is_cont((unsigned char)text[cut]); i++)
            cut--;
        size_t c;
        tkm_status st = count(cu, text, cut, &c, detail);
        if (st != TKM_OK)
            return st;
        if (c <= k || k == 0) {
            *out_len = c <= k ? cut : 0;
            *tok = c <= k ? c : 0;
            return TKM_OK;
        }
        k--;
    }
}

/* Longest tail of at most k tokens: bytes [*off, len). */
static tkm_status cut_tail(const cutter *cu, const char *text, size_t len,
                           const size_t *offs, size_t n, size_t k, size_t *out_off,
                           size_t *tok, tkm_error_detail *detail)
{
    for (;;) {
        size_t cut = k == 0 ? len : k < n ? offs[n - k] : 0;
        for (int i = 0; i < 3 && cut < len && is_cont((unsigned char)text[cut]); i++)
            cut++;
        size_t c;
        tkm_status st = count(cu, text + cut, len - cut, &c, detail);
        if (st != TKM_OK)
            return st;
        if (c <= k || k == 0) {
            *out_off = c <= k ? cut : len;
            *tok = c <= k ? c : 0;
            return TKM_OK;
        }
        k--;
    }
}

/* tkm_text_truncate through the caller's context, or (given == NULL) one
 * of its own for the call. */
static tkm_status truncate_with(tkm_context *given, const tkm_encoding *enc, const char *text,
                                size_t len, size_t max_tokens, tkm_truncate_mode mode,
                                const tkm_allocator *alloc, tkm_truncation *out,
                                tkm_error_detail *detail)
{
    if (!enc || !out || (!text && len) || mode < TKM_KEEP_HEAD || mode > TKM_KEEP_MIDDLE_OUT ||
        (alloc && (!alloc->malloc_fn || !alloc->free_fn)))
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_truncation r;
    memset(&r, 0, sizeof r);
    cutter cu = {given, enc};
    uint32_t *ids = NULL;
    size_t *offs = NULL;
    size_t n = 0, got = 0;
    tkm_status st = given ? TKM_OK : tkm_context_create(alloc, &cu.ctx);
    if (st == TKM_OK)
        st = count(&cu, text, len, &n, detail);
    if (st != TKM_OK)
        goto done;
    if (n <= max_tokens) {
        /* Everything fits: report it as a head of the whole text. */
        r.head_len = len;
        r.tail_offset = len;
        r.tokens = n;
        goto done;
    }
    if (n > SIZE_MAX / sizeof(size_t) || n > SIZE_MAX / sizeof(uint32_t)) {
        st = TKM_ERR_NOMEM;
        goto done;
    }
    ids = tkm_acct_alloc(alloc, n * sizeof *ids);
    offs = tkm_acct_alloc(alloc, n * sizeof *offs);
    if (!ids || !offs) {
        st = TKM_ERR_NOMEM;
        goto done;
    }
    st = tkm_context_encode(cu.ctx, enc, text, len, &trunc_opts, ids, n, &got, detail);
    if (st == TKM_OK && got != n)
        st = TKM_ERR_INTERNAL;
    if (st == TKM_OK)
        st = tkm_decode_offsets(enc, ids, n, offs, detail);
    if (st != TKM_OK)
        goto done;
    r.truncated = true;
    if (mode == TKM_KEEP_HEAD) {
        st = cut_head(&cu, text, len, offs, n, max_tokens, &r.head_len, &r.tokens, detail);
        r.tail_offset = len;
    } else if (mode == TKM_KEEP_TAIL) {
        st = cut_tail(&cu, text, len, offs, n, max_tokens, &r.tail_offset, &r.tokens, detail);
        r.tail_len = len - r.tail_offset;
    } else {
        size_t kh = (max_tokens + 1) / 2, kt = max_tokens / 2, th = 0, tt = 0;
        st = cut_head(&cu, text, len, offs, n, kh, &r.head_len, &th, detail);
        if (st == TKM_OK)
            st = cut_tail(&cu, text, len, offs, n, kt, &r.tail_offset, &tt, detail);
        if (st == TKM_OK && r.tail_offset < r.head_len)
            r.tail_offset = r.head_len; /* cannot happen when n > max_tokens */
        r.tail_len = len - r.tail_offset;
        r.tokens = th + tt;
    }
done:
    tkm_acct_free(alloc, ids);
    tkm_acct_free(alloc, offs);
    if (!given)
        tkm_context_free(cu.ctx);
    if (st == TKM_OK)
        *out = r;
    return st;
}

tkm_status tkm_text_truncate(const tkm_encoding *enc, const char *text, size_t len,
                             size_t max_tokens, tkm_truncate_mode mode,
                             const tkm_allocator *alloc, tkm_truncation *out,
                             tkm_error_detail *detail)
{
    return truncate_with(NULL, enc, text, len, max_tokens, mode, alloc, out, detail);
}

tkm_status tkm_context_text_truncate(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                                     size_t len, size_t max_tokens, tkm_truncate_mode mode,
                                     const tkm_allocator *alloc, tkm_truncation *out,
                                     tkm_error_detail *detail)
{
    if (!ctx)
        return TKM_ERR_INVALID_ARGUMENT;
    return truncate_with(ctx, enc, text, len, max_tokens, mode, alloc, out, detail);
}
