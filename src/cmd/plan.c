/*
 * plan.c: 'loket-import plan FILE... -m MAPPING': the dry run. Resolves every row against Loket,
 * shows per employment and record what apply would create, change (old -> new) or leave alone,
 * and writes the report. Sends nothing that writes. See docs/import.md.
 */
#include "cmd/commands.h"
#include "cmd/import_run.h"

int cmd_plan(int argc, char **argv)
{
    return lk_import_command(argc, argv, false);
}
