/* ab.c — compare two builds of libtokmeter in one process, pass by pass.
 *
 *   tkm_ab [-e ENCODING] [--count] [--rounds N] LIB_A LIB_B FILE...
 *
 * LIB_A and LIB_B are two shared builds of the library (configured with
 * -DBUILD_SHARED_LIBS=ON), for example of two commits. Both are loaded with
 * dlopen (RTLD_LOCAL: each keeps its own symbols and embedded tables; two
 * paths to one file load it once, so copy it to time a build against
 * itself), and
 * each round times one pass of each over the file, in alternating order,
 * every pass with a fresh context as tkm_bench's. Prints the MB/s of each,
 * the ratio of their total times, and the median and quartiles of the
 * per-round ratios B / A, and checks that both gave the same number of
 * tokens.
 *
 * Why: on the 2-vCPU VMs this project is measured on, the speed of one
 * binary drifts by 10-30 % within minutes (other tenants share the L3), so
 * two runs of bench/pair.sh, which alternates whole processes of a few
 * tenths of a second, disagree by +-5-10 % on the same pair of binaries.
 * Passes alternating every 50 ms within one process see the same phase of
 * the machine: two copies of one build agree to about 1 % (bench/README.md).
 */
#include "tokmeter.h"

#include "bench_util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef tkm_status (*load_fn)(const char *, const tkm_allocator *, tkm_encoding **);
typedef void (*enc_free_fn)(tkm_encoding *);
typedef size_t (*bound_fn)(size_t);
typedef tkm_status (*ctx_create_fn)(const tkm_allocator *, tkm_context **);
typedef void (*ctx_free_fn)(tkm_context *);
typedef tkm_status (*encode_fn)(tkm_context *, const tkm_encoding *, const char *, size_t,
                                const tkm_encode_options *, uint32_t *, size_t, size_t *,
                                tkm_error_detail *);
typedef tkm_status (*count_fn)(tkm_context *, const tkm_encoding *, const char *, size_t,
                               const tkm_encode_options *, size_t, size_t *, bool *,
                               tkm_error_detail *);

typedef struct build {
    const char *path;
    void *dl;
    load_fn load;
    enc_free_fn enc_free;
    ctx_create_fn ctx_create;
    ctx_free_fn ctx_free;
    encode_fn encode;
    count_fn count;
    bound_fn bound;
    tkm_encoding *enc;
} build;

/* dlsym into a function pointer: POSIX's idiom, since ISO C has no
 * conversion from void * to a function pointer. */
static int sym(build *b, const char *name, void *fp)
{
    void *p = dlsym(b->dl, name);
    if (!p) {
        fprintf(stderr, "tkm_ab: %s: no %s\n", b->path, name);
        return -1;
    }
    memcpy(fp, &p, sizeof p);
    return 0;
}

static int open_build(build *b, const char *path, const char *encoding)
{
    b->path = path;
    b->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!b->dl) {
        fprintf(stderr, "tkm_ab: %s\n", dlerror());
        return -1;
    }
    if (sym(b, "tkm_encoding_load_builtin", &b->load) || sym(b, "tkm_encoding_free", &b->enc_free) ||
        sym(b, "tkm_context_create", &b->ctx_create) || sym(b, "tkm_context_free", &b->ctx_free) ||
        sym(b, "tkm_context_encode", &b->encode) || sym(b, "tkm_context_count", &b->count) ||
        sym(b, "tkm_encode_bound", &b->bound))
        return -1;
    tkm_status st = b->load(encoding, NULL, &b->enc);
    if (st != TKM_OK) {
        fprintf(stderr, "tkm_ab: %s: cannot load %s (status %d)\n", path, encoding, (int)st);
        return -1;
    }
    return 0;
}

/* One pass, as tkm_bench's: a fresh context; returns seconds, or -1. */
static double pass(const build *b, const char *text, size_t len, uint32_t *ids, size_t cap,
                   bool count, size_t *n)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT | TKM_ENCODE_LOSSLESS, NULL, 0};
    tkm_context *ctx = NULL;
    if (b->ctx_create(NULL, &ctx) != TKM_OK)
        return -1;
    double s = bench_now(CLOCK_MONOTONIC);
    tkm_status st = count ? b->count(ctx, b->enc, text, len, &o, SIZE_MAX, n, NULL, NULL)
                          : b->encode(ctx, b->enc, text, len, &o, ids, cap, n, NULL);
    double e = bench_now(CLOCK_MONOTONIC);
    b->ctx_free(ctx);
    return st == TKM_OK ? e - s : -1;
}

static int run_file(build ab[2], const char *path, int rounds, bool count)
{
    size_t len = 0;
    char *text = bench_read_all(path, &len);
    if (!text) {
        fprintf(stderr, "tkm_ab: cannot read %s\n", path);
        return -1;
    }
    size_t cap = count ? 0 : ab[0].bound(len);
    uint32_t *ids = count ? NULL : malloc(cap * sizeof *ids + 4);
    double *ratio = malloc((size_t)rounds * sizeof *ratio);
    if ((!count && !ids) || !ratio) {
        free(text);
        free(ids);
        free(ratio);
        return -1;
    }
    double total[2] = {0, 0};
    size_t n[2] = {0, 0};
    int rc = 0;
    /* One untimed pass each: page in the text, the tables and the code. */
    for (int k = 0; k < 2 && rc == 0; k++)
        if (pass(&ab[k], text, len, ids, cap, count, &n[k]) < 0)
            rc = -1;
    for (int r = 0; r < rounds && rc == 0; r++) {
        double t[2];
        for (int i = 0; i < 2; i++) {
            int k = (r & 1) ? 1 - i : i; /* A first in even rounds, B first in odd ones */
            size_t got = 0;
            t[k] = pass(&ab[k], text, len, ids, cap, count, &got);
            if (t[k] < 0 || got != n[k]) {
                rc = -1;
                break;
            }
            total[k] += t[k];
        }
        if (rc == 0)
            ratio[r] = t[0] / t[1]; /* B's speed over A's */
    }
    if (rc != 0)
        fprintf(stderr, "tkm_ab: %s: a pass failed\n", path);
    else if (n[0] != n[1]) {
        fprintf(stderr, "tkm_ab: %s: A gives %zu tokens, B %zu\n", path, n[0], n[1]);
        rc = -1;
    } else {
        double q[3];
        bench_quartiles(ratio, (size_t)rounds, q);
        const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        double mb = (double)len * rounds / 1e6;
        printf("%-24s %-6s A %7.2f MB/s  B %7.2f MB/s  B/A total %.3f  median %.3f"
               "  quartiles %.3f-%.3f  (%d rounds, %zu tokens)\n",
               name, count ? "count" : "encode", mb / total[0], mb / total[1],
               total[0] / total[1], q[1], q[0], q[2], rounds, n[0]);
    }
    free(text);
    free(ids);
    free(ratio);
    return rc;
}

int main(int argc, char **argv)
{
    const char *encoding = "o200k_base";
    int rounds = 20;
    bool count = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
            encoding = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--count") == 0)
            count = true;
        else
            break;
    }
    if (argc - i < 3 || rounds < 1) {
        fprintf(stderr, "usage: tkm_ab [-e ENCODING] [--count] [--rounds N] LIB_A LIB_B FILE...\n");
        return 2;
    }
    build ab[2];
    memset(ab, 0, sizeof ab);
    if (open_build(&ab[0], argv[i], encoding) || open_build(&ab[1], argv[i + 1], encoding))
        return 3;
    if (ab[0].dl == ab[1].dl)
        fprintf(stderr, "tkm_ab: note: A and B are one library loaded once (the same file)\n");
    int rc = 0;
    for (int f = i + 2; f < argc; f++)
        if (run_file(ab, argv[f], rounds, count) != 0)
            rc = 3;
    for (int k = 0; k < 2; k++)
        ab[k].enc_free(ab[k].enc);
    return rc;
}
