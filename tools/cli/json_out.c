/* json_out.c — writing JSON documents with jansson.
 *
 * Object keys come out in insertion order (jansson keeps it), so every
 * document has a stable key order; the keys are documented in README.md.
 * Money is an integer of nano-dollars inside the program; it becomes dollars
 * only here, for display: "<name>_usd" is a real (15 significant digits are
 * exact for any amount below a million dollars) and "<name>_nanousd" the
 * exact integer. An unknown price is null, never 0. */
#include "json_out.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return need;
}

size_t cli_utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_seq(u + i, len - i);
        if (!k)
            return i;
        i += k;
    }
    return SIZE_MAX;
}

json_t *jstrn(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_seq(u + i, len - i);
        if (!k)
            break;
        i += k;
    }
    if (i == len)
        return json_stringn(s, len);
    /* Repair: every byte that starts no valid sequence becomes U+FFFD. */
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (i = 0; i < len;) {
        size_t k = utf8_seq(u + i, len - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(out, o);
    free(out);
    return j;
}

json_t *jstr(const char *s)
{
    return s ? jstrn(s, strlen(s)) : json_null();
}

json_t *jusd(tkm_nanousd v)
{
    if (v == TKM_PRICE_UNKNOWN)
        return json_null();
    return json_real(tkm_money_to_usd(v));
}

json_t *jnano(tkm_nanousd v)
{
    if (v == TKM_PRICE_UNKNOWN)
        return json_null();
    return json_integer((json_int_t)v);
}

json_t *jcount(uint64_t v, bool zero_is_null)
{
    if (zero_is_null && v == 0)
        return json_null();
    if (v > (uint64_t)INT64_MAX)
        return json_real((double)v);
    return json_integer((json_int_t)v);
}

void jset_money(json_t *obj, const char *key, tkm_nanousd v)
{
    char k[96];
    snprintf(k, sizeof k, "%s_usd", key);
    json_object_set_new(obj, k, jusd(v));
    snprintf(k, sizeof k, "%s_nanousd", key);
    json_object_set_new(obj, k, jnano(v));
}

int cli_json_print(json_t *doc)
{
    cli_json_mark_written();
    if (json_dumpf(doc, stdout, CLI_JSON_FLAGS) != 0)
        return -1;
    return fputc('\n', stdout) == EOF ? -1 : 0;
}

int cli_json_print_compact(json_t *doc)
{
    cli_json_mark_written();
    return json_dumpf(doc, stdout, CLI_JSON_FLAGS_COMPACT) == 0 ? 0 : -1;
}

const char *cli_money(tkm_nanousd v, char *buf, size_t cap)
{
    size_t n;
    if (tkm_money_format(v, buf, cap, &n) != TKM_OK)
        snprintf(buf, cap, "?");
    return buf;
}
