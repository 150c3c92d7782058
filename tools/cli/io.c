/* io.c — reading inputs for the CLI. */
#include "io.h"
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Read up to max bytes of f into a growing buffer. */
static int read_stream(FILE *f, size_t max, char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    if (cap > max && max != SIZE_MAX)
        cap = max + 1;
    char *p = malloc(cap);
    if (!p)
        return ENOMEM;
    for (;;) {
        size_t want = cap - 1 - n;
        if (n + want > max)
            want = max - n;
        size_t got = want ? fread(p + n, 1, want, f) : 0;
        n += got;
        if (got < want || n >= max) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(p);
                return e;
            }
            if (feof(f) || n >= max)
                break;
            continue;
        }
        if (n + 1 >= cap) {
            if (cap > SIZE_MAX / 2) {
                free(p);
                return ENOMEM;
            }
            char *np = realloc(p, cap * 2);
            if (!np) {
                free(p);
                return ENOMEM;
            }
            p = np;
            cap *= 2;
        }
    }
    p[n] = '\0';
    *buf = p;
    *len = n;
    return 0;
}

int cli_read_file_quiet(const char *path, char **buf, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    errno = 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return errno ? errno : EIO;
    int e = read_stream(f, SIZE_MAX, buf, len);
    if (!is_stdin)
        fclose(f);
    return e;
}

int cli_read_file(const char *path, char **buf, size_t *len)
{
    int e = cli_read_file_quiet(path, buf, len);
    if (e) {
        cli_err("%s: %s", path, e == ENOMEM ? "out of memory" : strerror(e));
        return -1;
    }
    return 0;
}

int cli_read_prefix(const char *path, size_t max, char **buf, size_t *len)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno ? errno : EIO;
    int e = read_stream(f, max, buf, len);
    fclose(f);
    return e;
}

void cli_line_col(const char *buf, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int cli_lines_open(cli_lines *r, const char *path)
{
    memset(r, 0, sizeof *r);
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
        return 0;
    }
    r->f = fopen(path, "rb");
    if (!r->f) {
        cli_err("%s: %s", path, strerror(errno));
        return -1;
    }
    r->owned = true;
    return 0;
}

char *cli_lines_next(cli_lines *r, size_t *len)
{
    ssize_t n = getline(&r->buf, &r->cap, r->f);
    if (n < 0)
        return NULL;
    r->line_no++;
    size_t k = (size_t)n;
    if (k && r->buf[k - 1] == '\n')
        k--;
    if (k && r->buf[k - 1] == '\r')
        k--;
    r->buf[k] = '\0';
    *len = k;
    return r->buf;
}

void cli_lines_close(cli_lines *r)
{
    if (r->owned && r->f)
        fclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

char *cli_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || strcmp(path, "-") == 0)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

bool cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO) == 1;
}
