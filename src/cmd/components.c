/*
 * components.c: 'loket-import components' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_components(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'components' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
