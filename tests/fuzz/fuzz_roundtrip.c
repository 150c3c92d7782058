/* fuzz_roundtrip.c — decode(encode(x)) == x for any bytes x, in lossless mode.
 *
 * For every built-in encoding (loaded once):
 *  - TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT must succeed on any
 *    input, give at most tkm_encode_bound(len) ids, and decode to exactly the
 *    input; tkm_decode_offsets must give each token's offset in the input,
 *    and the token's bytes must be found there.
 * For one encoding per input (picked from the input length) also:
 *  - lossless with every special allowed: the ids stand for the input's
 *    bytes and special-token texts in order;
 *  - strict mode succeeds iff the input is valid UTF-8 (an independent
 *    validator decides), then with the same ids as lossless; otherwise it
 *    fails with TKM_ERR_INVALID_UTF8 at the first ill-formed byte;
 *  - replace mode decodes to Python's bytes.decode("utf-8", "replace");
 *  - short output buffers give TKM_ERR_BUFFER_TOO_SMALL, the size needed and
 *    the prefix that fits, for both encode and decode;
 *  - the input read as arbitrary token ids decodes, or fails with
 *    TKM_ERR_INVALID_TOKEN at the first id that is no token.
 */
#include "fuzz_common.h"

#define MAX_ENCODINGS 16

static tkm_encoding *encs[MAX_ENCODINGS];
static size_t n_encs;

static void load_all(void)
{
    if (n_encs)
        return;
    size_t n = tkm_builtin_count();
    FUZZ_CHECK(n > 0 && n <= MAX_ENCODINGS, "tkm_builtin_count() = %zu", n);
    for (size_t i = 0; i < n; i++)
        encs[i] = fuzz_load_builtin(tkm_builtin_name(i));
    n_encs = n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load_all();
    return 0;
}

static void check_decode_equals(const tkm_encoding *enc, const uint32_t *ids, size_t n,
                                const uint8_t *want, size_t want_len, const char *what)
{
    const char *name = tkm_encoding_name(enc);
    char *buf = fuzz_xmalloc(want_len + 1);
    size_t got = SIZE_MAX;
    tkm_error_detail d;
    tkm_status st = tkm_decode(enc, ids, n, buf, want_len, &got, &d);
    FUZZ_CHECK(st == TKM_OK, "%s %s: decode: %s (%s)", name, what, tkm_strerror(st), d.message);
    FUZZ_CHECK(got == want_len, "%s %s: decoded %zu bytes, want %zu", name, what, got, want_len);
    FUZZ_CHECK(want_len == 0 || memcmp(buf, want, want_len) == 0, "%s %s: decoded bytes differ",
               name, what);
    free(buf);
}

static void check_offsets(const tkm_encoding *enc, const uint32_t *ids, size_t n,
                          const uint8_t *data, size_t size)
{
    const char *name = tkm_encoding_name(enc);
    size_t *off = fuzz_xmalloc((n + 1) * sizeof *off);
    tkm_error_detail d;
    tkm_status st = tkm_decode_offsets(enc, ids, n, off, &d);
    FUZZ_CHECK(st == TKM_OK, "%s: decode_offsets: %s (%s)", name, tkm_strerror(st), d.message);
    size_t expect = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(off[i] == expect, "%s: offset[%zu] = %zu, want %zu", name, i, off[i], expect);
        const char *b = NULL;
        size_t len = 0;
        st = tkm_encoding_token_bytes(enc, ids[i], &b, &len);
        FUZZ_CHECK(st == TKM_OK, "%s: token_bytes(%u): %s", name, ids[i], tkm_strerror(st));
        FUZZ_CHECK(len > 0, "%s: token %u has no bytes", name, ids[i]);
        FUZZ_CHECK(off[i] + len <= size && memcmp(data + off[i], b, len) == 0,
                   "%s: token %zu (id %u, %zu bytes) is not at offset %zu", name, i, ids[i], len,
                   off[i]);
        expect = off[i] + len;
    }
    FUZZ_CHECK(expect == size, "%s: tokens cover %zu bytes of %zu", name, expect, size);
    free(off);
}

/* When the special id stands for a special token whose text starts text,
 * that text's length; else 0. */
static size_t special_text_at(const tkm_encoding *enc, uint32_t id, const uint8_t *text,
                              size_t len)
{
    if (!tkm_encoding_is_special(enc, id))
        return 0;
    size_t ns = tkm_encoding_n_special(enc);
    /* Specials are in id order: binary search for the first with this id. */
    size_t lo = 0, hi = ns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t mid_id = 0;
        FUZZ_CHECK(tkm_encoding_special_at(enc, mid, NULL, NULL, &mid_id) == TKM_OK,
                   "special_at(%zu)", mid);
        if (mid_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < ns; i++) {
        const char *t;
        size_t tl;
        uint32_t tid;
        FUZZ_CHECK(tkm_encoding_special_at(enc, i, &t, &tl, &tid) == TKM_OK, "special_at(%zu)", i);
        if (tid != id)
            break;
        if (tl <= len && memcmp(t, text, tl) == 0)
            return tl;
    }
    FUZZ_CHECK(0, "%s: special id %u, but no special with that id is in the text here",
               tkm_encoding_name(enc), id);
    return 0;
}

/* The input read as token ids (4 bytes each, little-endian, reduced modulo
 * n_vocab + 64 so that most are real tokens and some are not): tkm_decode
 * and tkm_decode_offsets must succeed when every id is a token, else fail
 * with TKM_ERR_INVALID_TOKEN naming the first bad index and id, leaving
 * *n_out untouched. */
static void check_decode_ids(const tkm_encoding *enc, const uint8_t *data, size_t size)
{
    const char *name = tkm_encoding_name(enc);
    size_t n = size / 4;
    uint32_t *ids = fuzz_xmalloc((n + 1) * sizeof *ids);
    uint32_t mod = tkm_encoding_n_vocab(enc) + 64;
    size_t first_bad = SIZE_MAX, total = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8 |
                     (uint32_t)data[4 * i + 2] << 16 | (uint32_t)data[4 * i + 3] << 24;
        ids[i] = v % mod;
        const char *b;
        size_t len;
        if (tkm_encoding_token_bytes(enc, ids[i], &b, &len) != TKM_OK) {
            if (first_bad == SIZE_MAX)
                first_bad = i;
        } else {
            total += len;
        }
    }
    char *buf = fuzz_xmalloc(total + 1);
    size_t got = 12345;
    tkm_error_detail d;
    tkm_status st = tkm_decode(enc, ids, n, buf, total, &got, &d);
    size_t *off = fuzz_xmalloc((n + 1) * sizeof *off);
    tkm_error_detail d2;
    tkm_status st2 = tkm_decode_offsets(enc, ids, n, off, &d2);
    if (first_bad == SIZE_MAX) {
        FUZZ_CHECK(st == TKM_OK && got == total, "%s: decode of %zu ids: %s, %zu of %zu bytes",
                   name, n, tkm_strerror(st), got, total);
        FUZZ_CHECK(st2 == TKM_OK, "%s: decode_offsets: %s", name, tkm_strerror(st2));
        size_t expect = 0;
        for (size_t i = 0; i < n; i++) {
            const char *b;
            size_t len;
            FUZZ_CHECK(off[i] == expect, "%s: offset %zu is %zu, want %zu", name, i, off[i],
                       expect);
            (void)tkm_encoding_token_bytes(enc, ids[i], &b, &len);
            FUZZ_CHECK(memcmp(buf + off[i], b, len) == 0, "%s: token %zu decoded wrong", name,
                       i);
            expect += len;
        }
    } else {
        FUZZ_CHECK(st == TKM_ERR_INVALID_TOKEN && got == 12345,
                   "%s: decode with a bad id at %zu: %s, n_out %zu", name, first_bad,
                   tkm_strerror(st), got);
        FUZZ_CHECK(d.status == st && d.index == first_bad && d.token == ids[first_bad] &&
                       d.message[0] != '\0',
                   "%s: decode detail index %zu token %u, want %zu / %u", name, d.index, d.token,
                   first_bad, ids[first_bad]);
        FUZZ_CHECK(st2 == TKM_ERR_INVALID_TOKEN && d2.index == first_bad &&
                       d2.token == ids[first_bad],
                   "%s: decode_offsets with a bad id at %zu: %s at %zu", name, first_bad,
                   tkm_strerror(st2), d2.index);
    }
    free(off);
    free(buf);
    free(ids);
}

/* The extra checks run for one encoding per input. */
static void check_modes(const tkm_encoding *enc, const uint8_t *data, size_t size,
                        const uint32_t *lossless, size_t n_lossless)
{
    const char *name = tkm_encoding_name(enc);
    tkm_error_detail d;
    uint32_t *ids;
    size_t n;
    tkm_status st;

    /* Lossless with every special allowed: ordinary ids stand for the bytes
     * at their place, special ids for the text of a special token with that
     * id (two specials may share an id, as o200k_harmony's 200018
     * <|endofprompt|> and <|reserved_200018|> do; decoding gives one of
     * them), and together they cover the input exactly. */
    st = fuzz_encode(enc, data, size, TKM_ENCODE_LOSSLESS | TKM_ENCODE_ALLOW_ALL_SPECIAL, &ids, &n,
                     &d);
    FUZZ_CHECK(st == TKM_OK, "%s allow-all lossless: %s (%s)", name, tkm_strerror(st), d.message);
    FUZZ_CHECK(n <= size, "%s allow-all lossless: %zu ids for %zu bytes", name, n, size);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        size_t used = special_text_at(enc, ids[i], data + pos, size - pos);
        if (used == 0) {
            const char *b = NULL;
            size_t len = 0;
            st = tkm_encoding_token_bytes(enc, ids[i], &b, &len);
            FUZZ_CHECK(st == TKM_OK && !tkm_encoding_is_special(enc, ids[i]) && len > 0 &&
                           len <= size - pos && memcmp(b, data + pos, len) == 0,
                       "%s allow-all lossless: id %zu (%u) does not stand for the bytes at %zu",
                       name, i, ids[i], pos);
            used = len;
        }
        pos += used;
    }
    FUZZ_CHECK(pos == size, "%s allow-all lossless: ids cover %zu of %zu bytes", name, pos, size);
    free(ids);

    /* Strict mode. */
    size_t bad = fuzz_utf8_first_invalid(data, size);
    st = fuzz_encode(enc, data, size, TKM_ENCODE_SPECIAL_AS_TEXT, &ids, &n, &d);
    if (bad == size) {
        FUZZ_CHECK(st == TKM_OK, "%s strict on valid UTF-8: %s (%s)", name, tkm_strerror(st),
                   d.message);
        FUZZ_CHECK(n == n_lossless && memcmp(ids, lossless, n * sizeof *ids) == 0,
                   "%s: strict and lossless ids differ on valid UTF-8 (%zu vs %zu ids)", name, n,
                   n_lossless);
    } else {
        FUZZ_CHECK(st == TKM_ERR_INVALID_UTF8, "%s strict on invalid UTF-8 at %zu: %s", name, bad,
                   tkm_strerror(st));
        FUZZ_CHECK(d.status == st && d.offset == bad,
                   "%s strict: detail offset %zu, want %zu (first ill-formed byte)", name,
                   d.offset, bad);
        FUZZ_CHECK(d.message[0] != '\0', "%s strict: empty detail message", name);
    }
    free(ids);

    /* Replace mode: the decoded ids are Python's replace-decoded text. */
    uint8_t *rep = fuzz_xmalloc(3 * size + 1);
    size_t rep_len = fuzz_utf8_replace(data, size, rep);
    st = fuzz_encode(enc, data, size, TKM_ENCODE_REPLACE_INVALID | TKM_ENCODE_SPECIAL_AS_TEXT, &ids,
                     &n, &d);
    FUZZ_CHECK(st == TKM_OK, "%s replace: %s (%s)", name, tkm_strerror(st), d.message);
    check_decode_equals(enc, ids, n, rep, rep_len, "replace");
    if (bad == size)
        FUZZ_CHECK(n == n_lossless && memcmp(ids, lossless, n * sizeof *ids) == 0,
                   "%s: replace and lossless ids differ on valid UTF-8", name);
    free(ids);
    free(rep);

    /* Short buffers. */
    if (n_lossless > 0) {
        size_t cap = n_lossless - 1;
        ids = fuzz_xmalloc((cap + 1) * sizeof *ids);
        tkm_encode_options o = {TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
        n = 0;
        st = tkm_encode(enc, (const char *)data, size, &o, cap ? ids : NULL, cap, &n, &d);
        FUZZ_CHECK(st == TKM_ERR_BUFFER_TOO_SMALL, "%s: encode into %zu of %zu ids: %s", name, cap,
                   n_lossless, tkm_strerror(st));
        FUZZ_CHECK(n == n_lossless, "%s: short encode says %zu ids needed, want %zu", name, n,
                   n_lossless);
        FUZZ_CHECK(cap == 0 || memcmp(ids, lossless, cap * sizeof *ids) == 0,
                   "%s: short encode: the ids that fit differ", name);
        free(ids);
    }
    if (size > 0) {
        size_t cap = size / 2;
        char *buf = fuzz_xmalloc(cap + 1);
        size_t need = 0;
        st = tkm_decode(enc, lossless, n_lossless, cap ? buf : NULL, cap, &need, &d);
        FUZZ_CHECK(st == TKM_ERR_BUFFER_TOO_SMALL && need == size,
                   "%s: decode into %zu of %zu bytes: %s, need %zu", name, cap, size,
                   tkm_strerror(st), need);
        FUZZ_CHECK(cap == 0 || memcmp(buf, data, cap) == 0,
                   "%s: short decode: the bytes that fit differ", name);
        free(buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all();
    size_t extra = size % n_encs;
    for (size_t e = 0; e < n_encs; e++) {
        const tkm_encoding *enc = encs[e];
        const char *name = tkm_encoding_name(enc);
        tkm_error_detail d;
        uint32_t *ids;
        size_t n;
        tkm_status st = fuzz_encode(enc, data, size,
                                    TKM_ENCODE_LOSSLESS | TKM_ENCODE_SPECIAL_AS_TEXT, &ids, &n, &d);
        FUZZ_CHECK_STATUS_KNOWN(st);
        FUZZ_CHECK(st == TKM_OK, "%s lossless encode of %zu bytes: %s (%s)", name, size,
                   tkm_strerror(st), d.message);
        FUZZ_CHECK(n <= tkm_encode_bound(size), "%s: %zu ids for %zu bytes", name, n, size);
        FUZZ_CHECK(size == 0 || n > 0, "%s: no ids for %zu bytes", name, size);
        check_decode_equals(enc, ids, n, data, size, "lossless");
        check_offsets(enc, ids, n, data, size);
        if (e == extra) {
            check_modes(enc, data, size, ids, n);
            check_decode_ids(enc, data, size);
        }
        free(ids);
    }
    return 0;
}
