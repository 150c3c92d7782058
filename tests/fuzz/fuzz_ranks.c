/* fuzz_ranks.c — the rank-file loader on arbitrary bytes.
 *
 * The input is rank data ("base64(token) rank" lines). Loading it with
 * tkm_encoding_load() must return TKM_OK or an error with a detail whose
 * status is the returned one and whose message is not empty, and never
 * crash, leak or hang. Three loads of the same data are compared:
 *  A: a simple custom pattern, no special tokens: TKM_OK, TKM_ERR_RANK_PARSE
 *     or TKM_ERR_RANK_DUPLICATE only, the detail line matching the offset;
 *  B: the built-in r50k pattern (the exact-Unicode translation), two special
 *     tokens with ids 1000000 and 1000001 and explicit_n_vocab 1000002: the
 *     same error as A when A fails; when A loads, TKM_ERR_SPECIAL_TOKEN iff a
 *     rank uses one of those ids, else TKM_ERR_VOCAB_SIZE iff the largest
 *     rank is above 1000001, else TKM_OK;
 *  C: (when A loads and rank 0 exists) a special token with id 0 must give
 *     TKM_ERR_SPECIAL_TOKEN;
 *  D: (when A loads) a special token whose text is the largest-rank token's
 *     bytes: loaded, a valid UTF-8 text must encode (strict, replace and
 *     lossless, specials allowed) to ids that decode to exactly that text.
 * When A loads: token_bytes/token_id agree for the low ids and the largest;
 * a fixed text (and a prefix of the input) encode losslessly and round-trip
 * when every single byte is a token, else may fail with
 * TKM_ERR_UNENCODABLE at a byte that is indeed no token.
 */
#include "fuzz_common.h"

static const char SIMPLE_PATTERN[] = "[A-Za-z]+|[0-9]+| ?[^A-Za-z0-9\\s]+|\\s+";
static char *builtin_pattern; /* r50k_base's */

static const char FIXED_TEXT[] =
    "Hello, world! 123 <|endoftext|> caf\xc3\xa9 \xff\xfe\xed\xa0\x80 tabs\t\tand\nnewlines   "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaa <|x|>\x00\x01 end";

/* Valid UTF-8, for the strict modes. */
static const char VALID_TEXT[] = "Hello, world! 123 caf\xc3\xa9 \xe2\x82\xac \xe6\x97\xa5\xe6\x9c\xac "
                                 "\xf0\x9f\x98\x80 tabs\t\tand\nnewlines   <|x|> end";

#define BIG_ID 1000000u

static void init(void)
{
    if (builtin_pattern)
        return;
    tkm_encoding *r50k = fuzz_load_builtin("r50k_base");
    const char *p = tkm_encoding_pattern(r50k);
    builtin_pattern = fuzz_xmalloc(strlen(p) + 1);
    memcpy(builtin_pattern, p, strlen(p) + 1);
    tkm_encoding_free(r50k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init();
    return 0;
}

static tkm_status load(const uint8_t *data, size_t size, const char *pattern,
                       const tkm_special_token *sp, size_t n_sp, uint32_t n_vocab,
                       tkm_encoding **out, tkm_error_detail *d)
{
    tkm_encoding_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.ranks = size ? (const char *)data : "";
    spec.ranks_len = size;
    spec.pattern = pattern;
    spec.specials = sp;
    spec.n_specials = n_sp;
    spec.explicit_n_vocab = n_vocab;
    *out = NULL;
    tkm_status st = tkm_encoding_load(&spec, NULL, out, d);
    FUZZ_CHECK_STATUS_KNOWN(st);
    if (st == TKM_OK) {
        FUZZ_CHECK(*out != NULL, "TKM_OK but no encoding");
    } else {
        FUZZ_CHECK(*out == NULL, "%s but *out was set", tkm_strerror(st));
        FUZZ_CHECK(d->status == st, "returned %s, detail.status %d", tkm_strerror(st),
                   (int)d->status);
        FUZZ_CHECK(d->message[0] != '\0', "%s with an empty detail message", tkm_strerror(st));
        FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL,
                   "detail message not NUL-terminated");
    }
    return st;
}

static bool is_byte_token(const tkm_encoding *enc, uint8_t b)
{
    uint32_t id;
    return tkm_encoding_token_id(enc, (const char *)&b, 1, &id) == TKM_OK;
}

static void check_vocab(const tkm_encoding *enc)
{
    uint32_t n_vocab = tkm_encoding_n_vocab(enc);
    FUZZ_CHECK(n_vocab >= 1, "n_vocab %u", n_vocab);
    FUZZ_CHECK(tkm_encoding_n_ordinary(enc) >= 1 && tkm_encoding_n_ordinary(enc) <= n_vocab,
               "n_ordinary %zu, n_vocab %u", tkm_encoding_n_ordinary(enc), n_vocab);
    for (uint32_t id = 0; id < n_vocab && id < 4096; id++) {
        const char *b = NULL;
        size_t len = 0;
        tkm_status st = tkm_encoding_token_bytes(enc, id, &b, &len);
        if (st == TKM_ERR_INVALID_TOKEN)
            continue;
        FUZZ_CHECK(st == TKM_OK, "token_bytes(%u): %s", id, tkm_strerror(st));
        FUZZ_CHECK(len > 0, "token %u is empty", id);
        uint32_t back = UINT32_MAX;
        st = tkm_encoding_token_id(enc, b, len, &back);
        FUZZ_CHECK(st == TKM_OK && back == id, "token_id(token_bytes(%u)) = %s %u", id,
                   tkm_strerror(st), back);
    }
    /* The largest rank defines n_vocab, so it exists. */
    const char *b = NULL;
    size_t len = 0;
    FUZZ_CHECK(tkm_encoding_token_bytes(enc, n_vocab - 1, &b, &len) == TKM_OK,
               "the largest id %u is no token", n_vocab - 1);
    FUZZ_CHECK(tkm_encoding_token_bytes(enc, n_vocab, &b, &len) == TKM_ERR_INVALID_TOKEN,
               "id n_vocab=%u is a token", n_vocab);
}

/* Encode text losslessly; OK must round-trip, UNENCODABLE must point at a
 * byte that is no token (and needs a vocabulary without all 256 bytes). */
static void check_encode(const tkm_encoding *enc, const uint8_t *text, size_t len, bool all256,
                         unsigned flags, const char *what)
{
    uint32_t *ids;
    size_t n;
    tkm_error_detail d;
    tkm_status st = fuzz_encode(enc, text, len, flags, &ids, &n, &d);
    FUZZ_CHECK_STATUS_KNOWN(st);
    if (st == TKM_OK) {
        FUZZ_CHECK(n <= len, "%s: %zu ids for %zu bytes", what, n, len);
        char *buf = fuzz_xmalloc(len + 1);
        size_t got = 0;
        tkm_status ds = tkm_decode(enc, ids, n, buf, len, &got, &d);
        FUZZ_CHECK(ds == TKM_OK && got == len && memcmp(buf, text, len) == 0,
                   "%s: round trip failed: %s, %zu of %zu bytes", what, tkm_strerror(ds), got,
                   len);
        free(buf);
    } else {
        FUZZ_CHECK(st == TKM_ERR_UNENCODABLE, "%s: %s (%s)", what, tkm_strerror(st), d.message);
        FUZZ_CHECK(!all256, "%s: unencodable although every byte is a token (%s)", what,
                   d.message);
        FUZZ_CHECK(d.offset < len && !is_byte_token(enc, text[d.offset]),
                   "%s: unencodable at offset %zu (of %zu), byte 0x%02x is a token", what,
                   d.offset, len, d.offset < len ? text[d.offset] : 0u);
        FUZZ_CHECK(d.message[0] != '\0', "%s: empty message", what);
    }
    free(ids);
}

/* Load D: the same ranks plus one special token whose text is the bytes of
 * the largest-rank token (so the input controls it, e.g. a lone continuation
 * byte), with the next free id. Either the loader refuses the text
 * (TKM_ERR_SPECIAL_TOKEN, only acceptable for text that is not valid
 * UTF-8: tiktoken's specials are str) or every mode must encode a valid
 * UTF-8 text so that the ids stand for exactly that text. */
static void check_special_from_vocab(const uint8_t *data, size_t size, const tkm_encoding *a)
{
    uint32_t n_vocab = tkm_encoding_n_vocab(a);
    const char *text = NULL;
    size_t len = 0;
    if (n_vocab >= UINT32_MAX - 1 ||
        tkm_encoding_token_bytes(a, n_vocab - 1, &text, &len) != TKM_OK || len > 64)
        return;
    tkm_special_token sp[1] = {{text, len, n_vocab}};
    tkm_encoding *e = NULL;
    tkm_error_detail d;
    tkm_status st = load(data, size, SIMPLE_PATTERN, sp, 1, 0, &e, &d);
    bool valid = fuzz_utf8_first_invalid((const uint8_t *)text, len) == len;
    FUZZ_CHECK(st == TKM_OK || (st == TKM_ERR_SPECIAL_TOKEN && !valid),
               "load D (special = bytes of rank %u, %zu bytes): %s (%s)", n_vocab - 1, len,
               tkm_strerror(st), d.message);
    if (st != TKM_OK)
        return;
    static const unsigned FLAGS[] = {
        TKM_ENCODE_ALLOW_ALL_SPECIAL,
        TKM_ENCODE_ALLOW_ALL_SPECIAL | TKM_ENCODE_REPLACE_INVALID,
        TKM_ENCODE_ALLOW_ALL_SPECIAL | TKM_ENCODE_LOSSLESS,
    };
    const uint8_t *t = (const uint8_t *)VALID_TEXT;
    size_t tl = sizeof VALID_TEXT - 1;
    for (size_t f = 0; f < sizeof FLAGS / sizeof FLAGS[0]; f++) {
        uint32_t *ids;
        size_t n;
        st = fuzz_encode(e, t, tl, FLAGS[f], &ids, &n, &d);
        FUZZ_CHECK_STATUS_KNOWN(st);
        FUZZ_CHECK(st == TKM_OK || st == TKM_ERR_UNENCODABLE,
                   "D: encode with flags 0x%x: %s (%s)", FLAGS[f], tkm_strerror(st), d.message);
        if (st == TKM_OK) {
            /* One special, its own id: decoding gives the text back. */
            char *buf = fuzz_xmalloc(tl + 1);
            size_t got = 0;
            st = tkm_decode(e, ids, n, buf, tl, &got, &d);
            FUZZ_CHECK(st == TKM_OK && got == tl && memcmp(buf, t, tl) == 0,
                       "D (special text of %zu bytes%s): flags 0x%x: %zu ids decode to %zu "
                       "bytes (%s), not the %zu-byte text",
                       len, valid ? "" : ", not valid UTF-8", FLAGS[f], n, got, tkm_strerror(st),
                       tl);
            free(buf);
        }
        free(ids);
    }
    tkm_encoding_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    tkm_encoding *a = NULL, *b = NULL, *c = NULL;
    tkm_error_detail da, db, dc;

    tkm_status sa = load(data, size, SIMPLE_PATTERN, NULL, 0, 0, &a, &da);
    FUZZ_CHECK(sa == TKM_OK || sa == TKM_ERR_RANK_PARSE || sa == TKM_ERR_RANK_DUPLICATE,
               "load A: %s (%s)", tkm_strerror(sa), da.message);
    if (sa != TKM_OK) {
        /* Rank data with no token line at all ("no tokens") has no place to
         * point at: line 0 and offset SIZE_MAX. Every other error is at a
         * real line and offset. */
        bool has_token_line = false;
        for (size_t i = 0; i < size && !has_token_line; i++)
            has_token_line = data[i] != '\n' && data[i] != '\r';
        if (has_token_line || da.line != 0)
            FUZZ_CHECK(da.line >= 1 && da.offset <= size,
                       "load A: %s at line %zu, offset %zu of %zu", tkm_strerror(sa), da.line,
                       da.offset, size);
        else
            FUZZ_CHECK(da.offset == SIZE_MAX, "load A: no tokens but offset %zu", da.offset);
        if (has_token_line && da.offset < size) {
            size_t line = 1;
            for (size_t i = 0; i < da.offset && i < size; i++)
                line += data[i] == '\n';
            FUZZ_CHECK(line == da.line, "load A: %s says line %zu, but offset %zu is on line %zu",
                       tkm_strerror(sa), da.line, da.offset, line);
        }
    }

    static const tkm_special_token SPECIALS[] = {{"<|endoftext|>", 13, BIG_ID},
                                                 {"<|x|>", 5, BIG_ID + 1}};
    tkm_status sb = load(data, size, builtin_pattern, SPECIALS, 2, BIG_ID + 2, &b, &db);
    if (sa != TKM_OK) {
        FUZZ_CHECK(sb == sa && db.line == da.line && db.offset == da.offset,
                   "load B: %s at line %zu offset %zu, load A: %s at line %zu offset %zu",
                   tkm_strerror(sb), db.line, db.offset, tkm_strerror(sa), da.line, da.offset);
        return 0;
    }

    check_vocab(a);
    uint32_t n_vocab = tkm_encoding_n_vocab(a);
    const char *tb;
    size_t tl;
    tkm_status want_b = TKM_OK;
    if (tkm_encoding_token_bytes(a, BIG_ID, &tb, &tl) == TKM_OK ||
        tkm_encoding_token_bytes(a, BIG_ID + 1, &tb, &tl) == TKM_OK)
        want_b = TKM_ERR_SPECIAL_TOKEN;
    else if (n_vocab > BIG_ID + 2)
        want_b = TKM_ERR_VOCAB_SIZE;
    FUZZ_CHECK(sb == want_b, "load B: %s (%s), want %s (n_vocab of A %u)", tkm_strerror(sb),
               db.message, tkm_strerror(want_b), n_vocab);

    if (tkm_encoding_token_bytes(a, 0, &tb, &tl) == TKM_OK) {
        static const tkm_special_token ZERO[] = {{"<|endoftext|>", 13, 0}};
        tkm_status sc = load(data, size, SIMPLE_PATTERN, ZERO, 1, 0, &c, &dc);
        FUZZ_CHECK(sc == TKM_ERR_SPECIAL_TOKEN, "load C (special id 0 = rank 0): %s",
                   tkm_strerror(sc));
    }

    check_special_from_vocab(data, size, a);

    bool all256 = true;
    for (int i = 0; i < 256 && all256; i++)
        all256 = is_byte_token(a, (uint8_t)i);
    const uint8_t *fixed = (const uint8_t *)FIXED_TEXT;
    size_t fixed_len = sizeof FIXED_TEXT - 1;
    unsigned lossless = TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT;
    check_encode(a, fixed, fixed_len, all256, lossless, "A fixed text");
    check_encode(a, data, size < 4096 ? size : 4096, all256, lossless, "A input prefix");
    if (b) {
        check_encode(b, fixed, fixed_len, all256, lossless, "B fixed text");
        check_encode(b, fixed, fixed_len, all256,
                     TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL, "B fixed text, specials");
        /* The two specials are in the text, so default flags must refuse it. */
        uint32_t *ids;
        size_t n;
        tkm_status st = fuzz_encode(b, fixed, fixed_len, TKM_ENCODE_LOSSLESS, &ids, &n, &db);
        FUZZ_CHECK(st == TKM_ERR_DISALLOWED_SPECIAL && db.token == BIG_ID,
                   "B: disallowed special: %s token %u", tkm_strerror(st), db.token);
        free(ids);
    }
    tkm_encoding_free(a);
    tkm_encoding_free(b);
    tkm_encoding_free(c);
    return 0;
}
