/* progress.h — a progress line on stderr, only when stderr is a terminal
 * and the work has run for more than a second. Thread-safe. */
#ifndef TKM_CLI_PROGRESS_H
#define TKM_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cli_progress {
    bool enabled;   /* stderr is a TTY */
    bool shown;     /* a line is on screen */
    double start, last;
    const char *what;  /* "files", "lines", "bytes"... */
    uint64_t total;    /* 0 = unknown */
    pthread_mutex_t mu;
} cli_progress;

/* Monotonic seconds. */
double cli_now(void);

void cli_progress_begin(cli_progress *p, const char *what, uint64_t total);
/* done units of total so far, and bytes processed (0 = do not show). */
void cli_progress_update(cli_progress *p, uint64_t done, uint64_t bytes);
/* Erase the line before printing something else on stderr. */
void cli_progress_clear(cli_progress *p);
/* Erase whichever progress line is on screen (diag.c calls it before
 * printing a diagnostic). */
void cli_progress_clear_active(void);
/* Erase the line, if one was drawn, and release p. */
void cli_progress_end(cli_progress *p);

#endif
