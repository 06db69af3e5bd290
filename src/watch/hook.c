/*
 * hook.c: the folder config's onFailure / onSuccess commands, run after a file went to
 * failed/ or done/, so a bureau gets a mail or a chat message without reading logs.
 *
 * The command is an argv array (no shell: a file name can never become a command), found on
 * PATH. What happened is in its environment (LOKET_WATCH_FILE, _NAME, _OUTCOME, _CAUSE,
 * _REASON, _REPORT, _RUN, _EXIT_CODE, _DIR); the secrets of the watcher's environment
 * (LOKET_CLIENT_SECRET*, CREDENTIALS_DIRECTORY) are left out. Its output goes to the run's
 * RUN.hook.log; it gets at most hook_timeout_seconds, then it and its children are killed.
 */
#include "watch/watch_internal.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Names of the watcher's environment a hook never sees. */
static int secret_name(const char *entry)
{
    return !strncmp(entry, "LOKET_CLIENT_SECRET", 19) ||
           !strncmp(entry, "CREDENTIALS_DIRECTORY=", 22) || !strncmp(entry, "LOKET_WATCH_", 12);
}

static void env_push(char ***env, size_t *n, size_t *alloc, const char *key, const char *value)
{
    strbuf sb;
    if (!value)
        return;
    strbuf_init(&sb, strlen(key) + strlen(value) + 2);
    strbuf_addf(&sb, "%s=%s", key, value);
    lk_grow(env, sizeof(char *), *n + 2, alloc);
    (*env)[(*n)++] = strbuf_detach(&sb, NULL);
    (*env)[*n] = NULL;
}

char **lk_watch_hook_env(const lk_watch_hook_event *ev)
{
    char **env = NULL, code[16];
    size_t n = 0, alloc = 0;
    for (char **e = environ; e && *e; e++) {
        if (secret_name(*e))
            continue;
        lk_grow(&env, sizeof(char *), n + 2, &alloc);
        env[n++] = xstrdup(*e);
        env[n] = NULL;
    }
    snprintf(code, sizeof code, "%d", ev->exit_code);
    env_push(&env, &n, &alloc, "LOKET_WATCH_FILE", ev->file);
    env_push(&env, &n, &alloc, "LOKET_WATCH_NAME", ev->name);
    env_push(&env, &n, &alloc, "LOKET_WATCH_OUTCOME", ev->outcome);
    env_push(&env, &n, &alloc, "LOKET_WATCH_CAUSE", ev->cause ? ev->cause : "");
    env_push(&env, &n, &alloc, "LOKET_WATCH_REASON", ev->reason);
    env_push(&env, &n, &alloc, "LOKET_WATCH_REPORT", ev->report);
    env_push(&env, &n, &alloc, "LOKET_WATCH_RUN", ev->run);
    env_push(&env, &n, &alloc, "LOKET_WATCH_EXIT_CODE", ev->exit_code >= 0 ? code : "");
    env_push(&env, &n, &alloc, "LOKET_WATCH_DIR", ev->dir);
    return env;
}

void lk_watch_hook_env_free(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

int lk_watch_hook_run(char *const *argv, const lk_watch_hook_event *ev, double timeout_s,
                      const sigset_t *child_mask, int out_fd, char *why, size_t why_size)
{
    char **env = lk_watch_hook_env(ev);
    double deadline = lk_monotonic_ms() + timeout_s * 1000.0;
    int status = 0;
    pid_t pid;
    why[0] = '\0';
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        lk_watch_hook_env_free(env);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        setpgid(0, 0); /* its own group: a timeout kills what it started too */
        if (devnull >= 0)
            dup2(devnull, 0);
        if (out_fd >= 0) {
            dup2(out_fd, 1);
            dup2(out_fd, 2);
        } else if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        signal(SIGPIPE, SIG_DFL);
        if (child_mask)
            sigprocmask(SIG_SETMASK, child_mask, NULL);
        environ = env;
        execvp(argv[0], argv);
        dprintf(2, "loket-import watch: cannot run the hook %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    lk_watch_hook_env_free(env);
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR) {
            snprintf(why, why_size, "wait: %s", strerror(errno));
            return -1;
        }
        if (lk_monotonic_ms() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, why_size, _("still running after %gs: killed"), timeout_s);
            return -1;
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return status;
}
