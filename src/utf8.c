/* utf8.c — UTF-8 well-formedness.
 *
 * utf8proc_iterate() tells that a sequence is invalid but not how long the
 * ill-formed part is, and that length decides both the error offset we report
 * and the number of U+FFFD that Python's decode(errors="replace") produces
 * (tiktoken only ever sees such decoded strings). So the well-formedness
 * table of Unicode §3.9 (Table 3-7) is implemented here directly.
 */
#include "utf8.h"

#include <string.h>

/* Length of the valid sequence at s, or 0 if it is ill-formed. Also used to
 * find the maximal subpart: how many leading bytes are a valid prefix. */
static size_t seq_len(const uint8_t *s, size_t n, size_t *prefix)
{
    uint8_t c = s[0];
    uint8_t lo = 0x80, hi = 0xBF;
    size_t need;
    *prefix = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* no overlongs */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0; /* C0, C1, F5..FF, lone continuation bytes */
    }
    for (size_t k = 1; k < need; k++) {
        if (k >= n)
            return 0;
        uint8_t b = s[k];
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
        *prefix = k + 1;
    }
    return need;
}

size_t tkm_utf8_valid_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t prefix;
        size_t l = seq_len(s + i, n - i, &prefix);
        if (l == 0)
            return i;
        i += l;
    }
    return n;
}

size_t tkm_utf8_invalid_len(const uint8_t *s, size_t n)
{
    size_t prefix;
    (void)seq_len(s, n, &prefix);
    return prefix ? prefix : 1;
}
