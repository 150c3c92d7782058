/* walk.h — turning FILE, DIR and GLOB arguments into a list of files, with
 * every skipped entry recorded and every failure reported. */
#ifndef TKM_CLI_WALK_H
#define TKM_CLI_WALK_H

#include "cli.h"

#include <jansson.h>

typedef struct cli_skip {
    char *path;
    const char *reason; /* "binary", "hidden", "excluded", "not included",
                           "symlink to a directory", "broken symlink",
                           "not a regular file" */
} cli_skip;

typedef struct cli_issue {
    char *path;
    size_t line, col; /* 0 when the problem has no position */
    char *message;
    int rc;
} cli_issue;

typedef struct cli_walk {
    char **files;
    size_t n_files, cap_files;
    cli_skip *skipped;
    size_t n_skipped, cap_skipped;
    cli_issue *errors;
    size_t n_errors, cap_errors;
    int rc; /* worst exit code of the errors */
} cli_walk;

/* Expand o->files (or "-" when there are none). Directories are walked
 * recursively in byte order of names; an argument that names nothing but
 * holds *, ? or [ is expanded with glob(3). Errors are printed and kept. */
int cli_walk_inputs(const cli_opts *o, cli_walk *w);
void cli_walk_free(cli_walk *w);

/* Record a skipped file / an error (the error is printed here). */
void cli_walk_skip(cli_walk *w, const char *path, const char *reason);
void cli_walk_error(cli_walk *w, const char *path, size_t line, size_t col, int rc,
                    const char *message);

/* A file is binary when its first 8000 bytes hold a NUL byte (git's rule). */
bool cli_is_binary(const char *buf, size_t len);

/* "tokmeter: skipped 3 files: 2 binary, 1 hidden" on stderr (each one with
 * verbose), when anything was skipped. */
void cli_walk_report_skipped(const cli_walk *w, bool verbose);

/* [{"path","reason"}...] and [{"path","line","column","message"}...]. */
json_t *cli_walk_skipped_json(const cli_walk *w);
json_t *cli_walk_errors_json(const cli_walk *w);

#endif
