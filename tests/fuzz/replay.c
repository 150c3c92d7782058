/* replay.c — runs a libFuzzer target over files without libFuzzer.
 *
 * Usage: fuzz_<target>_replay [--short] <file or directory>...
 * Calls LLVMFuzzerInitialize (when the target defines it) once, then
 * LLVMFuzzerTestOneInput on the contents of every regular file given or
 * found directly inside a given directory (in name order, hidden files
 * skipped). --short also runs every input of 0, 1 and 2 bytes (65,793):
 * the edge cases a fuzzer reaches only by luck (fuzz_count's 1-byte input,
 * an empty text, failed CI once in ~70 runs of 45 s and never in 140,000
 * executions of a long run, whose corpus had moved on to longer inputs).
 * Each input is copied into a buffer of exactly its size, so a
 * sanitizer sees any read past its end. A target reports a failure by
 * aborting; replay itself fails when an argument cannot be read or no input
 * was found at all (a misconfigured corpus path must not pass silently).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path, size_t *n_run)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "replay: %s: out of memory\n", path);
            fclose(f);
            return 1;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return 1;
    }
    /* Exactly n bytes, so that reading past the end is caught. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return 1;
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    ++*n_run;
    return 0;
}

/* Every input of at most 2 bytes, each in a buffer of exactly its size. */
static int run_short(size_t *n_run)
{
    for (size_t len = 0; len <= 2; len++) {
        size_t count = (size_t)1 << (8 * len);
        for (size_t v = 0; v < count; v++) {
            uint8_t *in = malloc(len ? len : 1);
            if (!in) {
                fprintf(stderr, "replay: out of memory\n");
                return 1;
            }
            for (size_t k = 0; k < len; k++)
                in[k] = (uint8_t)(v >> (8 * k));
            LLVMFuzzerTestOneInput(in, len);
            free(in);
            ++*n_run;
        }
    }
    fprintf(stderr, "replay: every input of 0 to 2 bytes\n");
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *n_run)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                rc = 1;
                break;
            }
            names = nn;
            cap = ncap;
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[n] = malloc(len);
        if (!names[n]) {
            rc = 1;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc)
        fprintf(stderr, "replay: %s: out of memory\n", dir);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!rc && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            rc |= run_file(names[i], n_run);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--short] <file or directory>...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t n_run = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "--short") == 0) {
            rc |= run_short(&n_run);
        } else if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= run_dir(argv[i], &n_run);
        } else {
            rc |= run_file(argv[i], &n_run);
        }
    }
    if (n_run == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    if (rc == 0)
        fprintf(stderr, "replay: %zu inputs, no failure\n", n_run);
    return rc;
}
