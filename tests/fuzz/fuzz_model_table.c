/* fuzz_model_table.c — the model-table loader on arbitrary bytes.
 *
 * The input is model-table text (data/models.tkm's format). It is loaded
 * with tkm_model_table_load() on its own (base NULL) and, for one input in
 * four (by a hash of the input), layered on the built-in table. Each load must return TKM_OK, or an error whose detail
 * carries the same status and a non-empty, NUL-terminated message (with a
 * line number, and an offset within the text or SIZE_MAX, for
 * TKM_ERR_TABLE_PARSE), and never crash, leak or hang.
 * When a table loads: every model (tkm_model_table_count/at) has a name that
 * tkm_model_table_find() resolves (to a model of the table), the version is
 * not NULL, and tkm_cost_usage / tkm_cost_estimate_request / tkm_fit_check
 * / tkm_image_tokens / the per-unit prices, fed numbers derived from a hash
 * of the input (0, small, near the limits, UINT64_MAX), return one of their
 * documented statuses (TKM_ERR_OVERFLOW included) without tripping UBSan;
 * a successful cost has total == the sum of its line items.
 */
#include "fuzz_common.h"
#include "tokmeter_account.h"

static tkm_model_table *builtin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    tkm_error_detail d;
    tkm_status st = tkm_model_table_load_builtin(NULL, &builtin, &d);
    if (st != TKM_OK) {
        fprintf(stderr, "fuzz harness: cannot load the built-in model table: %s\n",
                tkm_strerror(st));
        abort();
    }
    return 0;
}


static uint64_t next(uint64_t *h)
{
    /* splitmix64 */
    uint64_t z = (*h += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number of an interesting size: 0, small, around 2^32, around the top. */
static uint64_t number(uint64_t *h)
{
    uint64_t r = next(h);
    switch (r & 7) {
    case 0: return 0;
    case 1: return (r >> 8) & 0xFF;
    case 2: return (r >> 8) & 0xFFFFF;
    case 3: return (uint64_t)UINT32_MAX + ((r >> 8) & 3) - 1;
    case 4: return UINT64_MAX - ((r >> 8) & 3);
    case 5: return (uint64_t)INT64_MAX + ((r >> 8) & 3) - 1;
    default: return r >> ((r >> 8) & 63);
    }
}

static void check_status(tkm_status st, const char *what, const tkm_status *allowed, size_t n)
{
    FUZZ_CHECK_ACCOUNT_STATUS(st);
    for (size_t i = 0; i < n; i++)
        if (st == allowed[i])
            return;
    FUZZ_CHECK(false, "%s: undocumented status %s", what, tkm_strerror(st));
}

static void exercise(const tkm_model_table *t, const tkm_model *m, uint64_t *h)
{
    static const tkm_status COST[] = {TKM_OK, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_PRICE_UNKNOWN,
                                      TKM_ERR_OVERFLOW};
    static const tkm_status EST[] = {TKM_OK, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_PRICE_UNKNOWN,
                                     TKM_ERR_OVERFLOW, TKM_ERR_NO_RULES};
    static const tkm_status FIT[] = {TKM_OK, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_NO_RULES};

    FUZZ_CHECK(m != NULL && m->name != NULL, "model without a name");
    const tkm_model *found = NULL;
    tkm_model_match how;
    tkm_status st = tkm_model_table_find(t, m->name, strlen(m->name), &found, &how);
    FUZZ_CHECK(st == TKM_OK && found != NULL, "find(\"%s\"): %s", m->name, tkm_strerror(st));
    for (size_t a = 0; a < m->n_aliases && a < 4; a++) {
        FUZZ_CHECK(m->aliases[a] != NULL, "model %s: alias %zu is NULL", m->name, a);
        st = tkm_model_table_find(t, m->aliases[a], strlen(m->aliases[a]), &found, &how);
        FUZZ_CHECK_ACCOUNT_STATUS(st);
        FUZZ_CHECK(st == TKM_OK || st == TKM_ERR_UNKNOWN_MODEL, "find alias: %s",
                   tkm_strerror(st));
    }

    for (int round = 0; round < 4; round++) {
        tkm_usage u;
        memset(&u, 0, sizeof u);
        u.prompt_tokens = number(h);
        u.cached_tokens = next(h) & 1 ? number(h) : u.prompt_tokens / 2;
        u.completion_tokens = number(h);
        u.reasoning_tokens = next(h) & 1 ? number(h) : u.completion_tokens / 3;
        u.image_input_tokens = next(h) & 3 ? 0 : number(h);
        u.image_output_tokens = next(h) & 3 ? 0 : number(h);
        u.tier = (tkm_service_tier)(next(h) % 5); /* 4: not a tier */
        tkm_cost c;
        st = tkm_cost_usage(m, &u, &c);
        check_status(st, "tkm_cost_usage", COST, sizeof COST / sizeof COST[0]);
        if (st == TKM_OK) {
            FUZZ_CHECK(c.input >= 0 && c.cached_input >= 0 && c.output >= 0 && c.images >= 0,
                       "negative line item");
            FUZZ_CHECK(c.total == c.input + c.cached_input + c.output + c.images,
                       "total is not the sum of the line items");
        }

        tkm_cost_estimate e;
        st = tkm_cost_estimate_request(m, number(h), number(h), u.tier, &e);
        check_status(st, "tkm_cost_estimate_request", EST, sizeof EST / sizeof EST[0]);
        if (st == TKM_OK)
            FUZZ_CHECK(e.total_min == e.prompt && e.total_max >= e.total_min,
                       "estimate: total_min %lld prompt %lld total_max %lld",
                       (long long)e.total_min, (long long)e.prompt, (long long)e.total_max);

        tkm_fit f;
        size_t prompt = (size_t)number(h), reserved = (size_t)number(h);
        st = tkm_fit_check(m, prompt, next(h) & 1, reserved, &f);
        check_status(st, "tkm_fit_check", FIT, sizeof FIT / sizeof FIT[0]);
        if (st == TKM_OK && f.fits)
            FUZZ_CHECK(f.prompt_tokens <= f.budget, "fits with %zu prompt tokens > budget %zu",
                       f.prompt_tokens, f.budget);

        size_t it = 0;
        st = tkm_image_tokens(m, (uint32_t)number(h), (uint32_t)number(h),
                              (tkm_image_detail)(next(h) % 4), &it);
        FUZZ_CHECK_ACCOUNT_STATUS(st);

        tkm_nanousd money;
        FUZZ_CHECK_ACCOUNT_STATUS(tkm_cost_audio(m, number(h), &money));
        FUZZ_CHECK_ACCOUNT_STATUS(tkm_cost_speech(m, number(h), &money));
        FUZZ_CHECK_ACCOUNT_STATUS(tkm_cost_embedding(m, number(h), u.tier, &money));
        for (size_t i = 0; i < m->n_image_prices && i < 2; i++) {
            const tkm_image_price *ip = &m->image_prices[i];
            FUZZ_CHECK(ip->quality != NULL, "image price without a quality");
            FUZZ_CHECK_ACCOUNT_STATUS(
                tkm_cost_images(m, ip->quality, ip->width, ip->height, number(h), &money));
        }
    }
}

static void load_and_check(const uint8_t *data, size_t size, const tkm_model_table *base,
                           uint64_t seed)
{
    tkm_model_table *t = NULL;
    tkm_error_detail d;
    memset(&d, 0, sizeof d);
    tkm_status st = tkm_model_table_load(size ? (const char *)data : "", size, base, NULL, &t, &d);
    FUZZ_CHECK_ACCOUNT_STATUS(st);
    if (st != TKM_OK) {
        FUZZ_CHECK(t == NULL, "%s but *out was set", tkm_strerror(st));
        FUZZ_CHECK(st == TKM_ERR_TABLE_PARSE || st == TKM_ERR_NOMEM ||
                       st == TKM_ERR_INVALID_ARGUMENT,
                   "undocumented status %s (%s)", tkm_strerror(st), d.message);
        FUZZ_CHECK(d.status == st, "returned %s, detail.status %d", tkm_strerror(st),
                   (int)d.status);
        FUZZ_CHECK(memchr(d.message, '\0', sizeof d.message) != NULL,
                   "detail message not NUL-terminated");
        FUZZ_CHECK(d.message[0] != '\0', "%s with an empty detail message", tkm_strerror(st));
        if (st == TKM_ERR_TABLE_PARSE)
            FUZZ_CHECK(d.line >= 1 && (d.offset <= size || d.offset == SIZE_MAX),
                       "parse error at line %zu, offset %zu (of %zu bytes): %s", d.line,
                       d.offset, size, d.message);
        return;
    }
    FUZZ_CHECK(t != NULL, "TKM_OK but no table");
    FUZZ_CHECK(tkm_model_table_version(t) != NULL, "NULL version");
    size_t n = tkm_model_table_count(t);
    if (base)
        FUZZ_CHECK(n >= tkm_model_table_count(base), "layered table lost models: %zu < %zu", n,
                   tkm_model_table_count(base));
    FUZZ_CHECK(tkm_model_table_at(t, n) == NULL, "at(count) is not NULL");
    uint64_t h = seed;
    /* Every model of a table of its own; with the built-in base, the models
     * the text adds or changes come after or among the base's, so look at a
     * sample of them (the base's own are the built-in table's). */
    size_t step = base ? 1 + n / 16 : 1;
    for (size_t i = 0; i < n; i += step)
        exercise(t, tkm_model_table_at(t, i), &h);
    if (base && n)
        exercise(t, tkm_model_table_at(t, n - 1), &h);
    /* A name taken from the input is looked up without crashing. */
    size_t nl = size < 40 ? size : 40;
    const tkm_model *m = NULL;
    st = tkm_model_table_find(t, nl ? (const char *)data : "", nl, &m, NULL);
    FUZZ_CHECK_ACCOUNT_STATUS(st);
    tkm_model_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!builtin)
        LLVMFuzzerInitialize(NULL, NULL);
    uint64_t seed = fuzz_hash(data, size);
    load_and_check(data, size, NULL, seed);
    /* Layering re-reads the ~1100-line built-in table: for one input in
     * four (chosen by its hash) only, to keep the fuzzer fast. */
    if (seed % 4 == 0)
        load_and_check(data, size, builtin, seed ^ 0x5555);
    return 0;
}
