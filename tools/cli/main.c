/* main.c — the tokmeter command line: a thin shell over libtokmeter.
 *
 * Exit codes (documented in README.md and `tokmeter --help`):
 *   0 ok, 1 negative answer (over budget), 2 usage or input error,
 *   3 data or internal error.
 */
#include "io.h"
#include "tokmeter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2, EXIT_DATA = 3 };

static const char USAGE[] =
    "usage: tokmeter <command> [options] [FILE...|-]\n"
    "\n"
    "commands:\n"
    "  encode -e ENCODING [FILE|-]        print token ids, one per line\n"
    "  decode -e ENCODING [FILE|-]        read whitespace-separated ids, write the bytes\n"
    "  count (-e ENCODING | -m MODEL) [FILE...|-]\n"
    "                                     print '<tokens>\\t<file>' per file, and a total\n"
    "                                     line when there is more than one file\n"
    "\n"
    "options:\n"
    "  -e, --encoding NAME     r50k_base (gpt2), p50k_base, p50k_edit, cl100k_base,\n"
    "                          o200k_base, o200k_harmony\n"
    "  -m, --model NAME        a model name, e.g. gpt-4o, gpt-4, gpt-oss-20b\n"
    "  --allowed-special all|NAME,...\n"
    "                          recognise these special tokens in the text (default:\n"
    "                          none; special-token text is counted as plain text,\n"
    "                          as the API does for message content)\n"
    "  --invalid-utf8 strict|replace|lossless\n"
    "                          strict (default): invalid UTF-8 is an input error;\n"
    "                          replace: as Python's decode(errors='replace');\n"
    "                          lossless: invalid bytes are kept as raw byte tokens\n"
    "  -h, --help              this text\n"
    "  --version               library version\n"
    "\n"
    "exit status: 0 ok, 1 negative answer (over budget), 2 usage or input error,\n"
    "3 data or internal error\n";

typedef struct cli {
    const char *command;
    const char *encoding;
    const char *model;
    const char *allowed;
    unsigned utf8_flags;
    const char **files;
    size_t n_files;
    tkm_encoding *enc;
    char **allowed_list;
    size_t n_allowed;
    tkm_encode_options opts;
} cli;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tokmeter: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'tokmeter --help'.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Options may appear anywhere after the command; "--" ends them. */
static int parse_args(cli *c, int argc, char **argv)
{
    c->files = calloc((size_t)argc, sizeof *c->files);
    if (!c->files)
        return EXIT_DATA;
    bool options_done = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            c->files[c->n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        const char **slot = NULL;
        if (strcmp(a, "-e") == 0 || strcmp(a, "--encoding") == 0)
            slot = &c->encoding;
        else if (strcmp(a, "-m") == 0 || strcmp(a, "--model") == 0)
            slot = &c->model;
        else if (strcmp(a, "--allowed-special") == 0)
            slot = &c->allowed;
        else if (strcmp(a, "--invalid-utf8") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(v, "strict") == 0)
                c->utf8_flags = 0;
            else if (strcmp(v, "replace") == 0)
                c->utf8_flags = TKM_ENCODE_REPLACE_INVALID;
            else if (strcmp(v, "lossless") == 0)
                c->utf8_flags = TKM_ENCODE_LOSSLESS;
            else
                return usage_error("--invalid-utf8 takes strict, replace or lossless, not '%s'", v);
            continue;
        } else
            return usage_error("unknown option '%s'", a);
        if (i + 1 >= argc)
            return usage_error("%s needs a value", a);
        *slot = argv[++i];
    }
    return EXIT_OK;
}

static int open_encoding(cli *c)
{
    if (c->encoding && c->model)
        return usage_error("%s", "give either -e ENCODING or -m MODEL, not both");
    tkm_status st;
    if (c->model) {
        st = tkm_encoding_load_for_model(c->model, NULL, &c->enc);
        if (st == TKM_ERR_UNKNOWN_MODEL)
            return usage_error("unknown model '%s' (use -e to name an encoding)", c->model);
    } else if (c->encoding) {
        st = tkm_encoding_load_builtin(c->encoding, NULL, &c->enc);
        if (st == TKM_ERR_UNKNOWN_ENCODING) {
            fprintf(stderr, "tokmeter: unknown encoding '%s'; known:", c->encoding);
            for (size_t i = 0; i < tkm_builtin_count(); i++)
                fprintf(stderr, " %s", tkm_builtin_name(i));
            fputs("\n", stderr);
            return EXIT_USAGE;
        }
    } else {
        return usage_error("%s", "an encoding (-e) or a model (-m) is required");
    }
    if (st != TKM_OK) {
        fprintf(stderr, "tokmeter: cannot load the encoding: %s\n", tkm_strerror(st));
        return EXIT_DATA;
    }
    return EXIT_OK;
}

/* --allowed-special: "all" or a comma-separated list of special-token texts. */
static int parse_allowed(cli *c)
{
    c->opts.flags = TKM_ENCODE_SPECIAL_AS_TEXT | c->utf8_flags;
    if (!c->allowed)
        return EXIT_OK;
    if (strcmp(c->allowed, "all") == 0) {
        c->opts.flags |= TKM_ENCODE_ALLOW_ALL_SPECIAL;
        return EXIT_OK;
    }
    size_t n = 1;
    for (const char *p = c->allowed; *p; p++)
        n += *p == ',';
    c->allowed_list = calloc(n, sizeof *c->allowed_list);
    if (!c->allowed_list)
        return EXIT_DATA;
    const char *p = c->allowed;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *name = malloc(len + 1);
        if (!name)
            return EXIT_DATA;
        memcpy(name, p, len);
        name[len] = '\0';
        c->allowed_list[c->n_allowed++] = name;
        uint32_t id;
        if (tkm_encoding_special_id(c->enc, name, len, &id) != TKM_OK) {
            fprintf(stderr, "tokmeter: '%s' is not a special token of %s\n", name,
                    tkm_encoding_name(c->enc));
            return EXIT_USAGE;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    c->opts.allowed_special = (const char *const *)c->allowed_list;
    c->opts.n_allowed_special = c->n_allowed;
    return EXIT_OK;
}

/* Report an encode/count failure on a file with its position. */
static int report(const char *path, const char *buf, size_t len, tkm_status st,
                  const tkm_error_detail *d)
{
    if (d->offset != SIZE_MAX && d->offset <= len) {
        size_t line, col;
        cli_line_col(buf, len, d->offset, &line, &col);
        fprintf(stderr, "tokmeter: %s:%zu:%zu: %s\n", path, line, col,
                d->message[0] ? d->message : tkm_strerror(st));
    } else {
        fprintf(stderr, "tokmeter: %s: %s\n", path, d->message[0] ? d->message : tkm_strerror(st));
    }
    if (st == TKM_ERR_INVALID_UTF8)
        fputs("tokmeter: hint: --invalid-utf8 replace|lossless accepts such input\n", stderr);
    return st == TKM_ERR_INVALID_UTF8 || st == TKM_ERR_DISALLOWED_SPECIAL ||
                   st == TKM_ERR_UNENCODABLE
               ? EXIT_USAGE
               : EXIT_DATA;
}

static int cmd_encode(cli *c)
{
    if (c->n_files > 1)
        return usage_error("%s", "encode takes at most one FILE");
    const char *path = c->n_files ? c->files[0] : "-";
    char *buf;
    size_t len;
    if (cli_read_file(path, &buf, &len) != 0)
        return EXIT_USAGE;
    size_t cap = tkm_encode_bound(len), n = 0;
    uint32_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
    int rc = EXIT_OK;
    tkm_error_detail d;
    tkm_status st = ids ? tkm_encode(c->enc, buf, len, &c->opts, ids, cap, &n, &d) : TKM_ERR_NOMEM;
    if (st == TKM_ERR_NOMEM)
        fprintf(stderr, "tokmeter: %s: out of memory\n", path), rc = EXIT_DATA;
    else if (st != TKM_OK)
        rc = report(path, buf, len, st, &d);
    for (size_t i = 0; rc == EXIT_OK && i < n; i++)
        printf("%u\n", ids[i]);
    free(ids);
    free(buf);
    return rc;
}

static int cmd_decode(cli *c)
{
    if (c->n_files > 1)
        return usage_error("%s", "decode takes at most one FILE");
    const char *path = c->n_files ? c->files[0] : "-";
    char *buf;
    size_t len;
    if (cli_read_file(path, &buf, &len) != 0)
        return EXIT_USAGE;
    size_t cap = len / 2 + 1, n = 0;
    uint32_t *ids = malloc(cap * sizeof *ids);
    size_t *where = malloc(cap * sizeof *where);
    int rc = ids && where ? EXIT_OK : EXIT_DATA;
    for (size_t i = 0; rc == EXIT_OK && i < len;) {
        if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r' ||
            buf[i] == ',') {
            i++;
            continue;
        }
        size_t start = i;
        unsigned long long v = 0;
        bool ok = true;
        while (i < len && !(buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                            buf[i] == '\r' || buf[i] == ',')) {
            if (buf[i] < '0' || buf[i] > '9' || v > UINT32_MAX)
                ok = false;
            else
                v = v * 10 + (unsigned)(buf[i] - '0');
            i++;
        }
        if (!ok || v > UINT32_MAX) {
            size_t line, col;
            cli_line_col(buf, len, start, &line, &col);
            fprintf(stderr, "tokmeter: %s:%zu:%zu: '%.*s' is not a token id\n", path, line, col,
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
        tkm_status st = tkm_decode(c->enc, ids, n, NULL, 0, &need, &d);
        char *out = NULL;
        if (st == TKM_ERR_BUFFER_TOO_SMALL || st == TKM_OK) {
            out = malloc(need ? need : 1);
            st = out ? tkm_decode(c->enc, ids, n, out, need, &need, &d) : TKM_ERR_NOMEM;
        }
        if (st == TKM_ERR_INVALID_TOKEN) {
            size_t line, col;
            cli_line_col(buf, len, where[d.index], &line, &col);
            fprintf(stderr, "tokmeter: %s:%zu:%zu: id %u is not a token of %s\n", path, line, col,
                    d.token, tkm_encoding_name(c->enc));
            rc = EXIT_USAGE;
        } else if (st != TKM_OK) {
            fprintf(stderr, "tokmeter: %s: %s\n", path, tkm_strerror(st));
            rc = EXIT_DATA;
        } else if (fwrite(out, 1, need, stdout) != need) {
            fprintf(stderr, "tokmeter: write error: %s\n", strerror(errno));
            rc = EXIT_DATA;
        }
        free(out);
    }
    free(ids);
    free(where);
    free(buf);
    return rc;
}

static int cmd_count(cli *c)
{
    static const char *stdin_only[] = {"-"};
    const char **files = c->n_files ? c->files : stdin_only;
    size_t n_files = c->n_files ? c->n_files : 1;
    tkm_context *ctx = NULL;
    if (tkm_context_create(NULL, &ctx) != TKM_OK)
        return EXIT_DATA;
    size_t total = 0;
    int rc = EXIT_OK;
    for (size_t i = 0; i < n_files; i++) {
        char *buf;
        size_t len, n = 0;
        if (cli_read_file(files[i], &buf, &len) != 0) {
            rc = EXIT_USAGE;
            continue;
        }
        tkm_error_detail d;
        tkm_status st = tkm_context_count(ctx, c->enc, buf, len, &c->opts, SIZE_MAX, &n, NULL, &d);
        if (st != TKM_OK) {
            int r = report(files[i], buf, len, st, &d);
            rc = r > rc ? r : rc;
        } else {
            printf("%zu\t%s\n", n, files[i]);
            total += n;
        }
        free(buf);
    }
    if (n_files > 1)
        printf("%zu\ttotal\n", total);
    tkm_context_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "a command is required");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tokmeter %s\n", tkm_version_string());
        return EXIT_OK;
    }
    cli c = {0};
    c.command = argv[1];
    int (*run)(cli *) = NULL;
    if (strcmp(c.command, "encode") == 0)
        run = cmd_encode;
    else if (strcmp(c.command, "decode") == 0)
        run = cmd_decode;
    else if (strcmp(c.command, "count") == 0)
        run = cmd_count;
    else
        return usage_error("unknown command '%s'", c.command);
    int rc = parse_args(&c, argc, argv);
    if (rc == EXIT_OK && run != cmd_count && c.model == NULL && c.encoding == NULL)
        rc = usage_error("%s", "-e ENCODING is required");
    if (rc == EXIT_OK)
        rc = open_encoding(&c);
    if (rc == EXIT_OK)
        rc = parse_allowed(&c);
    if (rc == EXIT_OK)
        rc = run(&c);
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "tokmeter: write error: %s\n", strerror(errno));
        rc = EXIT_DATA;
    }
    tkm_encoding_free(c.enc);
    for (size_t i = 0; i < c.n_allowed; i++)
        free(c.allowed_list[i]);
    free(c.allowed_list);
    free(c.files);
    return rc;
}
