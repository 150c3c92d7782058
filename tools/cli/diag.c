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
#include <stdlib.h>
#include <string.h>

bool cli_json_mode;
static bool json_written;
static char first_message[512];
/* Per thread: `tokmeter batch` parses and counts lines on worker threads,
 * each with its own last diagnostic and, while it captures, its own
 * destination (cli_diag_capture). */
static _Thread_local char last_message[1024];
static _Thread_local char last_text[1024];
static _Thread_local size_t last_line, last_col;
static _Thread_local cli_capture *capturing;
static bool muted;

/* Append s (n bytes) to c's text; on no memory the text is cut short, with
 * a note saying so when it is replayed. */
static void capture_append(cli_capture *c, const char *s, size_t n)
{
    if (c->lost)
        return;
    if (c->len + n + 1 > c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 256;
        while (nc < c->len + n + 1)
            nc *= 2;
        char *t = realloc(c->text, nc);
        if (!t) {
            c->lost = true;
            return;
        }
        c->text = t;
        c->cap = nc;
    }
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = '\0';
}

/* One finished line of diagnostics ("tokmeter: ...\n"): to this thread's
 * capture, or to stderr. */
static void emit_line(const char *line)
{
    if (capturing) {
        capture_append(capturing, line, strlen(line));
        return;
    }
    cli_progress_clear_active();
    fputs(line, stderr);
}

static void remember_first(char *dst, size_t cap, const char *prefix, const char *msg)
{
    if (dst[0])
        return;
    size_t a = strlen(prefix), b = strlen(msg);
    cap--;
    if (a > cap)
        a = cap;
    if (b > cap - a)
        b = cap - a;
    memcpy(dst, prefix, a);
    memcpy(dst + a, msg, b);
    dst[a + b] = '\0';
}

void cli_diag_capture(cli_capture *c)
{
    if (!c && capturing) {
        snprintf(capturing->last_text, sizeof capturing->last_text, "%s", last_text);
        capturing->last_line = last_line;
        capturing->last_col = last_col;
    }
    if (c) {
        c->len = 0;
        c->lost = false;
        c->first[0] = c->last_text[0] = '\0';
        c->last_line = c->last_col = 0;
        last_text[0] = '\0';
        last_line = last_col = 0;
    }
    capturing = c;
}

void cli_diag_replay(const cli_capture *c)
{
    if (c->len) {
        cli_progress_clear_active();
        fputs(c->text, stderr);
    }
    if (c->lost)
        fputs("tokmeter: (out of memory: diagnostics of this line were lost)\n", stderr);
    remember_first(first_message, sizeof first_message, "", c->first);
    snprintf(last_text, sizeof last_text, "%s", c->last_text);
    last_line = c->last_line;
    last_col = c->last_col;
}

void cli_capture_free(cli_capture *c)
{
    free(c->text);
    c->text = NULL;
    c->len = c->cap = 0;
}

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
    if (!muted) {
        char line[2200];
        snprintf(line, sizeof line, "tokmeter: %s%s\n", prefix, msg);
        emit_line(line);
    }
    snprintf(last_message, sizeof last_message, "%s%s", prefix, msg);
    snprintf(last_text, sizeof last_text, "%s", msg);
    last_line = last_col = 0;
    if (!muted) {
        if (capturing)
            remember_first(capturing->first, sizeof capturing->first, prefix, msg);
        else
            remember_first(first_message, sizeof first_message, prefix, msg);
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
    char line[1100];
    snprintf(line, sizeof line, "tokmeter: %s\n", msg);
    emit_line(line);
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

void cli_hint_invalid_utf8(void)
{
    emit_line("tokmeter: hint: --invalid-utf8 replace|lossless accepts such input\n");
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
        cli_hint_invalid_utf8();
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
