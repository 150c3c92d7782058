/* fuzz_request_common.h — what fuzz_chat_json.c and fuzz_batch_line.c share:
 * the CLI's request parser (tools/cli/request.c and the files it needs,
 * compiled into the target, see tests.cmake) on a JSON body, then the
 * library's counting of what it parsed, with the built-in model table.
 *
 * Diagnostics are muted (cli_diag_mute): they are recorded, not printed.
 * Image paths are never read from disk: the targets are linked with
 * -Wl,--wrap=fopen and, while an input runs, fopen fails with ENOENT (a
 * request naming /dev/zero or /dev/stdin must not hang the fuzzer). */
#ifndef TKM_FUZZ_REQUEST_COMMON_H
#define TKM_FUZZ_REQUEST_COMMON_H

#include "fuzz_common.h"
#include "request.h"

#include <errno.h>

FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

static bool fuzz_no_files;

FILE *__wrap_fopen(const char *path, const char *mode)
{
    if (fuzz_no_files) {
        errno = ENOENT;
        return NULL;
    }
    return __real_fopen(path, mode);
}

static tkm_model_table *fuzz_table;
static const tkm_model *fuzz_default_model;

/* Encodings by name, loaded once (the table names a handful). */
static struct {
    const char *name;
    tkm_encoding *enc;
} fuzz_encs[16];

static const tkm_encoding *fuzz_encoding_for(const tkm_model *m)
{
    if (!m->encoding)
        return NULL;
    size_t i;
    for (i = 0; i < sizeof fuzz_encs / sizeof fuzz_encs[0] && fuzz_encs[i].name; i++)
        if (strcmp(fuzz_encs[i].name, m->encoding) == 0)
            return fuzz_encs[i].enc;
    if (i == sizeof fuzz_encs / sizeof fuzz_encs[0])
        return NULL;
    tkm_encoding *e = NULL;
    if (tkm_model_encoding_load(m, NULL, &e) != TKM_OK)
        return NULL;
    fuzz_encs[i].name = m->encoding; /* owned by the table, which lives forever */
    fuzz_encs[i].enc = e;
    return e;
}

static void fuzz_request_init(void)
{
    if (fuzz_table)
        return;
    cli_diag_mute(true);
    tkm_error_detail d;
    if (tkm_model_table_load_builtin(NULL, &fuzz_table, &d) != TKM_OK ||
        tkm_model_table_find(fuzz_table, "gpt-4o", 6, &fuzz_default_model, NULL) != TKM_OK) {
        fprintf(stderr, "fuzz harness: cannot load the built-in model table\n");
        abort();
    }
    /* Load the common encodings up front, so no run pays for it. */
    (void)fuzz_encoding_for(fuzz_default_model);
    const tkm_model *m;
    if (tkm_model_table_find(fuzz_table, "gpt-4", 5, &m, NULL) == TKM_OK)
        (void)fuzz_encoding_for(m);
}


/* Count a parsed request: tkm_chat_count / tkm_tools_count on its structs
 * (with the model it names, else gpt-4o), then the CLI's req_count. */
static void fuzz_count_request(chat_req *r, const cli_opts *o)
{
    const tkm_model *m = fuzz_default_model;
    if (r->model) {
        const tkm_model *named = NULL;
        tkm_status st = tkm_model_table_find(fuzz_table, r->model, strlen(r->model), &named, NULL);
        FUZZ_CHECK_ACCOUNT_STATUS(st);
        if (st == TKM_OK)
            m = named;
    }
    const tkm_encoding *enc = fuzz_encoding_for(m);
    if (!enc) {
        m = fuzz_default_model;
        enc = fuzz_encoding_for(m);
    }
    FUZZ_CHECK(enc != NULL, "no encoding for %s", m->name);
    tkm_token_count c;
    tkm_error_detail d;
    if (r->kind == REQ_CHAT) {
        FUZZ_CHECK(r->n_msgs == 0 || r->msgs != NULL, "%zu messages, NULL array", r->n_msgs);
        tkm_status st = tkm_chat_count(m, enc, r->msgs, r->n_msgs, SIZE_MAX, &c, &d);
        FUZZ_CHECK_ACCOUNT_STATUS(st);
        if (st == TKM_OK) {
            tkm_token_count lim;
            size_t limit = c.tokens / 2;
            st = tkm_chat_count(m, enc, r->msgs, r->n_msgs, limit, &lim, &d);
            FUZZ_CHECK(st == TKM_OK, "count with a limit: %s", tkm_strerror(st));
        }
        st = tkm_tools_count(m, enc, r->tools, r->n_tools, &c, &d);
        FUZZ_CHECK_ACCOUNT_STATUS(st);
    }
    req_result res;
    memset(&res, 0, sizeof res);
    int rc = req_count(r, m, NULL, enc, o, false, TKM_TIER_STANDARD, "fuzz", &res);
    FUZZ_CHECK(rc == EXIT_OK || rc == EXIT_NEGATIVE || rc == EXIT_USAGE || rc == EXIT_DATA,
               "req_count returned %d", rc);
    if (rc == EXIT_OK)
        FUZZ_CHECK(res.prompt >= res.text, "prompt %zu < text %zu", res.prompt, res.text);
    /* The same through a context (tkm_context_*_count), twice: the second
     * time its piece cache holds this request's pieces. */
    tkm_context *ctx = NULL;
    if (tkm_context_create(NULL, &ctx) == TKM_OK) {
        for (int k = 0; k < 2; k++) {
            req_result rc_res;
            memset(&rc_res, 0, sizeof rc_res);
            int rc2 = req_count(r, m, ctx, enc, o, false, TKM_TIER_STANDARD, "fuzz", &rc_res);
            FUZZ_CHECK(rc2 == rc, "req_count %d with a context, %d without", rc2, rc);
            if (rc == EXIT_OK)
                FUZZ_CHECK(rc_res.prompt == res.prompt && rc_res.text == res.text &&
                               rc_res.exact == res.exact,
                           "with a context: prompt %zu text %zu, without: %zu %zu",
                           rc_res.prompt, rc_res.text, res.prompt, res.text);
        }
        tkm_context_free(ctx);
    }
}

#endif
