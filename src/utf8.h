/* utf8.h — UTF-8 validation with Unicode's "maximal subpart" rule. */
#ifndef TKM_UTF8_H
#define TKM_UTF8_H

#include "internal.h"

/* Length of the longest valid UTF-8 prefix of s[0..n). */
TKM_INTERNAL size_t tkm_utf8_valid_prefix(const uint8_t *s, size_t n);
/* The same, one sequence at a time: what tkm_utf8_valid_prefix uses on
 * CPUs without SSSE3, for the tail of a text and wherever a block of 16
 * bytes is not well-formed (and what tests compare it with). */
TKM_INTERNAL size_t tkm_utf8_valid_prefix_scalar(const uint8_t *s, size_t n);

/* s[0..n) starts with an ill-formed sequence (n >= 1): the length of its
 * maximal subpart (Unicode 16.0 §3.9, U+FFFD substitution of maximal
 * subparts; what CPython's "replace" error handler does). Always >= 1. */
TKM_INTERNAL size_t tkm_utf8_invalid_len(const uint8_t *s, size_t n);

/* Decode one scalar value from valid UTF-8 at s (n >= 1). *len gets 1..4. */
static inline uint32_t tkm_utf8_decode(const uint8_t *s, size_t *len)
{
    uint8_t c = s[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xE0) {
        *len = 2;
        return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (c < 0xF0) {
        *len = 3;
        return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

#endif
