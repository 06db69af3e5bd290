/*
 * plan.c: 'loket-import plan' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'plan' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
