/* test_vocab_scalar.c — tkm_vocab_lookup compiled with its portable probe
 * (one tag at a time), for test_vocab to compare with the SSE2 probe the
 * library uses on x86-64. vocab.h's look-up is inline, so this translation
 * unit gets its own copy. */
#define TKM_VOCAB_SCALAR 1
#include "vocab.h"

uint32_t test_vocab_lookup_scalar(const tkm_vocab *v, const uint8_t *p, size_t n);

uint32_t test_vocab_lookup_scalar(const tkm_vocab *v, const uint8_t *p, size_t n)
{
    return tkm_vocab_lookup(v, p, n);
}
