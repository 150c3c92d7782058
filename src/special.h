/* special.h — special tokens: lookup by text and by id, and search in text. */
#ifndef TKM_SPECIAL_H
#define TKM_SPECIAL_H

#include "internal.h"

typedef struct tkm_special_item {
    char *text; /* NUL-terminated copy */
    size_t len;
    uint32_t id;
    size_t order; /* position in the definition: the last wins when ids repeat */
} tkm_special_item;

typedef struct tkm_special_set {
    tkm_special_item *items; /* sorted by id, then definition order */
    size_t n;
    uint64_t *slots;         /* hash of text -> index + 1 */
    size_t mask;
    size_t *lens;            /* distinct lengths, longest first */
    size_t n_lens;
    uint8_t first[32];       /* bitmap of first bytes */
    int single_first;        /* the only first byte, or -1 */
} tkm_special_set;

/* Build from (text, len, id) triples; copies them. Two texts may share an id
 * (tiktoken's o200k_harmony maps both <|endofprompt|> and <|reserved_200018|>
 * to 200018); decoding such an id gives the text defined last, as tiktoken's
 * decoder (built from the special-token dict, later entries overwriting
 * earlier ones) does: the golden vectors confirm <|reserved_200018|>.
 * Returns TKM_OK, TKM_ERR_SPECIAL_TOKEN (empty, invalid UTF-8 or duplicate text),
 * TKM_ERR_NOMEM. */
TKM_INTERNAL tkm_status tkm_special_build(tkm_special_set *s, const tkm_special_token *t, size_t n,
                                          const tkm_allocator *a, tkm_error_detail *d);
TKM_INTERNAL void tkm_special_free(tkm_special_set *s, const tkm_allocator *a);

/* Index of the special token with exactly this text, or SIZE_MAX. */
TKM_INTERNAL size_t tkm_special_lookup(const tkm_special_set *s, const char *text, size_t len);

/* Index of the (last-defined) special token with this id, or SIZE_MAX. */
TKM_INTERNAL size_t tkm_special_by_id(const tkm_special_set *s, uint32_t id);

/* Find the leftmost occurrence at or after `from` of a special token whose
 * flag in `want` (n entries, indexed like items) is non-zero. At one position
 * the longest wanted token wins. Returns true and sets pos and idx if found. */
TKM_INTERNAL bool tkm_special_find(const tkm_special_set *s, const uint8_t *want, const char *text,
                                   size_t len, size_t from, size_t *pos, size_t *idx);

#endif
