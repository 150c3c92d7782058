/* batch.c — counting many texts on several threads.
 *
 * The encoding is immutable and shared; each worker has its own context.
 * Texts are handed out one at a time through an atomic index, so a few huge
 * texts among many small ones do not leave a core idle. */
#include "encoding.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct shared {
    const tkm_encoding *enc;
    const char *const *texts;
    const size_t *lens;
    size_t n;
    const tkm_encode_options *opts;
    size_t *counts;
    tkm_status *statuses;
    atomic_size_t next;
    const tkm_allocator *alloc;
} shared;

typedef struct worker {
    shared *sh;
    tkm_status status; /* context creation failure */
    pthread_t thread;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    tkm_context *ctx = NULL;
    w->status = tkm_context_create(sh->alloc, &ctx);
    if (w->status != TKM_OK)
        return NULL;
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n)
            break;
        size_t c = 0;
        tkm_status st = tkm_context_count(ctx, sh->enc, sh->texts[i], sh->lens[i], sh->opts,
                                          SIZE_MAX, &c, NULL, NULL);
        sh->counts[i] = st == TKM_OK ? c : 0;
        sh->statuses[i] = st;
    }
    tkm_context_free(ctx);
    return NULL;
}

tkm_status tkm_count_many(const tkm_encoding *enc, const char *const *texts, const size_t *lens,
                          size_t n, const tkm_encode_options *opts, unsigned n_threads,
                          size_t *counts, tkm_status *statuses)
{
    if (!enc || (n && (!texts || !lens || !counts)))
        return TKM_ERR_INVALID_ARGUMENT;
    if (n == 0)
        return TKM_OK;
    if (n_threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (n_threads > n)
        n_threads = (unsigned)n;
    if (n_threads > 256)
        n_threads = 256;

    /* Everything, the workers' contexts included, comes from the encoding's
     * allocator. */
    const tkm_allocator *a = &enc->alloc;
    tkm_status *own = NULL;
    if (!statuses) {
        own = tkm_alloc_array(a, n, sizeof *own);
        if (!own)
            return TKM_ERR_NOMEM;
        statuses = own;
    }
    for (size_t i = 0; i < n; i++)
        statuses[i] = TKM_ERR_INTERNAL; /* overwritten by whoever counts it */
    shared sh = {enc, texts, lens, n, opts, counts, statuses, 0, a};
    atomic_init(&sh.next, 0);
    worker ws[256];
    unsigned started = 0;
    for (unsigned t = 1; t < n_threads; t++) {
        ws[t].sh = &sh;
        if (pthread_create(&ws[t].thread, NULL, work, &ws[t]) != 0)
            break;
        started = t;
    }
    /* This thread works too, so a failed pthread_create only costs speed. */
    ws[0].sh = &sh;
    work(&ws[0]);
    tkm_status st = ws[0].status;
    for (unsigned t = 1; t <= started; t++) {
        pthread_join(ws[t].thread, NULL);
        if (st == TKM_OK && ws[t].status != TKM_OK)
            st = ws[t].status;
    }
    /* The first text that failed decides. A text no worker reached (every
     * context creation failed) still holds TKM_ERR_INTERNAL: report why. */
    for (size_t i = 0; i < n; i++) {
        if (statuses[i] != TKM_OK) {
            if (statuses[i] == TKM_ERR_INTERNAL && st != TKM_OK)
                statuses[i] = st;
            st = statuses[i];
            break;
        }
    }
    tkm_free(a, own);
    return st;
}
