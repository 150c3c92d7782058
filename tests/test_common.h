/* test_common.h — what the table and merge tests share: the built-in rank
 * files they sweep, loading them as built-ins or as custom encodings, and a
 * fixed-seed xorshift generator (each test sets rng_state first, so runs are
 * reproducible). Include after cmocka.h. */
#ifndef TKM_TEST_COMMON_H
#define TKM_TEST_COMMON_H

#include "tokmeter.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

static tkm_encoding *load(const char *name)
{
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load_builtin(name, NULL, &enc), TKM_OK);
    return enc;
}

/* A custom encoding of the ranks in the file path, or (path NULL) in
 * text[0..len), with a plain whitespace pattern: its tables are built at
 * run time. */
static inline tkm_encoding *load_ranks(const char *name, const char *path, const char *text,
                                       size_t len, const tkm_allocator *alloc)
{
    tkm_encoding_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.name = name;
    spec.ranks_path = path;
    spec.ranks = text;
    spec.ranks_len = len;
    spec.pattern = "\\S+|\\s+";
    tkm_encoding *enc = NULL;
    assert_int_equal(tkm_encoding_load(&spec, alloc, &enc, NULL), TKM_OK);
    return enc;
}

/* A built-in's rank file loaded as a custom vocabulary: its tables are
 * built at run time (a built-in's were built at compile time). */
static tkm_encoding *load_file(const char *name, const tkm_allocator *alloc)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tiktoken", DATA_DIR, name);
    return load_ranks(name, path, NULL, 0, alloc);
}

#endif
