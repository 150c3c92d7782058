/* io.c — reading inputs for the CLI. */
#include "io.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tokmeter: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    while (p) {
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                fprintf(stderr, "tokmeter: %s: %s\n", path, strerror(errno));
                free(p);
                p = NULL;
                n = 0;
                cap = 0;
                break;
            }
            if (feof(f))
                break;
            continue;
        }
        char *np = cap <= SIZE_MAX / 2 ? realloc(p, cap * 2) : NULL;
        if (!np) {
            free(p);
            p = NULL;
            break;
        }
        p = np;
        cap *= 2;
    }
    if (f != stdin)
        fclose(f);
    if (!p) {
        if (cap)
            fprintf(stderr, "tokmeter: %s: out of memory\n", path);
        return -1;
    }
    *buf = p;
    *len = n;
    return 0;
}

void cli_line_col(const char *buf, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}
