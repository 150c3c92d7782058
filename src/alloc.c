/* alloc.c — every allocation of the library goes through a tkm_allocator so
 * that callers (and the allocation-failure tests) control all memory. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void *default_malloc(size_t size, void *ud)
{
    (void)ud;
    return malloc(size);
}

static void default_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

void tkm_alloc_init(tkm_allocator *dst, const tkm_allocator *src)
{
    if (src && src->malloc_fn && src->free_fn) {
        *dst = *src;
    } else {
        dst->malloc_fn = default_malloc;
        dst->free_fn = default_free;
        dst->user_data = NULL;
    }
}

void *tkm_alloc(const tkm_allocator *a, size_t size)
{
    return a->malloc_fn(size ? size : 1, a->user_data);
}

void *tkm_alloc_array(const tkm_allocator *a, size_t n, size_t elem)
{
    if (elem && n > SIZE_MAX / elem)
        return NULL;
    return tkm_alloc(a, n * elem);
}

void *tkm_calloc_array(const tkm_allocator *a, size_t n, size_t elem)
{
    void *p = tkm_alloc_array(a, n, elem);
    if (p)
        memset(p, 0, n * elem);
    return p;
}

void tkm_free(const tkm_allocator *a, void *p)
{
    if (p)
        a->free_fn(p, a->user_data);
}

tkm_status tkm_grow(const tkm_allocator *a, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return TKM_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return TKM_ERR_NOMEM;
        ncap *= 2;
    }
    void *np = tkm_alloc_array(a, ncap, elem);
    if (!np)
        return TKM_ERR_NOMEM;
    if (*p && *cap)
        memcpy(np, *p, *cap * elem);
    tkm_free(a, *p);
    *p = np;
    *cap = ncap;
    return TKM_OK;
}

char *tkm_strndup(const tkm_allocator *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = tkm_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}
