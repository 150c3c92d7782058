/* load.h — unaligned loads of text bytes into host-order words (memcpy, which
 * compilers turn into single loads). Tables keyed by such words (the
 * vocabulary's slot heads, the piece cache) are built and probed on the same
 * host, so the byte order only has to be consistent, not portable. */
#ifndef TKM_LOAD_H
#define TKM_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t tkm_load64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t tkm_load32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* The 4 bytes at p with p[0] in the low byte, whatever the host's byte
 * order (for bit-pattern tests on text, as in utf8.c). */
static inline uint32_t tkm_load32_le(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return tkm_load32(p);
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* The first n (1..8) bytes at p as a word, zero padded, reading no byte
 * outside p[0..n). Overlapping loads OR the same bytes. (Little-endian
 * shifts: on a big-endian host the padding lands elsewhere, consistently.) */
static inline uint64_t tkm_load_tail(const uint8_t *p, size_t n)
{
    if (n >= 8)
        return tkm_load64(p);
    if (n >= 4)
        return (uint64_t)tkm_load32(p) | (uint64_t)tkm_load32(p + n - 4) << (8 * (n - 4));
    uint64_t x = p[0];
    if (n >= 2)
        x |= (uint64_t)p[n - 1] << (8 * (n - 1)) | (uint64_t)p[1] << 8;
    return x;
}

#endif
