/* internal.h — shared internals of the core library (not installed). */
#ifndef TKM_INTERNAL_H
#define TKM_INTERNAL_H

#include "tokmeter.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#  define TKM_INTERNAL __attribute__((visibility("hidden")))
#  define TKM_LIKELY(x) __builtin_expect(!!(x), 1)
#  define TKM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define TKM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#  define TKM_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#  define TKM_INTERNAL
#  define TKM_LIKELY(x) (x)
#  define TKM_UNLIKELY(x) (x)
#  define TKM_PRINTF(a, b)
#  define TKM_ALWAYS_INLINE inline
#endif

/* Largest rank a rank file may use. Tables are indexed by rank, so a hostile
 * file with rank 4e9 must not make us allocate 16 GB. Real vocabularies are
 * below 2^18. */
#define TKM_MAX_RANK 16777215u
#define TKM_NO_RANK UINT32_MAX

/* Index of the lowest set bit of x, x != 0. */
static inline unsigned tkm_ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned i = 0;
    while (!(x & 1)) {
        x >>= 1;
        i++;
    }
    return i;
#endif
}

/* ---- allocation (alloc.c) ---- */
TKM_INTERNAL void tkm_alloc_init(tkm_allocator *dst, const tkm_allocator *src);
TKM_INTERNAL void *tkm_alloc(const tkm_allocator *a, size_t size);
TKM_INTERNAL void *tkm_alloc_array(const tkm_allocator *a, size_t n, size_t elem);
TKM_INTERNAL void *tkm_calloc_array(const tkm_allocator *a, size_t n, size_t elem);
TKM_INTERNAL void tkm_free(const tkm_allocator *a, void *p);
/* Grow *p (holding old_n elements) to at least need elements; amortised
 * doubling. On failure *p is untouched. */
TKM_INTERNAL tkm_status tkm_grow(const tkm_allocator *a, void **p, size_t *cap, size_t need,
                                 size_t elem);
TKM_INTERNAL char *tkm_strndup(const tkm_allocator *a, const char *s, size_t n);

/* ---- error details (status.c) ---- */
/* Fill *d (if not NULL) and return status. */
TKM_INTERNAL tkm_status tkm_fail(tkm_error_detail *d, tkm_status status, const char *fmt, ...)
    TKM_PRINTF(3, 4);
TKM_INTERNAL void tkm_detail_clear(tkm_error_detail *d);

#endif
