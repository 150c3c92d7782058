/* stream.c — counting text that arrives in chunks, in bounded memory.
 *
 * The count of a text equals the sum of the counts of its parts when every
 * cut is at a place no pre-token can straddle and no pattern decision can
 * see across. For the built-in patterns (src/builtin_patterns.c) two such
 * places are cheap to recognise, at ASCII bytes only (so no UTF-8 sequence,
 * ill-formed subpart or invalid run is ever cut):
 *
 *  A. after "\n" in  X "\n" | Y  where X and Y are not whitespace and Y is
 *     not '/': the newline is its own piece in the whole text (no
 *     letter/number alternative takes \r or \n as a prefix, the whitespace
 *     alternatives stop at Y) and at the end of the left part (\s++$, or
 *     [\r\n]* after punctuation, absorb it the same way). o200k's
 *     punctuation alternative ends in [\r\n/]*, so "|>\n/" is one piece:
 *     hence Y != '/';
 *  B. before " Y"  in  X | " " Y  where X is an ASCII non-space byte and Y
 *     an ASCII letter: X's piece ends at the space in both cases (letters,
 *     digits, punctuation and contractions all stop at a space) and " Y..."
 *     starts a piece with the space as its prefix in every pattern.
 * Special tokens of the built-in encodings contain neither "\n" nor " ".
 * With any other pattern, or special tokens containing those bytes, nothing
 * is cut: the text is buffered and counted at the end.
 */
#include "encoding.h"

#include <string.h>

struct tkm_stream {
    tkm_allocator alloc;
    const tkm_encoding *enc;
    tkm_context *ctx;
    unsigned flags;
    char **allowed;
    size_t n_allowed;
    char *buf;
    size_t len, cap;
    size_t scanned; /* no cut place exists in buf[0..scanned) */
    size_t base;    /* stream offset of buf[0] */
    size_t count;
    bool cuttable;
    bool failed;
};

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is cutting buf before index c safe? Needs 1 <= c and c + 1 < len. */
static bool safe_cut(const unsigned char *b, size_t c)
{
    if (b[c - 1] == '\n')
        return c >= 2 && b[c - 2] < 0x80 && !is_space(b[c - 2]) && b[c] < 0x80 && !is_space(b[c]) &&
               b[c] != '/';
    return b[c] == ' ' && b[c - 1] < 0x80 && !is_space(b[c - 1]) && is_alpha(b[c + 1]);
}

void tkm_stream_free(tkm_stream *s)
{
    if (!s)
        return;
    tkm_allocator a = s->alloc;
    tkm_context_free(s->ctx);
    for (size_t i = 0; i < s->n_allowed; i++)
        tkm_free(&a, s->allowed[i]);
    tkm_free(&a, s->allowed);
    tkm_free(&a, s->buf);
    tkm_free(&a, s);
}

tkm_status tkm_stream_create(const tkm_encoding *enc, const tkm_encode_options *opts,
                             const tkm_allocator *alloc, tkm_stream **out)
{
    if (!enc || !out || (opts && opts->n_allowed_special && !opts->allowed_special))
        return TKM_ERR_INVALID_ARGUMENT;
    tkm_allocator a;
    tkm_alloc_init(&a, alloc ? alloc : &enc->alloc);
    tkm_stream *s = tkm_calloc_array(&a, 1, sizeof *s);
    if (!s)
        return TKM_ERR_NOMEM;
    s->alloc = a;
    s->enc = enc;
    s->flags = opts ? opts->flags : 0;
    tkm_status st = tkm_context_create(&a, &s->ctx);
    size_t n = opts ? opts->n_allowed_special : 0;
    if (st == TKM_OK && n) {
        s->allowed = tkm_calloc_array(&a, n, sizeof *s->allowed);
        st = s->allowed ? TKM_OK : TKM_ERR_NOMEM;
        for (size_t i = 0; st == TKM_OK && i < n; i++) {
            const char *name = opts->allowed_special[i];
            if (!name || tkm_special_lookup(&enc->specials, name, strlen(name)) == SIZE_MAX)
                st = TKM_ERR_UNKNOWN_SPECIAL;
            else if (!(s->allowed[i] = tkm_strndup(&a, name, strlen(name))))
                st = TKM_ERR_NOMEM;
            else
                s->n_allowed = i + 1;
        }
    }
    if (st != TKM_OK) {
        tkm_stream_free(s);
        return st;
    }
    s->cuttable = tkm_builtin_scan_kind(enc->pattern) != TKM_SCAN_NONE;
    for (size_t i = 0; i < enc->specials.n; i++)
        if (memchr(enc->specials.items[i].text, '\n', enc->specials.items[i].len) ||
            memchr(enc->specials.items[i].text, ' ', enc->specials.items[i].len))
            s->cuttable = false;
    *out = s;
    return TKM_OK;
}

static tkm_status count_prefix(tkm_stream *s, size_t c, tkm_error_detail *d)
{
    tkm_encode_options o = {s->flags, (const char *const *)s->allowed, s->n_allowed};
    size_t n = 0;
    tkm_status st =
        tkm_context_count_at(s->ctx, s->enc, s->buf, c, &o, s->base, SIZE_MAX, &n, NULL, d);
    if (st != TKM_OK) {
        s->failed = true;
        return st;
    }
    s->count += n;
    /* A stream fed nothing has no buffer: pointer arithmetic on NULL, even
     * "+ 0", is undefined (found by fuzz_count on a 1-byte input). */
    if (c < s->len)
        memmove(s->buf, s->buf + c, s->len - c);
    s->len -= c;
    s->base += c;
    s->scanned = 0;
    return TKM_OK;
}

tkm_status tkm_stream_feed(tkm_stream *s, const char *data, size_t len, tkm_error_detail *d)
{
    tkm_detail_clear(d);
    if (!s || (!data && len))
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "stream or data is NULL");
    if (s->failed)
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "the stream already failed");
    if (len > SIZE_MAX - s->len ||
        tkm_grow(&s->alloc, (void **)&s->buf, &s->cap, s->len + len, 1) != TKM_OK) {
        s->failed = true;
        return tkm_fail(d, TKM_ERR_NOMEM, "stream: out of memory");
    }
    if (len)
        memcpy(s->buf + s->len, data, len);
    s->len += len;
    if (!s->cuttable || s->len < 3)
        return TKM_OK;
    /* The last safe cut; places before `scanned` were already ruled out. */
    const unsigned char *b = (const unsigned char *)s->buf;
    size_t lo = s->scanned > 1 ? s->scanned : 1;
    for (size_t c = s->len - 2; c >= lo; c--) {
        if (safe_cut(b, c))
            return count_prefix(s, c, d);
    }
    s->scanned = s->len - 2;
    return TKM_OK;
}

tkm_status tkm_stream_reset(tkm_stream *s)
{
    if (!s)
        return TKM_ERR_INVALID_ARGUMENT;
    /* Everything but the context and the buffer's memory: the piece cache
     * is exact (entries hold the piece's bytes, tagged with the encoding),
     * so keeping it warm cannot change a count. */
    s->len = 0;
    s->scanned = 0;
    s->base = 0;
    s->count = 0;
    s->failed = false;
    return TKM_OK;
}

tkm_status tkm_stream_finish(tkm_stream *s, size_t *n_out, tkm_error_detail *d)
{
    tkm_detail_clear(d);
    if (!s || !n_out)
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "stream or n_out is NULL");
    if (s->failed)
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "the stream already failed");
    tkm_status st = count_prefix(s, s->len, d);
    if (st != TKM_OK)
        return st;
    *n_out = s->count;
    return TKM_OK;
}
