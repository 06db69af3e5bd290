/*
 * watch.c: 'loket-import watch' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_watch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'watch' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
