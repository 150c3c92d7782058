/* fuzz_common.h — helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * Every target uses only the public API (tokmeter.h). A broken invariant
 * prints what was expected and aborts, which libFuzzer reports as a crash and
 * the replay driver (replay.c) as a failed test. */
#ifndef TKM_FUZZ_COMMON_H
#define TKM_FUZZ_COMMON_H

#include "tokmeter.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* A status the library returned must be one of the pinned values. */
#define FUZZ_CHECK_STATUS_KNOWN(st) \
    FUZZ_CHECK((int)(st) >= 0 && (int)(st) <= TKM_ERR_INTERNAL, "unknown status %d", (int)(st))

/* Aborts when an allocation the harness itself needs fails. */
static inline void *fuzz_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "fuzz harness: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

/* Loads a built-in encoding or aborts (a harness failure, not a finding). */
static inline tkm_encoding *fuzz_load_builtin(const char *name)
{
    tkm_encoding *enc = NULL;
    tkm_status st = tkm_encoding_load_builtin(name, NULL, &enc);
    if (st != TKM_OK || !enc) {
        fprintf(stderr, "fuzz harness: cannot load %s: %s\n", name, tkm_strerror(st));
        abort();
    }
    return enc;
}

/* Encodes into a fresh array of tkm_encode_bound(len) ids (+1 so that a
 * zero-length result still gets a real buffer). Returns the status; *ids is
 * always set and must be freed. */
static inline tkm_status fuzz_encode(const tkm_encoding *enc, const uint8_t *text, size_t len,
                                     unsigned flags, uint32_t **ids, size_t *n,
                                     tkm_error_detail *d)
{
    tkm_encode_options o = {flags, NULL, 0};
    size_t cap = tkm_encode_bound(len);
    *ids = fuzz_xmalloc((cap + 1) * sizeof **ids);
    *n = SIZE_MAX;
    return tkm_encode(enc, (const char *)text, len, &o, *ids, cap, n, d);
}

/* An independent UTF-8 decoder step (Unicode Table 3-7), not the library's.
 * For the sequence at s[i] (s[i] >= 0x80): *need is its length by the lead
 * byte (0 when the byte cannot start one), and the result is how many of its
 * bytes form a valid prefix (>= 1): the maximal subpart when it is < *need. */
static inline size_t fuzz_utf8_seq(const uint8_t *s, size_t i, size_t len, size_t *need)
{
    uint8_t c = s[i], lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        *need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        *need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        *need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *need = 0;
        return 1;
    }
    size_t k = 1;
    while (k < *need && i + k < len) {
        uint8_t b = s[i + k];
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
            break;
        k++;
    }
    return k;
}

/* The offset of the first ill-formed sequence, or len when s is valid. */
static inline size_t fuzz_utf8_first_invalid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t need;
        if (fuzz_utf8_seq(s, i, len, &need) != need)
            return i;
        i += need;
    }
    return len;
}

/* Python's bytes.decode("utf-8", "replace") re-encoded as UTF-8: every
 * maximal subpart of an ill-formed sequence becomes U+FFFD. out needs room
 * for 3 * len bytes. Returns the output length. */
static inline size_t fuzz_utf8_replace(const uint8_t *s, size_t len, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            out[o++] = s[i++];
            continue;
        }
        size_t need, k = fuzz_utf8_seq(s, i, len, &need);
        if (k == need) {
            memcpy(out + o, s + i, need);
            o += need;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i += k;
    }
    return o;
}

/* Byte offset of the first occurrence of needle in hay[from..len), or SIZE_MAX. */
static inline size_t fuzz_find(const uint8_t *hay, size_t len, size_t from, const char *needle,
                               size_t nlen)
{
    if (nlen == 0 || nlen > len)
        return SIZE_MAX;
    for (size_t i = from; i + nlen <= len; i++) {
        const uint8_t *q = memchr(hay + i, (unsigned char)needle[0], len - nlen + 1 - i);
        if (!q)
            return SIZE_MAX;
        i = (size_t)(q - hay);
        if (memcmp(q, needle, nlen) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* A small deterministic hash of the input, for choices derived from it. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    return h;
}

/* A status of the core (0..TKM_ERR_INTERNAL) or the accounting layer
 * (TKM_ERR_TABLE_PARSE..TKM_ERR_NO_RULES): anything else is undocumented. */
#define FUZZ_CHECK_ACCOUNT_STATUS(expr)                                                    \
    do {                                                                                   \
        int st_ = (int)(expr);                                                             \
        FUZZ_CHECK((st_ >= 0 && st_ <= TKM_ERR_INTERNAL) ||                                \
                       (st_ >= TKM_ERR_TABLE_PARSE && st_ <= TKM_ERR_NO_RULES),            \
                   "unknown status %d", st_);                                              \
    } while (0)

#endif
