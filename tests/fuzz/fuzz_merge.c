/* fuzz_merge.c — the backtracking encoder (src/backtrack.c) against the
 * reference merge (tiktoken's _byte_pair_merge) on one piece.
 *
 * The first input byte picks the built-in encoding (byte % 4: r50k_base,
 * p50k_base, cl100k_base, o200k_base); the rest is the piece, whatever its
 * bytes (pre-tokenization is not involved). Checked: the backtracking encoder
 * forced on the piece gives the ids of merging alone, and tkm_bpe_piece
 * (which takes it for long pieces) gives the ids of the reference with the
 * whole-piece rule, both without and with a pair memo (a context's piece
 * cache, shared by all four encodings and re-bound to each input's, so its
 * entries persist across inputs and must never leak between encodings).
 * Unlike the other targets this one calls internal functions, so it is
 * built only with the static library.
 */
#include "fuzz_common.h"

#include "backtrack.h"
#include "bpe.h"
#include "encoding.h"
#include "piece_cache.h"

static const char *const NAMES[] = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
#define N_ENC (sizeof NAMES / sizeof NAMES[0])
static tkm_encoding *encs[N_ENC];
static const tkm_bt_tables *tables[N_ENC];
static tkm_bpe_scratch scratch;
static tkm_allocator alloc;
static tkm_piece_cache memo;

static void load_all(void)
{
    if (encs[0])
        return;
    tkm_alloc_init(&alloc, NULL);
    for (size_t i = 0; i < N_ENC; i++) {
        encs[i] = fuzz_load_builtin(NAMES[i]);
        tables[i] = tkm_bt_get(&encs[i]->vocab, &encs[i]->alloc, true);
        FUZZ_CHECK(tables[i] != NULL, "%s: no backtracking tables", NAMES[i]);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load_all();
    return 0;
}

static void compare(const char *name, const char *what, const uint32_t *x, size_t nx,
                    const uint32_t *y, size_t ny, size_t len)
{
    size_t i = 0;
    while (i < nx && i < ny && x[i] == y[i])
        i++;
    FUZZ_CHECK(nx == ny && i == nx,
               "%s, %zu-byte piece, %s: %zu ids vs %zu; first difference at id %zu (%u vs %u)",
               name, len, what, nx, ny, i, i < nx ? x[i] : 0u, i < ny ? y[i] : 0u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all();
    if (size < 2)
        return 0;
    size_t e = data[0] % N_ENC;
    const tkm_vocab *v = &encs[e]->vocab;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    uint32_t *x = fuzz_xmalloc((n + 1) * sizeof *x), *y = fuzz_xmalloc((n + 1) * sizeof *y);
    size_t bad_x = SIZE_MAX, bad_y = SIZE_MAX;

    tkm_sink sx = {x, n + 1, 0, SIZE_MAX}, sy = {y, n + 1, 0, SIZE_MAX};
    tkm_status a = tkm_bt_encode(tables[e], v, p, n, &scratch, &alloc, &sx);
    tkm_status b = tkm_bpe_merge_reference(v, p, n, &alloc, &sy, &bad_y);
    FUZZ_CHECK(a == TKM_OK && b == TKM_OK, "%s: backtracking %s, reference merge %s", NAMES[e],
               tkm_strerror(a), tkm_strerror(b));
    compare(NAMES[e], "backtracking vs merging", x, sx.n, y, sy.n, n);

    sx = (tkm_sink){x, n + 1, 0, SIZE_MAX};
    sy = (tkm_sink){y, n + 1, 0, SIZE_MAX};
    a = tkm_bpe_piece(v, p, n, &scratch, NULL, &alloc, &sx, &bad_x);
    b = tkm_bpe_piece_reference(v, p, n, &alloc, &sy, &bad_y);
    FUZZ_CHECK(a == b, "%s: tkm_bpe_piece %s, reference %s", NAMES[e], tkm_strerror(a),
               tkm_strerror(b));
    compare(NAMES[e], "tkm_bpe_piece vs reference", x, sx.n, y, sy.n, n);

    /* Bound with a large length so the table exists from the first input. */
    FUZZ_CHECK(tkm_piece_cache_bind(&memo, encs[e]->fingerprint, v->n_ranks, SIZE_MAX / 2, &alloc),
               "piece cache allocation");
    for (int pass = 0; pass < 2; pass++) { /* the second pass hits the memo */
        sx = (tkm_sink){x, n + 1, 0, SIZE_MAX};
        a = tkm_bpe_piece(v, p, n, &scratch, &memo, &alloc, &sx, &bad_x);
        FUZZ_CHECK(a == b && (a == TKM_OK || bad_x == bad_y), "%s: with memo %s, reference %s",
                   NAMES[e], tkm_strerror(a), tkm_strerror(b));
        compare(NAMES[e], "tkm_bpe_piece with memo vs reference", x, sx.n, y, sy.n, n);
    }
    free(x);
    free(y);
    return 0;
}
