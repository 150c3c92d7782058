/* codec.c — `tokmeter encode` (text to ids, one per line) and
 * `tokmeter decode` (whitespace- or comma-separated ids to bytes). */
#include "cli.h"
#include "io.h"
#include "table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* encode and decode take one input (FILE or stdin) and an encoding: open
 * both. On failure everything is released and the exit code returned. */
static int open_one(cli_opts *o, const char *cmd, cli_text *t, const char **path, char **buf,
                    size_t *len)
{
    if (o->n_files > 1)
        return cli_usage("%s takes at most one FILE", cmd);
    if (!o->model && !o->encoding)
        return cli_usage("%s", "-e ENCODING is required");
    int rc = cli_text_open(o, false, t);
    if (rc != EXIT_OK) {
        cli_text_close(t);
        return rc;
    }
    *path = o->n_files ? o->files[0] : "-";
    if (cli_read_file(*path, buf, len) != 0) {
        cli_text_close(t);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_encode(cli_opts *o)
{
    cli_text t;
    const char *path;
    char *buf;
    size_t len;
    int rc = open_one(o, "encode", &t, &path, &buf, &len);
    if (rc != EXIT_OK)
        return rc;
    size_t cap = tkm_encode_bound(len), n = 0;
    uint32_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
    tkm_error_detail d;
    tkm_status st = ids ? tkm_encode(t.enc, buf, len, &t.opts, ids, cap, &n, &d) : TKM_ERR_NOMEM;
    if (st == TKM_ERR_NOMEM) {
        cli_err("%s: out of memory", path);
        rc = EXIT_DATA;
    } else if (st != TKM_OK) {
        rc = cli_report_text_error(path, buf, len, st, &d);
    }
    for (size_t i = 0; rc == EXIT_OK && i < n; i++)
        printf("%u\n", ids[i]);
    free(ids);
    free(buf);
    cli_text_close(&t);
    return rc;
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

int cmd_decode(cli_opts *o)
{
    cli_text t;
    const char *path;
    char *buf;
    size_t len;
    int rc = open_one(o, "decode", &t, &path, &buf, &len);
    if (rc != EXIT_OK)
        return rc;
    size_t cap = len / 2 + 1, n = 0;
    uint32_t *ids = malloc(cap * sizeof *ids);
    size_t *where = malloc(cap * sizeof *where);
    rc = ids && where ? EXIT_OK : EXIT_DATA;
    for (size_t i = 0; rc == EXIT_OK && i < len;) {
        if (is_sep(buf[i])) {
            i++;
            continue;
        }
        size_t start = i;
        unsigned long long v = 0;
        bool ok = true;
        while (i < len && !is_sep(buf[i])) {
            if (buf[i] < '0' || buf[i] > '9' || v > UINT32_MAX)
                ok = false;
            else
                v = v * 10 + (unsigned)(buf[i] - '0');
            i++;
        }
        if (!ok || v > UINT32_MAX) {
            size_t line, col;
            cli_line_col(buf, len, start, &line, &col);
            cli_err_at(path, line, col, "'%.*s' is not a token id",
                       (int)(i - start > 40 ? 40 : i - start), buf + start);
            rc = EXIT_USAGE;
            break;
        }
        where[n] = start;
        ids[n++] = (uint32_t)v;
    }
    if (rc == EXIT_OK) {
        size_t need = 0;
        tkm_error_detail d;
        tkm_status st = tkm_decode(t.enc, ids, n, NULL, 0, &need, &d);
        char *out = NULL;
        if (st == TKM_ERR_BUFFER_TOO_SMALL || st == TKM_OK) {
            out = malloc(need ? need : 1);
            st = out ? tkm_decode(t.enc, ids, n, out, need, &need, &d) : TKM_ERR_NOMEM;
        }
        if (st == TKM_ERR_INVALID_TOKEN) {
            size_t line, col;
            cli_line_col(buf, len, where[d.index], &line, &col);
            cli_err_at(path, line, col, "id %u is not a token of %s", d.token,
                       tkm_encoding_name(t.enc));
            rc = EXIT_USAGE;
        } else if (st != TKM_OK) {
            cli_err("%s: %s", path, tkm_strerror(st));
            rc = EXIT_DATA;
        } else if (fwrite(out, 1, need, stdout) != need) {
            cli_err("write error: %s", strerror(errno));
            rc = EXIT_DATA;
        }
        free(out);
    }
    free(ids);
    free(where);
    free(buf);
    cli_text_close(&t);
    return rc;
}
