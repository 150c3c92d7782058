/* ranks.c — strict parser for tiktoken's rank file format.
 *
 * tiktoken's load_tiktoken_bpe() does `base64.b64decode(token)` and
 * `int(rank)` on each non-empty line of contents.splitlines(). Python's
 * b64decode silently drops characters outside the alphabet; we do not: a rank
 * file that is not exactly what it claims to be is reported with its line
 * number, because a silently different vocabulary gives silently wrong counts.
 * Accepted: lines "TOKEN RANK" separated by one or more spaces or tabs, LF or
 * CRLF line ends, empty lines, and a missing final newline.
 */
#include "ranks.h"

#include <string.h>

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decode standard, padded base64 into out (room for len/4*3 bytes).
 * Returns the decoded length, or SIZE_MAX when the text is not base64. */
static size_t b64_decode(const char *s, size_t len, uint8_t *out)
{
    if (len == 0 || len % 4 != 0)
        return SIZE_MAX;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        size_t pad = 0;
        for (size_t k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad)
                return SIZE_MAX; /* data after padding */
            v[k] = b64_value(c);
            if (v[k] < 0)
                return SIZE_MAX;
        }
        uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                     (uint32_t)v[3];
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2)
            out[o++] = (uint8_t)(w >> 8);
        if (pad < 1)
            out[o++] = (uint8_t)w;
        /* Reject non-canonical encodings: the bits hidden by padding must be 0. */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
            return SIZE_MAX;
    }
    return o;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void tkm_ranks_free(const tkm_allocator *a, tkm_rank_list *l)
{
    if (!l)
        return;
    tkm_free(a, l->bytes);
    tkm_free(a, l->entries);
    memset(l, 0, sizeof *l);
}

static tkm_status parse_fail(tkm_error_detail *d, size_t line, size_t off, const char *what)
{
    if (d) {
        d->line = line;
        d->offset = off;
    }
    return tkm_fail(d, TKM_ERR_RANK_PARSE, "line %zu: %s", line, what);
}

tkm_status tkm_ranks_parse(const char *text, size_t len, const tkm_allocator *a,
                           tkm_rank_list *out, tkm_error_detail *d)
{
    memset(out, 0, sizeof *out);
    if (!text && len)
        return tkm_fail(d, TKM_ERR_INVALID_ARGUMENT, "rank data is NULL");

    /* Count lines for a single exact allocation of entries; decoded bytes are
     * always shorter than their base64 text, so len bytes is enough. */
    size_t n_lines = 1;
    for (size_t i = 0; i < len; i++)
        n_lines += text[i] == '\n';
    out->entries = tkm_alloc_array(a, n_lines, sizeof *out->entries);
    out->bytes = tkm_alloc(a, len);
    if (!out->entries || !out->bytes) {
        tkm_ranks_free(a, out);
        return tkm_fail(d, TKM_ERR_NOMEM, "rank data: out of memory");
    }

    size_t pos = 0, line = 0;
    tkm_status st = TKM_OK;
    while (pos < len) {
        line++;
        size_t start = pos;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        pos = nl ? end + 1 : len;
        if (end > start && text[end - 1] == '\r')
            end--;
        if (end == start)
            continue; /* empty line, as tiktoken skips them */

        size_t p = start;
        size_t tok_start = p;
        while (p < end && !is_blank(text[p]))
            p++;
        size_t tok_end = p;
        while (p < end && is_blank(text[p]))
            p++;
        size_t rank_start = p;
        while (p < end && !is_blank(text[p]))
            p++;
        size_t rank_end = p;
        while (p < end && is_blank(text[p]))
            p++;
        if (tok_end == tok_start || rank_end == rank_start) {
            st = parse_fail(d, line, start, "expected \"<base64 token> <rank>\"");
            break;
        }
        if (p != end) {
            st = parse_fail(d, line, p, "unexpected text after the rank");
            break;
        }
        uint64_t rank = 0;
        for (size_t k = rank_start; k < rank_end; k++) {
            char c = text[k];
            if (c < '0' || c > '9') {
                st = parse_fail(d, line, k, "rank is not a decimal number");
                break;
            }
            rank = rank * 10 + (uint64_t)(c - '0');
            if (rank > TKM_MAX_RANK) {
                st = parse_fail(d, line, rank_start, "rank too large (limit 16777215)");
                break;
            }
        }
        if (st != TKM_OK)
            break;
        size_t n = b64_decode(text + tok_start, tok_end - tok_start, out->bytes + out->n_bytes);
        if (n == SIZE_MAX) {
            st = parse_fail(d, line, tok_start, "token is not valid base64");
            break;
        }
        tkm_rank_entry *e = &out->entries[out->n++];
        e->rank = (uint32_t)rank;
        e->len = (uint32_t)n;
        e->off = out->n_bytes;
        e->line = line;
        e->text_off = start;
        out->n_bytes += n;
        if (e->rank > out->max_rank)
            out->max_rank = e->rank;
    }
    if (st == TKM_OK && out->n == 0) /* no line to point at */
        st = tkm_fail(d, TKM_ERR_RANK_PARSE, "rank data has no tokens");
    if (st != TKM_OK)
        tkm_ranks_free(a, out);
    return st;
}
