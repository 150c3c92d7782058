/* io.h — reading inputs for the CLI. */
#ifndef TKM_CLI_IO_H
#define TKM_CLI_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Read a whole file ("-" = stdin) into a malloc'd buffer (NUL-terminated,
 * the NUL not counted in *len). Returns 0, or -1 after printing
 * "tokmeter: PATH: reason" to stderr. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* As cli_read_file, but quiet: returns 0 or an errno value (ENOMEM for
 * memory). Safe to call from worker threads. */
int cli_read_file_quiet(const char *path, char **buf, size_t *len);

/* Read at most max bytes from the start of a file; *len may be less at EOF.
 * Returns 0 or an errno value. */
int cli_read_prefix(const char *path, size_t max, char **buf, size_t *len);

/* 1-based line and column of byte offset off in buf[0..len). Columns count
 * characters: a UTF-8 continuation byte does not start a new column. */
void cli_line_col(const char *buf, size_t len, size_t off, size_t *line, size_t *col);

/* A line reader over a FILE that keeps one line in memory at a time. */
typedef struct cli_lines {
    FILE *f;
    bool owned;
    char *buf;
    size_t cap;
    size_t line_no; /* 1-based number of the line last returned */
} cli_lines;

/* Open path ("-" = stdin). Returns 0 or -1 after printing the reason. */
int cli_lines_open(cli_lines *r, const char *path);
/* The next line without its "\n" (and "\r\n"); NULL at EOF or on error
 * (check ferror(r->f)). The pointer is valid until the next call. */
char *cli_lines_next(cli_lines *r, size_t *len);
void cli_lines_close(cli_lines *r);

/* The directory part of path ("." when there is none); malloc'd. */
char *cli_dirname(const char *path);

/* Whether stderr is a terminal (for progress). */
bool cli_stderr_is_tty(void);

#endif
