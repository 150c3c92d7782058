/* count.c — `tokmeter count`: exact tokens per file and in total.
 *
 * Text output: "<tokens>\t<path>" per file in input order, and with more
 * than one file a final "<total>\ttotal" line. --json:
 *   {"files":[{"path","tokens"}...],"total_tokens":N,"encoding":"...",
 *    "model":"..."|null,"skipped":[{"path","reason"}...],
 *    "errors":[{"path","line","column","message"}...]}
 * Exit 0, or 2 when a file could not be read or tokenized (the others are
 * still counted and the total covers them). */
#include "cli.h"
#include "files.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>

typedef struct count_state {
    const cli_opts *o;
    json_t *files;
    size_t total;
    size_t counted;
} count_state;

static void on_file(void *ctx, const cli_file_result *r)
{
    count_state *s = ctx;
    s->total += r->tokens;
    s->counted++;
    if (s->files) {
        json_t *f = json_object();
        json_object_set_new(f, "path", jstr(r->path));
        json_object_set_new(f, "tokens", json_integer((json_int_t)r->tokens));
        json_array_append_new(s->files, f);
    } else {
        printf("%zu\t%s\n", r->tokens, r->path);
    }
}

int cmd_count(cli_opts *o)
{
    cli_text t;
    int rc = cli_text_open(o, false, &t);
    if (rc != EXIT_OK) {
        cli_text_close(&t);
        return rc;
    }
    cli_walk w;
    cli_walk_inputs(o, &w);
    count_state s = {o, o->json ? json_array() : NULL, 0, 0};
    rc = cli_count_files(o, t.enc, &t.opts, &w, on_file, &s);
    cli_walk_report_skipped(&w, o->verbose);
    if (o->json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "files", s.files);
        json_object_set_new(doc, "total_tokens", json_integer((json_int_t)s.total));
        json_object_set_new(doc, "encoding", jstr(tkm_encoding_name(t.enc)));
        json_object_set_new(doc, "model", t.model ? jstr(t.model->name) : jstr(o->model));
        json_object_set_new(doc, "skipped", cli_walk_skipped_json(&w));
        json_object_set_new(doc, "errors", cli_walk_errors_json(&w));
        if (cli_json_print(doc) != 0)
            rc = cli_worse(rc, EXIT_DATA);
        json_decref(doc);
    } else if (w.n_files > 1) {
        printf("%zu\ttotal\n", s.total);
    }
    cli_walk_free(&w);
    cli_text_close(&t);
    return rc;
}
