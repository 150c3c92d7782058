/* test_utf8_blocks.c — the block-wise UTF-8 validation (src/utf8.c: 16 bytes
 * at a time where the CPU has SSSE3) gives the same longest valid prefix as
 * the one-sequence-at-a-time code, which test_invalid_utf8 checks against
 * utf8proc.
 *
 *  - every sequence of four bytes drawn from the bytes where Table 3-7's
 *    ranges begin and end, at each position around a 16-byte block
 *    boundary, in ASCII and in multi-byte surroundings;
 *  - random texts of well-formed sequences of every length with ill-formed
 *    bytes and cut sequences injected, of 0 to 300 bytes.
 * On a CPU without SSSE3 both sides are the scalar code and this passes
 * trivially; CI's machines have it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "utf8.h"

#include <stdio.h>
#include <string.h>

/* The bytes where Table 3-7's ranges start and end, and their neighbours. */
static const uint8_t EDGE[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                               0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
#define N_EDGE (sizeof EDGE / sizeof EDGE[0])

static size_t checked;

static void same(const uint8_t *s, size_t n)
{
    size_t got = tkm_utf8_valid_prefix(s, n), want = tkm_utf8_valid_prefix_scalar(s, n);
    checked++;
    if (got != want) {
        char hex[3 * 320 + 1];
        size_t o = 0;
        for (size_t i = 0; i < n && i < 320; i++)
            o += (size_t)snprintf(hex + o, sizeof hex - o, "%02x ", s[i]);
        fail_msg("%zu bytes: blocks say %zu, scalar %zu: %s", n, got, want, hex);
    }
}

/* Background text: ASCII, or well-formed 2-, 3- and 4-byte sequences,
 * with character boundaries at q and at q + 4 (ASCII fills the start up to
 * the first whole character). */
static void fill(uint8_t *s, size_t n, int kind, size_t q)
{
    static const char *const unit[] = {"ab", "\xC3\xA9", "\xE4\xBD\xA0", "\xF0\x9F\x8E\x89"};
    const char *u = unit[kind];
    size_t l = strlen(u);
    for (size_t i = 0; i < q; i++)
        s[i] = i < q % l ? (uint8_t)'x' : (uint8_t)u[(i - q % l) % l];
    for (size_t i = q; i < n; i++)
        s[i] = (uint8_t)u[(i - q) % l];
}

static void test_edges(void **state)
{
    (void)state;
    uint8_t buf[96];
    /* Where the four bytes start: inside a block, across the boundary at
     * 64 (each of their bytes first in the next block), and at the end. */
    static const size_t at[] = {48, 61, 62, 63, 64, 92};
    for (int kind = 0; kind < 4; kind++) {
        for (size_t a = 0; a < N_EDGE; a++)
            for (size_t b = 0; b < N_EDGE; b++)
                for (size_t c = 0; c < N_EDGE; c++)
                    for (size_t d = 0; d < N_EDGE; d++)
                        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
                            size_t q = at[k];
                            fill(buf, sizeof buf, kind, q);
                            buf[q] = EDGE[a];
                            buf[q + 1] = EDGE[b];
                            buf[q + 2] = EDGE[c];
                            buf[q + 3] = EDGE[d];
                            same(buf, sizeof buf);
                        }
    }
    print_message("%zu texts compared\n", checked);
}

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

/* A random well-formed sequence at s (room for 4): its length. */
static size_t put_char(uint8_t *s)
{
    uint32_t r = next();
    switch (r % 5) {
    case 0:
    case 1:
        s[0] = (uint8_t)(0x20 + r / 8 % 0x5F);
        return 1;
    case 2: {
        uint32_t cp = 0x80 + r / 8 % (0x800 - 0x80);
        s[0] = (uint8_t)(0xC0 | cp >> 6);
        s[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    case 3: {
        uint32_t cp = 0x800 + r / 8 % (0x10000 - 0x800);
        if (cp >= 0xD800 && cp < 0xE000)
            cp -= 0x1000;
        s[0] = (uint8_t)(0xE0 | cp >> 12);
        s[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        s[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    default: {
        uint32_t cp = 0x10000 + r / 8 % (0x110000 - 0x10000);
        s[0] = (uint8_t)(0xF0 | cp >> 18);
        s[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        s[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        s[3] = (uint8_t)(0x80 | (cp & 0x3F));
        return 4;
    }
    }
}

static void test_random(void **state)
{
    (void)state;
    uint8_t buf[320];
    size_t before = checked;
    for (int round = 0; round < 80000; round++) {
        size_t want = next() % 300, n = 0;
        while (n < want) {
            uint32_t r = next();
            if (r % 97 == 0)
                buf[n++] = EDGE[r / 97 % N_EDGE]; /* any byte, often ill-formed */
            else if (r % 89 == 0 && n + 4 <= sizeof buf) {
                n += put_char(buf + n) - 1; /* a sequence without its last byte */
            } else
                n += put_char(buf + n);
        }
        /* Most texts are ill-formed somewhere; keep some whole ones. */
        same(buf, n);
        for (size_t cut = n > 4 ? n - 4 : 0; cut < n; cut++)
            same(buf, cut);
    }
    print_message("%zu random texts compared\n", checked - before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
