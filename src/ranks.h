/* ranks.h — parser for tiktoken rank files ("base64(token) rank" lines). */
#ifndef TKM_RANKS_H
#define TKM_RANKS_H

#include "internal.h"

typedef struct tkm_rank_entry {
    uint32_t rank;
    uint32_t len;    /* token length in bytes, >= 1 */
    size_t off;      /* offset of the token bytes in tkm_rank_list.bytes */
    size_t line;     /* 1-based line number in the source text */
    size_t text_off; /* byte offset of the line in the source text */
} tkm_rank_entry;

typedef struct tkm_rank_list {
    uint8_t *bytes; /* decoded token bytes, in file order */
    size_t n_bytes;
    tkm_rank_entry *entries; /* in file order */
    size_t n;
    uint32_t max_rank;
} tkm_rank_list;

/* Parse rank text. Returns TKM_OK, TKM_ERR_RANK_PARSE (detail: line,
 * offset), TKM_ERR_NOMEM. Duplicates are not checked here (see vocab.c). */
TKM_INTERNAL tkm_status tkm_ranks_parse(const char *text, size_t len, const tkm_allocator *a,
                                        tkm_rank_list *out, tkm_error_detail *d);
TKM_INTERNAL void tkm_ranks_free(const tkm_allocator *a, tkm_rank_list *l);

#endif
