/* encoding.c — loading, freeing and inspecting encodings. */
#include "encoding.h"
#include "ranks.h"
#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* XXH3-128 of the rank -> bytes map (offsets and arena): what merging
 * depends on. About 0.1 ms for o200k, next to a load that parses text. */
static void fingerprint_vocab(tkm_encoding *enc)
{
    const tkm_vocab *v = &enc->vocab;
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, v->off, ((size_t)v->n_ranks + 1) * sizeof *v->off);
    XXH3_128bits_update(&st, v->bytes, v->off[v->n_ranks]);
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    enc->fingerprint[0] = h.low64;
    enc->fingerprint[1] = h.high64;
}

tkm_status tkm_encoding_finish(tkm_encoding *enc, const char *name, const char *pattern,
                               const char *pcre_pattern, uint32_t pcre_options,
                               const tkm_special_token *specials, size_t n_specials,
                               uint32_t explicit_n_vocab, tkm_error_detail *d)
{
    const tkm_allocator *a = &enc->alloc;
    enc->name = tkm_strndup(a, name ? name : "", name ? strlen(name) : 0);
    enc->pattern = tkm_strndup(a, pattern, strlen(pattern));
    if (!enc->name || !enc->pattern)
        return tkm_fail(d, TKM_ERR_NOMEM, "encoding: out of memory");
    tkm_status st = tkm_special_build(&enc->specials, specials, n_specials, a, d);
    if (st != TKM_OK)
        return st;
    uint32_t max_id = enc->vocab.n_ranks - 1;
    for (size_t i = 0; i < enc->specials.n; i++) {
        const tkm_special_item *it = &enc->specials.items[i];
        if (it->id < enc->vocab.n_ranks && tkm_vocab_token_len(&enc->vocab, it->id) != 0)
            return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN,
                            "special token %s has id %u, which is an ordinary token", it->text,
                            it->id);
        if (it->id == UINT32_MAX)
            return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN, "special token id %u is too large", it->id);
        if (it->id > max_id)
            max_id = it->id;
    }
    enc->n_vocab = max_id + 1;
    if (explicit_n_vocab && explicit_n_vocab != enc->n_vocab)
        return tkm_fail(d, TKM_ERR_VOCAB_SIZE, "vocabulary has %u ids, expected %u", enc->n_vocab,
                        explicit_n_vocab);
    if (!pcre_pattern)
        return enc->scan != TKM_SCAN_NONE ? TKM_OK : TKM_ERR_INTERNAL;
    return tkm_pretok_compile(&enc->pretok, pcre_pattern, pcre_options, a, d);
}

static tkm_status read_file(const tkm_allocator *a, const char *path, char **buf, size_t *len,
                            tkm_error_detail *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tkm_fail(d, TKM_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    char *p = NULL;
    tkm_status st = TKM_OK;
    for (;;) {
        if (tkm_grow(a, (void **)&p, &cap, n + 65536, 1) != TKM_OK) {
            st = tkm_fail(d, TKM_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                st = tkm_fail(d, TKM_ERR_IO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (st != TKM_OK) {
        tkm_free(a, p);
        return st;
    }
    *buf = p;
    *len = n;
    return TKM_OK;
}

static bool hex_equal(const char *want, const char *got)
{
    size_t i = 0;
    for (; want[i] && i < 64; i++) {
        char c = want[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (c != got[i])
            return false;
    }
    return i == 64 && want[i] == '\0';
}

tkm_status tkm_encoding_load(const tkm_encoding_spec *spec, const tkm_allocator *alloc,
                             tkm_encoding **out, tkm_error_detail *d)
{
    tkm_detail_clear(d);
    if (!spec || !out || !spec->pattern || (!spec->ranks && !spec->ranks_path) ||
        (spec->n_specials && !spec->specials))
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "encoding spec is incomplete");
    tkm_allocator a;
    tkm_alloc_init(&a, alloc);
    tkm_encoding *enc = tkm_calloc_array(&a, 1, sizeof *enc);
    if (!enc)
        return tkm_fail(d, TKM_ERR_NOMEM, "encoding: out of memory");
    enc->alloc = a;

    char *file = NULL;
    const char *ranks = spec->ranks;
    size_t ranks_len = spec->ranks_len;
    tkm_status st = TKM_OK;
    if (!ranks) {
        st = read_file(&enc->alloc, spec->ranks_path, &file, &ranks_len, d);
        ranks = file;
    }
    if (st == TKM_OK && spec->sha256_hex) {
        char hex[65];
        tkm_sha256_hex(ranks, ranks_len, hex);
        if (!hex_equal(spec->sha256_hex, hex))
            st = tkm_fail(d, TKM_ERR_CHECKSUM, "rank data SHA-256 is %s, expected %s", hex,
                          spec->sha256_hex);
    }
    if (st == TKM_OK) {
        tkm_rank_list l;
        st = tkm_ranks_parse(ranks, ranks_len, &enc->alloc, &l, d);
        if (st == TKM_OK) {
            st = tkm_vocab_build(&enc->vocab, &l, &enc->alloc, d);
            tkm_ranks_free(&enc->alloc, &l);
            if (st == TKM_OK)
                fingerprint_vocab(enc);
        }
    }
    tkm_free(&enc->alloc, file);
    if (st == TKM_OK) {
        /* A pattern identical to a built-in one runs on PCRE2 with the exact
         * Unicode 16.0 translation (not PCRE2's own older tables): the plain
         * path that the built-ins' scanner is fuzzed against. Where that
         * translation cannot be exact (another PCRE2 Unicode version), the
         * scanner is used instead. Any other pattern is the caller's, as is. */
        const char *exact = tkm_builtin_pcre_pattern(spec->pattern);
        if (!exact)
            enc->scan = tkm_builtin_scan_kind(spec->pattern);
        const char *pcre = exact ? exact : enc->scan != TKM_SCAN_NONE ? NULL : spec->pattern;
        st = tkm_encoding_finish(enc, spec->name, spec->pattern, pcre,
                                 exact ? TKM_PCRE2_BUILTIN_OPTIONS : TKM_PCRE2_CUSTOM_OPTIONS,
                                 spec->specials, spec->n_specials, spec->explicit_n_vocab, d);
    }
    if (st != TKM_OK) {
        tkm_encoding_free(enc);
        return st;
    }
    *out = enc;
    return TKM_OK;
}

void tkm_encoding_free(tkm_encoding *enc)
{
    if (!enc)
        return;
    tkm_allocator a = enc->alloc;
    tkm_pretok_free(&enc->pretok);
    tkm_special_free(&enc->specials, &a);
    tkm_vocab_free(&enc->vocab);
    tkm_free(&a, enc->name);
    tkm_free(&a, enc->pattern);
    tkm_free(&a, enc);
}

const char *tkm_encoding_name(const tkm_encoding *enc)
{
    return enc && enc->name ? enc->name : "";
}

const char *tkm_encoding_pattern(const tkm_encoding *enc)
{
    return enc && enc->pattern ? enc->pattern : "";
}

uint32_t tkm_encoding_n_vocab(const tkm_encoding *enc)
{
    return enc ? enc->n_vocab : 0;
}

size_t tkm_encoding_n_ordinary(const tkm_encoding *enc)
{
    return enc ? enc->vocab.n_tokens : 0;
}

size_t tkm_encoding_n_special(const tkm_encoding *enc)
{
    return enc ? enc->specials.n : 0;
}

tkm_status tkm_encoding_special_at(const tkm_encoding *enc, size_t i, const char **text,
                                   size_t *len, uint32_t *id)
{
    if (!enc || i >= enc->specials.n)
        return TKM_ERR_INVALID_ARGUMENT;
    const tkm_special_item *it = &enc->specials.items[i];
    if (text)
        *text = it->text;
    if (len)
        *len = it->len;
    if (id)
        *id = it->id;
    return TKM_OK;
}

tkm_status tkm_encoding_special_id(const tkm_encoding *enc, const char *text, size_t len,
                                   uint32_t *id)
{
    if (!enc || (!text && len) || !id)
        return TKM_ERR_INVALID_ARGUMENT;
    size_t i = tkm_special_lookup(&enc->specials, text, len);
    if (i == SIZE_MAX)
        return TKM_ERR_UNKNOWN_SPECIAL;
    *id = enc->specials.items[i].id;
    return TKM_OK;
}

tkm_status tkm_encoding_token_id(const tkm_encoding *enc, const char *bytes, size_t len,
                                 uint32_t *id)
{
    if (!enc || (!bytes && len) || !id)
        return TKM_ERR_INVALID_ARGUMENT;
    uint32_t r = len ? tkm_vocab_lookup(&enc->vocab, (const uint8_t *)bytes, len) : TKM_NO_RANK;
    if (r != TKM_NO_RANK) {
        *id = r;
        return TKM_OK;
    }
    size_t i = len ? tkm_special_lookup(&enc->specials, bytes, len) : SIZE_MAX;
    if (i == SIZE_MAX)
        return TKM_ERR_INVALID_TOKEN;
    *id = enc->specials.items[i].id;
    return TKM_OK;
}

tkm_status tkm_encoding_token_bytes(const tkm_encoding *enc, uint32_t id, const char **bytes,
                                    size_t *len)
{
    if (!enc || !bytes || !len)
        return TKM_ERR_INVALID_ARGUMENT;
    const tkm_vocab *v = &enc->vocab;
    if (id < v->n_ranks && tkm_vocab_token_len(v, id)) {
        *bytes = (const char *)v->bytes + v->off[id];
        *len = tkm_vocab_token_len(v, id);
        return TKM_OK;
    }
    size_t i = tkm_special_by_id(&enc->specials, id);
    if (i == SIZE_MAX)
        return TKM_ERR_INVALID_TOKEN;
    *bytes = enc->specials.items[i].text;
    *len = enc->specials.items[i].len;
    return TKM_OK;
}

bool tkm_encoding_is_special(const tkm_encoding *enc, uint32_t id)
{
    return enc && tkm_special_by_id(&enc->specials, id) != SIZE_MAX;
}
