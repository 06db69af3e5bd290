/*
 * commands.h: one function per subcommand (src/cmd/NAME.c), as in git's builtin/.
 * Each parses its own options with getopt_long and returns an exit code (common/error.h).
 */
#ifndef LK_COMMANDS_H
#define LK_COMMANDS_H

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_auth(int argc, char **argv);
/* 'auth sim URL' (auth_sim.c); argv[0] is "sim". */
int lk_auth_sim(int argc, char **argv);
int cmd_employers(int argc, char **argv);
int cmd_employments(int argc, char **argv);
int cmd_components(int argc, char **argv);
int cmd_periods(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_revert(int argc, char **argv);
int cmd_mapping(int argc, char **argv);

#endif
