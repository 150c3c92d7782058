/* batch_report.c — the end of `tokmeter batch`: totals, warnings for files
 * the Batch API would refuse, and how long the requests take under rate
 * limits.
 *
 * --tpm/--rpm/--rpd (or --rate-tier T, from the model table) add how long
 * the requests take under those limits, per model (each model has its own
 * limits; the slowest decides): the larger of tokens/tpm, requests/rpm and
 * (ceil(requests/rpd) - 1) days. A request counts its prompt plus its
 * max_tokens times n against the TPM, as OpenAI's limiter does. */
#include "batch.h"
#include "json_out.h"
#include "table.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX_REQUESTS 50000u          /* Batch API: requests per file */
#define BATCH_MAX_BYTES (200ull * 1000 * 1000) /* Batch API: 200 MB per file */

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

void batch_report(const batch *b, uint64_t bytes)
{
    const cli_opts *o = b->o;
    rate_answer ra = rates(b);
    if (ra.asked && ra.missing) {
        char tier[16];
        snprintf(tier, sizeof tier, o->rate_tier == 0 ? "free-tier" : "tier-%d", o->rate_tier);
        cli_note("note: the model table (data version %s) has no %s rate limits for some "
                "models of this file; give --tpm, --rpm and --rpd",
                tkm_model_table_version(b->table), tier);
    }
    if (o->json) {
        printf("%s],\n  \"summary\": ", b->first_record ? "" : "\n  ");
        json_t *s = summary_json(b, &ra, bytes);
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
        summary_text(b, &ra, bytes);
    }
}
