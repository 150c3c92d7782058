/* first_seen_merge.c — what merging the first-seen pieces of a text costs,
 * and whether merging two (or more) of them in lockstep hides the latency
 * of their look-ups. Analysis only: it includes src/bpe.c to reach its
 * static merge helpers, and is not built by CMake.
 *
 *   cc -O2 -Iinclude -Isrc bench/analysis/first_seen_merge.c \
 *      build-rel/libtokmeter.a -lpcre2-8 -lutf8proc -lxxhash -lpthread \
 *      -o /tmp/first_seen_merge
 *   /tmp/first_seen_merge FILE [ENCODING]
 *
 * The pieces: the scanner's pieces of FILE of 4-32 bytes that are not one
 * token, each distinct one once, in text order (what a context's piece
 * cache cannot answer). It prints, in rdtsc cycles a piece:
 *  - "cold" and "warm": tkm_bpe_piece on each piece, then at once again
 *    (the second time with memo, tables and piece in L1);
 *  - rounds of "single" (one merge after another), "pairs" (two pieces'
 *    merge steps interleaved, one step of each per iteration), "three" and
 *    "four", all with the same W = 32 merge code and a fresh pair memo each
 *    round, and checks that every form gives the same ids (a hash of them).
 * Session 10 (2026-11-23), first 2 MB of multilingual.txt, o200k: cold
 * ~1,000, warm 437-451. The forms swing with the VM's phase (single
 * 650-1,120 across runs); within one phase pairs ran 0-12 % faster than
 * single (574-614 against 651-661 in the steadiest run), and three and
 * four were no better than pairs. */
#define _GNU_SOURCE
#include "tokmeter.h"
#include "encoding.h"
#include "bpe.c"

#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

typedef struct mstate {
    int32_t key[64];
    uint32_t tok[64], ntok[64];
    uint8_t nxt[64], prv[64];
    uint64_t live;
    int32_t best;
    const uint8_t *p;
    size_t n;
} mstate;

typedef struct span {
    uint32_t off, len;
} span;

/* merge_fixed's set-up, its loop body and its output, for one piece's state. */
static TKM_ALWAYS_INLINE void m_init(const tkm_vocab *v, mstate *s, const uint8_t *p, size_t n,
                                     const size_t W)
{
    s->p = p;
    s->n = n;
    for (size_t i = 0; i < W; i++) {
        s->nxt[i] = (uint8_t)(i + 1);
        s->prv[i] = (uint8_t)(i - 1);
        s->key[i] = KEY_NO;
    }
    s->live = ~0ull >> (64 - n);
    int32_t best = KEY_NO;
    size_t b0 = p[0];
    for (size_t i = 0; i + 1 < n; i++) {
        size_t b1 = p[i + 1];
        s->tok[i] = v->byte_rank[b0];
        s->ntok[i] = v->byte_rank[b1];
        int32_t k = key_of(v->pair_rank[b0 << 8 | b1], i);
        s->key[i] = k;
        best = k < best ? k : best;
        b0 = b1;
    }
    s->tok[n - 1] = v->byte_rank[b0];
    s->ntok[n - 1] = TKM_NO_RANK;
    s->best = best;
}

static TKM_ALWAYS_INLINE void m_step(const tkm_vocab *v, tkm_piece_cache *memo, uint64_t ebits,
                                     mstate *s, const size_t W)
{
    int32_t best = s->best;
    const uint8_t *p = s->p;
    size_t n = s->n;
    size_t i = (size_t)best & 63, j = s->nxt[i], k = s->nxt[j];
    size_t h = s->prv[i] & (0 - (size_t)(i > 0));
    uint32_t r = (uint32_t)best >> 6;
    s->key[h] = KEY_NO;
    s->key[i] = KEY_NO;
    s->key[j] = KEY_NO;
    s->live &= ~(1ull << j);
    uint32_t tk = s->ntok[j];
    s->tok[i] = r;
    s->nxt[i] = (uint8_t)k;
    s->ntok[h] = r;
    s->ntok[i] = tk;
    int32_t ki = KEY_NO, kh = KEY_NO;
    if (k < n) {
        s->prv[k] = (uint8_t)i;
        ki = pair_key_of(v, memo, ebits, r, tk, p + i, (size_t)s->nxt[k] - i, i, true);
    }
    if (i > 0)
        kh = pair_key_of(v, memo, ebits, s->tok[h], r, p + h, k - h, h, true);
    int32_t m = KEY_NO;
    TKM_NO_EARLY_UNROLL
    for (size_t x = 0; x < W; x++)
        m = s->key[x] < m ? s->key[x] : m;
    best = ki < kh ? ki : kh;
    best = m < best ? m : best;
    s->key[h] = kh;
    s->key[i] = ki;
    s->best = best;
}

/* K pieces (K <= 8) merged in lockstep; K = 1 is merge_fixed. */
__attribute__((target("avx2"))) static size_t merge_k(const tkm_vocab *v, tkm_piece_cache *memo,
                                                      const uint8_t *s, const span *ps, size_t K,
                                                      uint32_t *out, size_t cap)
{
    mstate st[8];
    uint64_t eb = tkm_pair_memo_bits(memo);
    for (size_t k = 0; k < K; k++)
        m_init(v, &st[k], s + ps[k].off, ps[k].len, 32);
    for (bool any = true; any;) {
        any = false;
        for (size_t k = 0; k < K; k++)
            if (st[k].best < KEY_NONE_MEMO) {
                m_step(v, memo, eb, &st[k], 32);
                any = true;
            }
    }
    tkm_sink o = {out, cap, 0, SIZE_MAX};
    for (size_t k = 0; k < K; k++)
        tkm_sink_put_live(&o, st[k].tok, st[k].live, 32);
    return o.n;
}

static uint64_t fnv_more(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
    return fnv_more(1469598103934665603ull, p, n) | 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: first_seen_merge FILE [ENCODING]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *s = malloc(n);
    if (!s || fread(s, 1, n, f) != n)
        return 2;
    fclose(f);
    tkm_encoding *enc;
    if (tkm_encoding_load_builtin(argc > 2 ? argv[2] : "o200k_base", NULL, &enc) != TKM_OK)
        return 2;
    const tkm_vocab *v = &enc->vocab;
    span *first = malloc(n * sizeof *first);
    size_t nf = 0, hcap = (size_t)1 << 22, ends[256], pos = 0;
    uint64_t *seen = calloc(hcap, sizeof *seen);
    while (pos < n) {
        size_t k = tkm_scan_pieces(enc->scan, s, n, pos, ends, 256);
        for (size_t i = 0; i < k; i++) {
            size_t a = pos, len = ends[i] - pos;
            pos = ends[i];
            if (len < 4 || len > 32 || tkm_vocab_lookup(v, s + a, len) != TKM_NO_RANK)
                continue;
            uint64_t h = fnv(s + a, len);
            size_t j = h & (hcap - 1);
            while (seen[j] && seen[j] != h)
                j = (j + 1) & (hcap - 1);
            if (seen[j])
                continue;
            seen[j] = h;
            first[nf++] = (span){(uint32_t)a, (uint32_t)len};
        }
    }
    printf("%zu first-seen pieces of 4-32 bytes\n", nf);
    tkm_allocator al;
    tkm_alloc_init(&al, NULL);
    uint32_t ids[512];
    tkm_bpe_scratch sc;
    memset(&sc, 0, sizeof sc);
    { /* cold, then warm */
        tkm_piece_cache c;
        memset(&c, 0, sizeof c);
        bool ok = tkm_piece_cache_bind(&c, enc->fingerprint, v->n_ranks, (size_t)1 << 30, &al);
        uint64_t tc = 0, tw = 0;
        for (size_t i = 0; i < nf; i++) {
            size_t bad;
            tkm_sink o = {ids, 512, 0, SIZE_MAX};
            uint64_t t0 = __rdtsc();
            tkm_bpe_piece(v, s + first[i].off, first[i].len, &sc, ok ? &c : NULL, &al, &o, &bad);
            uint64_t t1 = __rdtsc();
            o.n = 0;
            tkm_bpe_piece(v, s + first[i].off, first[i].len, &sc, ok ? &c : NULL, &al, &o, &bad);
            tw += __rdtsc() - t1;
            tc += t1 - t0;
        }
        printf("cold %.0f, warm %.0f cycles a piece\n", (double)tc / nf, (double)tw / nf);
        tkm_piece_cache_free(&c, &al);
    }
    uint64_t want = 0;
    for (int round = 0; round < 12; round++) {
        size_t K = (size_t)(round % 4) + 1;
        tkm_piece_cache c;
        memset(&c, 0, sizeof c);
        if (!tkm_piece_cache_bind(&c, enc->fingerprint, v->n_ranks, (size_t)1 << 30, &al))
            return 3;
        uint64_t t0 = __rdtsc();
        size_t i = 0, m;
        uint64_t got = 1469598103934665603ull; /* all ids in order, however grouped */
        for (; i + K <= nf; i += K) {
            m = merge_k(v, &c, s, first + i, K, ids, 512);
            got = fnv_more(got, (const uint8_t *)ids, m * sizeof *ids);
        }
        for (; i < nf; i++) {
            m = merge_k(v, &c, s, first + i, 1, ids, 512);
            got = fnv_more(got, (const uint8_t *)ids, m * sizeof *ids);
        }
        uint64_t t = __rdtsc() - t0;
        if (round == 0)
            want = got;
        static const char *const names[] = {"single", "pairs", "three", "four"};
        printf("%-6s %.0f cycles a piece%s\n", names[K - 1], (double)t / nf,
               got == want ? "" : "  (IDS DIFFER)");
        tkm_piece_cache_free(&c, &al);
    }
    tkm_bpe_scratch_free(&sc, &al);
    tkm_encoding_free(enc);
    return 0;
}
