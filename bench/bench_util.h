/* bench_util.h — what the benchmark programs share: a clock and reading a
 * whole file. Header-only (each program is one translation unit). */
#ifndef TKM_BENCH_UTIL_H
#define TKM_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on clock c (CLOCK_MONOTONIC, or a CPU-time clock). */
static inline double bench_now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The whole file at path (malloc'd, *len bytes), or NULL. */
static inline char *bench_read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *p = malloc(cap);
    while (p) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *q = realloc(p, cap * 2);
        if (!q) {
            free(p);
            p = NULL;
            break;
        }
        p = q;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return p;
}

static inline int bench_cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Sorts r[0..n) (n >= 1) and gives its first quartile, median and third
 * quartile in q[0..3): how per-round ratios are summarised. */
static inline void bench_quartiles(double *r, size_t n, double q[3])
{
    qsort(r, n, sizeof *r, bench_cmp_double);
    q[0] = r[n / 4];
    q[1] = r[n / 2];
    q[2] = r[(3 * n) / 4];
}

#endif
