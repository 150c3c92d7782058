/* batch.c — `tokmeter batch FILE.jsonl`: an OpenAI Batch API input file,
 * one request per line ({"custom_id", "method": "POST", "url", "body"}).
 *
 * Streaming: one line is in memory at a time (getline), its JSON document
 * and request structs are freed before the next; per-line results go out
 * as they are made, --json included (the document's "lines" array is
 * written element by element). What grows with the file is the duplicate
 * custom_id check: 8 bytes per request (a 64-bit FNV-1a hash of each id).
 *
 * Per line: tokens (req_count: the chat rules for /v1/chat/completions and
 * /v1/responses, exact text for /v1/completions and /v1/embeddings) and
 * the cost at the batch tier, from the prompt alone to the prompt plus the
 * largest output. Totals add the standard-tier cost for comparison. A bad
 * line is reported with FILE:LINE:COL and the run goes on; exit 2 when any
 * line was bad, else 0.
 *
 * --tpm/--rpm/--rpd (or --rate-tier T, from the model table) add how long
 * the requests take under those limits, per model (each model has its own
 * limits; the slowest decides): the larger of tokens/tpm, requests/rpm and
 * (ceil(requests/rpd) - 1) days. A request counts its prompt plus its
 * max_tokens times n against the TPM, as OpenAI's limiter does. */
#include "chat.h"
#include "io.h"
#include "json_out.h"
#include "progress.h"
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MODELS 16
#define BATCH_MAX_REQUESTS 50000u          /* Batch API: requests per file */
#define BATCH_MAX_BYTES (200ull * 1000 * 1000) /* Batch API: 200 MB per file */

/* An open-addressing set of 64-bit hashes (0 = empty). */
typedef struct idset {
    uint64_t *slot;
    size_t cap, n;
} idset;

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

typedef struct money_range {
    tkm_nanousd min, max;
    size_t unknown; /* lines whose cost is unknown */
} money_range;

typedef struct model_stat {
    const tkm_model *m;
    uint64_t requests, limit_tokens;
} model_stat;

typedef struct batch {
    const cli_opts *o;
    const char *name;
    tkm_model_table *table;
    cli_enc_cache encs;
    idset ids;
    const tkm_model *last_model;
    char last_name[128];
    size_t ok, bad, blank, with_notes;
    uint64_t prompt, out_max, out_unknown;
    bool all_exact;
    money_range batch_cost, std_cost;
    model_stat models[MAX_MODELS];
    size_t n_models;
    uint64_t other_requests, other_tokens;
    char first_url[64];
    bool mixed_urls;
    bool first_record;
    size_t line_no;
    int rc;
} batch;

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

static const tkm_model *find_model(batch *b, const cli_src *src, const char *name)
{
    if (b->last_model && strcmp(b->last_name, name) == 0)
        return b->last_model;
    const tkm_model *m;
    if (tkm_model_table_find(b->table, name, strlen(name), &m, NULL) != TKM_OK) {
        char msg[512];
        cli_unknown_model_text(b->table, name, msg, sizeof msg);
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

static void one_line(batch *b, const char *text, size_t len, size_t line_no, chat_req *r)
{
    const cli_opts *o = b->o;
    cli_src src = {b->name, text, len, line_no - 1};
    req_init(r);
    r->root = cli_json_parse(&src);
    if (!r->root) {
        bad_from_diag(b, line_no);
        return;
    }
    cli_jpath p = {.n = 0};
    json_t *root = r->root;
    if (!json_is_object(root)) {
        cli_json_err(&src, &p, "expected a request object, got %s", cli_json_type(root));
        bad_from_diag(b, line_no);
        return;
    }
    static const char *const keys[] = {"custom_id", "method", "url"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(root, keys[i]);
        if (!json_is_string(v)) {
            if (v)
                jp_key(&p, keys[i]);
            if (v)
                cli_json_err(&src, &p, "expected a string, got %s", cli_json_type(v));
            else
                cli_json_err(&src, &p, "missing \"%s\"", keys[i]);
            bad_from_diag(b, line_no);
            return;
        }
        vals[i] = json_string_value(v);
    }
    json_t *cid = json_object_get(root, "custom_id");
    if (json_string_length(cid) == 0) {
        jp_key(&p, "custom_id");
        cli_json_err(&src, &p, "custom_id is empty");
        bad_from_diag(b, line_no);
        return;
    }
    if (strcmp(vals[1], "POST") != 0) {
        jp_key(&p, "method");
        cli_json_err(&src, &p, "must be \"POST\", not \"%s\"", vals[1]);
        bad_from_diag(b, line_no);
        return;
    }
    json_t *body = json_object_get(root, "body");
    if (!body) {
        cli_json_err(&src, &p, "missing \"body\"");
        bad_from_diag(b, line_no);
        return;
    }
    bool oom = false;
    if (!idset_add(&b->ids, fnv1a(json_string_value(cid), json_string_length(cid)), &oom)) {
        jp_key(&p, "custom_id");
        cli_json_err(&src, &p, "duplicate custom_id \"%s\" (seen on an earlier line; the Batch "
                               "API needs each to be unique)", vals[0]);
        bad_from_diag(b, line_no);
        return;
    }
    if (oom) {
        cli_err("out of memory");
        b->rc = cli_worse(b->rc, EXIT_DATA);
    }
    req_parser rp = {&src, ".", o, {.n = 0}, r};
    jp_key(&rp.path, "body");
    if (!req_parse_endpoint(&rp, vals[2], body)) {
        bad_from_diag(b, line_no);
        return;
    }
    if (!b->first_url[0]) {
        snprintf(b->first_url, sizeof b->first_url, "%s", vals[2]);
    } else if (strcmp(b->first_url, vals[2]) != 0) {
        b->mixed_urls = true;
    }
    const char *name = o->model ? o->model : r->model;
    if (!name) {
        jp_key(&p, "body");
        cli_json_err(&src, &p, "missing \"model\" (or give -m MODEL)");
        bad_from_diag(b, line_no);
        return;
    }
    const tkm_model *m = find_model(b, &src, name);
    if (!m) {
        bad_from_diag(b, line_no);
        return;
    }
    tkm_encoding *enc;
    if (cli_enc_for_model(&b->encs, m, &enc) != EXIT_OK) {
        bad_from_diag(b, line_no);
        return;
    }
    char who[300];
    snprintf(who, sizeof who, "%s:%zu", b->name, line_no);
    req_result res;
    if (req_count(r, m, b->encs.ctx, enc, o, true, TKM_TIER_BATCH, who, &res) != EXIT_OK) {
        bad_from_diag(b, line_no);
        return;
    }
    tkm_nanousd bmin, bmax, smin, smax;
    cost_at(m, r, &res, TKM_TIER_BATCH, &bmin, &bmax);
    cost_at(m, r, &res, TKM_TIER_STANDARD, &smin, &smax);
    b->ok++;
    b->prompt += res.prompt;
    if (res.out_known)
        b->out_max += res.out_total;
    else
        b->out_unknown++;
    b->all_exact &= res.exact;
    add_money(&b->batch_cost.min, bmin, &b->batch_cost.unknown);
    size_t dummy = 0;
    add_money(&b->batch_cost.max, bmax, bmax == TKM_PRICE_UNKNOWN && bmin != TKM_PRICE_UNKNOWN
                                            ? &b->batch_cost.unknown
                                            : &dummy);
    add_money(&b->std_cost.min, smin, &b->std_cost.unknown);
    add_money(&b->std_cost.max, smax, smax == TKM_PRICE_UNKNOWN && smin != TKM_PRICE_UNKNOWN
                                          ? &b->std_cost.unknown
                                          : &dummy);
    uint64_t limit_tokens = res.prompt + (r->has_max_output ? r->max_output * r->n : 0);
    model_stat *ms = stat_for(b, m);
    if (ms) {
        ms->requests++;
        ms->limit_tokens += limit_tokens;
    } else {
        b->other_requests++;
        b->other_tokens += limit_tokens;
    }
    size_t n_notes = req_n_notes(r, &res, m);
    if (n_notes) {
        b->with_notes++;
        if (o->verbose) {
            char prefix[300];
            snprintf(prefix, sizeof prefix, "tokmeter: %s:%zu: not counted: ", b->name, line_no);
            cli_progress_clear_active();
            req_print_notes(r, &res, m, stderr, prefix);
        }
    }
    if (o->json && !o->summary) {
        json_t *rec = json_object();
        json_object_set_new(rec, "line", jcount(line_no, false));
        json_object_set_new(rec, "custom_id", jstr(vals[0]));
        json_object_set_new(rec, "model", jstr(m->name));
        json_object_set_new(rec, "endpoint", json_string(r->endpoint));
        json_object_set_new(rec, "prompt_tokens", jcount(res.prompt, false));
        json_object_set_new(rec, "exact", json_boolean(res.exact));
        json_object_set_new(rec, "output_tokens_max", res.out_known ? jcount(res.out_total, false) : json_null());
        json_object_set_new(rec, "cost_usd_min", jusd(bmin));
        json_object_set_new(rec, "cost_nanousd_min", jnano(bmin));
        json_object_set_new(rec, "cost_usd_max", jusd(bmax));
        json_object_set_new(rec, "cost_nanousd_max", jnano(bmax));
        json_object_set_new(rec, "not_counted", req_notes_json(r, &res, m));
        emit_record(b, rec);
    } else if (!o->json && !o->summary) {
        char a[40], c[40];
        printf("%zu\t%s\t%s\t%zu\t", line_no, vals[0], m->name, res.prompt);
        if (res.out_known)
            printf("%llu", (unsigned long long)res.out_total);
        else
            printf("?");
        printf("\t%s\t%s\n", cli_money(bmin, a, sizeof a), cli_money(bmax, c, sizeof c));
    }
}

/* ---- rate limits ---- */

typedef struct rate_answer {
    bool asked;
    double seconds;
    const char *bound_by;
    const char *model;
    uint64_t tpm, rpm, rpd;
    bool missing; /* some model had no limits for the tier */
} rate_answer;

static double duration(uint64_t requests, uint64_t tokens, uint64_t tpm, uint64_t rpm,
                       uint64_t rpd, const char **by)
{
    double t = 0;
    *by = NULL;
    if (tpm && (double)tokens / (double)tpm * 60.0 > t) {
        t = (double)tokens / (double)tpm * 60.0;
        *by = "tpm";
    }
    if (rpm && (double)requests / (double)rpm * 60.0 > t) {
        t = (double)requests / (double)rpm * 60.0;
        *by = "rpm";
    }
    if (rpd && requests > rpd) {
        double days = (double)((requests + rpd - 1) / rpd - 1) * 86400.0;
        if (days > t) {
            t = days;
            *by = "rpd";
        }
    }
    return t;
}

static rate_answer rates(const batch *b)
{
    const cli_opts *o = b->o;
    rate_answer a;
    memset(&a, 0, sizeof a);
    a.asked = o->tpm || o->rpm || o->rpd || o->rate_tier >= 0;
    if (!a.asked)
        return a;
    for (size_t i = 0; i <= b->n_models; i++) {
        bool other = i == b->n_models;
        if (other && !b->other_requests)
            break;
        uint64_t req = other ? b->other_requests : b->models[i].requests;
        uint64_t tok = other ? b->other_tokens : b->models[i].limit_tokens;
        uint64_t tpm = o->tpm, rpm = o->rpm, rpd = o->rpd;
        if (o->rate_tier >= 0 && !other) {
            const tkm_rate_limit *rl = &b->models[i].m->rate[o->rate_tier];
            tpm = tpm ? tpm : rl->tpm;
            rpm = rpm ? rpm : rl->rpm;
            rpd = rpd ? rpd : rl->rpd;
            if (!rl->tpm && !rl->rpm && !rl->rpd)
                a.missing = true;
        }
        const char *by;
        double t = duration(req, tok, tpm, rpm, rpd, &by);
        if (by && t >= a.seconds) {
            a.seconds = t;
            a.bound_by = by;
            a.model = other ? "(other models)" : b->models[i].m->name;
            a.tpm = tpm;
            a.rpm = rpm;
            a.rpd = rpd;
        }
    }
    return a;
}

static void format_duration(double s, char *buf, size_t cap)
{
    unsigned long long t = (unsigned long long)ceil(s);
    unsigned long long d = t / 86400, h = t % 86400 / 3600, m = t % 3600 / 60, sec = t % 60;
    if (d)
        snprintf(buf, cap, "%llu d %llu h %llu min", d, h, m);
    else if (h)
        snprintf(buf, cap, "%llu h %llu min", h, m);
    else if (m)
        snprintf(buf, cap, "%llu min %llu s", m, sec);
    else
        snprintf(buf, cap, "%llu s", sec);
}

/* ---- totals ---- */

static json_t *range_json(const money_range *r, const char *tier)
{
    json_t *c = json_object();
    json_object_set_new(c, "tier", json_string(tier));
    json_object_set_new(c, "total_usd_min", jusd(r->min));
    json_object_set_new(c, "total_nanousd_min", jnano(r->min));
    json_object_set_new(c, "total_usd_max", jusd(r->max));
    json_object_set_new(c, "total_nanousd_max", jnano(r->max));
    json_object_set_new(c, "unknown_lines", jcount(r->unknown, false));
    return c;
}

static void warnings(const batch *b, json_t *arr, uint64_t bytes)
{
    char w[4][200];
    size_t n = 0;
    if (b->ok + b->bad > BATCH_MAX_REQUESTS)
        snprintf(w[n++], sizeof w[0], "%zu requests: the Batch API takes at most %u per file",
                 b->ok + b->bad, BATCH_MAX_REQUESTS);
    if (bytes > BATCH_MAX_BYTES)
        snprintf(w[n++], sizeof w[0], "%.1f MB: the Batch API takes files of at most 200 MB",
                 (double)bytes / 1e6);
    if (b->n_models > 1 || b->other_requests)
        snprintf(w[n++], sizeof w[0], "%zu models in one file: a batch may hold requests for one model only",
                 b->n_models + (b->other_requests ? 1 : 0));
    if (b->mixed_urls)
        snprintf(w[n++], sizeof w[0], "several urls in one file: a batch has one endpoint");
    for (size_t i = 0; i < n; i++) {
        if (arr)
            json_array_append_new(arr, json_string(w[i]));
        else
            cli_note("warning: %s", w[i]);
    }
}

static void summary_text(const batch *b, const rate_answer *ra, uint64_t bytes)
{
    char a[40], c[40], d[40], e[40];
    printf("requests     %zu ok, %zu bad line%s, %zu blank line%s\n", b->ok, b->bad,
           b->bad == 1 ? "" : "s", b->blank, b->blank == 1 ? "" : "s");
    printf("tokens       prompt %llu (%s), output up to %llu%s\n", (unsigned long long)b->prompt,
           b->all_exact ? "exact" : "estimate", (unsigned long long)b->out_max,
           b->out_unknown ? " (unbounded on some lines)" : "");
    printf("batch cost   %s to %s", cli_money(b->batch_cost.min, a, sizeof a),
           cli_money(b->batch_cost.max, c, sizeof c));
    if (b->batch_cost.unknown)
        printf(" (%zu line%s priced unknown, not included)", b->batch_cost.unknown,
               b->batch_cost.unknown == 1 ? "" : "s");
    printf("\nstandard     %s to %s without the batch discount (saves %s to %s)\n",
           cli_money(b->std_cost.min, a, sizeof a), cli_money(b->std_cost.max, c, sizeof c),
           cli_money(b->std_cost.min - b->batch_cost.min, d, sizeof d),
           cli_money(b->std_cost.max - b->batch_cost.max, e, sizeof e));
    if (b->with_notes)
        printf("not counted  parts of %zu line%s (-v lists them)\n", b->with_notes,
               b->with_notes == 1 ? "" : "s");
    if (ra->asked) {
        if (!ra->bound_by) {
            printf("rate limits  unknown (no limits given or in the table)\n");
        } else {
            char dur[64];
            format_duration(ra->seconds, dur, sizeof dur);
            printf("rate limits  at least %s, bound by %s", dur, ra->bound_by);
            printf(" (%s:", ra->model);
            if (ra->tpm)
                printf(" tpm %llu", (unsigned long long)ra->tpm);
            if (ra->rpm)
                printf(" rpm %llu", (unsigned long long)ra->rpm);
            if (ra->rpd)
                printf(" rpd %llu", (unsigned long long)ra->rpd);
            printf(")\n");
        }
    }
    warnings(b, NULL, bytes);
}

static json_t *summary_json(const batch *b, const rate_answer *ra, uint64_t bytes)
{
    json_t *s = json_object();
    json_object_set_new(s, "requests", jcount(b->ok, false));
    json_object_set_new(s, "bad_lines", jcount(b->bad, false));
    json_object_set_new(s, "blank_lines", jcount(b->blank, false));
    json_object_set_new(s, "lines_with_uncounted_parts", jcount(b->with_notes, false));
    json_object_set_new(s, "prompt_tokens", jcount(b->prompt, false));
    json_object_set_new(s, "exact", json_boolean(b->all_exact));
    json_object_set_new(s, "output_tokens_max", jcount(b->out_max, false));
    json_object_set_new(s, "output_unbounded_lines", jcount(b->out_unknown, false));
    json_object_set_new(s, "cost", range_json(&b->batch_cost, "batch"));
    json_object_set_new(s, "standard_cost", range_json(&b->std_cost, "standard"));
    json_t *models = json_array();
    for (size_t i = 0; i < b->n_models; i++)
        json_array_append_new(models, jstr(b->models[i].m->name));
    json_object_set_new(s, "models", models);
    if (ra->asked && ra->bound_by) {
        json_t *r = json_object();
        json_object_set_new(r, "model", jstr(ra->model));
        json_object_set_new(r, "tpm", ra->tpm ? jcount(ra->tpm, false) : json_null());
        json_object_set_new(r, "rpm", ra->rpm ? jcount(ra->rpm, false) : json_null());
        json_object_set_new(r, "rpd", ra->rpd ? jcount(ra->rpd, false) : json_null());
        json_object_set_new(r, "duration_seconds", jcount((uint64_t)ceil(ra->seconds), false));
        json_object_set_new(r, "bound_by", json_string(ra->bound_by));
        json_object_set_new(s, "rate_limits", r);
    } else {
        json_object_set_new(s, "rate_limits", json_null());
    }
    json_t *w = json_array();
    warnings(b, w, bytes);
    json_object_set_new(s, "warnings", w);
    return s;
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
    chat_req r;
    req_init(&r);
    char *line;
    size_t len;
    uint64_t bytes = 0;
    while ((line = cli_lines_next(&in, &len)) != NULL) {
        bytes += len + 1;
        if (blank(line, len)) {
            b.blank++;
            if (o->verbose)
                cli_err_at(b.name, in.line_no, 1, "blank line skipped");
        } else {
            b.line_no = in.line_no;
            one_line(&b, line, len, in.line_no, &r);
            req_free(&r);
        }
        cli_progress_update(&prog, in.line_no, size ? bytes : 0);
    }
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
    rate_answer ra = rates(&b);
    if (ra.asked && ra.missing) {
        char tier[16];
        snprintf(tier, sizeof tier, o->rate_tier == 0 ? "free-tier" : "tier-%d", o->rate_tier);
        cli_note("note: the model table (data version %s) has no %s rate limits for some "
                "models of this file; give --tpm, --rpm and --rpd",
                tkm_model_table_version(b.table), tier);
    }
    if (o->json) {
        printf("%s],\n  \"summary\": ", b.first_record ? "" : "\n  ");
        json_t *s = summary_json(&b, &ra, bytes);
        char *txt = json_dumps(s, CLI_JSON_FLAGS);
        json_decref(s);
        for (const char *c = txt ? txt : "null"; *c; c++) { /* indent it one level */
            fputc(*c, stdout);
            if (*c == '\n')
                fputs("  ", stdout);
        }
        free(txt);
        printf("\n}\n");
    } else {
        summary_text(&b, &ra, bytes);
    }
    cli_lines_close(&in);
    free(b.ids.slot);
    cli_enc_cache_free(&b.encs);
    tkm_model_table_free(b.table);
    return b.rc;
}
