/* diag.c — diagnostics on stderr and exit codes.
 *
 * Every message is one line "tokmeter: ...". Positions are
 * "FILE:LINE:COL" with 1-based lines and columns counted in characters
 * (UTF-8 sequences count once, as jansson counts them for JSON errors).
 * The first message of a run is remembered, so a failing --json run can
 * still put exactly one JSON document on stdout. */
#include "cli.h"
#include "io.h"
#include "json_out.h"
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool cli_json_mode;
static bool json_written;
static char first_message[512];
static char last_message[1024];
static char last_text[1024];
static size_t last_line, last_col;
static bool muted;

void cli_diag_mute(bool on)
{
    muted = on;
}

void cli_json_mark_written(void)
{
    json_written = true;
}

CLI_PRINTF(2, 0) static void vemit(const char *prefix, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!muted)
        cli_progress_clear_active();
    if (!muted)
        fprintf(stderr, "tokmeter: %s%s\n", prefix, msg);
    snprintf(last_message, sizeof last_message, "%s%s", prefix, msg);
    snprintf(last_text, sizeof last_text, "%s", msg);
    last_line = last_col = 0;
    if (!first_message[0] && !muted) {
        size_t a = strlen(prefix), b = strlen(msg), cap = sizeof first_message - 1;
        if (a > cap)
            a = cap;
        if (b > cap - a)
            b = cap - a;
        memcpy(first_message, prefix, a);
        memcpy(first_message + a, msg, b);
        first_message[a + b] = '\0';
    }
}

const char *cli_last_message(void)
{
    return last_message;
}

const char *cli_last_text(size_t *line, size_t *col)
{
    *line = last_line;
    *col = last_col;
    return last_text;
}

void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit("", fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (muted)
        return;
    cli_progress_clear_active();
    fprintf(stderr, "tokmeter: %s\n", msg);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit("", fmt, ap);
    va_end(ap);
    fputs("Try 'tokmeter --help'.\n", stderr);
    return EXIT_USAGE;
}

void cli_err_at(const char *path, size_t line, size_t col, const char *fmt, ...)
{
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:%zu:%zu: ", path, line, col);
    va_list ap;
    va_start(ap, fmt);
    vemit(prefix, fmt, ap);
    va_end(ap);
    last_line = line;
    last_col = col;
}

int cli_status_exit(tkm_status st)
{
    switch (st) {
    case TKM_OK:
        return EXIT_OK;
    case TKM_ERR_INVALID_UTF8:
    case TKM_ERR_DISALLOWED_SPECIAL:
    case TKM_ERR_UNENCODABLE:
    case TKM_ERR_UNKNOWN_ENCODING:
    case TKM_ERR_UNKNOWN_MODEL:
    case TKM_ERR_UNKNOWN_SPECIAL:
    case TKM_ERR_INVALID_TOKEN:
        return EXIT_USAGE;
    default:
        return EXIT_DATA;
    }
}

int cli_report_text_error(const char *path, const char *buf, size_t len, tkm_status st,
                          const tkm_error_detail *d)
{
    const char *msg = d && d->message[0] ? d->message : tkm_strerror(st);
    if (d && d->offset != SIZE_MAX && d->offset <= len) {
        size_t line, col;
        cli_line_col(buf, len, d->offset, &line, &col);
        cli_err_at(path, line, col, "%s", msg);
    } else {
        cli_err("%s: %s", path, msg);
    }
    if (st == TKM_ERR_INVALID_UTF8)
        fputs("tokmeter: hint: --invalid-utf8 replace|lossless accepts such input\n", stderr);
    return cli_status_exit(st);
}

int cli_worse(int a, int b)
{
    /* 3 and 2 are failures to answer; 1 is an answer. */
    static const int rank[] = {0, 1, 3, 2};
    int ra = a >= 0 && a <= 3 ? rank[a] : 3, rb = b >= 0 && b <= 3 ? rank[b] : 3;
    return ra >= rb ? a : b;
}

void cli_json_error_document(int rc)
{
    if (!cli_json_mode || json_written || rc == EXIT_OK)
        return;
    json_t *doc = json_object();
    json_t *err = json_object();
    json_object_set_new(err, "exit_code", json_integer(rc));
    json_object_set_new(err, "message", json_string(first_message[0] ? first_message : "failed"));
    json_object_set_new(doc, "error", err);
    cli_json_print(doc);
    json_decref(doc);
}
