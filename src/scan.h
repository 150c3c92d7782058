/* scan.h — hand-written pre-tokenizers for the three built-in patterns.
 *
 * Each scanner reproduces, piece for piece, what tiktoken 0.14's pattern
 * (and its exact PCRE2 translation in builtin_patterns.c) matches, with the
 * Unicode 16.0 classes of unicode_data.h, in time linear in the input.
 * For these patterns every character is matched by some alternative, so the
 * pieces tile the subject: each piece starts where the previous one ended.
 */
#ifndef TKM_SCAN_H
#define TKM_SCAN_H

#include "internal.h"

typedef enum tkm_scan_kind {
    TKM_SCAN_NONE = 0, /* no scanner: the pattern is matched by the regex engine */
    TKM_SCAN_R50K,     /* r50k_base / p50k_base / p50k_edit (GPT-2 pattern) */
    TKM_SCAN_CL100K,   /* cl100k_base */
    TKM_SCAN_O200K     /* o200k_base / o200k_harmony */
} tkm_scan_kind;

/* s[0..n) is valid UTF-8 (the whole text segment: `$` means n), 0 <= pos < n
 * is where the previous piece ended (a character boundary). Returns the end
 * (> pos) of the piece that starts at pos. kind must not be TKM_SCAN_NONE
 * (which returns pos). */
TKM_INTERNAL size_t tkm_scan_next(tkm_scan_kind kind, const uint8_t *s, size_t n, size_t pos);

/* Batch form: the ends of the next pieces from pos (as repeated
 * tkm_scan_next calls would give them), written to ends[0..k), stopping at
 * n or after max pieces. Returns k (0 when pos >= n, max == 0 or kind is
 * TKM_SCAN_NONE). The piece i is [i ? ends[i-1] : pos, ends[i]). */
TKM_INTERNAL size_t tkm_scan_pieces(tkm_scan_kind kind, const uint8_t *s, size_t n, size_t pos,
                                    size_t *ends, size_t max);

#endif
