/* table.h — the model table and encodings as the commands use them. */
#ifndef TKM_CLI_TABLE_H
#define TKM_CLI_TABLE_H

#include "cli.h"

/* The built-in table, with --model-table FILE layered on top when given.
 * Returns EXIT_OK or EXIT_DATA / EXIT_USAGE after a diagnostic. */
int cli_table_load(const cli_opts *o, tkm_model_table **out);

/* Find a model. An unknown name is a usage error (exit 2) whose message
 * suggests close names: "unknown model 'gpt4o'; did you mean gpt-4o?". */
int cli_find_model(const tkm_model_table *t, const char *name, const tkm_model **out,
                   tkm_model_match *how);

/* Up to max names of the table (ids and aliases) close to name, closest
 * first: names that start with it, then edit distance (with transpositions, case-insensitive) at most
 * max(2, len/3), or names that contain name. Returns how many. */
size_t cli_suggest(const tkm_model_table *t, const char *name, const char **out, size_t max);

/* "unknown model 'x'; did you mean a, b or c?" into buf. */
void cli_unknown_model_text(const tkm_model_table *t, const char *name, char *buf, size_t cap);

/* Edit distance (optimal string alignment, ASCII case folded). */
size_t cli_edit_distance(const char *a, const char *b);

const char *cli_kind_name(tkm_model_kind k);
const char *cli_match_name(tkm_model_match m);
const char *cli_tier_name(tkm_service_tier t);

/* The encoding and encode options of a text command (encode, decode,
 * count, check, bench). */
typedef struct cli_text {
    tkm_model_table *table;  /* loaded when -m was given */
    const tkm_model *model;  /* NULL when -m named a model the table lacks */
    tkm_encoding *enc;
    tkm_encode_options opts;
    char **allowed;
    size_t n_allowed;
} cli_text;

/* Open the encoding named by -e, or the one of -m's model (from the table,
 * or tiktoken's name mapping for a model the table does not list), and
 * parse --allowed-special. require_model: -m is required (check). */
int cli_text_open(const cli_opts *o, bool require_model, cli_text *t);
void cli_text_close(cli_text *t);

/* Parse --allowed-special for enc into opts (flags get SPECIAL_AS_TEXT and
 * the --invalid-utf8 bits). */
int cli_allowed_special(const cli_opts *o, const tkm_encoding *enc, tkm_encode_options *opts,
                        char ***list, size_t *n);

/* A small cache of loaded built-in encodings, for commands that meet many
 * models (batch, models --fits), with one context to count with: one cache
 * per thread (each batch worker has its own), counting request after
 * request, which then find its piece cache warm (a context's entries are
 * per encoding, so sharing one between encodings is exact).
 * Zero-initialise it. */
typedef struct cli_enc_cache {
    struct {
        const char *name;
        tkm_encoding *enc;
    } e[8];
    size_t n;
    tkm_context *ctx; /* made by cli_enc_for_model; NULL if that failed (req_count then
                       * makes one per request) */
} cli_enc_cache;

/* The encoding of model (loaded once). Returns EXIT_OK, or the exit code
 * after a diagnostic naming the model. */
int cli_enc_for_model(cli_enc_cache *c, const tkm_model *m, tkm_encoding **out);
void cli_enc_cache_free(cli_enc_cache *c);

#endif
