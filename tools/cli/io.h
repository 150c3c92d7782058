/* io.h — CLI input helpers. */
#ifndef TKM_CLI_IO_H
#define TKM_CLI_IO_H

#include <stddef.h>

/* Read a whole file ("-" = stdin) into a malloc'd buffer. Returns 0, or -1
 * after printing "tokmeter: PATH: reason" to stderr. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* 1-based line and column of byte offset off in buf[0..len). */
void cli_line_col(const char *buf, size_t len, size_t off, size_t *line, size_t *col);

#endif
