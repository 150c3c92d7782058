/* special.c — special tokens.
 *
 * tiktoken finds special tokens with a regex that is the alternation of all
 * of them (escaped); when the match found is not allowed it resumes one byte
 * later (CoreBPE::encode). We do the same search without a regex: a bitmap of
 * first bytes (memchr when there is only one, as for every OpenAI encoding:
 * '<'), then a hash lookup for each distinct token length. With
 * o200k_harmony's 1,088 specials that is ~10 probes per '<' in the text.
 */
#include "special.h"
#include "utf8.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <stdlib.h>
#include <string.h>

static int cmp_id(const void *a, const void *b)
{
    const tkm_special_item *x = a, *y = b;
    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->order > y->order) - (x->order < y->order);
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x < y) - (x > y);
}

void tkm_special_free(tkm_special_set *s, const tkm_allocator *a)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        tkm_free(a, s->items[i].text);
    tkm_free(a, s->items);
    tkm_free(a, s->slots);
    tkm_free(a, s->lens);
    memset(s, 0, sizeof *s);
}

size_t tkm_special_lookup(const tkm_special_set *s, const char *text, size_t len)
{
    if (s->n == 0)
        return SIZE_MAX;
    uint64_t h = XXH3_64bits(text, len);
    size_t i = (size_t)h & s->mask;
    for (;;) {
        uint64_t v = s->slots[i];
        if (v == 0)
            return SIZE_MAX;
        if ((v >> 32) == (h >> 32)) {
            const tkm_special_item *it = &s->items[(uint32_t)v - 1];
            if (it->len == len && memcmp(it->text, text, len) == 0)
                return (uint32_t)v - 1;
        }
        i = (i + 1) & s->mask;
    }
}

size_t tkm_special_by_id(const tkm_special_set *s, uint32_t id)
{
    /* Upper bound: the last item with this id is the last defined one. */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->items[mid].id <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo > 0 && s->items[lo - 1].id == id) ? lo - 1 : SIZE_MAX;
}

tkm_status tkm_special_build(tkm_special_set *s, const tkm_special_token *t, size_t n,
                             const tkm_allocator *a, tkm_error_detail *d)
{
    memset(s, 0, sizeof *s);
    s->single_first = -1;
    if (n == 0)
        return TKM_OK;
    if (n > UINT32_MAX / 2)
        return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN, "too many special tokens");
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    s->items = tkm_calloc_array(a, n, sizeof *s->items);
    s->slots = tkm_calloc_array(a, cap, sizeof *s->slots);
    s->lens = tkm_alloc_array(a, n, sizeof *s->lens);
    if (!s->items || !s->slots || !s->lens)
        goto nomem;
    s->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].text || t[i].len == 0) {
            tkm_special_free(s, a);
            return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN, "special token %zu has empty text", i);
        }
        /* tiktoken's special tokens are str, so valid UTF-8; that also keeps
         * every match on character boundaries, so the text between two
         * specials stays valid UTF-8 for the pre-tokenizer. */
        if (tkm_utf8_valid_prefix((const uint8_t *)t[i].text, t[i].len) != t[i].len) {
            tkm_special_free(s, a);
            return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN, "special token %zu is not valid UTF-8", i);
        }
        s->items[i].text = tkm_strndup(a, t[i].text, t[i].len);
        if (!s->items[i].text)
            goto nomem;
        s->items[i].len = t[i].len;
        s->items[i].id = t[i].id;
        s->items[i].order = i;
        s->n = i + 1;
    }
    qsort(s->items, n, sizeof *s->items, cmp_id);
    int first = -1;
    for (size_t i = 0; i < n; i++) {
        const tkm_special_item *it = &s->items[i];
        if (tkm_special_lookup(s, it->text, it->len) != SIZE_MAX) {
            tkm_special_free(s, a);
            return tkm_fail(d, TKM_ERR_SPECIAL_TOKEN, "special token text defined twice");
        }
        uint64_t h = XXH3_64bits(it->text, it->len);
        size_t k = (size_t)h & s->mask;
        while (s->slots[k])
            k = (k + 1) & s->mask;
        s->slots[k] = ((h >> 32) << 32) | (uint64_t)(i + 1);
        uint8_t b = (uint8_t)it->text[0];
        s->first[b >> 3] |= (uint8_t)(1u << (b & 7));
        first = (first == -1 || first == b) ? b : -2;
        bool seen = false;
        for (size_t k2 = 0; k2 < s->n_lens; k2++)
            seen |= s->lens[k2] == it->len;
        if (!seen)
            s->lens[s->n_lens++] = it->len;
    }
    s->single_first = first >= 0 ? first : -1;
    qsort(s->lens, s->n_lens, sizeof *s->lens, cmp_len_desc);
    return TKM_OK;
nomem:
    tkm_special_free(s, a);
    return tkm_fail(d, TKM_ERR_NOMEM, "special tokens: out of memory");
}

bool tkm_special_find(const tkm_special_set *s, const uint8_t *want, const char *text, size_t len,
                      size_t from, size_t *pos, size_t *idx)
{
    if (s->n == 0)
        return false;
    size_t p = from;
    while (p < len) {
        if (s->single_first >= 0) {
            const char *q = memchr(text + p, s->single_first, len - p);
            if (!q)
                return false;
            p = (size_t)(q - text);
        } else {
            uint8_t b = (uint8_t)text[p];
            if (!(s->first[b >> 3] & (1u << (b & 7)))) {
                p++;
                continue;
            }
        }
        for (size_t k = 0; k < s->n_lens; k++) {
            size_t l = s->lens[k];
            if (l > len - p)
                continue;
            size_t i = tkm_special_lookup(s, text + p, l);
            if (i != SIZE_MAX && want[i]) {
                *pos = p;
                *idx = i;
                return true;
            }
        }
        p++;
    }
    return false;
}
