/* files.h — counting the tokens of many files on --jobs threads. */
#ifndef TKM_CLI_FILES_H
#define TKM_CLI_FILES_H

#include "walk.h"

typedef struct cli_file_result {
    const char *path;
    size_t bytes;
    size_t tokens;
} cli_file_result;

/* Called one at a time (on any of the threads), in the order of w->files, for every file that
 * was counted. Binary files (unless --text) are recorded as skipped in w,
 * failures are printed and recorded in w. */
typedef void (*cli_file_emit)(void *ctx, const cli_file_result *r);

/* Count every file of w with enc and opts on o->jobs threads (default: the
 * number of online cores). Shows progress on a TTY. Returns the worst exit
 * code of the failures (EXIT_OK when none). */
int cli_count_files(const cli_opts *o, const tkm_encoding *enc, const tkm_encode_options *opts,
                    cli_walk *w, cli_file_emit emit, void *ctx);

#endif
