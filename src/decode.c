/* decode.c — ids back to bytes. */
#include "encoding.h"

#include <string.h>

static inline bool token_bytes(const tkm_encoding *enc, uint32_t id, const char **b, size_t *n)
{
    const tkm_vocab *v = &enc->vocab;
    if (TKM_LIKELY(id < v->n_ranks)) {
        uint32_t len = tkm_vocab_token_len(v, id);
        if (TKM_LIKELY(len)) {
            *b = (const char *)v->bytes + v->off[id];
            *n = len;
            return true;
        }
    }
    return tkm_encoding_token_bytes(enc, id, b, n) == TKM_OK;
}

static tkm_status bad_token(tkm_error_detail *d, size_t i, uint32_t id)
{
    if (d) {
        d->index = i;
        d->token = id;
    }
    return tkm_fail(d, TKM_ERR_INVALID_TOKEN, "id %u at index %zu is not a token", id, i);
}

tkm_status tkm_decode(const tkm_encoding *enc, const uint32_t *ids, size_t n, char *buf,
                      size_t cap, size_t *n_out, tkm_error_detail *detail)
{
    tkm_detail_clear(detail);
    if (!enc || (!ids && n) || (!buf && cap) || !n_out)
        return tkm_fail(detail, TKM_ERR_INVALID_ARGUMENT, "NULL argument");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        if (!token_bytes(enc, ids[i], &b, &len))
            return bad_token(detail, i, ids[i]);
        if (total < cap)
            memcpy(buf + total, b, len <= cap - total ? len : cap - total);
        total += len;
    }
    *n_out = total;
    if (total > cap)
        return tkm_fail(detail, TKM_ERR_BUFFER_TOO_SMALL, "%zu bytes do not fit in %zu", total,
                        cap);
    return TKM_OK;
}

tkm_status tkm_decode_offsets(const tkm_encoding *enc, const uint32_t *ids, size_t n,
                              size_t *offsets, tkm_error_detail *detail)
{
    tkm_detail_clear(detail);
    if (!enc || (n && (!ids || !offsets)))
        return tkm_fail(detail, TKM_ERR_INVALID_ARGUMENT, "NULL argument");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        if (!token_bytes(enc, ids[i], &b, &len))
            return bad_token(detail, i, ids[i]);
        offsets[i] = total;
        total += len;
    }
    return TKM_OK;
}
