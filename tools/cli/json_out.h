/* json_out.h — writing JSON documents with jansson. */
#ifndef TKM_CLI_JSON_OUT_H
#define TKM_CLI_JSON_OUT_H

#include "tokmeter_account.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags every document is written with: two-space indent, 15 significant
 * digits for reals (so dollar amounts print as 0.000253, not 0.00025300000000000002). */
#define CLI_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))
/* One-line records (batch streams its per-line records this way). */
#define CLI_JSON_FLAGS_COMPACT (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* A JSON string of len bytes; bytes that are not UTF-8 become U+FFFD
 * (paths and diagnostics may hold anything). Never NULL unless out of memory. */
json_t *jstrn(const char *s, size_t len);
json_t *jstr(const char *s);
/* Byte offset of the first ill-formed UTF-8 sequence, or SIZE_MAX. */
size_t cli_utf8_invalid_at(const char *s, size_t len); /* NUL-terminated; NULL gives JSON null */
/* Dollars from nano-dollars: a JSON real, or null for TKM_PRICE_UNKNOWN. */
json_t *jusd(tkm_nanousd v);
/* A nano-dollar integer, or null for TKM_PRICE_UNKNOWN. */
json_t *jnano(tkm_nanousd v);
/* An integer, or null when it is 0 and zero_is_null (unknown limits). */
json_t *jcount(uint64_t v, bool zero_is_null);
/* Set "<key>_usd" and "<key>_nanousd" on obj. */
void jset_money(json_t *obj, const char *key, tkm_nanousd v);

/* Write doc to stdout followed by a newline; marks the run's document as
 * written. Returns 0 or -1 on a write error. */
int cli_json_print(json_t *doc);
/* Write doc compactly to stdout without a newline (streaming pieces). */
int cli_json_print_compact(json_t *doc);

/* Money as "$D.DDDDDD" or "unknown" into buf (at least 32 bytes). */
const char *cli_money(tkm_nanousd v, char *buf, size_t cap);

#endif
