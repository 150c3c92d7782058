/* main.c — the tokmeter command line: dispatch to the subcommands.
 *
 * Exit codes (README.md and `tokmeter --help`): 0 ok, 1 negative answer
 * (over budget, does not fit), 2 usage or input error, 3 data or internal
 * error. Every subcommand lives in its own file; see cli.h. */
#include "cli.h"
#include "json_out.h"
#include "table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    unsigned bit;
    int (*run)(cli_opts *);
} command;

static const command COMMANDS[] = {
    {"encode", CMD_ENCODE, cmd_encode}, {"decode", CMD_DECODE, cmd_decode},
    {"count", CMD_COUNT, cmd_count},    {"check", CMD_CHECK, cmd_check},
    {"chat", CMD_CHAT, cmd_chat},       {"cost", CMD_COST, cmd_cost},
    {"batch", CMD_BATCH, cmd_batch},    {"prune", CMD_PRUNE, cmd_prune},
    {"models", CMD_MODELS, cmd_models}, {"bench", CMD_BENCH, cmd_bench},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

int cmd_version(cli_opts *o)
{
    (void)o;
    tkm_model_table *t = NULL;
    int rc = cli_table_load(NULL, &t);
    printf("tokmeter %s\n", tkm_version_string());
    if (rc == EXIT_OK)
        printf("model table %s (%zu models)\n", tkm_model_table_version(t),
               tkm_model_table_count(t));
    tkm_model_table_free(t);
    return rc;
}

static int unknown_command(const char *name)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        size_t d = cli_edit_distance(name, COMMANDS[i].name);
        if (d < best_d) {
            best_d = d;
            best = COMMANDS[i].name;
        }
    }
    if (best)
        return cli_usage("unknown command '%s'; did you mean '%s'?", name, best);
    return cli_usage("unknown command '%s'", name);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            cli_json_mode = true;
    if (argc < 2) {
        int rc = cli_usage("%s", "a command is required");
        cli_json_error_document(rc);
        return rc;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        cli_print_help(0);
        return EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        unsigned bit = argc > 2 ? cli_command_bit(argv[2]) : 0;
        if (argc > 2 && !bit)
            return unknown_command(argv[2]);
        cli_print_help(bit);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
        return cmd_version(NULL);

    const command *c = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            c = &COMMANDS[i];
    if (!c) {
        int rc = unknown_command(name);
        cli_json_error_document(rc);
        return rc;
    }
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.command = c->name;
    o.cmd = c->bit;
    int rc = cli_parse_args(&o, argc, argv, 2);
    if (rc < 0) {
        rc = EXIT_OK; /* --help */
    } else if (rc == EXIT_OK) {
        rc = c->run(&o);
        if (fflush(stdout) != 0 && rc == EXIT_OK) {
            cli_err("write error: %s", strerror(errno));
            rc = EXIT_DATA;
        }
    }
    cli_json_error_document(rc);
    free(o.files);
    free(o.encodings);
    free(o.include);
    free(o.exclude);
    return rc;
}
