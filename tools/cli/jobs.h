/* jobs.h — run n independent jobs on threads, emit the results in order. */
#ifndef TKM_CLI_JOBS_H
#define TKM_CLI_JOBS_H

#include <stddef.h>

/* work(ctx, worker, i) runs as worker `worker` (0..threads-1; 0 is the
 * calling thread, the others are threads started here) for every i in
 * 0..n-1, in any order. emit(ctx, i) runs in order 0, 1, 2 ..., one call at
 * a time, as soon as job i and every job before it are done, on whichever
 * thread finished the job that completed them (the calling thread among
 * them). Everything has run when cli_jobs_run returns. */
typedef void (*cli_job_fn)(void *ctx, unsigned worker, size_t i);
typedef void (*cli_emit_fn)(void *ctx, size_t i);

/* Every job runs and is emitted: when fewer threads start than asked, or
 * there is no memory for the pool, on those there are (the calling thread
 * alone at worst). */
void cli_jobs_run(size_t n, unsigned threads, cli_job_fn work, cli_emit_fn emit, void *ctx);

/* The number of online cores (at least 1). */
unsigned cli_default_jobs(void);

#endif
