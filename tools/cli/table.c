/* table.c — the model table and encodings as the commands use them:
 * loading (built-in plus an optional override), lookup with close-name
 * suggestions, and opening the encoding of -e or -m. */
#include "table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_table_load(const cli_opts *o, tkm_model_table **out)
{
    tkm_error_detail d;
    memset(&d, 0, sizeof d);
    tkm_model_table *base = NULL;
    tkm_status st = tkm_model_table_load_builtin(NULL, &base, &d);
    if (st != TKM_OK) {
        cli_err("the built-in model table does not load: %s (line %zu)",
                d.message[0] ? d.message : tkm_strerror(st), d.line);
        return EXIT_DATA;
    }
    if (!o || !o->model_table) {
        *out = base;
        return EXIT_OK;
    }
    tkm_model_table *t = NULL;
    memset(&d, 0, sizeof d);
    st = tkm_model_table_load_file(o->model_table, base, NULL, &t, &d);
    tkm_model_table_free(base);
    if (st == TKM_ERR_IO) {
        cli_err("%s: cannot read the model table", o->model_table);
        return EXIT_USAGE;
    }
    if (st != TKM_OK) {
        if (d.line)
            cli_err_at(o->model_table, d.line, 1, "%s", d.message[0] ? d.message : tkm_strerror(st));
        else
            cli_err("%s: %s", o->model_table, d.message[0] ? d.message : tkm_strerror(st));
        return st == TKM_ERR_TABLE_PARSE ? EXIT_USAGE : EXIT_DATA;
    }
    *out = t;
    return EXIT_OK;
}

size_t cli_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 200 || m > 200)
        return n > m ? n : m;
    /* Three rows of the optimal-string-alignment matrix. */
    size_t rows[3][201];
    size_t *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= m; j++)
        p[j] = j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = i;
        for (size_t j = 1; j <= m; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            size_t cost = ai != bj;
            size_t v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[m];
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n < 3)
        return false;
    for (const char *h = hay; *h; h++) {
        size_t k = 0;
        while (k < n && h[k] && tolower((unsigned char)h[k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

size_t cli_suggest(const tkm_model_table *t, const char *name, const char **out, size_t max)
{
    /* Candidates with their score: distance, or limit+1 for a substring hit. */
    size_t len = strlen(name), limit = len / 3 > 2 ? len / 3 : 2;
    const char *best[16];
    size_t score[16], n = 0;
    for (size_t i = 0; i < tkm_model_table_count(t); i++) {
        const tkm_model *m = tkm_model_table_at(t, i);
        for (size_t k = 0; k <= m->n_aliases; k++) {
            const char *cand = k == 0 ? m->name : m->aliases[k - 1];
            size_t d = cli_edit_distance(name, cand);
            if (len >= 3 && strncasecmp(cand, name, len) == 0)
                d = 0; /* a longer name that starts with it: gpt-4.5 -> gpt-4.5-preview */
            else if (d > limit)
                d = contains_ci(cand, name) ? limit + 1 : SIZE_MAX;
            if (d == SIZE_MAX)
                continue;
            /* Insert sorted by (score, name), keeping the best 16. */
            size_t pos = n;
            while (pos > 0 && (score[pos - 1] > d ||
                               (score[pos - 1] == d && strcmp(best[pos - 1], cand) > 0)))
                pos--;
            if (pos >= 16)
                continue;
            size_t last = n < 16 ? n : 15;
            for (size_t j = last; j > pos; j--) {
                best[j] = best[j - 1];
                score[j] = score[j - 1];
            }
            best[pos] = cand;
            score[pos] = d;
            if (n < 16)
                n++;
        }
    }
    size_t k = n < max ? n : max;
    for (size_t i = 0; i < k; i++)
        out[i] = best[i];
    return k;
}

void cli_unknown_model_text(const tkm_model_table *t, const char *name, char *msg, size_t cap)
{
    const char *s[4];
    size_t n = cli_suggest(t, name, s, 4);
    size_t k = (size_t)snprintf(msg, cap, "unknown model '%s'", name);
    if (n) {
        if (k < cap)
            k += (size_t)snprintf(msg + k, cap - k, "; did you mean ");
        for (size_t i = 0; i < n && k < cap; i++)
            k += (size_t)snprintf(msg + k, cap - k, "%s%s", s[i],
                                  i + 2 == n ? " or " : i + 1 < n ? ", " : "?");
    } else if (k < cap) {
        snprintf(msg + k, cap - k, " ('tokmeter models' lists the %zu known models)",
                 tkm_model_table_count(t));
    }
}

int cli_find_model(const tkm_model_table *t, const char *name, const tkm_model **out,
                   tkm_model_match *how)
{
    if (tkm_model_table_find(t, name, strlen(name), out, how) == TKM_OK)
        return EXIT_OK;
    char msg[512];
    cli_unknown_model_text(t, name, msg, sizeof msg);
    cli_err("%s", msg);
    return EXIT_USAGE;
}

const char *cli_kind_name(tkm_model_kind k)
{
    switch (k) {
    case TKM_MODEL_CHAT: return "chat";
    case TKM_MODEL_COMPLETION: return "completion";
    case TKM_MODEL_EMBEDDING: return "embedding";
    case TKM_MODEL_IMAGE: return "image";
    case TKM_MODEL_TRANSCRIPTION: return "transcription";
    case TKM_MODEL_SPEECH: return "speech";
    default: return "unknown";
    }
}

const char *cli_match_name(tkm_model_match m)
{
    switch (m) {
    case TKM_MATCH_EXACT: return "exact";
    case TKM_MATCH_ALIAS: return "alias";
    case TKM_MATCH_SNAPSHOT: return "snapshot";
    case TKM_MATCH_FINE_TUNE: return "fine-tune";
    case TKM_MATCH_FINE_TUNE_BASE: return "fine-tune-base";
    }
    return "?";
}

const char *cli_tier_name(tkm_service_tier t)
{
    switch (t) {
    case TKM_TIER_STANDARD: return "standard";
    case TKM_TIER_BATCH: return "batch";
    case TKM_TIER_FLEX: return "flex";
    case TKM_TIER_PRIORITY: return "priority";
    }
    return "?";
}

int cli_allowed_special(const cli_opts *o, const tkm_encoding *enc, tkm_encode_options *opts,
                        char ***list, size_t *n_list)
{
    opts->flags = TKM_ENCODE_SPECIAL_AS_TEXT | o->utf8_flags;
    *list = NULL;
    *n_list = 0;
    if (!o->allowed)
        return EXIT_OK;
    if (strcmp(o->allowed, "all") == 0) {
        opts->flags |= TKM_ENCODE_ALLOW_ALL_SPECIAL;
        return EXIT_OK;
    }
    size_t n = 1;
    for (const char *p = o->allowed; *p; p++)
        n += *p == ',';
    char **names = calloc(n, sizeof *names);
    if (!names)
        return EXIT_DATA;
    *list = names;
    const char *p = o->allowed;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *name = malloc(len + 1);
        if (!name)
            return EXIT_DATA;
        memcpy(name, p, len);
        name[len] = '\0';
        names[(*n_list)++] = name;
        uint32_t id;
        if (tkm_encoding_special_id(enc, name, len, &id) != TKM_OK) {
            cli_err("'%s' is not a special token of %s", name, tkm_encoding_name(enc));
            return EXIT_USAGE;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    opts->allowed_special = (const char *const *)names;
    opts->n_allowed_special = *n_list;
    return EXIT_OK;
}

static int load_builtin(const char *name, tkm_encoding **out)
{
    tkm_status st = tkm_encoding_load_builtin(name, NULL, out);
    if (st == TKM_ERR_UNKNOWN_ENCODING) {
        char known[256];
        size_t k = 0;
        for (size_t i = 0; i < tkm_builtin_count() && k < sizeof known; i++)
            k += (size_t)snprintf(known + k, sizeof known - k, " %s", tkm_builtin_name(i));
        cli_err("unknown encoding '%s'; known:%s", name, known);
        return EXIT_USAGE;
    }
    if (st != TKM_OK) {
        cli_err("cannot load the encoding %s: %s", name, tkm_strerror(st));
        return EXIT_DATA;
    }
    return EXIT_OK;
}

int cli_text_open(const cli_opts *o, bool require_model, cli_text *t)
{
    memset(t, 0, sizeof *t);
    if (o->encoding && o->model)
        return cli_usage("%s", "give either -e ENCODING or -m MODEL, not both");
    if (require_model && !o->model)
        return cli_usage("%s needs -m MODEL", o->command);
    int rc;
    if (o->model) {
        if ((rc = cli_table_load(o, &t->table)) != EXIT_OK)
            return rc;
        tkm_model_match how;
        const char *enc_name = NULL;
        if (tkm_model_table_find(t->table, o->model, strlen(o->model), &t->model, &how) == TKM_OK) {
            enc_name = t->model->encoding;
            if (!enc_name) {
                cli_err("the model table gives no encoding for %s", t->model->name);
                return EXIT_DATA;
            }
        } else if (require_model ||
                   tkm_model_encoding_name(o->model, &enc_name) != TKM_OK) {
            /* Unknown to both the table and tiktoken's mapping. */
            return cli_find_model(t->table, o->model, &t->model, &how);
        }
        rc = load_builtin(enc_name, &t->enc);
    } else if (o->encoding) {
        rc = load_builtin(o->encoding, &t->enc);
    } else {
        return cli_usage("%s", "an encoding (-e) or a model (-m) is required");
    }
    if (rc != EXIT_OK)
        return rc;
    return cli_allowed_special(o, t->enc, &t->opts, &t->allowed, &t->n_allowed);
}

void cli_text_close(cli_text *t)
{
    tkm_encoding_free(t->enc);
    for (size_t i = 0; i < t->n_allowed; i++)
        free(t->allowed[i]);
    free(t->allowed);
    tkm_model_table_free(t->table);
    memset(t, 0, sizeof *t);
}

int cli_enc_for_model(cli_enc_cache *c, const tkm_model *m, tkm_encoding **out)
{
    if (!m->encoding) {
        cli_err("%s: the model table gives no encoding (it has no token counting rules)", m->name);
        return EXIT_USAGE;
    }
    if (!c->ctx && tkm_context_create(NULL, &c->ctx) != TKM_OK)
        c->ctx = NULL; /* counts then make their own contexts */
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].name, m->encoding) == 0) {
            *out = c->e[i].enc;
            return EXIT_OK;
        }
    }
    tkm_encoding *e = NULL;
    int rc = load_builtin(m->encoding, &e);
    if (rc != EXIT_OK)
        return rc;
    if (c->n == sizeof c->e / sizeof c->e[0]) {
        tkm_encoding_free(c->e[0].enc);
        memmove(&c->e[0], &c->e[1], (c->n - 1) * sizeof c->e[0]);
        c->n--;
    }
    c->e[c->n].name = m->encoding;
    c->e[c->n].enc = e;
    c->n++;
    *out = e;
    return EXIT_OK;
}

void cli_enc_cache_free(cli_enc_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        tkm_encoding_free(c->e[i].enc);
    c->n = 0;
    tkm_context_free(c->ctx);
    c->ctx = NULL;
}
