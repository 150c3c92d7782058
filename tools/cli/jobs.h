/* jobs.h — run n independent jobs on threads, emit the results in order. */
#ifndef TKM_CLI_JOBS_H
#define TKM_CLI_JOBS_H

#include <stddef.h>

/* work(ctx, worker, i) runs on worker thread `worker` (0..threads-1) for
 * every i in 0..n-1, in any order; emit(ctx, i) runs on the calling thread
 * in order 0, 1, 2 ... as soon as job i and every job before it are done. */
typedef void (*cli_job_fn)(void *ctx, unsigned worker, size_t i);
typedef void (*cli_emit_fn)(void *ctx, size_t i);

/* Returns 0, or -1 when threads or memory could not be had (then nothing ran). */
int cli_jobs_run(size_t n, unsigned threads, cli_job_fn work, cli_emit_fn emit, void *ctx);

/* The number of online cores (at least 1). */
unsigned cli_default_jobs(void);

#endif
