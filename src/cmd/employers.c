/*
 * employers.c: 'loket-import employers' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_employers(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'employers' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
