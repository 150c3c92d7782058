/* backtrack.c — linear-time byte-pair encoding of long pieces.
 *
 * The heap merge (bpe.c) costs O(n log n) and ~300 ms for 1 MiB of one
 * repeated byte. This is the backtracking encoder of github/rust-gems, crate
 * bpe (crates/bpe/src/backtrack_encoder.rs, byte_pair_encoding.rs), ported.
 *
 * Why it gives exactly the ids of tiktoken's merge:
 *  - Merging is local. If the merge of a text leaves a boundary at offset k,
 *    no merge ever crossed k, and the merges on each side were those of
 *    merging that side alone (each was the lowest-ranked, leftmost pair of
 *    its side when taken). So every output token t is what merging t's own
 *    bytes gives ("reachable"), and every adjacent output pair (x, y) is what
 *    merging bytes(x) bytes(y) gives ("a valid pair").
 *  - Conversely, the one sequence of reachable tokens spelling the text with
 *    every adjacent pair valid is the merge's output (the argument of the
 *    rust-gems crate). The encoder searches for it left to right: the
 *    longest token first, then shorter prefixes of it, popping the previous
 *    token when none fits; a bitfield remembers the offsets from which no
 *    valid continuation exists, so no offset fails twice.
 *  - Whether (x, y) is valid is decided from tables, not bytes: unwind the
 *    merges that built x's right edge and y's left edge in reverse rank
 *    order; before each unwound merge, the pair across the boundary must not
 *    be a merge of lower rank (of lower or equal rank when it is y's merge
 *    being unwound, since ties go to the leftmost pair). That needs each
 *    token's last merge (its split) and merges taken in ascending rank order
 *    in every run. Splits are derived as rust-gems does (the longest prefix
 *    whose rest is a token, both of lower rank, valid as a pair among lower
 *    ranks); ascending order holds when every token's true last merge has
 *    parts of lower rank. Both are checked against the reference merge
 *    (tkm_bpe_last_merge) for every token of a vocabulary loaded from a file;
 *    on any mismatch the vocabulary keeps the heap merge. The built-ins'
 *    tables are built (and so checked) at compile time by tools/embed.c
 *    with this code, from their rank files, and wrapped at load
 *    (tkm_vocab_wrap_tables): no build, no allocation, pages touched only
 *    when used. Without TKM_EMBED_TABLES they are built here on first use,
 *    unchecked; tests/test_backtrack.c checks their tokens one by one.
 *  - Tables built here use the vocabulary's allocator (the encoding's), not
 *    the caller's: they live as long as the encoding.
 *  - A token merging cannot reach from its own bytes never occurs inside an
 *    encoding; it has no split and is left out of the prefix tree (rust-gems
 *    asserts there are none). A piece that is itself a token is the caller's
 *    business (tiktoken's whole-piece rule).
 *  - Where a single byte is not a token, merging starts from non-tokens and
 *    none of the above holds: such vocabularies keep the heap merge.
 */
#include "backtrack.h"

#include <string.h>

#define NONE UINT32_MAX
/* Prefix-tree node word: the byte labelling the edge into the node, and
 * rank + 1 of the token it spells (0: none). */
#define TOK_BITS 24
#define TOK_MASK ((1u << TOK_BITS) - 1)
/* A pair-table entry packs (left, right, merged) ranks into 64 bits, so a
 * probe reads one word: ranks must stay below 2^21 - 1 (real vocabularies
 * are below 2^18; larger ones keep the heap merge). All ones: empty. */
#define PAIR_RANK_BITS 21
#define PAIR_RANK_MASK ((UINT64_C(1) << PAIR_RANK_BITS) - 1)
#define PAIR_EMPTY UINT64_MAX

typedef tkm_bt_split split;
typedef tkm_bt_node tnode;

/* Not a pointer to tables: "this vocabulary keeps the heap merge". */
static const char unsupported_mark;
#define UNSUPPORTED ((void *)(uintptr_t)&unsupported_mark)

static inline uint32_t tok_len(const tkm_vocab *v, uint32_t r)
{
    return v->off[r + 1] - v->off[r];
}

static inline uint32_t node_tok(const tkm_bt_tables *t, uint32_t v)
{
    return (t->node[v].word & TOK_MASK) - 1; /* NONE when no token ends here */
}

/* The child of node v along byte c, or 0 (the root is no one's child).
 * Children are sorted by label. */
static inline uint32_t child_of(const tkm_bt_tables *t, uint32_t v, uint8_t c)
{
    uint32_t lo = t->node[v].child, end = t->node[v + 1].child, hi = end;
    const uint8_t *label = t->label;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (label[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && label[lo] == c ? lo : 0;
}

/* The longest reachable token that is a prefix of p[0..n), n >= 1: there is
 * always one, the first byte. */
static uint32_t longest_match(const tkm_bt_tables *t, const uint8_t *p, size_t n)
{
    uint32_t v = t->root[p[0]];
    uint32_t best = node_tok(t, v);
    if (n < 2 || !(v = t->root2[(size_t)p[0] << 8 | p[1]]))
        return best;
    uint32_t r2 = node_tok(t, v);
    if (r2 != NONE)
        best = r2;
    for (size_t i = 2; i < n; i++) {
        v = child_of(t, v, p[i]);
        if (!v)
            break;
        uint32_t r = node_tok(t, v);
        if (r != NONE)
            best = r;
    }
    return best;
}

static inline uint64_t pair_hash(uint32_t l, uint32_t r)
{
    return ((uint64_t)l << 32 | r) * 0x9E3779B97F4A7C15ull;
}

static inline uint64_t pair_key(uint32_t l, uint32_t r)
{
    return (uint64_t)l << (2 * PAIR_RANK_BITS) | (uint64_t)r << PAIR_RANK_BITS;
}

/* Both filters below (pairs and junctions) are blocked Bloom filters of
 * 2^bits bits: k bits of one 64-bit word per key, so a probe is one read.
 * The word comes from the hash's top bits, the bit positions from its middle
 * bits (the multiplicative hashes here mix those well enough). */
static inline size_t bloom_word(uint64_t h, unsigned bits)
{
    return (size_t)(h >> (64 - (bits - 6)));
}

static inline uint64_t bloom_mask(uint64_t h, int k)
{
    uint64_t m = 0;
    for (int i = 0; i < k; i++)
        m |= UINT64_C(1) << (h >> (20 + 6 * i) & 63);
    return m;
}

static inline bool bloom_has(const uint64_t *f, unsigned bits, uint64_t h, int k)
{
    uint64_t m = bloom_mask(h, k);
    return (f[bloom_word(h, bits)] & m) == m;
}

static inline void bloom_add(uint64_t *f, unsigned bits, uint64_t h, int k)
{
    f[bloom_word(h, bits)] |= bloom_mask(h, k);
}

/* The pair filter: nearly every pair valid_pair asks about is no merge (on
 * 1 MiB of CJK, 0.5 % are); with one bit a pair, 10 % of them got through to
 * the pair table, and its reads were a third of the encoder's time. Two bits
 * in a word at ~6 pairs a word let ~3 % through. */
#define PAIR_FILTER_K 2

/* The token whose last merge is (l, r), or NONE. */
static inline uint32_t pair_find(const tkm_bt_tables *t, uint32_t l, uint32_t r)
{
    uint64_t h = pair_hash(l, r);
    if (!bloom_has(t->filter, t->filter_bits, h, PAIR_FILTER_K))
        return NONE;
    uint64_t key = pair_key(l, r);
    size_t mask = ((size_t)1 << t->pair_bits) - 1;
    for (size_t i = (size_t)(h >> (64 - t->pair_bits));; i = (i + 1) & mask) {
        uint64_t e = t->pairs[i];
        if (e == PAIR_EMPTY)
            return NONE;
        if ((e & ~PAIR_RANK_MASK) == key)
            return (uint32_t)(e & PAIR_RANK_MASK);
    }
}

static void pair_insert(tkm_bt_tables *t, uint32_t l, uint32_t r, uint32_t m)
{
    uint64_t h = pair_hash(l, r);
    bloom_add(t->filter, t->filter_bits, h, PAIR_FILTER_K);
    size_t mask = ((size_t)1 << t->pair_bits) - 1;
    size_t i = (size_t)(h >> (64 - t->pair_bits));
    while (t->pairs[i] != PAIR_EMPTY)
        i = (i + 1) & mask;
    t->pairs[i] = pair_key(l, r) | m;
}

/* Does merging bytes(a) bytes(b) give exactly [a, b] (both reachable)?
 * Walks back through the merges that made a's right edge and b's left edge,
 * latest (highest rank) first; `limit` is the rank the pair across the
 * boundary must reach to lose against the merge just unwound: that merge's
 * rank when it was a's (it lies to the left and wins ties), one more when
 * it was b's. A byte's split is itself, which ends its side. */
static bool valid_pair(const tkm_bt_tables *t, uint32_t a, uint32_t b)
{
    uint32_t limit = NONE;
    for (;;) {
        uint32_t m = pair_find(t, a, b);
        if (m != NONE && m < limit)
            return false;
        if (a > b) {
            limit = a;
            a = t->split[a].right;
            if (a == limit) { /* a is a byte: only b's side is left */
                limit = b + 1;
                b = t->split[b].left;
                if (b + 1 == limit)
                    return true;
            }
        } else {
            limit = b + 1;
            b = t->split[b].left;
            if (b + 1 == limit) {
                limit = a;
                a = t->split[a].right;
                if (a == limit)
                    return true;
            }
        }
    }
}

/* ---- junctions: where a long piece can be cut ----
 * A token spans the boundary b of a piece when it occurs as p[s..e) with
 * s < b < e. Where none does, merging never joins across b (every merge
 * makes a token), and the merges on each side are the same, in the same
 * relative order, as when each side is merged alone: the piece can be cut
 * there. At a boundary between two multi-byte UTF-8 characters (a
 * continuation byte, then a lead byte) a spanning token has l >= 1 bytes on
 * the left and r >= 1 on the right; its key is (min(l, 3), min(r, 3)) and
 * those bytes around b. The filter holds the key of every cut of every token
 * at such a junction (o200k: 42,209 keys; cl100k: 1,531), and a boundary is
 * uncrossed when none of its 9 possible keys is in the filter. In random CJK
 * text no boundary is spanned; in real text, common words are tokens. */

/* The window of up to 3 bytes on each side of a boundary, from the low
 * byte up: w[k] is the byte at b - 3 + k (0 where the piece has none). */
static inline uint64_t junction_window(const uint8_t *p, size_t n, size_t b)
{
    uint64_t w = 0;
    for (size_t k = b < 3 ? 3 - b : 0; k < 6 && b - 3 + k < n; k++)
        w |= (uint64_t)p[b - 3 + k] << (8 * k);
    return w;
}

/* The key (l, r): bytes [3 - l, 3 + r) of the window, and (l, r) itself;
 * one multiply, whose top bits pick the word and middle bits the bits. */
static inline uint64_t junction_hash(uint64_t w, unsigned l, unsigned r)
{
    uint64_t keep = (UINT64_C(1) << (8 * (l + r))) - 1;
    uint64_t key = (w & keep << (8 * (3 - l))) | (uint64_t)(l << 2 | r) << 56;
    return key * 0x9E3779B97F4A7C15ull;
}

#define JUNCTION_K 3 /* bits a key */

/* The junction's slot in junction_types: the low 6 bits of the two bytes
 * (a continuation byte and a lead byte). */
static inline size_t junction_pair(uint8_t cont, uint8_t lead)
{
    return (size_t)(cont & 0x3F) << 6 | (lead & 0x3F);
}

bool tkm_bt_uncrossed(const tkm_bt_tables *t, const uint8_t *p, size_t n, size_t b)
{
    /* Only the (l, r) kinds some token has at this junction: in o200k
     * mostly (3, 3), (3, 2), (2, 3) and (2, 2). */
    unsigned kinds = t->junction_types[junction_pair(p[b - 1], p[b])];
    if (!kinds)
        return true;
    unsigned lmax = b < 3 ? (unsigned)b : 3, rmax = n - b < 3 ? (unsigned)(n - b) : 3;
    uint64_t w = junction_window(p, n, b);
    for (; kinds; kinds &= kinds - 1) {
        unsigned k = (unsigned)__builtin_ctz(kinds), l = k / 3 + 1, r = k % 3 + 1;
        if (l > lmax || r > rmax)
            continue;
        if (bloom_has(t->junction, t->junction_bits, junction_hash(w, l, r), JUNCTION_K))
            return false;
    }
    return true;
}

bool tkm_bt_reachable(const tkm_bt_tables *t, uint32_t r)
{
    return r < t->n_ranks && t->split[r].left != NONE;
}

/* Every token's cuts at junctions, into a filter of 4 bits a cut (at least
 * 4 KiB): o200k has 138,008 such cuts but only 42,209 distinct keys, ~25
 * bits a key in its 128 KiB. Two passes: count, then allocate and insert. */
static tkm_status build_junctions(tkm_bt_tables *t, const tkm_vocab *v, const tkm_allocator *a)
{
    size_t n_cuts = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            unsigned bits = 15;
            while (((size_t)1 << bits) < 4 * n_cuts)
                bits++;
            t->junction_bits = bits;
            t->junction = tkm_calloc_array(a, (size_t)1 << (bits - 6), sizeof *t->junction);
            t->junction_types = tkm_calloc_array(a, 4096, sizeof *t->junction_types);
            if (!t->junction || !t->junction_types)
                return TKM_ERR_NOMEM;
        }
        for (uint32_t r = 0; r < v->n_ranks; r++) {
            const uint8_t *q = v->bytes + v->off[r];
            uint32_t len = tok_len(v, r);
            for (uint32_t j = 1; j < len; j++) {
                if (!tkm_bt_junction(q, j))
                    continue;
                if (pass == 0) {
                    n_cuts++;
                    continue;
                }
                unsigned l = j < 3 ? j : 3, rr = len - j < 3 ? len - j : 3;
                t->junction_types[junction_pair(q[j - 1], q[j])] |=
                    (uint16_t)(1u << ((l - 1) * 3 + (rr - 1)));
                bloom_add(t->junction, t->junction_bits,
                          junction_hash(junction_window(q, len, j), l, rr), JUNCTION_K);
            }
        }
    }
    return TKM_OK;
}

/* The merge of every 2- and 3-byte sequence (tkm_bt_char). Ranks are below
 * 2^21 - 1 (the pair table's limit). */
static tkm_status build_chars(tkm_bt_tables *t, const tkm_vocab *v, const tkm_allocator *a)
{
    t->chars = tkm_alloc_array(a, TKM_BT_CHARS, sizeof *t->chars);
    if (!t->chars)
        return TKM_ERR_NOMEM;
    for (size_t i = 0; i < TKM_BT_CHARS; i++) {
        uint8_t b[3];
        uint32_t ids[3];
        size_t bad;
        tkm_sink out = {ids, 3, 0, SIZE_MAX};
        size_t n = tkm_bt_char_bytes(i, b);
        if (tkm_bpe_merge_short(v, b, n, &out, &bad) != TKM_OK)
            return TKM_ERR_INTERNAL; /* impossible: every byte is a token here */
        uint64_t e = ~UINT64_C(0);
        for (size_t k = out.n; k-- > 0;)
            e = e << 21 | ids[k];
        t->chars[i] = e;
    }
    return TKM_OK;
}

/* ---- building ---- */

typedef struct rec {
    uint64_t key; /* first 8 bytes, big-endian, zero padded: orders most pairs */
    uint32_t rank;
    uint32_t len;
} rec;

static int rec_cmp(const tkm_vocab *v, const rec *x, const rec *y)
{
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(v->bytes + v->off[x->rank], v->bytes + v->off[y->rank], n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Bottom-up merge sort of n records by token bytes (no qsort: its
 * comparator could not see v without global state). Returns the sorted
 * array, a or tmp. */
static rec *sort_recs(const tkm_vocab *v, rec *a, rec *tmp, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = rec_cmp(v, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        rec *x = a;
        a = tmp;
        tmp = x;
    }
    return a;
}

static void destroy(tkm_bt_tables *t, const tkm_allocator *a)
{
    if (!t || t->embedded)
        return;
    tkm_free(a, t->node);
    tkm_free(a, t->label);
    tkm_free(a, t->root2);
    tkm_free(a, t->next_prefix);
    tkm_free(a, t->split);
    tkm_free(a, t->pairs);
    tkm_free(a, t->filter);
    tkm_free(a, t->junction);
    tkm_free(a, t->junction_types);
    tkm_free(a, t->chars);
    tkm_free(a, t);
}

/* The prefix tree of all tokens, nodes in level order, so that a node's
 * children are consecutive and sorted by byte. From the tokens sorted by
 * bytes: token i adds the nodes for its prefixes longer than its common
 * prefix with token i - 1 (lcp), and within a level, nodes come in the
 * order of the sorted tokens, which groups them by parent. */
static tkm_status build_tree(tkm_bt_tables *t, const tkm_vocab *v, const rec *s, size_t n,
                             const tkm_allocator *a)
{
    uint32_t L = v->max_len;
    uint32_t *lcp = tkm_alloc_array(a, n ? n : 1, sizeof *lcp);
    uint32_t *level = tkm_calloc_array(a, (size_t)L + 2, sizeof *level); /* first node of a depth */
    uint32_t *cur = tkm_alloc_array(a, (size_t)L + 1, sizeof *cur);      /* current path */
    tkm_status st = TKM_ERR_NOMEM;
    if (!lcp || !level || !cur)
        goto out;
    size_t nodes = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = 0;
        if (i) {
            const uint8_t *x = v->bytes + v->off[s[i - 1].rank], *y = v->bytes + v->off[s[i].rank];
            uint32_t m = s[i - 1].len < s[i].len ? s[i - 1].len : s[i].len;
            while (k < m && x[k] == y[k])
                k++;
        }
        lcp[i] = k;
        for (uint32_t d = k + 1; d <= s[i].len; d++)
            level[d]++;
        nodes += s[i].len - k;
    }
    if (nodes >= UINT32_MAX)
        goto out;
    t->n_nodes = (uint32_t)nodes;
    t->node = tkm_calloc_array(a, nodes + 1, sizeof *t->node);
    t->label = tkm_calloc_array(a, nodes + 1, sizeof *t->label);
    t->root2 = tkm_calloc_array(a, 65536, sizeof *t->root2);
    if (!t->node || !t->label || !t->root2)
        goto out;
    /* level[d]: from a count to the id of depth d's first node. */
    uint32_t next = 1;
    for (uint32_t d = 1; d <= L; d++) {
        uint32_t c = level[d];
        level[d] = next;
        next += c;
    }
    cur[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *b = v->bytes + v->off[s[i].rank];
        for (uint32_t d = lcp[i] + 1; d <= s[i].len; d++) {
            uint32_t id = level[d]++;
            t->node[id].word = (uint32_t)b[d - 1] << TOK_BITS;
            t->label[id] = b[d - 1];
            t->node[cur[d - 1] + 1].child++; /* a count for now */
            cur[d] = id;
        }
        t->node[cur[s[i].len]].word |= s[i].rank + 1;
    }
    /* Children in level order follow their parents' order: prefix sums of
     * the counts give each node's first child. */
    t->node[0].child = 1;
    for (uint32_t i = 0; i < t->n_nodes; i++)
        t->node[i + 1].child += t->node[i].child;
    for (uint32_t c = t->node[0].child; c < t->node[1].child; c++) {
        t->root[t->label[c]] = c;
        for (uint32_t d = t->node[c].child; d < t->node[c + 1].child; d++)
            t->root2[(size_t)t->label[c] << 8 | t->label[d]] = d;
    }
    st = TKM_OK;
out:
    tkm_free(a, lcp);
    tkm_free(a, level);
    tkm_free(a, cur);
    return st;
}

/* next_prefix from one pass over the tree in level order (parents first):
 * best[v] is the deepest token on the path to v, v included. With
 * reachable_only, tokens without a split leave the tree first. */
static void build_next_prefix(tkm_bt_tables *t, uint32_t *best, bool reachable_only)
{
    best[0] = NONE;
    for (uint32_t v = 0; v < t->n_nodes; v++) {
        for (uint32_t c = t->node[v].child; c < t->node[v + 1].child; c++) {
            uint32_t r = node_tok(t, c);
            if (r != NONE && reachable_only && t->split[r].left == NONE) {
                t->node[c].word &= ~TOK_MASK;
                r = NONE;
            }
            if (r != NONE)
                t->next_prefix[r] = best[v];
            best[c] = r != NONE ? r : best[v];
        }
    }
}

/* Splits in rank order, as rust-gems derives them: for token r, the longest
 * reachable prefix x < r whose rest is a reachable token y < r such that
 * (x, y) is a valid pair among the tokens below r (the pair table holds only
 * those yet). None: r is unreachable. next_prefix must chain all tokens. */
static void build_splits(tkm_bt_tables *t, const tkm_vocab *v)
{
    for (uint32_t r = 0; r < t->n_ranks; r++) {
        uint32_t len = tok_len(v, r);
        if (len == 0)
            continue;
        if (len == 1) {
            t->split[r] = (split){r, r};
            continue;
        }
        const uint8_t *b = v->bytes + v->off[r];
        bool found = false;
        for (uint32_t x = t->next_prefix[r]; x != NONE && !found; x = t->next_prefix[x]) {
            if (x >= r || t->split[x].left == NONE)
                continue;
            uint32_t d = tok_len(v, x);
            uint32_t y = tkm_vocab_lookup(v, b + d, len - d);
            if (y >= r || t->split[y].left == NONE)
                continue; /* NONE (not a token) is >= r too */
            if (valid_pair(t, x, y)) {
                t->split[r] = (split){x, y};
                pair_insert(t, x, y, r);
                found = true;
            }
        }
        t->n_unreachable += !found;
    }
}

/* For a vocabulary from a file: every token's split and reachability must
 * be what the reference merge does (see the top of the file). */
static bool check_splits(const tkm_bt_tables *t, const tkm_vocab *v, uint32_t *start,
                         uint32_t *rank)
{
    for (uint32_t r = 0; r < t->n_ranks; r++) {
        uint32_t len = tok_len(v, r);
        if (len < 2)
            continue;
        size_t k = tkm_bpe_last_merge(v, v->bytes + v->off[r], len, start, rank);
        split sp = t->split[r];
        if (sp.left == NONE ? k != 0 : k != tok_len(v, sp.left))
            return false;
    }
    return true;
}

/* Builds the tables: TKM_OK with *out set, or set to NULL when the
 * vocabulary is not one the encoder handles; TKM_ERR_NOMEM. */
static tkm_status build_tables(const tkm_vocab *v, tkm_bt_tables **out)
{
    const tkm_allocator *a = v->alloc;
    *out = NULL;
    if (v->n_ranks == 0 || v->n_ranks >= PAIR_RANK_MASK)
        return TKM_OK;
    for (int c = 0; c < 256; c++)
        if (v->byte_rank[c] == TKM_NO_RANK)
            return TKM_OK;
    tkm_bt_tables *t = tkm_calloc_array(a, 1, sizeof *t);
    if (!t)
        return TKM_ERR_NOMEM;
    t->n_ranks = v->n_ranks;

    /* The tree first, so that the sort's memory is gone before the per-rank
     * tables are allocated (peak memory). */
    size_t n = v->n_tokens;
    rec *recs = tkm_alloc_array(a, n ? n : 1, sizeof *recs);
    rec *tmp = tkm_alloc_array(a, n ? n : 1, sizeof *tmp);
    uint32_t *pre = NULL;
    tkm_status st = TKM_ERR_NOMEM;
    if (!recs || !tmp)
        goto out;
    size_t k = 0;
    for (uint32_t r = 0; r < v->n_ranks; r++) {
        uint32_t len = tok_len(v, r);
        if (len == 0)
            continue;
        const uint8_t *b = v->bytes + v->off[r];
        uint64_t key = 0;
        for (uint32_t i = 0; i < 8; i++)
            key = key << 8 | (i < len ? b[i] : 0);
        recs[k++] = (rec){key, r, len};
    }
    const rec *sorted = sort_recs(v, recs, tmp, k);
    st = build_tree(t, v, sorted, k, a);
    tkm_free(a, recs);
    tkm_free(a, tmp);
    recs = tmp = NULL;
    if (st != TKM_OK)
        goto out;

    st = TKM_ERR_NOMEM;
    /* The pair table at load <= 4/5: the filter keeps nearly all misses
     * away from it, and a hit is ~3 probes in one or two lines; o200k's is
     * 2 MiB (at 2/5 it was 4). The filter: 8 bits a merge. */
    unsigned bits = 8;
    while (((size_t)1 << bits) * 4 < 5 * ((size_t)v->n_ranks + 1))
        bits++;
    t->pair_bits = bits;
    t->filter_bits = bits + 3;
    t->next_prefix = tkm_alloc_array(a, v->n_ranks, sizeof *t->next_prefix);
    t->split = tkm_alloc_array(a, v->n_ranks, sizeof *t->split);
    t->pairs = tkm_alloc_array(a, (size_t)1 << bits, sizeof *t->pairs);
    t->filter = tkm_calloc_array(a, (size_t)1 << (t->filter_bits - 6), sizeof *t->filter);
    /* One scratch for the next_prefix passes (n_nodes) and the check
     * (2 * (max_len + 1)). */
    size_t scratch = t->n_nodes > 2 * ((size_t)v->max_len + 1) ? t->n_nodes
                                                                : 2 * ((size_t)v->max_len + 1);
    pre = tkm_alloc_array(a, scratch, sizeof *pre);
    if (!t->next_prefix || !t->split || !t->pairs || !t->filter || !pre)
        goto out;
    memset(t->next_prefix, 0xff, v->n_ranks * sizeof *t->next_prefix);
    memset(t->split, 0xff, v->n_ranks * sizeof *t->split);
    memset(t->pairs, 0xff, ((size_t)1 << bits) * sizeof *t->pairs);

    build_next_prefix(t, pre, false);
    build_splits(t, v);
    memset(t->next_prefix, 0xff, v->n_ranks * sizeof *t->next_prefix);
    build_next_prefix(t, pre, true);
    if (v->owned_off && !check_splits(t, v, pre, pre + v->max_len + 1)) {
        st = TKM_OK; /* unsupported: *out stays NULL */
        goto out;
    }
    if ((st = build_junctions(t, v, a)) != TKM_OK || (st = build_chars(t, v, a)) != TKM_OK)
        goto out;
    tkm_free(a, pre);
    *out = t;
    return TKM_OK;
out:
    tkm_free(a, recs);
    tkm_free(a, tmp);
    tkm_free(a, pre);
    destroy(t, a);
    return st;
}

bool tkm_bt_pending(const tkm_vocab *v)
{
    return __atomic_load_n(&v->bt, __ATOMIC_ACQUIRE) == NULL;
}

const tkm_bt_tables *tkm_bt_get(const tkm_vocab *v, const tkm_allocator *a, bool build)
{
    (void)a; /* the tables are v's: built and freed with v->alloc */
    /* The vocabulary is shared and otherwise immutable; only this pointer
     * changes, once, from NULL (a built-in's is set when it is wrapped).
     * Racing builders: the loser frees its copy. */
    void **slot = &((tkm_vocab *)v)->bt;
    void *cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!cur && build) {
        tkm_bt_tables *t;
        if (build_tables(v, &t) != TKM_OK)
            return NULL; /* out of memory: try again another time */
        void *mine = t ? (void *)t : UNSUPPORTED;
        cur = NULL;
        if (__atomic_compare_exchange_n(slot, &cur, mine, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            cur = mine;
        else
            destroy(t, v->alloc);
    }
    return cur == UNSUPPORTED ? NULL : cur; /* NULL if not built */
}

void tkm_bt_free(tkm_vocab *v)
{
    if (!v)
        return;
    void *p = __atomic_load_n(&v->bt, __ATOMIC_ACQUIRE);
    if (p && p != UNSUPPORTED)
        destroy(p, v->alloc);
    v->bt = NULL;
}

void tkm_bt_get_info(const tkm_bt_tables *t, tkm_bt_info *info)
{
    memset(info, 0, sizeof *info);
    if (!t)
        return;
    info->n_nodes = t->n_nodes;
    info->n_unreachable = t->n_unreachable;
    info->embedded = t->embedded != 0;
    info->bytes = sizeof *t + ((size_t)t->n_nodes + 1) * (sizeof *t->node + 1) +
                  65536 * sizeof *t->root2 +
                  (size_t)t->n_ranks * (sizeof *t->next_prefix + sizeof *t->split) +
                  ((size_t)1 << t->pair_bits) * sizeof *t->pairs +
                  ((size_t)1 << t->filter_bits) / 8 + ((size_t)1 << t->junction_bits) / 8 +
                  4096 * sizeof *t->junction_types + TKM_BT_CHARS * sizeof *t->chars;
}

/* ---- encoding ---- */

static inline bool alive(const uint64_t *bits, size_t i)
{
    return bits[i / 64] >> (i % 64) & 1;
}

tkm_status tkm_bt_encode(const tkm_bt_tables *t, const tkm_vocab *v, const uint8_t *p, size_t n,
                         tkm_bpe_scratch *s, const tkm_allocator *a, tkm_sink *out)
{
    size_t words = n / 64 + 1; /* offsets 0..n */
    if (tkm_grow(a, (void **)&s->bt_tok, &s->bt_tok_cap, n, sizeof *s->bt_tok) != TKM_OK ||
        tkm_grow(a, (void **)&s->bt_dead, &s->bt_dead_cap, words, sizeof *s->bt_dead) != TKM_OK)
        return TKM_ERR_NOMEM;
    uint32_t *tok = s->bt_tok;
    uint64_t *bits = s->bt_dead;
    memset(bits, 0xff, words * sizeof *bits);
    size_t k = 0, pos = 0; /* tok[0..k) spell p[0..pos) */
    uint32_t next = longest_match(t, p, n);
    while (next != NONE) {
        uint32_t last = k ? tok[k - 1] : NONE;
        uint32_t r = next;
        for (;;) {
            size_t end = pos + tok_len(v, r);
            if (alive(bits, end) && (last == NONE || valid_pair(t, last, r))) {
                tok[k++] = r;
                pos = end;
                next = end < n ? longest_match(t, p + end, n - end) : NONE;
                break;
            }
            if (t->next_prefix[r] != NONE) {
                r = t->next_prefix[r];
                continue;
            }
            /* Nothing fits here after last: mark pos dead (rust-gems
             * clears it on every pop, which its argument allows), pop
             * last and go on with its shorter prefixes. */
            bits[pos / 64] &= ~((uint64_t)1 << (pos % 64));
            if (k) {
                k--;
                pos -= tok_len(v, last);
            }
            next = last; /* retried: its end is now dead, so its prefixes follow */
            break;
        }
    }
    if (pos != n)
        return TKM_ERR_UNENCODABLE;
    tkm_sink_put_all(out, tok, k);
    return TKM_OK;
}
