/* batch.c — `tokmeter batch FILE.jsonl`: an OpenAI Batch API input file,
 * one request per line ({"custom_id", "method": "POST", "url", "body"}).
 *
 * Streaming, in chunks: up to CHUNK_LINES lines (or CHUNK_BYTES) are read,
 * parsed and counted on --jobs threads (jobs.c; each worker with its own
 * encodings and context), emitted in line order, one at a time, and freed
 * by the workers of the next chunk; per-line results go out as the lines
 * before them are done, --json included (the document's "lines" array is written element
 * by element). A worker's diagnostics are captured (cli_diag_capture) and
 * printed when its line is emitted, so output and stderr are the same
 * whatever --jobs is. What depends on earlier lines is decided at emission:
 * the duplicate custom_id check (8 bytes per request, a 64-bit FNV-1a hash
 * of each id; what grows with the file), the sums, and which urls were
 * seen.
 *
 * Per line: tokens (req_count: the chat rules for /v1/chat/completions and
 * /v1/responses, exact text for /v1/completions and /v1/embeddings) and
 * the cost at the batch tier, from the prompt alone to the prompt plus the
 * largest output. Totals add the standard-tier cost for comparison. A bad
 * line is reported with FILE:LINE:COL and the run goes on; exit 2 when any
 * line was bad, else 0. The totals, warnings and rate limits at the end
 * are batch_report.c's. */
#include "batch.h"
#include "chat.h"
#include "io.h"
#include "jobs.h"
#include "json_out.h"
#include "progress.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A chunk: enough lines to keep two cores busy between emissions (10,000
 * requests of ~2 KB are 40 chunks), few enough that a chunk's JSON
 * documents stay a few MB. */
#define CHUNK_LINES 256
#define CHUNK_BYTES ((size_t)4 << 20)

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}

/* Insert h; false when it was already there. */
static bool idset_add(idset *s, uint64_t h, bool *oom)
{
    if ((s->n + 1) * 4 > s->cap * 3) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint64_t *ns = calloc(nc, sizeof *ns);
        if (!ns) {
            *oom = true;
            return true;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t j = (size_t)(s->slot[i] & (nc - 1));
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t j = (size_t)(h & (s->cap - 1));
    while (s->slot[j]) {
        if (s->slot[j] == h)
            return false;
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = h;
    s->n++;
    return true;
}

/* What a worker thread keeps from line to line. */
typedef struct batch_worker {
    cli_enc_cache encs;
    const tkm_model *last_model;
    char last_name[128];
} batch_worker;

/* How far a line got on its worker. */
typedef enum line_stage {
    LINE_EARLY_ERROR, /* bad before its custom_id is known: no duplicate check */
    LINE_LATE_ERROR,  /* bad after: a duplicate id is reported instead, as it comes first */
    LINE_COUNTED
} line_stage;

/* One line of a chunk: read on the calling thread, parsed and counted on a
 * worker, emitted in line order (jobs.c: by whichever thread completes the
 * prefix). */
typedef struct line_job {
    char *text; /* NUL-terminated copy of the line */
    size_t len, line_no;
    uint64_t bytes; /* bytes read through the end of this line (progress) */
    bool blank;
    /* set by the worker */
    line_stage stage;
    cli_capture diag; /* what the worker printed */
    uint64_t id_hash;
    bool url_ok; /* its url parsed: it counts toward "several urls" */
    const char *vals[3]; /* custom_id, method, url (in r's document) */
    chat_req r;
    const tkm_model *m;
    req_result res;
    tkm_nanousd bmin, bmax, smin, smax;
} line_job;

typedef struct chunk_run {
    batch *b;
    batch_worker *workers;
    line_job *lines; /* this chunk */
    line_job *done;  /* the chunk before, emitted: each worker frees the line
                      * of the index it takes, so the frees run in parallel
                      * instead of between two chunks */
    cli_progress *prog;
} chunk_run;

static void line_free(line_job *j)
{
    req_free(&j->r);
    req_init(&j->r);
    cli_capture_free(&j->diag);
    free(j->text);
    j->text = NULL;
}

static void add_money(tkm_nanousd *acc, tkm_nanousd v, size_t *unknown)
{
    if (v == TKM_PRICE_UNKNOWN || *acc > INT64_MAX - v)
        (*unknown)++;
    else
        *acc += v;
}

/* The cost at `tier` of a counted request (min: prompt only; max: with output). */
static void cost_at(const tkm_model *m, const chat_req *r, const req_result *res,
                    tkm_service_tier tier, tkm_nanousd *min, tkm_nanousd *max)
{
    *min = *max = TKM_PRICE_UNKNOWN;
    if (r->kind == REQ_TEXT && strcmp(r->endpoint, "embeddings") == 0) {
        tkm_nanousd c;
        if (tkm_cost_embedding(m, res->prompt, tier, &c) == TKM_OK)
            *min = *max = c;
        return;
    }
    tkm_usage u;
    memset(&u, 0, sizeof u);
    u.prompt_tokens = res->prompt;
    u.tier = tier;
    tkm_cost c;
    if (tkm_cost_usage(m, &u, &c) != TKM_OK)
        return;
    *min = c.total;
    if (!res->out_known)
        return;
    u.completion_tokens = res->out_total;
    if (tkm_cost_usage(m, &u, &c) == TKM_OK)
        *max = c.total;
}

static void emit_record(batch *b, json_t *rec)
{
    fputs(b->first_record ? "\n    " : ",\n    ", stdout);
    b->first_record = false;
    cli_json_print_compact(rec);
    json_decref(rec);
}

static void bad_line(batch *b, size_t col, const char *msg)
{
    b->bad++;
    b->rc = cli_worse(b->rc, EXIT_USAGE);
    if (b->o->json) {
        json_t *rec = json_object();
        json_object_set_new(rec, "line", jcount(b->line_no, false));
        json_t *e = json_object();
        json_object_set_new(e, "column", col ? jcount(col, false) : json_null());
        json_object_set_new(e, "message", jstr(msg));
        json_object_set_new(rec, "error", e);
        emit_record(b, rec);
    }
}

/* The diagnostic just printed (FILE:LINE:COL: message) as a bad line. */
static void bad_from_diag(batch *b, size_t line)
{
    size_t l, c;
    const char *msg = cli_last_text(&l, &c);
    bad_line(b, l == line ? c : 0, msg);
}

/* The diagnostic a worker captured for this line, printed now, as a bad line. */
static void bad_from_capture(batch *b, const line_job *j)
{
    cli_diag_replay(&j->diag);
    bad_from_diag(b, j->line_no);
}

static model_stat *stat_for(batch *b, const tkm_model *m)
{
    for (size_t i = 0; i < b->n_models; i++)
        if (b->models[i].m == m)
            return &b->models[i];
    if (b->n_models == MAX_MODELS)
        return NULL;
    b->models[b->n_models].m = m;
    return &b->models[b->n_models++];
}

static const tkm_model *find_model(batch_worker *b, const tkm_model_table *table,
                                   const cli_src *src, const char *name)
{
    if (b->last_model && strcmp(b->last_name, name) == 0)
        return b->last_model;
    const tkm_model *m;
    if (tkm_model_table_find(table, name, strlen(name), &m, NULL) != TKM_OK) {
        char msg[512];
        cli_unknown_model_text(table, name, msg, sizeof msg);
        cli_jpath p = {.n = 0};
        jp_key(&p, "body");
        jp_key(&p, "model");
        cli_json_err(src, &p, "%s", msg);
        return NULL;
    }
    if (strlen(name) < sizeof b->last_name) {
        snprintf(b->last_name, sizeof b->last_name, "%s", name);
        b->last_model = m;
    }
    return m;
}

/* The source of line j's diagnostics. */
static cli_src line_src(const batch *b, const line_job *j)
{
    return (cli_src){b->name, j->text, j->len, j->line_no - 1};
}

/* Parse and count line j on a worker thread; what it prints is captured
 * in j->diag. Everything that depends on earlier lines is left to
 * line_emit. */
static void line_work(const batch *b, batch_worker *w, line_job *j)
{
    const cli_opts *o = b->o;
    chat_req *r = &j->r;
    cli_src src = line_src(b, j);
    j->stage = LINE_EARLY_ERROR;
    r->root = cli_json_parse(&src);
    if (!r->root)
        return;
    cli_jpath p = {.n = 0};
    json_t *root = r->root;
    if (!json_is_object(root)) {
        cli_json_err(&src, &p, "expected a request object, got %s", cli_json_type(root));
        return;
    }
    static const char *const keys[] = {"custom_id", "method", "url"};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(root, keys[i]);
        if (!json_is_string(v)) {
            if (v)
                jp_key(&p, keys[i]);
            if (v)
                cli_json_err(&src, &p, "expected a string, got %s", cli_json_type(v));
            else
                cli_json_err(&src, &p, "missing \"%s\"", keys[i]);
            return;
        }
        j->vals[i] = json_string_value(v);
    }
    json_t *cid = json_object_get(root, "custom_id");
    if (json_string_length(cid) == 0) {
        jp_key(&p, "custom_id");
        cli_json_err(&src, &p, "custom_id is empty");
        return;
    }
    if (strcmp(j->vals[1], "POST") != 0) {
        jp_key(&p, "method");
        cli_json_err(&src, &p, "must be \"POST\", not \"%s\"", j->vals[1]);
        return;
    }
    json_t *body = json_object_get(root, "body");
    if (!body) {
        cli_json_err(&src, &p, "missing \"body\"");
        return;
    }
    /* From here on a duplicate custom_id, decided in line order, is what
     * the line is reported for. */
    j->id_hash = fnv1a(json_string_value(cid), json_string_length(cid));
    j->stage = LINE_LATE_ERROR;
    req_parser rp = {&src, ".", o, {.n = 0}, r};
    jp_key(&rp.path, "body");
    if (!req_parse_endpoint(&rp, j->vals[2], body))
        return;
    j->url_ok = true;
    const char *name = o->model ? o->model : r->model;
    if (!name) {
        jp_key(&p, "body");
        cli_json_err(&src, &p, "missing \"model\" (or give -m MODEL)");
        return;
    }
    const tkm_model *m = find_model(w, b->table, &src, name);
    if (!m)
        return;
    tkm_encoding *enc;
    if (cli_enc_for_model(&w->encs, m, &enc) != EXIT_OK)
        return;
    char who[300];
    snprintf(who, sizeof who, "%s:%zu", b->name, j->line_no);
    if (req_count(r, m, w->encs.ctx, enc, o, true, TKM_TIER_BATCH, who, &j->res) != EXIT_OK)
        return;
    j->m = m;
    cost_at(m, r, &j->res, TKM_TIER_BATCH, &j->bmin, &j->bmax);
    cost_at(m, r, &j->res, TKM_TIER_STANDARD, &j->smin, &j->smax);
    j->stage = LINE_COUNTED;
}

/* Line j's outcome, in line order: its diagnostics, the duplicate check,
 * the sums and its record. */
static void line_emit(batch *b, line_job *j)
{
    const cli_opts *o = b->o;
    b->line_no = j->line_no;
    if (j->stage == LINE_EARLY_ERROR) {
        bad_from_capture(b, j);
        return;
    }
    bool oom = false;
    if (!idset_add(&b->ids, j->id_hash, &oom)) {
        cli_src src = line_src(b, j);
        cli_jpath p = {.n = 0};
        jp_key(&p, "custom_id");
        cli_json_err(&src, &p, "duplicate custom_id \"%s\" (seen on an earlier line; the Batch "
                               "API needs each to be unique)", j->vals[0]);
        bad_from_diag(b, j->line_no);
        return;
    }
    if (oom) {
        cli_err("out of memory");
        b->rc = cli_worse(b->rc, EXIT_DATA);
    }
    if (j->url_ok) {
        if (!b->first_url[0])
            snprintf(b->first_url, sizeof b->first_url, "%s", j->vals[2]);
        else if (strcmp(b->first_url, j->vals[2]) != 0)
            b->mixed_urls = true;
    }
    if (j->stage == LINE_LATE_ERROR) {
        bad_from_capture(b, j);
        return;
    }
    /* Counted: a note the worker printed (none today) goes out first. */
    cli_diag_replay(&j->diag);
    const tkm_model *m = j->m;
    const chat_req *r = &j->r;
    const req_result *res = &j->res;
    b->ok++;
    b->prompt += res->prompt;
    if (res->out_known)
        b->out_max += res->out_total;
    else
        b->out_unknown++;
    b->all_exact &= res->exact;
    add_money(&b->batch_cost.min, j->bmin, &b->batch_cost.unknown);
    size_t dummy = 0;
    add_money(&b->batch_cost.max, j->bmax,
              j->bmax == TKM_PRICE_UNKNOWN && j->bmin != TKM_PRICE_UNKNOWN ? &b->batch_cost.unknown
                                                                           : &dummy);
    add_money(&b->std_cost.min, j->smin, &b->std_cost.unknown);
    add_money(&b->std_cost.max, j->smax,
              j->smax == TKM_PRICE_UNKNOWN && j->smin != TKM_PRICE_UNKNOWN ? &b->std_cost.unknown
                                                                           : &dummy);
    uint64_t limit_tokens = res->prompt + (r->has_max_output ? r->max_output * r->n : 0);
    model_stat *ms = stat_for(b, m);
    if (ms) {
        ms->requests++;
        ms->limit_tokens += limit_tokens;
    } else {
        b->other_requests++;
        b->other_tokens += limit_tokens;
    }
    size_t n_notes = req_n_notes(r, res, m);
    if (n_notes) {
        b->with_notes++;
        if (o->verbose) {
            char prefix[300];
            snprintf(prefix, sizeof prefix, "tokmeter: %s:%zu: not counted: ", b->name, j->line_no);
            cli_progress_clear_active();
            req_print_notes(r, res, m, stderr, prefix);
        }
    }
    if (o->json && !o->summary) {
        json_t *rec = json_object();
        json_object_set_new(rec, "line", jcount(j->line_no, false));
        json_object_set_new(rec, "custom_id", jstr(j->vals[0]));
        json_object_set_new(rec, "model", jstr(m->name));
        json_object_set_new(rec, "endpoint", json_string(r->endpoint));
        json_object_set_new(rec, "prompt_tokens", jcount(res->prompt, false));
        json_object_set_new(rec, "exact", json_boolean(res->exact));
        json_object_set_new(rec, "output_tokens_max", res->out_known ? jcount(res->out_total, false) : json_null());
        json_object_set_new(rec, "cost_usd_min", jusd(j->bmin));
        json_object_set_new(rec, "cost_nanousd_min", jnano(j->bmin));
        json_object_set_new(rec, "cost_usd_max", jusd(j->bmax));
        json_object_set_new(rec, "cost_nanousd_max", jnano(j->bmax));
        json_object_set_new(rec, "not_counted", req_notes_json(r, res, m));
        emit_record(b, rec);
    } else if (!o->json && !o->summary) {
        char a[40], c[40];
        printf("%zu\t%s\t%s\t%zu\t", j->line_no, j->vals[0], m->name, res->prompt);
        if (res->out_known)
            printf("%llu", (unsigned long long)res->out_total);
        else
            printf("?");
        printf("\t%s\t%s\n", cli_money(j->bmin, a, sizeof a), cli_money(j->bmax, c, sizeof c));
    }
}

static void chunk_work(void *ctx, unsigned worker, size_t i)
{
    chunk_run *cr = ctx;
    line_job *j = &cr->lines[i];
    line_free(&cr->done[i]);
    if (j->blank)
        return;
    cli_diag_capture(&j->diag);
    line_work(cr->b, &cr->workers[worker], j);
    cli_diag_capture(NULL);
}

static void chunk_emit(void *ctx, size_t i)
{
    chunk_run *cr = ctx;
    batch *b = cr->b;
    line_job *j = &cr->lines[i];
    if (j->blank) {
        b->blank++;
        if (b->o->verbose)
            cli_err_at(b->name, j->line_no, 1, "blank line skipped");
    } else {
        line_emit(b, j);
    }
    cli_progress_update(cr->prog, j->line_no, j->bytes);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

int cmd_batch(cli_opts *o)
{
    if (o->n_files > 1)
        return cli_usage("%s", "batch takes one FILE.jsonl (or - for stdin)");
    const char *path = o->n_files ? o->files[0] : "-";
    batch b;
    memset(&b, 0, sizeof b);
    b.o = o;
    b.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    b.all_exact = true;
    b.first_record = true;
    int rc = cli_table_load(o, &b.table);
    if (rc != EXIT_OK)
        return rc;
    cli_lines in;
    if (cli_lines_open(&in, path) != 0) {
        tkm_model_table_free(b.table);
        return EXIT_USAGE;
    }
    struct stat st;
    uint64_t size = fstat(fileno(in.f), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    cli_progress prog;
    cli_progress_begin(&prog, "lines", 0);
    if (o->json) {
        cli_json_mark_written();
        printf("{\n  \"file\": ");
        json_t *f = jstr(b.name);
        cli_json_print_compact(f);
        json_decref(f);
        printf(",\n  \"lines\": [");
    } else if (!o->summary) {
        printf("line\tcustom_id\tmodel\tprompt_tokens\toutput_tokens_max\tcost_min\tcost_max\n");
    }
    unsigned threads = o->jobs ? o->jobs : cli_default_jobs();
    /* Workers create JSON objects: jansson seeds its hash function at the
     * first one, so that happens here, before any thread. */
    json_decref(json_object());
    batch_worker *workers = calloc(threads, sizeof *workers);
    line_job *lines = calloc(2 * CHUNK_LINES, sizeof *lines); /* two chunks, in turn */
    chunk_run cr = {&b, workers, lines, lines + CHUNK_LINES, &prog};
    for (size_t i = 0; lines && i < 2 * CHUNK_LINES; i++)
        req_init(&lines[i].r);
    if (!workers || !lines) {
        cli_err("out of memory");
        b.rc = cli_worse(b.rc, EXIT_DATA);
    }
    char *line;
    size_t len;
    uint64_t bytes = 0;
    bool more = workers && lines;
    /* One thread: one line at a time, as memory stays warmest (a chunk of
     * JSON documents made one job 5 % slower). */
    size_t chunk = threads > 1 ? CHUNK_LINES : 1;
    while (more) {
        size_t n = 0, held = 0;
        line_job *swap = cr.lines;
        cr.lines = cr.done;
        cr.done = swap;
        while (n < chunk && held < CHUNK_BYTES) {
            if ((line = cli_lines_next(&in, &len)) == NULL) {
                more = false;
                break;
            }
            line_job *j = &cr.lines[n];
            line_free(j); /* left over from two chunks ago when this chunk is longer */
            memset(j, 0, sizeof *j);
            req_init(&j->r);
            bytes += len + 1;
            j->line_no = in.line_no;
            j->bytes = size ? bytes : 0;
            j->blank = blank(line, len);
            if (!j->blank) {
                if (!(j->text = malloc(len + 1))) {
                    cli_err("%s:%zu: out of memory", b.name, in.line_no);
                    b.rc = cli_worse(b.rc, EXIT_DATA);
                    more = false;
                    break;
                }
                memcpy(j->text, line, len + 1);
                j->len = len;
                held += len;
            }
            n++;
        }
        cli_jobs_run(n, threads, chunk_work, chunk_emit, &cr);
    }
    for (size_t i = 0; lines && i < 2 * CHUNK_LINES; i++)
        line_free(&lines[i]);
    for (unsigned t = 0; workers && t < threads; t++)
        cli_enc_cache_free(&workers[t].encs);
    free(workers);
    free(lines);
    cli_progress_end(&prog);
    if (ferror(in.f)) {
        cli_err("%s: read error after line %zu", b.name, in.line_no);
        b.rc = cli_worse(b.rc, EXIT_USAGE);
    }
    if (b.blank && !o->verbose)
        cli_note("%s: skipped %zu blank line%s", b.name, b.blank, b.blank == 1 ? "" : "s");
    if (b.with_notes && !o->verbose)
        cli_note("%s: %zu line%s hold parts that are not counted (-v lists them)", b.name,
                b.with_notes, b.with_notes == 1 ? "" : "s");
    if (b.bad)
        cli_err("%s: %zu bad line%s (reported above)", b.name, b.bad, b.bad == 1 ? "" : "s");
    batch_report(&b, bytes);
    cli_lines_close(&in);
    free(b.ids.slot);
    tkm_model_table_free(b.table);
    return b.rc;
}
