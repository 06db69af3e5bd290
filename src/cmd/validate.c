/*
 * validate.c: 'loket-import validate' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'validate' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
