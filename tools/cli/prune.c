/* prune.c — `tokmeter prune [-m MODEL] [--reserve-output N]
 * [--strategy oldest|last-N|middle-out] [--budget N] [--truncate]
 * REQUEST.json`: drop turns until a chat request fits, with tkm_chat_prune
 * (system and developer messages and the last turn are always kept; an
 * assistant tool call and its tool results go together).
 *
 * The pruned request goes to stdout as the original text with the dropped
 * messages cut out of the "messages" array, so every other byte (key
 * order, number formats, whitespace) is the request's own; a truncated
 * message gets its content string replaced by the kept tail. What was
 * dropped is reported on stderr. Exit 0, or 1 when even the messages that
 * are always kept do not fit (then nothing goes to stdout in text mode).
 *
 * --json: {model, strategy, budget, reserved_output, prompt_tokens_before,
 * prompt_tokens, fits, kept [...], dropped [...], truncated {index,
 * offset_bytes, kept_bytes, tokens} | null, not_counted [...], request}. */
#include "chat.h"
#include "json_out.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_strategy(const cli_opts *o, tkm_prune_options *po, char *name, size_t cap)
{
    const char *s = o->strategy ? o->strategy : "oldest";
    if (strcmp(s, "oldest") == 0) {
        po->strategy = TKM_PRUNE_OLDEST_FIRST;
    } else if (strcmp(s, "middle-out") == 0) {
        po->strategy = TKM_PRUNE_MIDDLE_OUT;
    } else if (strncmp(s, "last-", 5) == 0) {
        uint64_t n = 0;
        if (strcmp(s + 5, "N") == 0) {
            if (!o->has_last)
                return cli_usage("%s", "--strategy last-N needs --last N (or write it as last-4)");
            n = o->last_n;
        } else if (!cli_parse_u64(s + 5, &n)) {
            return cli_usage("--strategy takes oldest, last-N or middle-out, not '%s'", s);
        }
        if (n == 0)
            return cli_usage("%s", "--strategy last-N needs N >= 1");
        po->strategy = TKM_PRUNE_KEEP_LAST_N;
        po->keep_last_n = (size_t)n;
        snprintf(name, cap, "last-%llu", (unsigned long long)n);
        return EXIT_OK;
    } else {
        return cli_usage("--strategy takes oldest, last-N or middle-out, not '%s'", s);
    }
    snprintf(name, cap, "%s", s);
    return EXIT_OK;
}

/* The request text with only the kept messages (and the truncated one's
 * content replaced). Returns a malloc'd string or NULL. */
static char *splice(const char *text, size_t len, const chat_req *r, const size_t *keep,
                    size_t n_keep, const tkm_prune_result *res)
{
    cli_jpath p = {.n = 0};
    jp_key(&p, "messages");
    size_t a0, a1;
    if (!cli_json_locate(text, len, &p, &a0, &a1))
        return NULL;
    size_t n = r->n_msgs;
    size_t (*sp)[2] = malloc((n ? n : 1) * sizeof *sp);
    if (!sp || cli_json_array_spans(text, len, a0, sp, n) != n) {
        free(sp);
        return NULL;
    }
    char *repl = NULL;
    size_t c0 = 0, c1 = 0;
    if (res->truncated_index != SIZE_MAX) {
        const tkm_chat_message *m = &r->msgs[res->truncated_index];
        jp_index(&p, res->truncated_index);
        jp_key(&p, "content");
        json_t *s = json_stringn(m->content + res->truncated_offset, res->truncated_len);
        repl = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
        json_decref(s);
        if (!repl || !cli_json_locate(text, len, &p, &c0, &c1)) {
            free(repl);
            free(sp);
            return NULL;
        }
    }
    size_t cap = len + (repl ? strlen(repl) : 0) + 16, o = 0;
    char *out = malloc(cap);
    if (!out) {
        free(repl);
        free(sp);
        return NULL;
    }
#define PUT(s, k) (memcpy(out + o, (s), (k)), o += (k))
    size_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* drop a BOM */
    PUT(text + start, a0 + 1 - start);
    for (size_t k = 0; k < n_keep; k++) {
        size_t i = keep[k];
        /* The separator that preceded the element in the original. */
        size_t from = i == 0 ? a0 + 1 : sp[i - 1][1];
        if (k == 0 && i > 0) { /* skip the comma of a dropped predecessor */
            from = sp[i - 1][1];
            while (from < sp[i][0] && text[from] != ',')
                from++;
            from++;
        }
        PUT(text + from, sp[i][0] - from);
        if (i == res->truncated_index) {
            PUT(text + sp[i][0], c0 - sp[i][0]);
            PUT(repl, strlen(repl));
            PUT(text + c1, sp[i][1] - c1);
        } else {
            PUT(text + sp[i][0], sp[i][1] - sp[i][0]);
        }
    }
    size_t tail = n ? sp[n - 1][1] : a0 + 1;
    PUT(text + tail, len - tail);
#undef PUT
    out[o] = '\0';
    free(repl);
    free(sp);
    return out;
}

/* "messages[1], messages[3..5]" */
static void ranges(const size_t *idx, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k < cap;) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (j == i)
            k += (size_t)snprintf(buf + k, cap - k, "%smessages[%zu]", i ? ", " : "", idx[i]);
        else
            k += (size_t)snprintf(buf + k, cap - k, "%smessages[%zu..%zu]", i ? ", " : "", idx[i],
                                  idx[j]);
        i = j + 1;
    }
}

int cmd_prune(cli_opts *o)
{
    if (o->n_files > 1)
        return cli_usage("%s", "prune takes one REQUEST.json (or - for stdin)");
    tkm_prune_options po;
    memset(&po, 0, sizeof po);
    char strategy[32];
    int rc = parse_strategy(o, &po, strategy, sizeof strategy);
    if (rc != EXIT_OK)
        return rc;
    const char *path = o->n_files ? o->files[0] : "-";
    chat_req r;
    char *text = NULL, *out = NULL;
    size_t len = 0;
    tkm_model_table *t = NULL;
    tkm_encoding *enc = NULL;
    size_t *keep = NULL, *dropped = NULL;
    rc = req_load_chat_file(path, o, &r, &text, &len);
    if (rc == EXIT_OK)
        rc = cli_table_load(o, &t);
    const tkm_model *m = NULL;
    tkm_model_match how;
    if (rc == EXIT_OK)
        rc = chat_resolve_model(o, &r, t, &m, &how);
    if (rc == EXIT_OK && (!m->encoding || tkm_model_encoding_load(m, NULL, &enc) != TKM_OK)) {
        cli_err("%s: the model table gives no usable encoding", m->name);
        rc = EXIT_DATA;
    }
    req_result before;
    if (rc == EXIT_OK)
        rc = req_count(&r, m, NULL, enc, o, false, TKM_TIER_STANDARD, NULL, &before);
    if (rc != EXIT_OK)
        goto done;
    po.reserved_output = (size_t)before.reserved;
    po.budget = o->has_budget ? (size_t)o->budget : 0;
    po.truncate = o->truncate;
    if (!po.budget && !m->context_window && !m->max_input) {
        rc = cli_usage("the model table has no limits for %s: give --budget N", m->name);
        goto done;
    }
    keep = calloc(r.n_msgs ? r.n_msgs : 1, sizeof *keep);
    dropped = calloc(r.n_msgs ? r.n_msgs : 1, sizeof *dropped);
    if (!keep || !dropped) {
        cli_err("out of memory");
        rc = EXIT_DATA;
        goto done;
    }
    size_t n_keep = 0;
    tkm_prune_result res;
    tkm_error_detail d;
    memset(&d, 0, sizeof d);
    size_t n_tools = before.tools_uncounted ? 0 : r.n_tools;
    tkm_status st = tkm_chat_prune(m, enc, r.count_msgs, r.n_msgs, r.tools, n_tools, &po, NULL,
                                   keep, r.n_msgs, &n_keep, &res, &d);
    bool fits = st == TKM_OK;
    if (st != TKM_OK && st != TKM_ERR_DOES_NOT_FIT) {
        cli_err("%s: %s", m->name, d.message[0] ? d.message : tkm_strerror(st));
        rc = cli_status_exit(st);
        goto done;
    }
    size_t n_dropped = 0;
    for (size_t i = 0, k = 0; i < r.n_msgs; i++) {
        if (k < n_keep && keep[k] == i)
            k++;
        else
            dropped[n_dropped++] = i;
    }
    char list[1024];
    ranges(dropped, n_dropped, list, sizeof list);
    if (!fits) {
        cli_err("%s: does not fit: the messages that are always kept (system, developer and the "
                "last turn) need %zu tokens, the budget is %zu",
                m->name, res.tokens, res.budget);
        rc = EXIT_NEGATIVE;
    } else if (n_dropped == 0 && res.truncated_index == SIZE_MAX) {
        cli_note("nothing to prune: %zu prompt tokens fit the budget of %zu (%s)", before.prompt,
                res.budget, m->name);
    } else {
        if (n_dropped)
            cli_note("pruned %zu of %zu messages (%s, budget %zu tokens): dropped %s", n_dropped,
                    r.n_msgs, strategy, res.budget, list);
        else
            cli_note("pruned no message (%s, budget %zu tokens)", strategy, res.budget);
        if (res.truncated_index != SIZE_MAX)
            cli_note("truncated messages[%zu] to its last %zu bytes", res.truncated_index,
                    res.truncated_len);
        cli_note("prompt tokens: %zu before, %zu after (estimate)", before.prompt, res.tokens);
    }
    if (before.tools_uncounted || before.images_uncounted || r.n_notes)
        req_print_notes(&r, &before, m, stderr, "tokmeter: not counted: ");
    if (fits) {
        out = splice(text, len, &r, keep, n_keep, &res);
        if (!out) {
            cli_err("cannot rebuild the request text");
            rc = EXIT_DATA;
            goto done;
        }
    }
    if (o->json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "model", jstr(m->name));
        json_object_set_new(doc, "strategy", json_string(strategy));
        json_object_set_new(doc, "budget", jcount(res.budget, false));
        json_object_set_new(doc, "reserved_output", jcount(po.reserved_output, false));
        json_object_set_new(doc, "prompt_tokens_before", jcount(before.prompt, false));
        json_object_set_new(doc, "prompt_tokens", jcount(res.tokens, false));
        json_object_set_new(doc, "fits", json_boolean(fits));
        json_t *kj = json_array(), *dj = json_array();
        for (size_t i = 0; i < n_keep; i++)
            json_array_append_new(kj, jcount(keep[i], false));
        for (size_t i = 0; i < n_dropped; i++)
            json_array_append_new(dj, jcount(dropped[i], false));
        json_object_set_new(doc, "kept", kj);
        json_object_set_new(doc, "dropped", dj);
        if (res.truncated_index != SIZE_MAX) {
            json_t *tr = json_object();
            json_object_set_new(tr, "index", jcount(res.truncated_index, false));
            json_object_set_new(tr, "offset_bytes", jcount(res.truncated_offset, false));
            json_object_set_new(tr, "kept_bytes", jcount(res.truncated_len, false));
            json_object_set_new(doc, "truncated", tr);
        } else {
            json_object_set_new(doc, "truncated", json_null());
        }
        json_object_set_new(doc, "not_counted", req_notes_json(&r, &before, m));
        /* The request is spliced in verbatim as the last member. */
        char *head = json_dumps(doc, CLI_JSON_FLAGS);
        json_decref(doc);
        size_t hl = head ? strlen(head) : 0;
        if (!head || hl < 2) {
            free(head);
            rc = EXIT_DATA;
            goto done;
        }
        while (hl && head[hl - 1] != '}')
            hl--;
        hl--;
        while (hl && (head[hl - 1] == '\n' || head[hl - 1] == ' '))
            hl--;
        cli_json_mark_written();
        fwrite(head, 1, hl, stdout);
        size_t ol = out ? strlen(out) : 0;
        while (ol && strchr(" \t\r\n", out[ol - 1]))
            ol--;
        printf(",\n  \"request\": %.*s\n}\n", out ? (int)ol : 4, out ? out : "null");
        free(head);
    } else if (out) {
        fputs(out, stdout);
        if (!len || text[len - 1] != '\n')
            fputc('\n', stdout);
    }
done:
    free(out);
    free(keep);
    free(dropped);
    tkm_encoding_free(enc);
    tkm_model_table_free(t);
    req_free(&r);
    free(text);
    return rc;
}
