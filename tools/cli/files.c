/* files.c — counting the tokens of many files on --jobs threads.
 *
 * The encoding is shared (it is immutable); each worker has its own
 * scratch. A worker streams a regular file through tkm_stream in 1 MiB
 * chunks (memory stays bounded on files of any size; the count is the same
 * as counting the file whole), after deciding from its first chunk whether
 * it is binary (a NUL byte in the first 8000 bytes, git's rule); stdin and
 * pipes stream the same way. Each worker keeps one stream and its two
 * buffers for all its files (tkm_stream_reset between them): a fresh stream
 * per file cost two 1 MiB allocations and a cold context, whose piece cache
 * a file under 16 KiB never even warmed. Workers keep only the numbers;
 * the results are reported in input order (jobs.c). */
#include "files.h"
#include "io.h"
#include "jobs.h"
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    size_t bytes, tokens;
    size_t line, col;
    int rc;           /* EXIT_OK or the failure's exit code */
    tkm_status st;
    bool binary;
    char *message;    /* failure text, malloc'd */
} slot;

/* A worker's scratch, made on its first file and kept for the others. */
typedef struct scratch {
    tkm_stream *st;
    char *cur, *prev; /* CHUNK bytes each */
} scratch;

typedef struct run {
    const cli_opts *o;
    const tkm_encoding *enc;
    const tkm_encode_options *opts;
    cli_walk *w;
    slot *slots;
    cli_file_emit emit;
    void *user;
    cli_progress progress;
    uint64_t bytes_done;
    bool utf8_hint;
    scratch *scratch; /* one per worker */
} run;

enum { CHUNK = 1 << 20 };

/* Line and column of byte offset off of a file, by reading it again (only
 * on an error). */
static void file_line_col(const char *path, size_t off, size_t *line, size_t *col)
{
    *line = *col = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t l = 1, c = 1, pos = 0;
    int ch;
    while (pos < off && (ch = getc(f)) != EOF) {
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
        pos++;
    }
    fclose(f);
    if (pos == off) {
        *line = l;
        *col = c;
    }
}

static void fail(slot *s, tkm_status st, const tkm_error_detail *d)
{
    s->st = st;
    s->rc = cli_status_exit(st);
    s->message = strdup(d && d->message[0] ? d->message : tkm_strerror(st));
}

/* Advance (line, col) over buf[0..n). */
static void advance(const char *buf, size_t n, size_t *line, size_t *col)
{
    /* Every chunk of every file passes through here, so lines are found
     * with memchr and only the characters after the last newline are
     * counted for the column: a byte loop was ~10 instructions a byte. */
    const char *p = buf, *end = buf + n, *nl;
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        (*line)++;
        *col = 1;
        p = nl + 1;
    }
    for (; p < end; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            (*col)++;
}

/* Stream a file (or stdin) through tkm_stream in 1 MiB chunks, so memory
 * stays bounded whatever its size (the count equals counting it whole). The
 * last two chunks are kept so an error can be placed by line and column; an
 * error further back is placed by reading a regular file again. */
static void work_stream(run *r, scratch *w, slot *s, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    errno = 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        s->rc = EXIT_USAGE;
        s->message = strdup(strerror(errno ? errno : EIO));
        return;
    }
    if (!w->cur)
        w->cur = malloc(CHUNK);
    if (!w->prev)
        w->prev = malloc(CHUNK);
    char *cur = w->cur, *prev = w->prev;
    size_t cur_len = 0, prev_len = 0, prev_start = 0;
    size_t prev_line = 1, prev_col = 1; /* position of prev[0] */
    size_t cur_line = 1, cur_col = 1;   /* position of cur[0] */
    tkm_error_detail d;
    memset(&d, 0, sizeof d);
    d.offset = SIZE_MAX;
    tkm_status rs = TKM_ERR_NOMEM;
    if (cur && prev)
        rs = w->st ? tkm_stream_reset(w->st) : tkm_stream_create(r->enc, r->opts, NULL, &w->st);
    tkm_stream *st = w->st;
    bool first = true;
    while (rs == TKM_OK) {
        /* cur becomes prev; read the next chunk into the other buffer. */
        if (!first) {
            prev_start = s->bytes - cur_len;
            prev_line = cur_line;
            prev_col = cur_col;
            advance(cur, cur_len, &cur_line, &cur_col);
            char *t = prev;
            prev = cur;
            prev_len = cur_len;
            cur = t;
        }
        cur_len = fread(cur, 1, CHUNK, f);
        if (cur_len == 0)
            break;
        if (first && !r->o->text && cli_is_binary(cur, cur_len)) {
            s->binary = true;
            break;
        }
        first = false;
        s->bytes += cur_len;
        rs = tkm_stream_feed(st, cur, cur_len, &d);
    }
    if (rs == TKM_OK && ferror(f)) {
        s->rc = EXIT_USAGE;
        s->message = strdup(strerror(errno ? errno : EIO));
    } else if (rs == TKM_OK && !s->binary) {
        rs = tkm_stream_finish(st, &s->tokens, &d);
    }
    if (rs != TKM_OK) {
        if (rs == TKM_ERR_INVALID_UTF8 && d.offset != SIZE_MAX)
            /* tkm_stream's message gives the offset within the piece being
             * counted; d.offset is the one in the whole input. */
            snprintf(d.message, sizeof d.message, "invalid UTF-8 at byte offset %zu", d.offset);
        fail(s, rs, &d);
        size_t cur_start = s->bytes - cur_len;
        if (d.offset == SIZE_MAX) {
        } else if (d.offset >= cur_start && d.offset <= s->bytes) {
            s->line = cur_line;
            s->col = cur_col;
            advance(cur, d.offset - cur_start, &s->line, &s->col);
        } else if (prev_len && d.offset >= prev_start && d.offset < cur_start) {
            s->line = prev_line;
            s->col = prev_col;
            advance(prev, d.offset - prev_start, &s->line, &s->col);
        } else if (!is_stdin) {
            file_line_col(path, d.offset, &s->line, &s->col);
        }
    }
    /* The buffers may have been swapped: keep whichever is which. */
    w->cur = cur;
    w->prev = prev;
    if (!is_stdin)
        fclose(f);
}

static void work(void *arg, unsigned worker, size_t i)
{
    run *r = arg;
    work_stream(r, &r->scratch[worker], &r->slots[i], r->w->files[i]);
}

static void emit(void *arg, size_t i)
{
    run *r = arg;
    slot *s = &r->slots[i];
    const char *path = r->w->files[i];
    r->bytes_done += s->bytes;
    cli_progress_update(&r->progress, i + 1, r->bytes_done);
    if (s->rc != EXIT_OK) {
        cli_progress_clear(&r->progress);
        cli_walk_error(r->w, path, s->line, s->col, s->rc, s->message ? s->message : "failed");
        if (s->st == TKM_ERR_INVALID_UTF8)
            r->utf8_hint = true;
    } else if (s->binary) {
        cli_walk_skip(r->w, path, "binary");
    } else {
        cli_file_result res = {path, s->bytes, s->tokens};
        r->emit(r->user, &res);
    }
    free(s->message);
    s->message = NULL;
}

int cli_count_files(const cli_opts *o, const tkm_encoding *enc, const tkm_encode_options *opts,
                    cli_walk *w, cli_file_emit emit_fn, void *user)
{
    unsigned threads = o->jobs ? o->jobs : cli_default_jobs();
    if (threads > w->n_files)
        threads = w->n_files ? (unsigned)w->n_files : 1;
    run r = {o, enc, opts, w, calloc(w->n_files ? w->n_files : 1, sizeof(slot)), emit_fn, user,
             {0}, 0, false, calloc(threads, sizeof(scratch))};
    if (!r.slots || !r.scratch) {
        free(r.slots);
        free(r.scratch);
        cli_err("%s", "out of memory");
        return EXIT_DATA;
    }
    cli_progress_begin(&r.progress, "files", w->n_files);
    cli_jobs_run(w->n_files, threads, work, emit, &r);
    cli_progress_end(&r.progress);
    if (r.utf8_hint)
        cli_hint_invalid_utf8();
    for (unsigned t = 0; t < threads; t++) {
        tkm_stream_free(r.scratch[t].st);
        free(r.scratch[t].cur);
        free(r.scratch[t].prev);
    }
    free(r.scratch);
    free(r.slots);
    return w->rc;
}
