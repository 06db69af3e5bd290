/*
 * apply.c: 'loket-import apply' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_apply(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'apply' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
