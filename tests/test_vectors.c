/*
 * test_vectors.c — replays the golden vectors in tests/vectors/<encoding>.tsv
 * (generated from the official tiktoken core by tools/gen_vectors.js) against
 * tokmeter's built-in encodings.
 *
 * One cmocka test per encoding. For every case it checks, each as its own
 * failure message naming the case:
 *   - encode in the case's mode gives exactly the expected ids
 *     (ordinary: tkm_encode_ordinary; all: TKM_ENCODE_ALLOW_ALL_SPECIAL;
 *     default: NULL options, ids or TKM_ERR_DISALLOWED_SPECIAL with the
 *     expected byte offset and token id in the detail);
 *   - a sizing call (cap 0) reports the number of ids;
 *   - tkm_count with the same options gives the number of ids;
 *   - tkm_count_limit with limit n-1 reports exceeded, with limit n reports
 *     not exceeded and the exact count;
 *   - decoding the expected ids gives back the input bytes exactly.
 * A missing or empty vector file is a failure.
 *
 * The vector directory comes from the compile definition VECTOR_DIR; the
 * environment variable TKM_VECTOR_DIR overrides it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokmeter.h"

#ifndef VECTOR_DIR
#define VECTOR_DIR "tests/vectors"
#endif

/* Failure messages printed per encoding before the rest are only counted. */
#define MAX_REPORTED 300

typedef enum vec_mode { MODE_ORDINARY, MODE_ALL, MODE_DEFAULT } vec_mode;

typedef struct vec_case {
    const char *name;
    size_t line;
    vec_mode mode;
    const char *mode_name;
    unsigned char *input; /* decoded from hex (never NULL; may have len 0) */
    size_t len;
    uint32_t *ids; /* expected ids (never NULL) */
    size_t n_ids;
    bool expect_error; /* default mode: expected TKM_ERR_DISALLOWED_SPECIAL */
    size_t err_offset;
    uint32_t err_token;
} vec_case;

typedef struct run_state {
    const char *encoding;
    const tkm_encoding *enc;
    size_t failures;
    size_t reported;
    const vec_case *current;
    uint32_t *shared_ids; /* special ids that several special texts share */
    size_t n_shared_ids;
    tkm_context *ctx;         /* one context for every case: warm caches */
    const tkm_encoding *other; /* another encoding that shares ctx */
} run_state;

static void report(run_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(run_state *st, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    st->failures++;
    if (st->reported >= MAX_REPORTED) {
        return;
    }
    st->reported++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st->current != NULL) {
        print_error("%s: case %s (line %zu, %s): %s\n", st->encoding, st->current->name,
                    st->current->line, st->current->mode_name, msg);
    } else {
        print_error("%s: %s\n", st->encoding, msg);
    }
}

/* ------------------------------------------------------------------------ */
/* Reading the vector file                                                  */
/* ------------------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        size_t got;
        if (cap - len < 65536) {
            size_t ncap = cap ? cap * 2 : 1u << 20;
            char *nbuf = realloc(buf, ncap + 1);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses a decimal number of at most 20 digits ending at a space or NUL. */
static bool parse_number(const char **p, uint64_t max, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t digits = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
        s++;
        digits++;
    }
    if (digits == 0 || (*s != ' ' && *s != '\0')) {
        return false;
    }
    *p = s;
    *out = v;
    return true;
}

/* Parses one non-comment line (modified in place). Returns false on a
 * malformed line, with *why set. */
static bool parse_line(char *line, size_t lineno, vec_case *c, const char **why)
{
    char *fields[4];
    size_t nf = 0;
    char *p = line;
    memset(c, 0, sizeof *c);
    c->line = lineno;
    fields[nf++] = p;
    while (*p != '\0') {
        if (*p == '\t') {
            if (nf == 4) {
                *why = "more than 4 tab-separated fields";
                return false;
            }
            *p = '\0';
            fields[nf++] = p + 1;
        }
        p++;
    }
    if (nf != 4) {
        *why = "fewer than 4 tab-separated fields";
        return false;
    }
    c->name = fields[0];
    if (c->name[0] == '\0') {
        *why = "empty case name";
        return false;
    }
    c->mode_name = fields[1];
    if (strcmp(fields[1], "ordinary") == 0) {
        c->mode = MODE_ORDINARY;
    } else if (strcmp(fields[1], "all") == 0) {
        c->mode = MODE_ALL;
    } else if (strcmp(fields[1], "default") == 0) {
        c->mode = MODE_DEFAULT;
    } else {
        *why = "unknown mode";
        return false;
    }

    /* input hex */
    {
        const char *h = fields[2];
        size_t hl = strlen(h);
        size_t i;
        if (hl % 2 != 0) {
            *why = "odd-length input hex";
            return false;
        }
        c->len = hl / 2;
        c->input = malloc(c->len + 1);
        if (c->input == NULL) {
            *why = "out of memory";
            return false;
        }
        for (i = 0; i < c->len; i++) {
            int hi = hex_value(h[2 * i]);
            int lo = hex_value(h[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                *why = "bad hex digit in input";
                return false;
            }
            c->input[i] = (unsigned char)(hi * 16 + lo);
        }
    }

    /* expected */
    {
        const char *e = fields[3];
        if (strncmp(e, "!disallowed ", 12) == 0) {
            uint64_t off;
            uint64_t tok;
            const char *q = e + 12;
            if (c->mode != MODE_DEFAULT) {
                *why = "!disallowed outside default mode";
                return false;
            }
            if (!parse_number(&q, SIZE_MAX, &off) || *q != ' ') {
                *why = "bad !disallowed offset";
                return false;
            }
            q++;
            if (!parse_number(&q, UINT32_MAX, &tok) || *q != '\0') {
                *why = "bad !disallowed token";
                return false;
            }
            c->expect_error = true;
            c->err_offset = (size_t)off;
            c->err_token = (uint32_t)tok;
            c->ids = malloc(sizeof(uint32_t));
            if (c->ids == NULL) {
                *why = "out of memory";
                return false;
            }
        } else {
            size_t n = 0;
            size_t i;
            const char *q = e;
            if (*e != '\0') {
                n = 1;
                for (i = 0; e[i] != '\0'; i++) {
                    n += e[i] == ' ';
                }
            }
            c->ids = malloc((n ? n : 1) * sizeof(uint32_t));
            if (c->ids == NULL) {
                *why = "out of memory";
                return false;
            }
            for (i = 0; i < n; i++) {
                uint64_t v;
                if (!parse_number(&q, UINT32_MAX, &v)) {
                    *why = "bad token id in expected ids";
                    return false;
                }
                c->ids[i] = (uint32_t)v;
                if (i + 1 < n) {
                    if (*q != ' ') {
                        *why = "bad separator in expected ids";
                        return false;
                    }
                    q++;
                }
            }
            if (*q != '\0') {
                *why = "trailing text after expected ids";
                return false;
            }
            c->n_ids = n;
        }
    }
    return true;
}

static void free_case(vec_case *c)
{
    free(c->input);
    free(c->ids);
    c->input = NULL;
    c->ids = NULL;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

static const tkm_encode_options *mode_options(vec_mode mode, tkm_encode_options *opts)
{
    memset(opts, 0, sizeof *opts);
    switch (mode) {
    case MODE_ORDINARY:
        opts->flags = TKM_ENCODE_SPECIAL_AS_TEXT; /* what tkm_encode_ordinary does */
        return opts;
    case MODE_ALL:
        opts->flags = TKM_ENCODE_ALLOW_ALL_SPECIAL;
        return opts;
    case MODE_DEFAULT:
    default:
        return NULL;
    }
}

static tkm_status do_encode(const run_state *st, const vec_case *c, uint32_t *ids, size_t cap,
                            size_t *n_out, tkm_error_detail *detail)
{
    tkm_encode_options opts;
    const char *text = (const char *)c->input;
    if (c->mode == MODE_ORDINARY) {
        return tkm_encode_ordinary(st->enc, text, c->len, ids, cap, n_out, detail);
    }
    return tkm_encode(st->enc, text, c->len, mode_options(c->mode, &opts), ids, cap, n_out,
                      detail);
}

static void check_disallowed(run_state *st, const char *what, tkm_status s,
                             const tkm_error_detail *d, const vec_case *c)
{
    if (s != TKM_ERR_DISALLOWED_SPECIAL) {
        report(st, "%s returned %d (%s), expected TKM_ERR_DISALLOWED_SPECIAL at byte %zu token %u",
               what, (int)s, tkm_strerror(s), c->err_offset, (unsigned)c->err_token);
        return;
    }
    if (d->offset != c->err_offset || d->token != c->err_token) {
        report(st, "%s: disallowed special reported at byte %zu token %u, expected byte %zu token %u",
               what, d->offset, (unsigned)d->token, c->err_offset, (unsigned)c->err_token);
    }
}

static bool is_shared_id(const run_state *st, uint32_t id)
{
    size_t i;
    for (i = 0; i < st->n_shared_ids; i++) {
        if (st->shared_ids[i] == id) {
            return true;
        }
    }
    return false;
}

static void check_encode(run_state *st, const vec_case *c)
{
    size_t cap = tkm_encode_bound(c->len);
    size_t n = (size_t)-1;
    uint32_t *ids;
    tkm_error_detail detail;
    tkm_status s;

    if (cap < c->n_ids) {
        report(st, "tkm_encode_bound(%zu) = %zu is less than the %zu expected ids", c->len, cap,
               c->n_ids);
        cap = c->n_ids;
    }
    ids = malloc((cap + 1) * sizeof *ids);
    assert_non_null(ids);
    memset(&detail, 0, sizeof detail);
    s = do_encode(st, c, ids, cap + 1, &n, &detail);
    if (c->expect_error) {
        check_disallowed(st, "encode", s, &detail, c);
    } else if (s != TKM_OK) {
        report(st, "encode returned %d (%s): %s", (int)s, tkm_strerror(s), detail.message);
    } else if (n != c->n_ids) {
        size_t i = 0;
        while (i < n && i < c->n_ids && ids[i] == c->ids[i]) {
            i++;
        }
        report(st, "encode gave %zu ids, expected %zu (first difference at index %zu)", n, c->n_ids,
               i);
    } else {
        size_t i;
        for (i = 0; i < n; i++) {
            if (ids[i] != c->ids[i]) {
                report(st, "encode id %zu is %u, expected %u", i, (unsigned)ids[i],
                       (unsigned)c->ids[i]);
                break;
            }
        }
    }
    free(ids);

    /* Sizing call: cap 0, NULL buffer. */
    if (!c->expect_error) {
        n = (size_t)-1;
        s = do_encode(st, c, NULL, 0, &n, NULL);
        if (c->n_ids == 0) {
            if (s != TKM_OK || n != 0) {
                report(st, "sizing encode of an empty result returned %d (%s), n %zu", (int)s,
                       tkm_strerror(s), n);
            }
        } else if (s != TKM_ERR_BUFFER_TOO_SMALL || n != c->n_ids) {
            report(st, "sizing encode (cap 0) returned %d (%s) with n %zu, expected "
                       "TKM_ERR_BUFFER_TOO_SMALL with n %zu",
                   (int)s, tkm_strerror(s), n, c->n_ids);
        }
    }
}

static void check_count(run_state *st, const vec_case *c)
{
    tkm_encode_options opts;
    const tkm_encode_options *o = mode_options(c->mode, &opts);
    const char *text = (const char *)c->input;
    tkm_error_detail detail;
    size_t n = (size_t)-1;
    bool exceeded = false;
    tkm_status s;

    memset(&detail, 0, sizeof detail);
    s = tkm_count(st->enc, text, c->len, o, &n, &detail);
    if (c->expect_error) {
        check_disallowed(st, "tkm_count", s, &detail, c);
        /* A count can never exceed the byte length, so this limit cannot stop early. */
        memset(&detail, 0, sizeof detail);
        s = tkm_count_limit(st->enc, text, c->len, o, c->len, &n, &exceeded, &detail);
        check_disallowed(st, "tkm_count_limit", s, &detail, c);
        return;
    }
    if (s != TKM_OK) {
        report(st, "tkm_count returned %d (%s): %s", (int)s, tkm_strerror(s), detail.message);
    } else if (n != c->n_ids) {
        report(st, "tkm_count gave %zu, expected %zu", n, c->n_ids);
    }

    if (c->n_ids > 0) {
        n = (size_t)-1;
        exceeded = false;
        s = tkm_count_limit(st->enc, text, c->len, o, c->n_ids - 1, &n, &exceeded, NULL);
        if (s != TKM_OK) {
            report(st, "tkm_count_limit(limit %zu) returned %d (%s)", c->n_ids - 1, (int)s,
                   tkm_strerror(s));
        } else if (!exceeded || n <= c->n_ids - 1) {
            report(st, "tkm_count_limit(limit %zu) gave exceeded=%d n=%zu; the count is %zu",
                   c->n_ids - 1, (int)exceeded, n, c->n_ids);
        }
    }
    n = (size_t)-1;
    exceeded = true;
    s = tkm_count_limit(st->enc, text, c->len, o, c->n_ids, &n, &exceeded, NULL);
    if (s != TKM_OK) {
        report(st, "tkm_count_limit(limit %zu) returned %d (%s)", c->n_ids, (int)s,
               tkm_strerror(s));
    } else if (exceeded || n != c->n_ids) {
        report(st, "tkm_count_limit(limit %zu) gave exceeded=%d n=%zu; the count is %zu",
               c->n_ids, (int)exceeded, n, c->n_ids);
    }
}

static void check_decode(run_state *st, const vec_case *c)
{
    size_t cap = c->len;
    char *buf;
    size_t n = (size_t)-1;
    tkm_error_detail detail;
    tkm_status s;

    if (c->expect_error) {
        return;
    }
    buf = malloc(cap + 1);
    assert_non_null(buf);
    memset(&detail, 0, sizeof detail);
    s = tkm_decode(st->enc, c->ids, c->n_ids, buf, cap, &n, &detail);
    if (s == TKM_ERR_BUFFER_TOO_SMALL) {
        /* Longer than the input: only right for a shared special id (below). */
        size_t need = n;
        char *bigger = realloc(buf, need + 1);
        assert_non_null(bigger);
        buf = bigger;
        n = (size_t)-1;
        s = tkm_decode(st->enc, c->ids, c->n_ids, buf, need, &n, &detail);
        if (s == TKM_OK && n != need) {
            report(st, "decode sized %zu bytes, then gave %zu", need, n);
        }
    }
    if (s != TKM_OK) {
        report(st, "decode returned %d (%s) at index %zu (id %u)", (int)s, tkm_strerror(s),
               detail.index, (unsigned)detail.token);
    } else if (n != c->len || (n > 0 && memcmp(buf, c->input, n) != 0)) {
        /* An id shared by several special texts (o200k_harmony's 200018 is both
         * <|endofprompt|> and <|reserved_200018|>) decodes to one of them; then
         * the decoded text must at least encode back to the same ids. */
        bool shared = false;
        size_t i;
        for (i = 0; i < c->n_ids && !shared; i++) {
            shared = is_shared_id(st, c->ids[i]);
        }
        if (!shared || c->mode != MODE_ALL) {
            size_t at = 0;
            while (at < n && at < c->len && (unsigned char)buf[at] == c->input[at]) {
                at++;
            }
            report(st, "decode gave %zu bytes, input has %zu (first difference at byte %zu)", n,
                   c->len, at);
        } else {
            tkm_encode_options opts;
            uint32_t *ids = malloc((tkm_encode_bound(n) + 1) * sizeof *ids);
            size_t m = 0;
            assert_non_null(ids);
            memset(&opts, 0, sizeof opts);
            opts.flags = TKM_ENCODE_ALLOW_ALL_SPECIAL;
            s = tkm_encode(st->enc, buf, n, &opts, ids, tkm_encode_bound(n) + 1, &m, NULL);
            if (s != TKM_OK || m != c->n_ids || memcmp(ids, c->ids, m * sizeof *ids) != 0) {
                report(st, "decode differs from the input (shared special id) and does not "
                           "re-encode to the same ids");
            }
            free(ids);
        }
    }
    free(buf);
}

/* The simple API runs each call on a fresh context, so per-context caches
 * (the piece cache warms after 16 KiB) are cold there. Here every case goes
 * through one long-lived context twice (the second time its pieces are in
 * the cache), alternating with another encoding on the same context, whose
 * ids must equal a cold encode: a cache must never serve one encoding's
 * ids to another. */
static void check_warm(run_state *st, const vec_case *c)
{
    if (c->expect_error)
        return;
    tkm_encode_options opts;
    const tkm_encode_options *o = mode_options(c->mode, &opts);
    size_t cap = tkm_encode_bound(c->len) + 1, n = 0, m = 0;
    uint32_t *ids = malloc(cap * sizeof *ids), *ref = malloc(cap * sizeof *ref);
    assert_non_null(ids);
    assert_non_null(ref);
    for (int pass = 0; pass < 2; pass++) {
        tkm_status s = tkm_context_encode(st->ctx, st->enc, (const char *)c->input, c->len, o, ids,
                                          cap, &n, NULL);
        if (s != TKM_OK || n != c->n_ids || memcmp(ids, c->ids, n * sizeof *ids) != 0) {
            report(st, "warm-context encode (pass %d) differs from the expected ids", pass + 1);
            break;
        }
        tkm_encode_options plain = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
        s = tkm_context_encode(st->ctx, st->other, (const char *)c->input, c->len, &plain, ids,
                               cap, &n, NULL);
        tkm_status r = tkm_encode(st->other, (const char *)c->input, c->len, &plain, ref, cap, &m,
                                  NULL);
        if (s != r || n != m || memcmp(ids, ref, n * sizeof *ids) != 0) {
            report(st, "warm-context encode with %s differs from a cold one",
                   tkm_encoding_name(st->other));
            break;
        }
    }
    free(ids);
    free(ref);
}

/* Collects special ids that more than one special text maps to. */
static void find_shared_ids(run_state *st)
{
    size_t ns = tkm_encoding_n_special(st->enc);
    uint32_t *all = malloc((ns ? ns : 1) * sizeof *all);
    size_t i;
    assert_non_null(all);
    st->shared_ids = malloc((ns ? ns : 1) * sizeof *st->shared_ids);
    assert_non_null(st->shared_ids);
    st->n_shared_ids = 0;
    for (i = 0; i < ns; i++) {
        const char *text = NULL;
        size_t len = 0;
        all[i] = UINT32_MAX;
        if (tkm_encoding_special_at(st->enc, i, &text, &len, &all[i]) != TKM_OK) {
            report(st, "tkm_encoding_special_at(%zu) failed", i);
        }
    }
    for (i = 0; i + 1 < ns; i++) {
        size_t j;
        for (j = i + 1; j < ns; j++) {
            if (all[i] == all[j] && !is_shared_id(st, all[i])) {
                st->shared_ids[st->n_shared_ids++] = all[i];
            }
        }
    }
    free(all);
}

/* ------------------------------------------------------------------------ */
/* The tests                                                                */
/* ------------------------------------------------------------------------ */

typedef struct encoding_test {
    const char *name;
} encoding_test;

static encoding_test encoding_tests[] = {
    {"r50k_base"}, {"p50k_base"}, {"p50k_edit"}, {"cl100k_base"}, {"o200k_base"}, {"o200k_harmony"},
};

static void test_encoding_vectors(void **state)
{
    const encoding_test *t = *state;
    const char *dir = getenv("TKM_VECTOR_DIR");
    char path[4096];
    char *data;
    size_t data_len = 0;
    size_t lineno = 0;
    size_t n_cases = 0;
    char *p;
    tkm_encoding *enc = NULL;
    run_state st;
    tkm_status s;

    memset(&st, 0, sizeof st);
    st.encoding = t->name;
    if (dir == NULL || dir[0] == '\0') {
        dir = VECTOR_DIR;
    }
    snprintf(path, sizeof path, "%s/%s.tsv", dir, t->name);

    s = tkm_encoding_load_builtin(t->name, NULL, &enc);
    if (s != TKM_OK) {
        fail_msg("%s: tkm_encoding_load_builtin failed: %d (%s)", t->name, (int)s,
                 tkm_strerror(s));
    }
    st.enc = enc;
    tkm_encoding *other = NULL;
    const char *other_name = strcmp(t->name, "o200k_base") == 0 ? "cl100k_base" : "o200k_base";
    assert_int_equal(tkm_encoding_load_builtin(other_name, NULL, &other), TKM_OK);
    assert_int_equal(tkm_context_create(NULL, &st.ctx), TKM_OK);
    st.other = other;
    data = read_file(path, &data_len);
    if (data == NULL) {
        tkm_context_free(st.ctx);
        tkm_encoding_free(other);
        tkm_encoding_free(enc);
        fail_msg("%s: cannot read the vector file %s", t->name, path);
    }
    find_shared_ids(&st);

    p = data;
    while (p < data + data_len) {
        char *nl = memchr(p, '\n', (size_t)(data + data_len - p));
        char *line = p;
        vec_case c;
        const char *why = NULL;
        if (nl != NULL) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p = data + data_len;
        }
        lineno++;
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (!parse_line(line, lineno, &c, &why)) {
            st.current = NULL;
            report(&st, "%s line %zu is malformed: %s", path, lineno, why);
            free_case(&c);
            continue;
        }
        n_cases++;
        st.current = &c;
        check_encode(&st, &c);
        check_count(&st, &c);
        check_decode(&st, &c);
        check_warm(&st, &c);
        st.current = NULL;
        free_case(&c);
    }

    free(data);
    free(st.shared_ids);
    tkm_context_free(st.ctx);
    tkm_encoding_free(other);
    tkm_encoding_free(enc);

    if (n_cases == 0) {
        fail_msg("%s: %s holds no cases", t->name, path);
    }
    if (st.failures > 0) {
        fail_msg("%s: %zu check(s) failed over %zu cases%s", t->name, st.failures, n_cases,
                 st.failures > st.reported ? " (not all printed)" : "");
    }
    print_message("%s: %zu cases passed\n", t->name, n_cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"vectors_r50k_base", test_encoding_vectors, NULL, NULL, &encoding_tests[0]},
        {"vectors_p50k_base", test_encoding_vectors, NULL, NULL, &encoding_tests[1]},
        {"vectors_p50k_edit", test_encoding_vectors, NULL, NULL, &encoding_tests[2]},
        {"vectors_cl100k_base", test_encoding_vectors, NULL, NULL, &encoding_tests[3]},
        {"vectors_o200k_base", test_encoding_vectors, NULL, NULL, &encoding_tests[4]},
        {"vectors_o200k_harmony", test_encoding_vectors, NULL, NULL, &encoding_tests[5]},
    };
    return cmocka_run_group_tests_name("golden vectors", tests, NULL, NULL);
}
