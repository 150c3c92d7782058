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

#if defined(__GNUC__) && defined(__x86_64__)
#  include <tmmintrin.h>
#  define TKM_UTF8_SSSE3 1
#endif

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

size_t tkm_utf8_valid_prefix_scalar(const uint8_t *s, size_t n)
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

#ifdef TKM_UTF8_SSSE3
/* Well-formedness 16 bytes at a time (Keiser and Lemire, "Validating UTF-8
 * in less than one instruction per byte", 2021: the "lookup" algorithm of
 * simdjson and simdutf). Three table look-ups by nibble classify every pair
 * of adjacent bytes; an error bit survives their AND exactly where the pair
 * breaks Table 3-7 (overlong, surrogate, above U+10FFFF, a lead byte
 * without its continuations, a stray continuation). A second test checks
 * that the bytes two and three after a 3- and 4-byte lead are
 * continuations. It only says whether a block (with the three bytes
 * before it) is well-formed; where one is not, the scalar code above finds
 * the exact offset. On the multilingual corpus the scalar loop ran at about
 * 1.3 GB/s (a branch per character, mispredicted where scripts and ASCII
 * mix): 3 % of encoding it with o200k, 4.6 % on source code. */
#define TOO_SHORT (1 << 0)
#define TOO_LONG (1 << 1)
#define OVERLONG_3 (1 << 2)
#define TOO_LARGE (1 << 3)
#define SURROGATE (1 << 4)
#define OVERLONG_2 (1 << 5)
#define TOO_LARGE_1000 (1 << 6)
#define OVERLONG_4 (1 << 6)
#define TWO_CONTS (1 << 7)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

__attribute__((target("ssse3"))) static inline __m128i
lookup16(__m128i idx, char a0, char a1, char a2, char a3, char a4, char a5, char a6, char a7,
         char a8, char a9, char a10, char a11, char a12, char a13, char a14, char a15)
{
    return _mm_shuffle_epi8(_mm_setr_epi8(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,
                                          a13, a14, a15),
                            idx);
}

/* Nonzero bytes where the block `in` (with `prev`, the 16 bytes before it)
 * is not well-formed UTF-8, ignoring a sequence cut off at its end. */
__attribute__((target("ssse3"))) static __m128i block_errors(__m128i in, __m128i prev)
{
    const __m128i nib = _mm_set1_epi8(0x0F);
    __m128i prev1 = _mm_alignr_epi8(in, prev, 15);
    __m128i b1_high = lookup16(_mm_and_si128(_mm_srli_epi16(prev1, 4), nib),
                               /* 0_______ ________: ASCII first */
                               TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
                               TOO_LONG, TOO_LONG,
                               /* 10______ ________: a continuation first */
                               (char)TWO_CONTS, (char)TWO_CONTS, (char)TWO_CONTS,
                               (char)TWO_CONTS,
                               /* 1100____: 2-byte lead, C0 and C1 overlong */
                               TOO_SHORT | OVERLONG_2,
                               /* 1101____ */
                               TOO_SHORT,
                               /* 1110____: 3-byte lead */
                               TOO_SHORT | OVERLONG_3 | SURROGATE,
                               /* 1111____: 4-byte lead (or F5..FF) */
                               TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    __m128i b1_low = lookup16(_mm_and_si128(prev1, nib),
                              /* ____0000 */
                              (char)(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4),
                              /* ____0001 */
                              (char)(CARRY | OVERLONG_2),
                              /* ____001_ */
                              (char)CARRY, (char)CARRY,
                              /* ____0100 */
                              (char)(CARRY | TOO_LARGE),
                              /* ____0101, ____011_ */
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              /* ____1___ */
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              /* ____1101: ED, surrogates */
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
                              (char)(CARRY | TOO_LARGE | TOO_LARGE_1000));
    __m128i b2_high = lookup16(_mm_and_si128(_mm_srli_epi16(in, 4), nib),
                               /* ________ 0_______: ASCII second */
                               TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
                               TOO_SHORT, TOO_SHORT, TOO_SHORT,
                               /* ________ 1000____ */
                               (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 |
                                      TOO_LARGE_1000 | OVERLONG_4),
                               /* ________ 1001____ */
                               (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
                               /* ________ 101_____ */
                               (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
                               (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
                               /* ________ 11______: a lead second */
                               TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    __m128i special = _mm_and_si128(_mm_and_si128(b1_high, b1_low), b2_high);
    /* The bytes 2 and 3 after a 3-byte lead (E0..EF) and 3 after a 4-byte
     * lead (F0..): their pairs are continuation-continuation (TWO_CONTS),
     * and no other pair may be. */
    __m128i prev2 = _mm_alignr_epi8(in, prev, 14);
    __m128i prev3 = _mm_alignr_epi8(in, prev, 13);
    __m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8((char)(0xE0 - 0x80)));
    __m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8((char)(0xF0 - 0x80)));
    __m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must23, special);
}

/* The longest valid prefix by blocks of 16 bytes, handing the scalar code
 * the rest from a character boundary: at the first block with an error
 * (which begins at most 3 bytes before the block), or for the last 15
 * bytes or fewer. Everything before that boundary is well-formed. */
__attribute__((target("ssse3"))) static size_t valid_prefix_ssse3(const uint8_t *s, size_t n)
{
    size_t i = 0;
    __m128i prev = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i in = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* An ASCII block after a block that ends on a complete sequence
         * (ASCII or no lead among its last three bytes) needs no tables. */
        if (!_mm_movemask_epi8(in) && !_mm_movemask_epi8(_mm_subs_epu8(
                                          prev, _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1,
                                                              -1, -1, -1, -1, -1,
                                                              (char)(0xF0 - 0x80),
                                                              (char)(0xE0 - 0x80),
                                                              (char)(0xC0 - 0x80))))) {
            prev = in;
            i += 16;
            continue;
        }
        __m128i err = block_errors(in, prev);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) != 0xFFFF)
            break;
        prev = in;
        i += 16;
    }
    /* s[0..i) is well-formed but for a sequence its end may cut: back to
     * that sequence's lead (after at most 3 continuations) if there is one. */
    size_t c = 0;
    while (c < 3 && i > c && (s[i - 1 - c] & 0xC0) == 0x80)
        c++;
    if (i > c && s[i - 1 - c] >= 0xC0)
        i -= c + 1;
    return i + tkm_utf8_valid_prefix_scalar(s + i, n - i);
}
#endif

size_t tkm_utf8_valid_prefix(const uint8_t *s, size_t n)
{
#ifdef TKM_UTF8_SSSE3
    /* Short texts (most special tokens, pieces) gain nothing from blocks. */
    if (n >= 64 && __builtin_cpu_supports("ssse3"))
        return valid_prefix_ssse3(s, n);
#endif
    return tkm_utf8_valid_prefix_scalar(s, n);
}
