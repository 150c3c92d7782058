/* sha256.h — SHA-256 for rank-file checksums (tiktoken's expected_hash). */
#ifndef TKM_SHA256_H
#define TKM_SHA256_H

#include "internal.h"

/* hex receives 64 lowercase hex digits and a NUL. */
TKM_INTERNAL void tkm_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
