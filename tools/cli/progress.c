/* progress.c — a progress line on stderr.
 *
 * Nothing is drawn unless stderr is a terminal, and nothing before the work
 * has run for one second, so short runs and pipes never see it. The line is
 * redrawn at most ten times a second with "\r" and erased at the end, so
 * diagnostics printed later start on a clean line. */
#include "progress.h"
#include "io.h"

#include <stdio.h>
#include <time.h>

/* The progress line on screen, if any: diagnostics erase it first. */
static cli_progress *active;

void cli_progress_clear_active(void)
{
    if (active)
        cli_progress_clear(active);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_begin(cli_progress *p, const char *what, uint64_t total)
{
    p->enabled = cli_stderr_is_tty();
    p->shown = false;
    p->start = cli_now();
    p->last = 0;
    p->what = what;
    p->total = total;
    pthread_mutex_init(&p->mu, NULL);
    if (p->enabled)
        active = p;
}

void cli_progress_update(cli_progress *p, uint64_t done, uint64_t bytes)
{
    if (!p->enabled)
        return;
    double now = cli_now();
    if (now - p->start < 1.0 || now - p->last < 0.1)
        return;
    pthread_mutex_lock(&p->mu);
    if (now - p->last >= 0.1) {
        p->last = now;
        double el = now - p->start;
        char line[160];
        int n;
        if (p->total)
            n = snprintf(line, sizeof line, "tokmeter: %llu/%llu %s (%.0f%%)",
                         (unsigned long long)done, (unsigned long long)p->total, p->what,
                         100.0 * (double)done / (double)p->total);
        else
            n = snprintf(line, sizeof line, "tokmeter: %llu %s", (unsigned long long)done,
                         p->what);
        if (bytes && n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, ", %.1f MB, %.1f MB/s",
                     (double)bytes / 1e6, (double)bytes / 1e6 / el);
        fprintf(stderr, "\r%s\033[K", line);
        fflush(stderr);
        p->shown = true;
    }
    pthread_mutex_unlock(&p->mu);
}

void cli_progress_clear(cli_progress *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = false;
    }
    pthread_mutex_unlock(&p->mu);
}

void cli_progress_end(cli_progress *p)
{
    if (active == p)
        active = NULL;
    cli_progress_clear(p);
    pthread_mutex_destroy(&p->mu);
}
