/*
 * apply.c: 'loket-import apply FILE... -m MAPPING': the plan, then the upserts into Loket,
 * journaled so that --resume finishes an interrupted run without sending anything twice.
 * See docs/import.md.
 */
#include "cmd/commands.h"
#include "cmd/import_run.h"

int cmd_apply(int argc, char **argv)
{
    return lk_import_command(argc, argv, true);
}
