/*
 * employments.c: 'loket-import employments' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_employments(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'employments' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
