/* batch.h — `tokmeter batch`: what batch.c sums up over a file's lines
 * and batch_report.c reports at the end. */
#ifndef TKM_CLI_BATCH_H
#define TKM_CLI_BATCH_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_MODELS 16

/* An open-addressing set of 64-bit hashes (0 = empty). */
typedef struct idset {
    uint64_t *slot;
    size_t cap, n;
} idset;

typedef struct money_range {
    tkm_nanousd min, max;
    size_t unknown; /* lines whose cost is unknown */
} money_range;

typedef struct model_stat {
    const tkm_model *m;
    uint64_t requests, limit_tokens;
} model_stat;

typedef struct batch {
    const cli_opts *o;
    const char *name;
    tkm_model_table *table;
    idset ids;
    size_t ok, bad, blank, with_notes;
    uint64_t prompt, out_max, out_unknown;
    bool all_exact;
    money_range batch_cost, std_cost;
    model_stat models[MAX_MODELS];
    size_t n_models;
    uint64_t other_requests, other_tokens;
    char first_url[64];
    bool mixed_urls;
    bool first_record;
    size_t line_no;
    int rc;
} batch;

/* The totals after the last line: rate-limit note, then the summary
 * (text, or the end of the --json document whose "lines" batch.c wrote). */
void batch_report(const batch *b, uint64_t bytes);

#endif
