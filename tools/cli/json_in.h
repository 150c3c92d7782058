/* json_in.h — reading JSON with positions: parse errors as FILE:LINE:COL,
 * and the line and column of any value, for type errors found later. */
#ifndef TKM_CLI_JSON_IN_H
#define TKM_CLI_JSON_IN_H

#include "cli.h"

#include <jansson.h>

/* A JSON text and where it came from. For one line of a JSONL file, text is
 * that line and line_base the number of lines before it. */
typedef struct cli_src {
    const char *path;
    const char *text;
    size_t len;
    size_t line_base;
} cli_src;

/* Parse an object or array (NUL in strings allowed). On error print
 * "PATH:LINE:COL: message" and return NULL. */
json_t *cli_json_parse(const cli_src *src);

/* A path to a value: keys and array indices, e.g. messages[2].content. */
typedef struct cli_jpath {
    struct {
        const char *key; /* NULL for an index */
        size_t index;
    } c[32];
    size_t n;
} cli_jpath;

void jp_key(cli_jpath *p, const char *key);
void jp_index(cli_jpath *p, size_t index);
void jp_pop(cli_jpath *p);
/* "messages[2].content" ("(top level)" for the empty path). */
const char *jp_format(const cli_jpath *p, char *buf, size_t cap);

/* The byte span [start, end) of the value at p in a valid JSON text.
 * Duplicate keys resolve to the last one, as jansson does. */
bool cli_json_locate(const char *text, size_t len, const cli_jpath *p, size_t *start, size_t *end);

/* The spans of the elements of the array that starts at text[at]. Returns
 * the number of elements; fills at most cap spans. */
size_t cli_json_array_spans(const char *text, size_t len, size_t at, size_t (*spans)[2],
                            size_t cap);

/* "PATH:LINE:COL: messages[2].content: <message>" at the value's position
 * (at the nearest enclosing value that can be found). */
void cli_json_err(const cli_src *src, const cli_jpath *p, const char *fmt, ...) CLI_PRINTF(3, 4);

/* The JSON type name of v: "string", "number", "object"... */
const char *cli_json_type(const json_t *v);

#endif
