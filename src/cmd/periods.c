/*
 * periods.c: 'loket-import periods' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_periods(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'periods' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
