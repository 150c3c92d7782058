/* test_b64.h — base64 for the tests that write rank files (tiktoken's
 * format is "base64(token) rank" per line). */
#ifndef TKM_TEST_B64_H
#define TKM_TEST_B64_H

#include <stddef.h>
#include <stdint.h>

/* out gets 4 * ceil(n / 3) characters and a NUL. */
static inline void test_b64(const uint8_t *in, size_t n, char *out)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            w |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            w |= in[i + 2];
        out[o++] = T[(w >> 18) & 63];
        out[o++] = T[(w >> 12) & 63];
        out[o++] = i + 1 < n ? T[(w >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? T[w & 63] : '=';
    }
    out[o] = '\0';
}

#endif
