/* cli.h — what the tokmeter command line's files share: exit codes, the
 * parsed options, diagnostics and the subcommand entry points.
 *
 * Conventions of every subcommand (README.md, "The command line"):
 *  - inputs are files or "-" for stdin;
 *  - --json writes exactly one JSON document to stdout;
 *  - diagnostics go to stderr as "tokmeter: FILE:LINE:COL: message";
 *  - exit 0 ok, 1 negative answer, 2 usage or input error, 3 data or
 *    internal error.
 */
#ifndef TKM_CLI_H
#define TKM_CLI_H

#include "tokmeter.h"
#include "tokmeter_account.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2, EXIT_DATA = 3 };

#if defined(__GNUC__)
#  define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define CLI_PRINTF(a, b)
#endif

/* Subcommands, as bits so an option can name the commands that take it. */
enum {
    CMD_ENCODE = 1u << 0,
    CMD_DECODE = 1u << 1,
    CMD_COUNT = 1u << 2,
    CMD_CHECK = 1u << 3,
    CMD_CHAT = 1u << 4,
    CMD_COST = 1u << 5,
    CMD_BATCH = 1u << 6,
    CMD_PRUNE = 1u << 7,
    CMD_MODELS = 1u << 8,
    CMD_BENCH = 1u << 9
};

/* Everything the command line can say. Fields a command does not take stay
 * zero. "has_*" tells whether an optional number was given. */
typedef struct cli_opts {
    const char *command;
    unsigned cmd; /* CMD_* bit */
    const char **files;
    size_t n_files;

    const char *encoding;     /* -e (the last one) */
    const char **encodings;   /* every -e, in order (bench) */
    size_t n_encodings;
    const char *model;        /* -m */
    const char *model_table;  /* --model-table FILE: override layered on the built-in table */
    const char *allowed;      /* --allowed-special */
    unsigned utf8_flags;      /* --invalid-utf8 */
    bool json, verbose, text, hidden;

    unsigned jobs; /* --jobs; 0 = number of online cores */
    const char **include, **exclude;
    size_t n_include, n_exclude;

    bool has_max_tokens, has_max_cost, has_reserve;
    uint64_t max_tokens, reserve_output;
    tkm_nanousd max_cost;

    bool has_image_size;
    uint32_t image_w, image_h;

    /* cost */
    bool has_input, has_output, has_cached, has_reasoning;
    uint64_t input, output, cached, reasoning;
    const char *usage_file;
    bool batch;
    bool has_tier;
    tkm_service_tier tier;

    /* batch */
    uint64_t tpm, rpm, rpd;
    int rate_tier; /* -1 = none, 0 = free, 1..5 */
    bool summary;

    /* prune */
    const char *strategy;
    bool has_last;
    uint64_t last_n;
    bool has_budget;
    uint64_t budget;
    bool truncate;

    /* models */
    const char *fits;
    const char *kind;
    const char *fits_as; /* --as text|chat */

    /* bench */
    double min_time;
} cli_opts;

/* ---- diagnostics (diag.c) ---- */

/* "tokmeter: " + message + newline on stderr. The first one is kept for the
 * JSON error document (see cli_json_error_document). */
void cli_err(const char *fmt, ...) CLI_PRINTF(1, 2);
/* What one thread's diagnostics printed while captured (cli_diag_capture):
 * `tokmeter batch` works on lines on several threads and prints each
 * line's diagnostics in line order. */
typedef struct cli_capture {
    char *text;           /* "tokmeter: ...\n" lines, NUL-terminated (NULL: none yet) */
    size_t len, cap;
    bool lost;            /* out of memory: text is cut short */
    char first[512];      /* the first error, for a failing --json run's document */
    char last_text[1024]; /* cli_last_text when the capture ended */
    size_t last_line, last_col;
} cli_capture;
/* From now on this thread's diagnostics go to c (cleared first) instead
 * of stderr; NULL ends the capture and records cli_last_text in it. */
void cli_diag_capture(cli_capture *c);
/* Print what c captured, as it would have been printed (on the calling
 * thread), which then also holds its last diagnostic (cli_last_text). */
void cli_diag_replay(const cli_capture *c);
void cli_capture_free(cli_capture *c);
/* While muted, diagnostics are recorded (cli_last_text) but not printed. */
void cli_diag_mute(bool on);
/* The text of the last diagnostic, without "tokmeter: " (with its FILE:LINE:COL). */
const char *cli_last_message(void);
/* The last diagnostic's message alone, and its line and column (0 when it
 * had no position). */
const char *cli_last_text(size_t *line, size_t *col);
/* Information on stderr ("tokmeter: " + message): not an error, so never
 * the message of a JSON error document. */
void cli_note(const char *fmt, ...) CLI_PRINTF(1, 2);
/* cli_err plus "Try 'tokmeter --help'."; returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) CLI_PRINTF(1, 2);
/* A diagnostic at a position: "tokmeter: PATH:LINE:COL: message". */
void cli_err_at(const char *path, size_t line, size_t col, const char *fmt, ...)
    CLI_PRINTF(4, 5);
/* Exit code for a library status: input problems 2, the rest 3. */
int cli_status_exit(tkm_status st);
/* "tokmeter: hint: --invalid-utf8 replace|lossless accepts such input". */
void cli_hint_invalid_utf8(void);
/* Report an encode/count failure on a buffer with the offset's line:col
 * (and the hint above for invalid UTF-8). Returns the exit code (2 for
 * input problems, 3 otherwise). */
int cli_report_text_error(const char *path, const char *buf, size_t len, tkm_status st,
                          const tkm_error_detail *d);
/* The worse of two exit codes (2 and 3 outrank 1, which outranks 0). */
int cli_worse(int a, int b);
/* When --json was asked and nothing was written to stdout yet, write
 * {"error":{"exit_code":N,"message":...}} so stdout still holds one document. */
void cli_json_error_document(int rc);
/* The JSON writer calls this once a document went out. */
void cli_json_mark_written(void);
extern bool cli_json_mode;

/* ---- numbers and small parsers (args.c) ---- */

/* Decimal unsigned integer, digits only, no overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* A dollar amount such as 0.05 or $1.25, exact to the nano-dollar. */
bool cli_parse_usd(const char *s, tkm_nanousd *out);
/* WxH, both positive and below 2^31. */
bool cli_parse_size(const char *s, uint32_t *w, uint32_t *h);
/* Parse argv for a command; returns EXIT_OK or a usage error code. */
int cli_parse_args(cli_opts *o, int argc, char **argv, int first);
/* Help for one command (or the overview when cmd is 0) on stdout. */
void cli_print_help(unsigned cmd);
/* The name of a CMD_* bit, and the bit of a name (0 when unknown). */
const char *cli_command_name(unsigned cmd);
unsigned cli_command_bit(const char *name);

/* ---- subcommands ---- */
int cmd_encode(cli_opts *o);
int cmd_decode(cli_opts *o);
int cmd_count(cli_opts *o);
int cmd_check(cli_opts *o);
int cmd_chat(cli_opts *o);
int cmd_cost(cli_opts *o);
int cmd_batch(cli_opts *o);
int cmd_prune(cli_opts *o);
int cmd_models(cli_opts *o);
int cmd_bench(cli_opts *o);
int cmd_version(cli_opts *o);

#endif
