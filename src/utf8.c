/* utf8.c — UTF-8 well-formedness.
 *
 * utf8proc_iterate() tells that a sequence is invalid but not how long the
 * ill-formed part is, and that length decides both the error offset we report
 * and the number of U+FFFD that Python's decode(errors="replace") produces
 * (tiktoken only ever sees such decoded strings). So the well-formedness
 * table of Unicode §3.9 (Table 3-7) is implemented here directly.
 */
#include "utf8.h"

#include "load.h"

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
    for (;;) {
        /* ASCII, 8 bytes at a time. */
        while (i + 8 <= n && !(tkm_load64(s + i) & 0x8080808080808080ull))
            i += 8;
        /* Whole sequences by their bit patterns while 4 bytes remain (text in
         * other scripts is nearly all 2- and 3-byte sequences): w holds s[i]
         * in its low byte. The range checks of Table 3-7 on the first two
         * bytes: E0 needs A0..BF (no overlongs), ED 80..9F (no surrogates),
         * F0 90..BF, F4 80..8F, F1..F3 any continuation. */
        while (i + 4 <= n) {
            uint32_t w = tkm_load32_le(s + i);
            if (!(w & 0x80)) {
                if (w & 0x80808080u)
                    i++; /* ASCII before a longer sequence */
                else
                    i += 4;
                continue;
            }
            if ((w & 0xC0F0u) == 0x80E0u && (w & 0xC00000u) == 0x800000u) {
                uint32_t t = w & 0x200Fu; /* the lead's low nibble, bit 5 of byte 2 */
                if (t == 0 || t == 0x200Du)
                    break; /* E0 80..9F, ED A0..BF */
                i += 3;
            } else if ((w & 0xC0E0u) == 0x80C0u && (w & 0xFFu) >= 0xC2) {
                i += 2;
            } else if ((w & 0xC0C0C0F8u) == 0x808080F0u) {
                uint32_t cp = (w & 0x07u) << 18 | (w << 4 & 0x3F000u);
                if (cp < 0x10000 || cp > 0x10FFFF)
                    break;
                i += 4;
            } else {
                break;
            }
        }
        if (i >= n)
            return n;
        /* The last 3 bytes, and anything ill-formed, one sequence at a time. */
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
}

size_t tkm_utf8_invalid_len(const uint8_t *s, size_t n)
{
    size_t prefix;
    (void)seq_len(s, n, &prefix);
    return prefix ? prefix : 1;
}
