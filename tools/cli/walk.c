/* walk.c — FILE, DIR and GLOB arguments to a list of files.
 *
 * Rules (README.md, count):
 *  - a named file is always read (also a FIFO such as <(cmd));
 *  - a directory is walked recursively; entries are visited in byte order
 *    of their names, so the output order never depends on the file system;
 *  - inside directories, hidden entries (".name") are skipped unless
 *    --hidden, --exclude GLOB skips matching names, --include GLOB keeps only
 *    matching file names, symlinks to files are followed, symlinks to
 *    directories are not (no loops), and anything but a regular file is
 *    skipped;
 *  - an argument that names nothing but holds *, ? or [ is a glob(3)
 *    pattern (for quoted patterns and shells that do not expand them);
 *  - every skipped entry is recorded with its reason, every failure is
 *    printed and recorded: nothing is dropped silently. */
#include "walk.h"
#include "json_out.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    void *np = realloc(*p, nc * size);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

static void add_file(cli_walk *w, const char *path)
{
    char *copy = strdup(path);
    if (!copy || !grow((void **)&w->files, &w->cap_files, w->n_files, sizeof *w->files)) {
        free(copy);
        w->rc = cli_worse(w->rc, EXIT_DATA);
        return;
    }
    w->files[w->n_files++] = copy;
}

void cli_walk_skip(cli_walk *w, const char *path, const char *reason)
{
    char *copy = strdup(path);
    if (!copy || !grow((void **)&w->skipped, &w->cap_skipped, w->n_skipped, sizeof *w->skipped)) {
        free(copy);
        w->rc = cli_worse(w->rc, EXIT_DATA);
        return;
    }
    w->skipped[w->n_skipped].path = copy;
    w->skipped[w->n_skipped].reason = reason;
    w->n_skipped++;
}

void cli_walk_error(cli_walk *w, const char *path, size_t line, size_t col, int rc,
                    const char *message)
{
    if (line)
        cli_err_at(path, line, col, "%s", message);
    else
        cli_err("%s: %s", path, message);
    w->rc = cli_worse(w->rc, rc);
    char *p = strdup(path), *m = strdup(message);
    if (!p || !m || !grow((void **)&w->errors, &w->cap_errors, w->n_errors, sizeof *w->errors)) {
        free(p);
        free(m);
        w->rc = cli_worse(w->rc, EXIT_DATA);
        return;
    }
    w->errors[w->n_errors++] = (cli_issue){p, line, col, m, rc};
}

static bool matches_any(const char *name, const char **globs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], name, 0) == 0)
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a && dir[a - 1] == '/';
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (!slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

static void walk_dir(const cli_opts *o, cli_walk *w, const char *dir, unsigned depth)
{
    if (depth > 256) {
        cli_walk_error(w, dir, 0, 0, EXIT_USAGE, "directories nested too deeply");
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        cli_walk_error(w, dir, 0, 0, EXIT_USAGE, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *copy = strdup(e->d_name);
        if (!copy || !grow((void **)&names, &cap, n, sizeof *names)) {
            free(copy);
            w->rc = cli_worse(w->rc, EXIT_DATA);
            break;
        }
        names[n++] = copy;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = join(dir, names[i]);
        if (!path) {
            w->rc = cli_worse(w->rc, EXIT_DATA);
            break;
        }
        struct stat st;
        if (names[i][0] == '.' && !o->hidden) {
            cli_walk_skip(w, path, "hidden");
        } else if (matches_any(names[i], o->exclude, o->n_exclude)) {
            cli_walk_skip(w, path, "excluded");
        } else if (lstat(path, &st) != 0) {
            cli_walk_error(w, path, 0, 0, EXIT_USAGE, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            walk_dir(o, w, path, depth + 1);
        } else {
            bool link = S_ISLNK(st.st_mode);
            if (link && stat(path, &st) != 0)
                cli_walk_skip(w, path, "broken symlink");
            else if (link && S_ISDIR(st.st_mode))
                cli_walk_skip(w, path, "symlink to a directory");
            else if (!S_ISREG(st.st_mode))
                cli_walk_skip(w, path, "not a regular file");
            else if (o->n_include && !matches_any(names[i], o->include, o->n_include))
                cli_walk_skip(w, path, "not included");
            else
                add_file(w, path);
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void add_arg(const cli_opts *o, cli_walk *w, const char *arg, bool allow_glob)
{
    struct stat st;
    if (strcmp(arg, "-") == 0) {
        add_file(w, arg);
        return;
    }
    if (stat(arg, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            walk_dir(o, w, arg, 0);
        else
            add_file(w, arg);
        return;
    }
    int err = errno;
    if (allow_glob && strpbrk(arg, "*?[")) {
        glob_t g;
        int r = glob(arg, 0, NULL, &g);
        if (r == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++)
                add_arg(o, w, g.gl_pathv[i], false);
            globfree(&g);
            return;
        }
        if (r == GLOB_NOMATCH) {
            cli_walk_error(w, arg, 0, 0, EXIT_USAGE, "no file matches this pattern");
            return;
        }
        globfree(&g);
    }
    cli_walk_error(w, arg, 0, 0, EXIT_USAGE, strerror(err));
}

int cli_walk_inputs(const cli_opts *o, cli_walk *w)
{
    memset(w, 0, sizeof *w);
    if (o->n_files == 0)
        add_file(w, "-");
    for (size_t i = 0; i < o->n_files; i++)
        add_arg(o, w, o->files[i], true);
    return w->rc;
}

void cli_walk_free(cli_walk *w)
{
    for (size_t i = 0; i < w->n_files; i++)
        free(w->files[i]);
    for (size_t i = 0; i < w->n_skipped; i++)
        free(w->skipped[i].path);
    for (size_t i = 0; i < w->n_errors; i++) {
        free(w->errors[i].path);
        free(w->errors[i].message);
    }
    free(w->files);
    free(w->skipped);
    free(w->errors);
    memset(w, 0, sizeof *w);
}

bool cli_is_binary(const char *buf, size_t len)
{
    return memchr(buf, '\0', len < 8000 ? len : 8000) != NULL;
}

void cli_walk_report_skipped(const cli_walk *w, bool verbose)
{
    if (!w->n_skipped)
        return;
    if (verbose)
        for (size_t i = 0; i < w->n_skipped; i++)
            cli_note("skipped %s (%s)", w->skipped[i].path, w->skipped[i].reason);
    /* Count per reason, in order of first appearance. */
    const char *reasons[8];
    size_t counts[8], k = 0;
    for (size_t i = 0; i < w->n_skipped; i++) {
        size_t j = 0;
        while (j < k && strcmp(reasons[j], w->skipped[i].reason) != 0)
            j++;
        if (j == k && k < 8) {
            reasons[k] = w->skipped[i].reason;
            counts[k++] = 0;
        }
        if (j < k)
            counts[j]++;
    }
    char msg[512];
    size_t n = (size_t)snprintf(msg, sizeof msg, "skipped %zu %s:", w->n_skipped,
                                w->n_skipped == 1 ? "entry" : "entries");
    for (size_t j = 0; j < k && n < sizeof msg; j++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, "%s %zu %s", j ? "," : "", counts[j],
                              reasons[j]);
    if (!verbose && n < sizeof msg)
        snprintf(msg + n, sizeof msg - n, " (-v lists them)");
    cli_note("%s", msg);
}

json_t *cli_walk_skipped_json(const cli_walk *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->n_skipped; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "path", jstr(w->skipped[i].path));
        json_object_set_new(s, "reason", jstr(w->skipped[i].reason));
        json_array_append_new(a, s);
    }
    return a;
}

json_t *cli_walk_errors_json(const cli_walk *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->n_errors; i++) {
        const cli_issue *e = &w->errors[i];
        json_t *s = json_object();
        json_object_set_new(s, "path", jstr(e->path));
        json_object_set_new(s, "line", e->line ? json_integer((json_int_t)e->line) : json_null());
        json_object_set_new(s, "column", e->line ? json_integer((json_int_t)e->col) : json_null());
        json_object_set_new(s, "message", jstr(e->message));
        json_array_append_new(a, s);
    }
    return a;
}
