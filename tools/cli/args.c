/* args.c — the command line's options: one table says which command takes
 * which option, and generates the help text.
 *
 * Options may appear anywhere after the command, as "--name VALUE",
 * "--name=VALUE" or "-x VALUE"; "--" ends them; "-" is a file (stdin). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_id {
    O_ENCODING, O_MODEL, O_MODEL_TABLE, O_ALLOWED, O_INVALID_UTF8, O_JSON, O_JOBS, O_INCLUDE,
    O_EXCLUDE, O_HIDDEN, O_TEXT, O_VERBOSE, O_MAX_TOKENS, O_MAX_COST, O_RESERVE, O_IMAGE_SIZE,
    O_INPUT, O_OUTPUT, O_CACHED, O_REASONING, O_USAGE, O_BATCH, O_TIER, O_TPM, O_RPM, O_RPD,
    O_RATE_TIER, O_SUMMARY, O_STRATEGY, O_LAST, O_BUDGET, O_TRUNCATE, O_FITS, O_KIND, O_AS,
    O_MIN_TIME, O_HELP
};

typedef struct opt_spec {
    const char *lng;
    char shrt;
    const char *arg; /* NULL for a flag */
    enum opt_id id;
    unsigned cmds;
    const char *help;
} opt_spec;

#define ALL_MODEL (CMD_COUNT | CMD_CHECK | CMD_CHAT | CMD_COST | CMD_BATCH | CMD_PRUNE | CMD_MODELS)
#define ANY 0x3FFu

static const opt_spec OPTS[] = {
    {"encoding", 'e', "NAME", O_ENCODING, CMD_ENCODE | CMD_DECODE | CMD_COUNT | CMD_BENCH,
     "an encoding: r50k_base (gpt2), p50k_base, p50k_edit, cl100k_base, o200k_base,\n"
     "o200k_harmony (bench: repeat it to measure several)"},
    {"model", 'm', "NAME", O_MODEL,
     CMD_ENCODE | CMD_DECODE | CMD_COUNT | CMD_CHECK | CMD_CHAT | CMD_COST | CMD_BATCH | CMD_PRUNE,
     "a model from the model table (its aliases, -YYYY-MM-DD snapshots and ft:BASE:...\n"
     "names work too); chat, batch and prune default to the request's \"model\""},
    {"model-table", 0, "FILE", O_MODEL_TABLE, ALL_MODEL,
     "a model table layered over the built-in one (e.g. negotiated prices)"},
    {"allowed-special", 0, "all|NAME,...", O_ALLOWED, CMD_ENCODE | CMD_COUNT | CMD_CHECK | CMD_BENCH,
     "recognise these special tokens (default: none; special-token text is plain\n"
     "text, as the API treats message content)"},
    {"invalid-utf8", 0, "strict|replace|lossless", O_INVALID_UTF8,
     CMD_ENCODE | CMD_COUNT | CMD_CHECK | CMD_BENCH,
     "strict (default): invalid UTF-8 is an input error; replace: as Python's\n"
     "decode(errors='replace'); lossless: invalid bytes are kept as raw byte tokens"},
    {"json", 0, NULL, O_JSON,
     CMD_COUNT | CMD_CHECK | CMD_CHAT | CMD_COST | CMD_BATCH | CMD_PRUNE | CMD_MODELS | CMD_BENCH,
     "write exactly one JSON document to stdout (keys documented in README.md)"},
    {"jobs", 'j', "N", O_JOBS, CMD_COUNT | CMD_CHECK | CMD_BATCH,
     "threads counting files, or a batch file's lines (default: the number of online\n"
     "cores); output order is the input order whatever N is"},
    {"include", 0, "GLOB", O_INCLUDE, CMD_COUNT | CMD_CHECK,
     "in directories, only files whose name matches GLOB (repeatable)"},
    {"exclude", 0, "GLOB", O_EXCLUDE, CMD_COUNT | CMD_CHECK,
     "in directories, skip files and directories whose name matches GLOB (repeatable)"},
    {"hidden", 0, NULL, O_HIDDEN, CMD_COUNT | CMD_CHECK,
     "walk into hidden files and directories (names starting with '.')"},
    {"text", 0, NULL, O_TEXT, CMD_COUNT | CMD_CHECK,
     "count binary files too (a file is binary when its first 8000 bytes hold a NUL)"},
    {"verbose", 'v', NULL, O_VERBOSE, CMD_COUNT | CMD_CHECK | CMD_BATCH,
     "list every skipped file (or line) on stderr, not only how many"},
    {"max-tokens", 0, "N", O_MAX_TOKENS, CMD_CHECK, "a token budget per file, besides the model's limits"},
    {"max-cost", 0, "USD", O_MAX_COST, CMD_CHECK,
     "a cost budget per file: prompt at the input price plus the reserved output"},
    {"reserve-output", 0, "N", O_RESERVE, CMD_CHECK | CMD_CHAT | CMD_PRUNE | CMD_MODELS,
     "output tokens to leave room for (chat, prune: default the request's\n"
     "max_completion_tokens or max_tokens)"},
    {"image-size", 0, "WxH", O_IMAGE_SIZE, CMD_CHAT | CMD_BATCH | CMD_PRUNE | CMD_MODELS,
     "the size assumed for images at remote URLs (default 2048x2048)"},
    {"input", 0, "N", O_INPUT, CMD_COST, "prompt tokens (cached ones included)"},
    {"output", 0, "N", O_OUTPUT, CMD_COST, "completion tokens (reasoning included)"},
    {"cached", 0, "N", O_CACHED, CMD_COST, "of the prompt tokens, how many were cached"},
    {"reasoning", 0, "N", O_REASONING, CMD_COST, "of the completion tokens, how many were reasoning"},
    {"usage", 0, "FILE", O_USAGE, CMD_COST,
     "a response's usage object (or the whole response) instead of the numbers"},
    {"batch", 0, NULL, O_BATCH, CMD_COST | CMD_CHAT, "price at the Batch API tier (same as --tier batch)"},
    {"tier", 0, "standard|batch|flex|priority", O_TIER, CMD_COST | CMD_CHAT,
     "the service tier to price at (default standard, or the request's service_tier)"},
    {"tpm", 0, "N", O_TPM, CMD_BATCH, "tokens per minute allowed: adds how long the file takes"},
    {"rpm", 0, "N", O_RPM, CMD_BATCH, "requests per minute allowed"},
    {"rpd", 0, "N", O_RPD, CMD_BATCH, "requests per day allowed"},
    {"rate-tier", 0, "free|1..5", O_RATE_TIER, CMD_BATCH,
     "take tpm/rpm/rpd from the model table's rate limits of this usage tier"},
    {"summary", 0, NULL, O_SUMMARY, CMD_BATCH, "print only the totals, not a row per line"},
    {"strategy", 0, "oldest|last-N|middle-out", O_STRATEGY, CMD_PRUNE,
     "which turns to drop (default oldest); last-N keeps the last N turns, e.g. last-4"},
    {"last", 0, "N", O_LAST, CMD_PRUNE, "N for --strategy last-N"},
    {"budget", 0, "N", O_BUDGET, CMD_PRUNE,
     "prompt token budget (default: the model's max input, less the reserved output)"},
    {"truncate", 0, NULL, O_TRUNCATE, CMD_PRUNE,
     "keep the tail of the oldest surviving message instead of dropping it whole"},
    {"fits", 0, "FILE|-", O_FITS, CMD_MODELS,
     "list the models whose limits fit this prompt (text, or a chat request), cheapest first"},
    {"kind", 0, "chat|completion|embedding|any", O_KIND, CMD_MODELS,
     "which kinds of model to list (default: any; with --fits: chat and completion)"},
    {"as", 0, "text|chat", O_AS, CMD_MODELS,
     "read the --fits file as plain text or as a chat request (default: chat when it is\n"
     "a JSON object with \"messages\")"},
    {"min-time", 0, "SECONDS", O_MIN_TIME, CMD_BENCH,
     "time each measurement at least this long (default 1)"},
    {"help", 'h', NULL, O_HELP, ANY, "this text"},
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

typedef struct cmd_info {
    const char *name;
    unsigned bit;
    const char *synopsis;
    const char *summary;
} cmd_info;

static const cmd_info CMDS[] = {
    {"encode", CMD_ENCODE, "encode (-e ENCODING | -m MODEL) [FILE|-]", "print token ids, one per line"},
    {"decode", CMD_DECODE, "decode (-e ENCODING | -m MODEL) [FILE|-]",
     "read whitespace-separated ids, write the bytes"},
    {"count", CMD_COUNT, "count (-e ENCODING | -m MODEL) [FILE|DIR|GLOB|-]...",
     "tokens per file and in total (directories walked, binary skipped)"},
    {"check", CMD_CHECK,
     "check -m MODEL [--max-tokens N] [--max-cost USD]\n"
     "                      [--reserve-output N] FILE|DIR|GLOB...",
     "lint prompt files against a model's limits; exit 1 if any is over"},
    {"chat", CMD_CHAT, "chat [-m MODEL] [REQUEST.json|-]",
     "tokens, context check and cost range of a chat request"},
    {"cost", CMD_COST,
     "cost -m MODEL --input N --output N [--cached N] [--reasoning N]\n"
     "                     [--batch | --tier TIER]\n"
     "       tokmeter cost [-m MODEL] --usage USAGE.json",
     "price tokens, or a response's usage object"},
    {"batch", CMD_BATCH, "batch [--tpm N --rpm N [--rpd N]] FILE.jsonl|-",
     "tokens and cost of a Batch API input file, per line and in total"},
    {"prune", CMD_PRUNE,
     "prune [-m MODEL] [--reserve-output N] [--budget N] [--truncate]\n"
     "                      [--strategy oldest|last-N|middle-out] [REQUEST.json|-]",
     "drop turns until a chat request fits; pruned request on stdout"},
    {"models", CMD_MODELS, "models [--fits FILE|-] [--reserve-output N] [--kind KIND]",
     "the model table (limits, prices), or the models a prompt fits"},
    {"bench", CMD_BENCH, "bench [-e ENCODING]... FILE...|-",
     "encode and count speed on your own text (MB/s, tokens/s)"},
};
#define N_CMDS (sizeof CMDS / sizeof CMDS[0])

const char *cli_command_name(unsigned cmd)
{
    for (size_t i = 0; i < N_CMDS; i++)
        if (CMDS[i].bit == cmd)
            return CMDS[i].name;
    return "?";
}

unsigned cli_command_bit(const char *name)
{
    for (size_t i = 0; i < N_CMDS; i++)
        if (strcmp(CMDS[i].name, name) == 0)
            return CMDS[i].bit;
    return 0;
}

/* "  -x, --name ARG" and the help text wrapped to 80 columns at column 31. */
static void print_option(const opt_spec *s)
{
    char head[96];
    int n;
    if (s->shrt)
        n = snprintf(head, sizeof head, "  -%c, --%s%s%s", s->shrt, s->lng, s->arg ? " " : "",
                     s->arg ? s->arg : "");
    else
        n = snprintf(head, sizeof head, "  --%s%s%s", s->lng, s->arg ? " " : "", s->arg ? s->arg : "");
    fputs(head, stdout);
    int col = n;
    if (col > 30) {
        fputs("\n", stdout);
        col = 0;
    }
    const char *h = s->help;
    bool line_start = true;
    while (*h) {
        while (*h == ' ' || *h == '\n')
            h++;
        size_t w = strcspn(h, " \n");
        if (!w)
            break;
        if (!line_start && col + 1 + (int)w > 79) {
            fputs("\n", stdout);
            col = 0;
            line_start = true;
        }
        if (line_start) {
            printf("%*s", 31 - col, "");
            col = 31;
        } else {
            fputc(' ', stdout);
            col++;
        }
        printf("%.*s", (int)w, h);
        col += (int)w;
        line_start = false;
        h += w;
    }
    fputs("\n", stdout);
}

void cli_print_help(unsigned cmd)
{
    if (cmd == 0) {
        fputs("usage: tokmeter <command> [options] [FILE...|-]\n"
              "       tokmeter --version | --help | <command> --help\n\ncommands:\n",
              stdout);
        for (size_t i = 0; i < N_CMDS; i++)
            printf("  %-8s %s\n", CMDS[i].name, CMDS[i].summary);
        fputs("\noptions (each command takes the ones its help lists):\n", stdout);
        for (size_t i = 0; i < N_OPTS; i++)
            print_option(&OPTS[i]);
    } else {
        for (size_t i = 0; i < N_CMDS; i++) {
            if (CMDS[i].bit != cmd)
                continue;
            printf("usage: tokmeter %s\n\n%s.\n\noptions:\n", CMDS[i].synopsis, CMDS[i].summary);
        }
        for (size_t i = 0; i < N_OPTS; i++)
            if (OPTS[i].cmds & cmd)
                print_option(&OPTS[i]);
    }
    fputs("\nInputs are files, or - for stdin. Diagnostics go to stderr as\n"
          "'tokmeter: FILE:LINE:COL: message'.\n"
          "exit status: 0 ok, 1 negative answer (over budget, does not fit), 2 usage or\n"
          "input error, 3 data or internal error\n",
          stdout);
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool cli_parse_usd(const char *s, tkm_nanousd *out)
{
    if (!s)
        return false;
    if (*s == '$')
        s++;
    if (!*s || strcmp(s, ".") == 0)
        return false;
    int64_t whole = 0, frac = 0;
    int frac_digits = 0;
    const char *p = s;
    for (; *p && *p != '.'; p++) {
        if (*p < '0' || *p > '9' || whole > (INT64_MAX / TKM_NANOUSD_PER_USD) / 10)
            return false;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; *p; p++) {
            if (*p < '0' || *p > '9' || frac_digits == 9)
                return false; /* finer than a nano-dollar */
            frac = frac * 10 + (*p - '0');
            frac_digits++;
        }
    }
    for (int i = frac_digits; i < 9; i++)
        frac *= 10;
    if (whole > (INT64_MAX - frac) / TKM_NANOUSD_PER_USD)
        return false;
    *out = whole * TKM_NANOUSD_PER_USD + frac;
    return true;
}

bool cli_parse_size(const char *s, uint32_t *w, uint32_t *h)
{
    const char *x = s ? strpbrk(s, "xX") : NULL;
    if (!x || x == s)
        return false;
    char wbuf[24];
    size_t n = (size_t)(x - s);
    if (n >= sizeof wbuf)
        return false;
    memcpy(wbuf, s, n);
    wbuf[n] = '\0';
    uint64_t a, b;
    if (!cli_parse_u64(wbuf, &a) || !cli_parse_u64(x + 1, &b) || a == 0 || b == 0 ||
        a > INT32_MAX || b > INT32_MAX)
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

static bool push(const char ***list, size_t *n, const char *v)
{
    const char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p)
        return false;
    p[(*n)++] = v;
    *list = p;
    return true;
}

static int number(const char *name, const char *v, uint64_t *out)
{
    if (!cli_parse_u64(v, out))
        return cli_usage("--%s takes a whole number, not '%s'", name, v);
    return EXIT_OK;
}

static int apply(cli_opts *o, const opt_spec *s, const char *v)
{
    uint64_t n = 0;
    int rc = EXIT_OK;
    switch (s->id) {
    case O_ENCODING:
        o->encoding = v;
        if (!push(&o->encodings, &o->n_encodings, v))
            return EXIT_DATA;
        break;
    case O_MODEL: o->model = v; break;
    case O_MODEL_TABLE: o->model_table = v; break;
    case O_ALLOWED: o->allowed = v; break;
    case O_INVALID_UTF8:
        if (strcmp(v, "strict") == 0)
            o->utf8_flags = 0;
        else if (strcmp(v, "replace") == 0)
            o->utf8_flags = TKM_ENCODE_REPLACE_INVALID;
        else if (strcmp(v, "lossless") == 0)
            o->utf8_flags = TKM_ENCODE_LOSSLESS;
        else
            return cli_usage("--invalid-utf8 takes strict, replace or lossless, not '%s'", v);
        break;
    case O_JSON: o->json = true; break;
    case O_JOBS:
        if ((rc = number(s->lng, v, &n)) != EXIT_OK)
            return rc;
        if (n == 0 || n > 1024)
            return cli_usage("--jobs takes 1 to 1024, not '%s'", v);
        o->jobs = (unsigned)n;
        break;
    case O_INCLUDE:
        if (!push(&o->include, &o->n_include, v))
            return EXIT_DATA;
        break;
    case O_EXCLUDE:
        if (!push(&o->exclude, &o->n_exclude, v))
            return EXIT_DATA;
        break;
    case O_HIDDEN: o->hidden = true; break;
    case O_TEXT: o->text = true; break;
    case O_VERBOSE: o->verbose = true; break;
    case O_MAX_TOKENS:
        o->has_max_tokens = true;
        return number(s->lng, v, &o->max_tokens);
    case O_MAX_COST:
        if (!cli_parse_usd(v, &o->max_cost))
            return cli_usage("--max-cost takes dollars such as 0.05 (at most 9 decimals), not '%s'", v);
        o->has_max_cost = true;
        break;
    case O_RESERVE:
        o->has_reserve = true;
        return number(s->lng, v, &o->reserve_output);
    case O_IMAGE_SIZE:
        if (!cli_parse_size(v, &o->image_w, &o->image_h))
            return cli_usage("--image-size takes WIDTHxHEIGHT in pixels, e.g. 1024x768, not '%s'", v);
        o->has_image_size = true;
        break;
    case O_INPUT: o->has_input = true; return number(s->lng, v, &o->input);
    case O_OUTPUT: o->has_output = true; return number(s->lng, v, &o->output);
    case O_CACHED: o->has_cached = true; return number(s->lng, v, &o->cached);
    case O_REASONING: o->has_reasoning = true; return number(s->lng, v, &o->reasoning);
    case O_USAGE: o->usage_file = v; break;
    case O_BATCH:
        o->batch = true;
        o->has_tier = true;
        o->tier = TKM_TIER_BATCH;
        break;
    case O_TIER:
        o->has_tier = true;
        if (strcmp(v, "standard") == 0 || strcmp(v, "default") == 0)
            o->tier = TKM_TIER_STANDARD;
        else if (strcmp(v, "batch") == 0)
            o->tier = TKM_TIER_BATCH;
        else if (strcmp(v, "flex") == 0)
            o->tier = TKM_TIER_FLEX;
        else if (strcmp(v, "priority") == 0)
            o->tier = TKM_TIER_PRIORITY;
        else
            return cli_usage("--tier takes standard, batch, flex or priority, not '%s'", v);
        break;
    case O_TPM: return number(s->lng, v, &o->tpm);
    case O_RPM: return number(s->lng, v, &o->rpm);
    case O_RPD: return number(s->lng, v, &o->rpd);
    case O_RATE_TIER:
        if (strcmp(v, "free") == 0)
            o->rate_tier = 0;
        else if (cli_parse_u64(v, &n) && n >= 1 && n <= 5)
            o->rate_tier = (int)n;
        else
            return cli_usage("--rate-tier takes free or 1 to 5, not '%s'", v);
        break;
    case O_SUMMARY: o->summary = true; break;
    case O_STRATEGY: o->strategy = v; break;
    case O_LAST:
        o->has_last = true;
        return number(s->lng, v, &o->last_n);
    case O_BUDGET:
        o->has_budget = true;
        if ((rc = number(s->lng, v, &o->budget)) != EXIT_OK)
            return rc;
        if (o->budget == 0)
            return cli_usage("%s", "--budget must be at least 1");
        break;
    case O_TRUNCATE: o->truncate = true; break;
    case O_FITS: o->fits = v; break;
    case O_KIND: o->kind = v; break;
    case O_AS:
        if (strcmp(v, "text") != 0 && strcmp(v, "chat") != 0)
            return cli_usage("--as takes text or chat, not '%s'", v);
        o->fits_as = v;
        break;
    case O_MIN_TIME: {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (errno || *end || end == v || !(d > 0) || d > 3600)
            return cli_usage("--min-time takes seconds such as 0.5, not '%s'", v);
        o->min_time = d;
        break;
    }
    case O_HELP: break;
    }
    return rc;
}

static const opt_spec *find_opt(const char *a, const char **inline_value)
{
    *inline_value = NULL;
    if (a[1] != '-') {
        /* "-j2" as "-j 2", as getopt takes it; a flag takes nothing after
         * its letter (no bundling: "-vx" is unknown). */
        for (size_t i = 0; i < N_OPTS; i++) {
            if (!OPTS[i].shrt || OPTS[i].shrt != a[1])
                continue;
            if (a[2] == '\0')
                return &OPTS[i];
            if (!OPTS[i].arg)
                return NULL;
            *inline_value = a + 2;
            return &OPTS[i];
        }
        return NULL;
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    for (size_t i = 0; i < N_OPTS; i++) {
        if (strlen(OPTS[i].lng) == len && strncmp(OPTS[i].lng, name, len) == 0) {
            if (eq)
                *inline_value = eq + 1;
            return &OPTS[i];
        }
    }
    return NULL;
}

int cli_parse_args(cli_opts *o, int argc, char **argv, int first)
{
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (!o->files)
        return EXIT_DATA;
    o->rate_tier = -1;
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            o->files[o->n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        const char *v;
        const opt_spec *s = find_opt(a, &v);
        if (!s)
            return cli_usage("unknown option '%s'", a);
        if (!(s->cmds & o->cmd))
            return cli_usage("%s does not take --%s", o->command, s->lng);
        if (s->id == O_HELP) {
            cli_print_help(o->cmd);
            return -1; /* handled: exit 0 */
        }
        if (!s->arg) {
            if (v)
                return cli_usage("--%s takes no value", s->lng);
        } else if (!v) {
            if (i + 1 >= argc)
                return cli_usage("%s needs a value (%s)", a, s->arg);
            v = argv[++i];
        }
        int rc = apply(o, s, v);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}
