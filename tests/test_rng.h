/* test_rng.h — what the table and merge tests share: the built-in rank
 * files they sweep, and a fixed-seed xorshift generator (each test sets
 * rng_state first, so runs are reproducible). */
#ifndef TKM_TEST_RNG_H
#define TKM_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

static const char *const BUILTINS[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
#define N_BUILTINS (sizeof BUILTINS / sizeof BUILTINS[0])

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static inline size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

#endif
