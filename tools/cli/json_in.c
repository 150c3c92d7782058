/* json_in.c — reading JSON with positions.
 *
 * jansson reports parse errors with line, column (in characters) and byte
 * position; those become "FILE:LINE:COL". It keeps no positions for the
 * values of a parsed document, so a type error found later (a number where
 * a string belongs) is located by rescanning the text along the value's
 * path; the text is known to be valid JSON at that point, which keeps the
 * scanner small. */
#include "json_in.h"
#include "io.h"
#include "json_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

json_t *cli_json_parse(const cli_src *src)
{
    json_error_t e;
    const char *text = src->text;
    size_t len = src->len;
    bool bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0; /* a UTF-8 byte-order mark */
    if (bom) {
        text += 3;
        len -= 3;
    }
    json_t *j = json_loadb(text, len, JSON_ALLOW_NUL, &e);
    if (j)
        return j;
    size_t line = e.line > 0 ? (size_t)e.line : 1, col = e.column > 0 ? (size_t)e.column : 1;
    if (bom && line == 1)
        col++;
    if (len == 0 || (e.position <= 0 && e.line <= 1 && strstr(e.text, "end of file"))) {
        /* Nothing but whitespace. */
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        if (i == len) {
            cli_err_at(src->path, src->line_base + line, col, "%s",
                       len ? "no JSON value, only whitespace" : "empty input, expected JSON");
            return NULL;
        }
    }
    unsigned byte;
    size_t bad = cli_utf8_invalid_at(text, len);
    if (sscanf(e.text, "unable to decode byte 0x%x", &byte) == 1 && bad != SIZE_MAX) {
        /* jansson's column stops before the bad byte; point at it. */
        cli_line_col(src->text, src->len, bad + (size_t)(text - src->text), &line, &col);
        cli_err_at(src->path, src->line_base + line, col,
                   "invalid UTF-8 in JSON text (byte 0x%02x); JSON must be UTF-8", byte);
    } else if (sscanf(e.text, "unable to decode byte 0x%x", &byte) == 1)
        cli_err_at(src->path, src->line_base + line, col,
                   "invalid UTF-8 in JSON text (byte 0x%02x); JSON must be UTF-8", byte);
    else
        cli_err_at(src->path, src->line_base + line, col, "malformed JSON: %s", e.text);
    return NULL;
}

void jp_key(cli_jpath *p, const char *key)
{
    if (p->n < sizeof p->c / sizeof p->c[0]) {
        p->c[p->n].key = key;
        p->c[p->n].index = 0;
    }
    p->n++;
}

void jp_index(cli_jpath *p, size_t index)
{
    if (p->n < sizeof p->c / sizeof p->c[0]) {
        p->c[p->n].key = NULL;
        p->c[p->n].index = index;
    }
    p->n++;
}

void jp_pop(cli_jpath *p)
{
    if (p->n)
        p->n--;
}

const char *jp_format(const cli_jpath *p, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = '\0';
    size_t n = p->n < sizeof p->c / sizeof p->c[0] ? p->n : sizeof p->c / sizeof p->c[0];
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        int w = p->c[i].key ? snprintf(buf + k, cap - k, "%s%s", i ? "." : "", p->c[i].key)
                            : snprintf(buf + k, cap - k, "[%zu]", p->c[i].index);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (!buf[0])
        snprintf(buf, cap, "(top level)");
    return buf;
}

/* ---- a scanner over valid JSON text ---- */

static size_t ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* t[i] == '"'; returns the index after the closing quote. */
static size_t str_end(const char *t, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return n;
}

static size_t value_end(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return n;
    if (t[i] == '"')
        return str_end(t, n, i);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        for (; i < n; i++) {
            if (t[i] == '"') {
                i = str_end(t, n, i) - 1;
            } else if (t[i] == '{' || t[i] == '[') {
                depth++;
            } else if (t[i] == '}' || t[i] == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return n;
    }
    while (i < n && !strchr(",}] \t\r\n", t[i]))
        i++;
    return i;
}

static bool key_equals(const char *t, size_t a, size_t b, const char *key)
{
    /* t[a..b) is the quoted key. */
    size_t klen = strlen(key);
    if (!memchr(t + a, '\\', b - a))
        return b - a == klen + 2 && memcmp(t + a + 1, key, klen) == 0;
    json_t *s = json_loadb(t + a, b - a, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool eq = s && json_is_string(s) && json_string_length(s) == klen &&
              memcmp(json_string_value(s), key, klen) == 0;
    json_decref(s);
    return eq;
}

/* Start of the member value `key` of the object at t[i], or SIZE_MAX. */
static size_t member(const char *t, size_t n, size_t i, const char *key)
{
    if (i >= n || t[i] != '{')
        return SIZE_MAX;
    size_t found = SIZE_MAX;
    i = ws(t, n, i + 1);
    while (i < n && t[i] == '"') {
        size_t kend = str_end(t, n, i);
        bool match = key_equals(t, i, kend, key);
        i = ws(t, n, kend);
        if (i >= n || t[i] != ':')
            return found;
        i = ws(t, n, i + 1);
        if (match)
            found = i;
        i = ws(t, n, value_end(t, n, i));
        if (i < n && t[i] == ',')
            i = ws(t, n, i + 1);
        else
            break;
    }
    return found;
}

size_t cli_json_array_spans(const char *t, size_t n, size_t i, size_t (*spans)[2], size_t cap)
{
    if (i >= n || t[i] != '[')
        return 0;
    size_t k = 0;
    i = ws(t, n, i + 1);
    while (i < n && t[i] != ']') {
        size_t e = value_end(t, n, i);
        if (k < cap) {
            spans[k][0] = i;
            spans[k][1] = e;
        }
        k++;
        i = ws(t, n, e);
        if (i < n && t[i] == ',')
            i = ws(t, n, i + 1);
        else
            break;
    }
    return k;
}

static size_t element(const char *t, size_t n, size_t i, size_t index)
{
    if (i >= n || t[i] != '[')
        return SIZE_MAX;
    size_t k = 0;
    i = ws(t, n, i + 1);
    while (i < n && t[i] != ']') {
        if (k == index)
            return i;
        i = ws(t, n, value_end(t, n, i));
        if (i < n && t[i] == ',')
            i = ws(t, n, i + 1);
        else
            break;
        k++;
    }
    return SIZE_MAX;
}

/* Follow the first depth components of p; the start of that value. */
static size_t locate_prefix(const char *t, size_t n, const cli_jpath *p, size_t depth)
{
    size_t i = ws(t, n, 0);
    if (n >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
        i = ws(t, n, 3);
    for (size_t d = 0; d < depth && i != SIZE_MAX; d++)
        i = p->c[d].key ? member(t, n, i, p->c[d].key) : element(t, n, i, p->c[d].index);
    return i;
}

bool cli_json_locate(const char *t, size_t n, const cli_jpath *p, size_t *start, size_t *end)
{
    size_t depth = p->n < sizeof p->c / sizeof p->c[0] ? p->n : sizeof p->c / sizeof p->c[0];
    size_t i = locate_prefix(t, n, p, depth);
    if (i == SIZE_MAX || i >= n)
        return false;
    *start = i;
    *end = value_end(t, n, i);
    return true;
}

void cli_json_err(const cli_src *src, const cli_jpath *p, const char *fmt, ...)
{
    char msg[768], where[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jp_format(p, where, sizeof where);
    /* The value itself, or the nearest ancestor (a missing key is reported
     * at the object that lacks it). */
    size_t depth = p->n < sizeof p->c / sizeof p->c[0] ? p->n : sizeof p->c / sizeof p->c[0];
    size_t at = SIZE_MAX;
    for (size_t d = depth + 1; d-- > 0 && at == SIZE_MAX;)
        at = locate_prefix(src->text, src->len, p, d);
    size_t line = 1, col = 1;
    if (at != SIZE_MAX)
        cli_line_col(src->text, src->len, at, &line, &col);
    cli_err_at(src->path, src->line_base + line, col, "%s: %s", where, msg);
}

const char *cli_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}
