/* table.c — the model table: parsing the documented line format
 * (include/tokmeter_account.h, data/models.tkm), inheritance (base =),
 * layering of override tables, and name lookup.
 *
 * Why re-parse instead of deep-copying for layering: a table keeps the texts
 * it was built from; loading an override on top of a base re-parses the
 * base's texts and then the override. The parse of the built-in table takes
 * microseconds, and it keeps one code path for "what a key means". */
#include "account_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#if defined(TKM_EMBED_DATA)
extern const unsigned char tkm_embedded_models[];
extern const size_t tkm_embedded_models_size;
#endif

/* ---- arena: every string and array of a table, freed at once ---- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    /* data follows, max-aligned */
} arena_block;

#define ARENA_ALIGN 16u
#define ARENA_HDR ((sizeof(arena_block) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)

typedef struct entry {
    tkm_model m;
    bool is_template;
    unsigned layer;        /* the text that last defined this section */
    const char *source_ref; /* `source = ID`, resolved once everything is parsed */
    size_t source_line;
    size_t aliases_line;    /* where `aliases =` was given, for the uniqueness check */
} entry;

typedef struct source {
    const char *id, *url, *as_of, *verified;
} source;

typedef struct text_ref {
    const char *text;
    size_t len;
} text_ref;

struct tkm_model_table {
    tkm_allocator alloc;
    bool has_alloc;
    arena_block *arena;
    entry *entries;
    size_t n_entries, cap_entries;
    source *sources;
    size_t n_sources, cap_sources;
    text_ref *texts;
    size_t n_texts;
    const char *version;
    const tkm_model **models; /* non-template entries in table order */
    size_t n_models;
};

static const tkm_allocator *tab_alloc(const tkm_model_table *t)
{
    return t->has_alloc ? &t->alloc : NULL;
}

static void *arena_get(tkm_model_table *t, size_t size)
{
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    arena_block *b = t->arena;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 16384 ? size : 16384;
        b = tkm_acct_alloc(tab_alloc(t), ARENA_HDR + cap);
        if (!b)
            return NULL;
        b->next = t->arena;
        b->used = 0;
        b->cap = cap;
        t->arena = b;
    }
    void *p = (char *)b + ARENA_HDR + b->used;
    b->used += size;
    return p;
}

static char *arena_strndup(tkm_model_table *t, const char *s, size_t n)
{
    char *p = arena_get(t, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Grow an array by doubling; no realloc in tkm_allocator, so copy by hand. */
static tkm_status grow(tkm_model_table *t, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return TKM_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem)
        return TKM_ERR_NOMEM;
    void *n = tkm_acct_alloc(tab_alloc(t), ncap * elem);
    if (!n)
        return TKM_ERR_NOMEM;
    if (*arr) {
        memcpy(n, *arr, *cap * elem);
        tkm_acct_free(tab_alloc(t), *arr);
    }
    *arr = n;
    *cap = ncap;
    return TKM_OK;
}

/* ---- the parser ---- */

typedef struct parser {
    tkm_model_table *t;
    const char *text;
    size_t len;
    unsigned layer;
    size_t line;
    size_t line_off;
    tkm_error_detail *detail;
    enum { SEC_NONE, SEC_SOURCE, SEC_MODEL } sec;
    size_t cur;      /* index of the current entry or source */
    size_t n_keys;   /* keys seen in the current section */
} parser;

#define PFAIL(p, ...) tkm_acct_fail((p)->detail, TKM_ERR_TABLE_PARSE, (p)->line, (p)->line_off, __VA_ARGS__)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Next whitespace-separated word of (*s, *n); false when none is left. */
static bool next_word(const char **s, size_t *n, const char **w, size_t *wn)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    if (!*n)
        return false;
    *w = *s;
    while (*n && !is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    *wn = (size_t)(*s - *w);
    return true;
}

static bool is_unknown(const char *v, size_t n)
{
    return n == 1 && v[0] == '?';
}

/* "123" -> 123; "?" -> 0 (unknown). */
static tkm_status parse_u64(parser *p, const char *v, size_t n, uint64_t *out, const char *key)
{
    if (is_unknown(v, n)) {
        *out = 0;
        return TKM_OK;
    }
    uint64_t x = 0;
    if (n == 0)
        return PFAIL(p, "%s: expected a number", key);
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return PFAIL(p, "%s: '%.*s' is not a whole number", key, (int)n, v);
        unsigned d = (unsigned)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return PFAIL(p, "%s: number too large", key);
        x = x * 10 + d;
    }
    *out = x;
    return TKM_OK;
}

static tkm_status parse_i32(parser *p, const char *v, size_t n, int32_t *out, const char *key)
{
    bool neg = n && v[0] == '-';
    uint64_t x;
    tkm_status st = parse_u64(p, v + neg, n - neg, &x, key);
    if (st != TKM_OK)
        return st;
    if (is_unknown(v, n) || x > INT32_MAX)
        return PFAIL(p, "%s: '%.*s' is not a small integer", key, (int)n, v);
    *out = neg ? -(int32_t)x : (int32_t)x;
    return TKM_OK;
}

/* An exact decimal with at most `decimals` fraction digits, scaled by
 * 10^decimals: "2.50" with 9 -> 2500000000. "?" -> TKM_PRICE_UNKNOWN. */
static tkm_status parse_decimal(parser *p, const char *v, size_t n, unsigned decimals,
                                int64_t *out, const char *key)
{
    if (is_unknown(v, n)) {
        *out = TKM_PRICE_UNKNOWN;
        return TKM_OK;
    }
    uint64_t x = 0;
    unsigned frac = 0;
    bool dot = false, digits = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (v[i] < '0' || v[i] > '9')
            return PFAIL(p, "%s: '%.*s' is not a decimal", key, (int)n, v);
        if (dot && ++frac > decimals)
            return PFAIL(p, "%s: more than %u decimals", key, decimals);
        unsigned d = (unsigned)(v[i] - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10)
            return PFAIL(p, "%s: value too large", key);
        x = x * 10 + d;
        digits = true;
    }
    if (!digits)
        return PFAIL(p, "%s: expected a decimal", key);
    for (; frac < decimals; frac++) {
        if (x > (uint64_t)INT64_MAX / 10)
            return PFAIL(p, "%s: value too large", key);
        x *= 10;
    }
    *out = (int64_t)x;
    return TKM_OK;
}

/* USD -> nano-dollars (9 decimals). */
static tkm_status parse_price(parser *p, const char *v, size_t n, tkm_nanousd *out, const char *key)
{
    return parse_decimal(p, v, n, 9, out, key);
}

static tkm_status parse_ints(parser *p, const char *v, size_t n, int32_t *out, size_t count,
                             const char *key)
{
    const char *w;
    size_t wn;
    for (size_t i = 0; i < count; i++) {
        if (!next_word(&v, &n, &w, &wn))
            return PFAIL(p, "%s: expected %zu numbers", key, count);
        tkm_status st = parse_i32(p, w, wn, &out[i], key);
        if (st != TKM_OK)
            return st;
    }
    if (next_word(&v, &n, &w, &wn))
        return PFAIL(p, "%s: expected %zu numbers", key, count);
    return TKM_OK;
}

static tkm_status parse_image(parser *p, const char *v, size_t n, tkm_image_rules *img)
{
    const char *w;
    size_t wn;
    tkm_image_rules r;
    memset(&r, 0, sizeof r);
    if (!next_word(&v, &n, &w, &wn))
        return PFAIL(p, "image: expected tile, patch, none or ?");
    if (is_unknown(w, wn)) {
        r.family = TKM_IMAGE_UNKNOWN;
    } else if (tkm_acct_eq(w, wn, "none")) {
        r.family = TKM_IMAGE_NONE;
    } else if (tkm_acct_eq(w, wn, "tile")) {
        int32_t x[5];
        tkm_status st = parse_ints(p, v, n, x, 5, "image tile");
        if (st != TKM_OK)
            return st;
        for (int i = 0; i < 5; i++)
            if (x[i] <= 0)
                return PFAIL(p, "image tile: constants must be positive");
        r.family = TKM_IMAGE_TILE;
        r.base = (uint32_t)x[0];
        r.tile = (uint32_t)x[1];
        r.fit_px = (uint32_t)x[2];
        r.short_px = (uint32_t)x[3];
        r.tile_px = (uint32_t)x[4];
        n = 0;
    } else if (tkm_acct_eq(w, wn, "patch")) {
        int32_t x[2];
        int64_t mult;
        const char *mw;
        size_t mn;
        for (int i = 0; i < 2; i++) {
            if (!next_word(&v, &n, &mw, &mn))
                return PFAIL(p, "image patch: PATCH_PX MAX_PATCHES MULTIPLIER");
            tkm_status st = parse_i32(p, mw, mn, &x[i], "image patch");
            if (st != TKM_OK)
                return st;
            if (x[i] <= 0)
                return PFAIL(p, "image patch: constants must be positive");
        }
        if (!next_word(&v, &n, &mw, &mn))
            return PFAIL(p, "image patch: PATCH_PX MAX_PATCHES MULTIPLIER");
        tkm_status st = parse_decimal(p, mw, mn, 3, &mult, "image patch multiplier");
        if (st != TKM_OK)
            return st;
        if (mult == TKM_PRICE_UNKNOWN || mult <= 0 || mult > UINT32_MAX)
            return PFAIL(p, "image patch: bad multiplier");
        r.family = TKM_IMAGE_PATCH;
        r.patch_px = (uint32_t)x[0];
        r.max_patches = (uint32_t)x[1];
        r.multiplier_milli = (uint32_t)mult;
    } else {
        return PFAIL(p, "image: unknown family '%.*s'", (int)wn, w);
    }
    if (next_word(&v, &n, &w, &wn))
        return PFAIL(p, "image: unexpected '%.*s'", (int)wn, w);
    *img = r;
    return TKM_OK;
}

static tkm_status parse_aliases(parser *p, const char *v, size_t n, tkm_model *m)
{
    const char *s = v, *w;
    size_t sn = n, wn, count = 0;
    while (next_word(&s, &sn, &w, &wn))
        count++;
    const char **arr = arena_get(p->t, (count ? count : 1) * sizeof *arr);
    if (!arr)
        return TKM_ERR_NOMEM;
    s = v;
    sn = n;
    for (size_t i = 0; next_word(&s, &sn, &w, &wn); i++)
        if (!(arr[i] = arena_strndup(p->t, w, wn)))
            return TKM_ERR_NOMEM;
    m->aliases = arr;
    m->n_aliases = count;
    return TKM_OK;
}

/* image_price = QUALITY WxH USD [, QUALITY WxH USD ...] */
static tkm_status parse_image_prices(parser *p, const char *v, size_t n, tkm_model *m)
{
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += v[i] == ',';
    tkm_image_price *arr = arena_get(p->t, count * sizeof *arr);
    if (!arr)
        return TKM_ERR_NOMEM;
    size_t k = 0;
    while (n) {
        const char *item = v;
        size_t in = 0;
        while (in < n && v[in] != ',')
            in++;
        v += in;
        n -= in;
        if (n) {
            v++;
            n--;
        }
        const char *q, *sz, *pr, *extra;
        size_t qn, szn, prn, en;
        if (!next_word(&item, &in, &q, &qn) || !next_word(&item, &in, &sz, &szn) ||
            !next_word(&item, &in, &pr, &prn) || next_word(&item, &in, &extra, &en))
            return PFAIL(p, "image_price: expected QUALITY WxH USD");
        const char *x = memchr(sz, 'x', szn);
        uint64_t wpx, hpx;
        if (!x)
            return PFAIL(p, "image_price: size must be WxH");
        tkm_status st = parse_u64(p, sz, (size_t)(x - sz), &wpx, "image_price width");
        if (st == TKM_OK)
            st = parse_u64(p, x + 1, szn - (size_t)(x - sz) - 1, &hpx, "image_price height");
        if (st != TKM_OK)
            return st;
        if (wpx == 0 || hpx == 0 || wpx > UINT32_MAX || hpx > UINT32_MAX)
            return PFAIL(p, "image_price: bad size");
        arr[k].width = (uint32_t)wpx;
        arr[k].height = (uint32_t)hpx;
        if (!(arr[k].quality = arena_strndup(p->t, q, qn)))
            return TKM_ERR_NOMEM;
        st = parse_price(p, pr, prn, &arr[k].price, "image_price");
        if (st != TKM_OK)
            return st;
        k++;
    }
    m->image_prices = arr;
    m->n_image_prices = k;
    return TKM_OK;
}

static tkm_status parse_rate(parser *p, const char *v, size_t n, tkm_model *m)
{
    const char *w;
    size_t wn;
    size_t tier;
    if (!next_word(&v, &n, &w, &wn))
        return PFAIL(p, "rate: TIER RPM TPM RPD");
    if (tkm_acct_eq(w, wn, "free"))
        tier = 0;
    else if (wn == 1 && w[0] >= '1' && w[0] <= '5')
        tier = (size_t)(w[0] - '0');
    else
        return PFAIL(p, "rate: tier must be free or 1..5");
    uint64_t x[3];
    for (int i = 0; i < 3; i++) {
        if (!next_word(&v, &n, &w, &wn))
            return PFAIL(p, "rate: TIER RPM TPM RPD");
        tkm_status st = parse_u64(p, w, wn, &x[i], "rate");
        if (st != TKM_OK)
            return st;
    }
    if (next_word(&v, &n, &w, &wn))
        return PFAIL(p, "rate: TIER RPM TPM RPD");
    m->rate[tier].rpm = x[0];
    m->rate[tier].tpm = x[1];
    m->rate[tier].rpd = x[2];
    return TKM_OK;
}

static void model_defaults(tkm_model *m)
{
    memset(m, 0, sizeof *m);
    tkm_price_set unknown = {TKM_PRICE_UNKNOWN, TKM_PRICE_UNKNOWN, TKM_PRICE_UNKNOWN};
    m->standard = m->batch = m->flex = m->priority = m->long_context = unknown;
    m->image_input = m->image_output = TKM_PRICE_UNKNOWN;
    m->per_minute = m->per_million_chars = TKM_PRICE_UNKNOWN;
}

/* The entry named (or aliased) name, or SIZE_MAX. Templates are found too. */
static size_t find_entry(const tkm_model_table *t, const char *name, size_t n)
{
    for (size_t i = 0; i < t->n_entries; i++) {
        const tkm_model *m = &t->entries[i].m;
        if (tkm_acct_eq(name, n, m->name))
            return i;
        for (size_t a = 0; a < m->n_aliases; a++)
            if (tkm_acct_eq(name, n, m->aliases[a]))
                return i;
    }
    return SIZE_MAX;
}

typedef struct price_key {
    const char *key;
    size_t set;   /* 0 standard, 1 batch, 2 flex, 3 priority, 4 long */
    size_t field; /* 0 input, 1 cached_input, 2 output */
} price_key;

static const price_key price_keys[] = {
    {"input", 0, 0},          {"cached_input", 0, 1},          {"output", 0, 2},
    {"batch_input", 1, 0},    {"batch_cached_input", 1, 1},    {"batch_output", 1, 2},
    {"flex_input", 2, 0},     {"flex_cached_input", 2, 1},     {"flex_output", 2, 2},
    {"priority_input", 3, 0}, {"priority_cached_input", 3, 1}, {"priority_output", 3, 2},
    {"long_input", 4, 0},     {"long_cached_input", 4, 1},     {"long_output", 4, 2},
};

static tkm_nanousd *price_field(tkm_model *m, size_t set, size_t field)
{
    tkm_price_set *s = set == 0 ? &m->standard
                     : set == 1 ? &m->batch
                     : set == 2 ? &m->flex
                     : set == 3 ? &m->priority
                                : &m->long_context;
    return field == 0 ? &s->input : field == 1 ? &s->cached_input : &s->output;
}

static tkm_status model_key(parser *p, entry *e, const char *k, size_t kn, const char *v, size_t vn)
{
    tkm_model *m = &e->m;
    char key[32];
    if (kn >= sizeof key)
        return PFAIL(p, "unknown key '%.*s'", (int)kn, k);
    memcpy(key, k, kn);
    key[kn] = '\0';

    if (!strcmp(key, "base")) {
        if (p->n_keys != 1)
            return PFAIL(p, "'base' must be the first key of a section");
        size_t b = find_entry(p->t, v, vn);
        if (b == SIZE_MAX || &p->t->entries[b] == e)
            return PFAIL(p, "base '%.*s' is not defined earlier", (int)vn, v);
        const char *name = m->name;
        const char *const *aliases = m->aliases;
        size_t n_aliases = m->n_aliases;
        bool tmpl = e->is_template;
        *e = p->t->entries[b];
        e->m.name = name;
        e->m.aliases = aliases;
        e->m.n_aliases = n_aliases;
        e->is_template = tmpl;
        e->layer = p->layer;
        return TKM_OK;
    }
    for (size_t i = 0; i < sizeof price_keys / sizeof price_keys[0]; i++)
        if (!strcmp(key, price_keys[i].key))
            return parse_price(p, v, vn, price_field(m, price_keys[i].set, price_keys[i].field), key);
    if (!strcmp(key, "image_input"))
        return parse_price(p, v, vn, &m->image_input, key);
    if (!strcmp(key, "image_output"))
        return parse_price(p, v, vn, &m->image_output, key);
    if (!strcmp(key, "minute"))
        return parse_price(p, v, vn, &m->per_minute, key);
    if (!strcmp(key, "chars"))
        return parse_price(p, v, vn, &m->per_million_chars, key);
    if (!strcmp(key, "context"))
        return parse_u64(p, v, vn, &m->context_window, key);
    if (!strcmp(key, "max_input"))
        return parse_u64(p, v, vn, &m->max_input, key);
    if (!strcmp(key, "max_output"))
        return parse_u64(p, v, vn, &m->max_output, key);
    if (!strcmp(key, "long_threshold"))
        return parse_u64(p, v, vn, &m->long_threshold, key);
    if (!strcmp(key, "aliases")) {
        e->aliases_line = p->line;
        return parse_aliases(p, v, vn, m);
    }
    if (!strcmp(key, "kind")) {
        static const char *const kinds[] = {"?", "chat", "completion", "embedding",
                                            "image", "transcription", "speech"};
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (tkm_acct_eq(v, vn, kinds[i])) {
                m->kind = (tkm_model_kind)i;
                return TKM_OK;
            }
        return PFAIL(p, "kind: unknown kind '%.*s'", (int)vn, v);
    }
    if (!strcmp(key, "format")) {
        static const char *const formats[] = {"?", "none", "chatml", "harmony"};
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
            if (tkm_acct_eq(v, vn, formats[i])) {
                m->chat.format = (tkm_chat_format)i;
                return TKM_OK;
            }
        return PFAIL(p, "format: unknown format '%.*s'", (int)vn, v);
    }
    if (!strcmp(key, "encoding")) {
        if (is_unknown(v, vn)) {
            m->encoding = NULL;
            return TKM_OK;
        }
        return (m->encoding = arena_strndup(p->t, v, vn)) ? TKM_OK : TKM_ERR_NOMEM;
    }
    if (!strcmp(key, "message")) {
        int32_t x[3];
        if (is_unknown(v, vn)) {
            m->chat.message_known = false;
            return TKM_OK;
        }
        tkm_status st = parse_ints(p, v, vn, x, 3, key);
        if (st != TKM_OK)
            return st;
        m->chat.message_known = true;
        m->chat.per_message = x[0];
        m->chat.per_name = x[1];
        m->chat.reply = x[2];
        return TKM_OK;
    }
    if (!strcmp(key, "tool_call")) {
        if (is_unknown(v, vn)) {
            m->chat.tool_call_known = false;
            return TKM_OK;
        }
        m->chat.tool_call_known = true;
        return parse_i32(p, v, vn, &m->chat.per_tool_call, key);
    }
    if (!strcmp(key, "tools")) {
        int32_t x[6];
        if (is_unknown(v, vn)) {
            m->chat.tools_known = false;
            return TKM_OK;
        }
        tkm_status st = parse_ints(p, v, vn, x, 6, key);
        if (st != TKM_OK)
            return st;
        m->chat.tools_known = true;
        m->chat.func_init = x[0];
        m->chat.prop_init = x[1];
        m->chat.prop_key = x[2];
        m->chat.enum_init = x[3];
        m->chat.enum_item = x[4];
        m->chat.func_end = x[5];
        return TKM_OK;
    }
    if (!strcmp(key, "image"))
        return parse_image(p, v, vn, &m->image);
    if (!strcmp(key, "image_price"))
        return parse_image_prices(p, v, vn, m);
    if (!strcmp(key, "rate"))
        return parse_rate(p, v, vn, m);
    if (!strcmp(key, "source")) {
        e->source_line = p->line;
        return (e->source_ref = arena_strndup(p->t, v, vn)) ? TKM_OK : TKM_ERR_NOMEM;
    }
    if (!strcmp(key, "verified"))
        return (m->verified = arena_strndup(p->t, v, vn)) ? TKM_OK : TKM_ERR_NOMEM;
    return PFAIL(p, "unknown key '%s'", key);
}

static tkm_status source_key(parser *p, source *s, const char *k, size_t kn, const char *v, size_t vn)
{
    const char **dst;
    if (tkm_acct_eq(k, kn, "url"))
        dst = &s->url;
    else if (tkm_acct_eq(k, kn, "as_of"))
        dst = &s->as_of;
    else if (tkm_acct_eq(k, kn, "verified"))
        dst = &s->verified;
    else if (tkm_acct_eq(k, kn, "note"))
        return TKM_OK; /* notes are for humans */
    else
        return PFAIL(p, "unknown source key '%.*s'", (int)kn, k);
    return (*dst = arena_strndup(p->t, v, vn)) ? TKM_OK : TKM_ERR_NOMEM;
}

static tkm_status begin_section(parser *p, const char *s, size_t n)
{
    const char *kind, *name, *extra;
    size_t kn, nn, en;
    if (!next_word(&s, &n, &kind, &kn) || !next_word(&s, &n, &name, &nn) ||
        next_word(&s, &n, &extra, &en))
        return PFAIL(p, "section header must be [source|template|model NAME]");
    p->n_keys = 0;
    if (tkm_acct_eq(kind, kn, "source")) {
        for (size_t i = 0; i < p->t->n_sources; i++)
            if (tkm_acct_eq(name, nn, p->t->sources[i].id)) {
                p->sec = SEC_SOURCE;
                p->cur = i;
                return TKM_OK;
            }
        tkm_status st = grow(p->t, (void **)&p->t->sources, &p->t->cap_sources,
                             p->t->n_sources + 1, sizeof(source));
        if (st != TKM_OK)
            return st;
        source *src = &p->t->sources[p->t->n_sources];
        memset(src, 0, sizeof *src);
        if (!(src->id = arena_strndup(p->t, name, nn)))
            return TKM_ERR_NOMEM;
        p->sec = SEC_SOURCE;
        p->cur = p->t->n_sources++;
        return TKM_OK;
    }
    bool tmpl = tkm_acct_eq(kind, kn, "template");
    if (!tmpl && !tkm_acct_eq(kind, kn, "model"))
        return PFAIL(p, "unknown section kind '%.*s'", (int)kn, kind);
    size_t idx = find_entry(p->t, name, nn);
    if (idx != SIZE_MAX) {
        /* An earlier layer defined it: this section overrides what it states. */
        entry *e = &p->t->entries[idx];
        if (e->layer == p->layer)
            return PFAIL(p, "'%.*s' is defined twice", (int)nn, name);
        if (e->is_template != tmpl)
            return PFAIL(p, "'%.*s' is a %s elsewhere", (int)nn, name,
                         e->is_template ? "template" : "model");
        e->layer = p->layer;
        p->sec = SEC_MODEL;
        p->cur = idx;
        return TKM_OK;
    }
    tkm_status st = grow(p->t, (void **)&p->t->entries, &p->t->cap_entries, p->t->n_entries + 1,
                         sizeof(entry));
    if (st != TKM_OK)
        return st;
    entry *e = &p->t->entries[p->t->n_entries];
    memset(e, 0, sizeof *e);
    model_defaults(&e->m);
    e->is_template = tmpl;
    e->layer = p->layer;
    if (!(e->m.name = arena_strndup(p->t, name, nn)))
        return TKM_ERR_NOMEM;
    p->sec = SEC_MODEL;
    p->cur = p->t->n_entries++;
    return TKM_OK;
}

static tkm_status parse_text(tkm_model_table *t, const char *text, size_t len, unsigned layer,
                             tkm_error_detail *detail)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.t = t;
    p.text = text;
    p.len = len;
    p.layer = layer;
    p.detail = detail;
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        p.line++;
        p.line_off = pos;
        pos += n + (nl != NULL);
        trim(&line, &n);
        if (n == 0 || line[0] == '#')
            continue;
        if (memchr(line, '\0', n))
            return PFAIL(&p, "NUL byte in table text");
        tkm_status st;
        if (line[0] == '[') {
            if (line[n - 1] != ']')
                return PFAIL(&p, "section header must end with ']'");
            st = begin_section(&p, line + 1, n - 2);
            if (st != TKM_OK)
                return st;
            continue;
        }
        const char *eq = memchr(line, '=', n);
        if (!eq)
            return PFAIL(&p, "expected 'key = value'");
        const char *k = line, *v = eq + 1;
        size_t kn = (size_t)(eq - line), vn = n - kn - 1;
        trim(&k, &kn);
        trim(&v, &vn);
        if (kn == 0)
            return PFAIL(&p, "empty key");
        p.n_keys++;
        if (p.sec == SEC_NONE) {
            if (!tkm_acct_eq(k, kn, "version"))
                return PFAIL(&p, "only 'version' may precede the first section");
            if (!(t->version = arena_strndup(t, v, vn)))
                return TKM_ERR_NOMEM;
            st = TKM_OK;
        } else if (p.sec == SEC_SOURCE) {
            st = source_key(&p, &t->sources[p.cur], k, kn, v, vn);
        } else {
            st = model_key(&p, &t->entries[p.cur], k, kn, v, vn);
        }
        if (st != TKM_OK)
            return st;
    }
    return TKM_OK;
}

/* After all layers: resolve source references, check names are unique and
 * build the list of (non-template) models. */
static tkm_status finish(tkm_model_table *t, tkm_error_detail *detail)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_entries; i++) {
        entry *e = &t->entries[i];
        if (e->source_ref) {
            const source *s = NULL;
            for (size_t k = 0; k < t->n_sources; k++)
                if (!strcmp(t->sources[k].id, e->source_ref))
                    s = &t->sources[k];
            if (!s)
                return tkm_acct_fail(detail, TKM_ERR_TABLE_PARSE, e->source_line, SIZE_MAX,
                                     "%s: source '%s' is not defined", e->m.name, e->source_ref);
            e->m.source_id = s->id;
            e->m.source_url = s->url;
            e->m.source_as_of = s->as_of;
            if (!e->m.verified)
                e->m.verified = s->verified;
        }
        /* An alias may not name another entry. */
        for (size_t a = 0; a < e->m.n_aliases; a++) {
            size_t o = find_entry(t, e->m.aliases[a], strlen(e->m.aliases[a]));
            if (o != i)
                /* The line of `aliases =` (its offset may be in another
                 * layer's text, so none is given). */
                return tkm_acct_fail(detail, TKM_ERR_TABLE_PARSE, e->aliases_line, SIZE_MAX,
                                     "alias '%s' of %s is also %s",
                                     e->m.aliases[a], e->m.name,
                                     t->entries[o].m.name);
        }
        n += !e->is_template;
    }
    t->models = arena_get(t, (n ? n : 1) * sizeof *t->models);
    if (!t->models)
        return TKM_ERR_NOMEM;
    t->n_models = 0;
    for (size_t i = 0; i < t->n_entries; i++)
        if (!t->entries[i].is_template)
            t->models[t->n_models++] = &t->entries[i].m;
    if (!t->version)
        t->version = "";
    return TKM_OK;
}

void tkm_model_table_free(tkm_model_table *t)
{
    if (!t)
        return;
    tkm_allocator a = t->alloc;
    const tkm_allocator *ap = t->has_alloc ? &a : NULL;
    arena_block *b = t->arena;
    while (b) {
        arena_block *next = b->next;
        tkm_acct_free(ap, b);
        b = next;
    }
    tkm_acct_free(ap, t->entries);
    tkm_acct_free(ap, t->sources);
    tkm_acct_free(ap, t->texts);
    tkm_acct_free(ap, t);
}

tkm_status tkm_model_table_load(const char *text, size_t len, const tkm_model_table *base,
                                const tkm_allocator *alloc, tkm_model_table **out,
                                tkm_error_detail *detail)
{
    if (!out || (!text && len) || (alloc && (!alloc->malloc_fn || !alloc->free_fn)))
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_model_table *t = tkm_acct_alloc(alloc, sizeof *t);
    if (!t)
        return TKM_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    if (alloc) {
        t->alloc = *alloc;
        t->has_alloc = true;
    }
    size_t n_base = base ? base->n_texts : 0;
    tkm_status st = TKM_OK;
    t->texts = tkm_acct_alloc(alloc, (n_base + 1) * sizeof *t->texts);
    if (!t->texts)
        st = TKM_ERR_NOMEM;
    for (size_t i = 0; st == TKM_OK && i < n_base; i++) {
        /* The base's texts live in the base's arena: copy them into ours. */
        char *c = arena_strndup(t, base->texts[i].text, base->texts[i].len);
        if (!c) {
            st = TKM_ERR_NOMEM;
            break;
        }
        t->texts[t->n_texts].text = c;
        t->texts[t->n_texts++].len = base->texts[i].len;
        st = parse_text(t, c, base->texts[i].len, (unsigned)i + 1, detail);
    }
    if (st == TKM_OK) {
        char *c = arena_strndup(t, text ? text : "", len);
        if (!c) {
            st = TKM_ERR_NOMEM;
        } else {
            t->texts[t->n_texts].text = c;
            t->texts[t->n_texts++].len = len;
            st = parse_text(t, c, len, (unsigned)n_base + 1, detail);
        }
    }
    if (st == TKM_OK)
        st = finish(t, detail);
    if (st != TKM_OK) {
        if (st == TKM_ERR_NOMEM)
            tkm_acct_fail(detail, st, 0, SIZE_MAX, "out of memory loading the model table");
        tkm_model_table_free(t);
        return st;
    }
    *out = t;
    return TKM_OK;
}

tkm_status tkm_model_table_load_builtin(const tkm_allocator *alloc, tkm_model_table **out,
                                        tkm_error_detail *detail)
{
    if (!out)
        return TKM_ERR_INVALID_ARGUMENT;
#if defined(TKM_EMBED_DATA)
    return tkm_model_table_load((const char *)tkm_embedded_models, tkm_embedded_models_size, NULL,
                                alloc, out, detail);
#else
    (void)alloc;
    return tkm_acct_fail(detail, TKM_ERR_IO, 0, SIZE_MAX,
                         "built without TKM_EMBED_DATA: load data/models.tkm with "
                         "tkm_model_table_load_file()");
#endif
}

tkm_status tkm_model_table_load_file(const char *path, const tkm_model_table *base,
                                     const tkm_allocator *alloc, tkm_model_table **out,
                                     tkm_error_detail *detail)
{
    if (!path || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tkm_acct_fail(detail, TKM_ERR_IO, 0, SIZE_MAX, "cannot open %s", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    tkm_status st = TKM_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = tkm_acct_alloc(alloc, ncap);
            if (!nb) {
                st = TKM_ERR_NOMEM;
                break;
            }
            if (buf)
                memcpy(nb, buf, len);
            tkm_acct_free(alloc, buf);
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = tkm_acct_fail(detail, TKM_ERR_IO, 0, SIZE_MAX, "cannot read %s", path);
            break;
        }
    }
    fclose(f);
    if (st == TKM_OK)
        st = tkm_model_table_load(buf, len, base, alloc, out, detail);
    tkm_acct_free(alloc, buf);
    return st;
}

const char *tkm_model_table_version(const tkm_model_table *t)
{
    return t ? t->version : "";
}

size_t tkm_model_table_count(const tkm_model_table *t)
{
    return t ? t->n_models : 0;
}

const tkm_model *tkm_model_table_at(const tkm_model_table *t, size_t i)
{
    return t && i < t->n_models ? t->models[i] : NULL;
}

/* A model (not a template) by exact id or alias. */
static const tkm_model *find_model(const tkm_model_table *t, const char *name, size_t n,
                                   tkm_model_match *how)
{
    size_t i = find_entry(t, name, n);
    if (i == SIZE_MAX || t->entries[i].is_template)
        return NULL;
    *how = tkm_acct_eq(name, n, t->entries[i].m.name) ? TKM_MATCH_EXACT : TKM_MATCH_ALIAS;
    return &t->entries[i].m;
}

/* Length of name without a trailing -YYYY-MM-DD, or n when there is none. */
static size_t strip_date(const char *s, size_t n)
{
    static const char pat[] = "-dddd-dd-dd";
    size_t pn = sizeof pat - 1;
    if (n <= pn)
        return n;
    const char *d = s + n - pn;
    for (size_t i = 0; i < pn; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)d[i]) : d[i] != '-')
            return n;
    return n - pn;
}

static const tkm_model *resolve(const tkm_model_table *t, const char *name, size_t n,
                                tkm_model_match *how)
{
    const tkm_model *m = find_model(t, name, n, how);
    if (m)
        return m;
    size_t sn = strip_date(name, n);
    if (sn != n && (m = find_model(t, name, sn, how))) {
        *how = TKM_MATCH_SNAPSHOT;
        return m;
    }
    return NULL;
}

tkm_status tkm_model_table_find(const tkm_model_table *t, const char *name, size_t name_len,
                                const tkm_model **out, tkm_model_match *how)
{
    tkm_model_match h = TKM_MATCH_EXACT;
    if (!t || !out || (!name && name_len))
        return TKM_ERR_INVALID_ARGUMENT;
    const tkm_model *m = resolve(t, name, name_len, &h);
    if (!m && name_len > 3 && memcmp(name, "ft:", 3) == 0) {
        /* Fine-tuned ids are ft:BASE:org:suffix:id (OpenAI fine-tuning guide).
         * Prefer a priced "ft:BASE" entry, else BASE's rules and limits. */
        const char *base = name + 3;
        const char *colon = memchr(base, ':', name_len - 3);
        size_t bn = colon ? (size_t)(colon - base) : name_len - 3;
        if (bn > 0) {
            if ((m = resolve(t, name, bn + 3, &h)))
                h = TKM_MATCH_FINE_TUNE;
            else if ((m = resolve(t, base, bn, &h)))
                h = TKM_MATCH_FINE_TUNE_BASE;
        }
    }
    if (!m)
        return TKM_ERR_UNKNOWN_MODEL;
    *out = m;
    if (how)
        *how = h;
    return TKM_OK;
}

tkm_status tkm_model_encoding_load(const tkm_model *model, const tkm_allocator *alloc,
                                   tkm_encoding **out)
{
    if (!model || !out)
        return TKM_ERR_INVALID_ARGUMENT;
    if (!model->encoding)
        return TKM_ERR_NO_RULES;
    return tkm_encoding_load_builtin(model->encoding, alloc, out);
}
