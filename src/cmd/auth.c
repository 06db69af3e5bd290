/*
 * auth.c: 'loket-import auth' (placeholder until its issue lands).
 */
#include "cmd/commands.h"
#include "common/error.h"

int cmd_auth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lk_errorf("'auth' is not available in this build yet");
    return LK_EXIT_INTERNAL;
}
