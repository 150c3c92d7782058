/* jobs.c — a small pool of threads over an index range, with in-order
 * emission: workers take the next index from a shared counter, and the
 * calling thread prints results as soon as a prefix of them is done, so
 * output streams and its order never depends on --jobs. */
#include "jobs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool {
    size_t n, next;
    unsigned char *done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cli_job_fn work;
    void *ctx;
} pool;

typedef struct worker_arg {
    pool *p;
    unsigned id;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    pool *p = wa->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            break;
        p->work(p->ctx, wa->id, i);
        pthread_mutex_lock(&p->mu);
        p->done[i] = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

unsigned cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 1024 ? 1024u : (unsigned)n;
}

int cli_jobs_run(size_t n, unsigned threads, cli_job_fn work, cli_emit_fn emit, void *ctx)
{
    if (threads > n)
        threads = (unsigned)(n ? n : 1);
    if (threads <= 1) {
        for (size_t i = 0; i < n; i++) {
            work(ctx, 0, i);
            emit(ctx, i);
        }
        return 0;
    }
    pool p = {n, 0, calloc(n, 1), PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, work, ctx};
    pthread_t *tids = calloc(threads, sizeof *tids);
    worker_arg *args = calloc(threads, sizeof *args);
    if (!p.done || !tids || !args) {
        free(p.done);
        free(tids);
        free(args);
        return -1;
    }
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        args[t] = (worker_arg){&p, t};
        if (pthread_create(&tids[t], NULL, worker, &args[t]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        free(p.done);
        free(tids);
        free(args);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&p.mu);
        while (!p.done[i])
            pthread_cond_wait(&p.cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        emit(ctx, i);
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    free(p.done);
    free(tids);
    free(args);
    return 0;
}
