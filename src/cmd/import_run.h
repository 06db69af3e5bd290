/*
 * import_run.h: the shared body of 'loket-import plan' and 'loket-import apply': options,
 * reading the files through the mapping, the plan, (apply) the journaled upserts, the report
 * files and the terminal summary. plan.c and apply.c are thin entries into it.
 */
#ifndef LK_IMPORT_RUN_H
#define LK_IMPORT_RUN_H

#include <stdbool.h>

int lk_import_command(int argc, char **argv, bool apply);

#endif
