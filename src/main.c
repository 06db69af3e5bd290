/*
 * main.c: loket-import's subcommand table. Every command lives in src/cmd/NAME.c.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/error.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

#define LOKET_IMPORT_VERSION "0.1.0"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    { "validate", cmd_validate, N_("check files against a mapping, offline") },
    { "plan", cmd_plan, N_("dry run: check against Loket and show the changes, send nothing") },
    { "apply", cmd_apply, N_("plan, then send the changes to Loket") },
    { "watch", cmd_watch, N_("process files dropped in a folder") },
    { "auth", cmd_auth, N_("obtain, store and show API tokens") },
    { "employers", cmd_employers, N_("list the employers and payroll administrations you may see") },
    { "employments", cmd_employments, N_("list an employer's employments") },
    { "components", cmd_components, N_("list the payroll components of an administration and year") },
    { "periods", cmd_periods, N_("list the payroll periods of an administration") },
    { "runs", cmd_runs, N_("the audit trail: list the runs of apply, show one") },
    { "revert", cmd_revert, N_("put back what Loket held before a run of apply") },
    { "mapping", cmd_mapping, N_("mapping new FILE: write a checked mapping for a new export") },
};

static void usage(FILE *out)
{
    fprintf(out, _("usage: loket-import COMMAND [OPTIONS] [ARGS]\n\nCommands:\n"));
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, _(commands[i].help));
    fprintf(out,
            _("\n'loket-import help COMMAND' (or 'loket-import COMMAND --help') shows a command's\n"
            "options; 'loket-import -V' (--version) the version.\n"
            "\nEvery command also takes --lang nl|en: the language of screens, errors and\n"
            "reports (default: from LANGUAGE, LC_ALL, LC_MESSAGES, LANG).\n"));
    LK_USAGE_EXIT_CODES(out, LK_EXIT_OK, LK_EXIT_REJECTED, LK_EXIT_INPUT, LK_EXIT_CONFIG,
                        LK_EXIT_INTERNAL, LK_EXIT_INTERRUPTED, LK_EXIT_USAGE);
}

/* 'loket-import help CMD' is 'loket-import CMD --help'. */
static int help_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (!strcmp(name, commands[i].name)) {
            char *argv[] = { (char *)commands[i].name, (char *)"--help", NULL };
            return commands[i].fn(2, argv);
        }
    }
    lk_errorf(_("'%s' is not a command; see 'loket-import --help'"), name);
    return LK_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    lk_set_progname("loket-import");
    if (!lk_i18n_setup(&argc, argv))
        return LK_EXIT_USAGE; /* a bad --lang is a wrong command line */
    if (argc < 2) {
        usage(stderr);
        return LK_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2)
        return help_command(argv[2]);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return LK_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "version")) {
        printf(_("loket-import %s\n"), LOKET_IMPORT_VERSION);
        return LK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    }
    lk_errorf(_("'%s' is not a command; see 'loket-import --help'"), argv[1]);
    return LK_EXIT_USAGE;
}
