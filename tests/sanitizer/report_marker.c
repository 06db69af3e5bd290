/*
 * report_marker.c: linked into every program of the sanitizer build (make sanitize-build), so
 * that a sanitizer report can never pass unnoticed. When AddressSanitizer, LeakSanitizer or
 * UndefinedBehaviorSanitizer reports, it leaves a file "report.PID" naming the program in the
 * folder $LK_SAN_DIR (set by scripts/run-tests.sh and tests/e2e/lib.sh for each test); the
 * runner fails the test when that folder is not empty, whatever the test did with the
 * program's exit code (86 on a report) or its standard error.
 *
 * UBSan reports of GCC's combined runtime ignore log_path and skip the death callback, hence
 * the __ubsan_on_report hook as well.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

void __ubsan_on_report(void);

static void leave_marker(const char *what)
{
    const char *dir = getenv("LK_SAN_DIR");
    char path[PATH_MAX], exe[PATH_MAX], line[PATH_MAX + 64];
    ssize_t n;
    int fd, len;

    if (!dir || !*dir)
        return;
    snprintf(path, sizeof path, "%s/report.%ld", dir, (long)getpid());
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    len = snprintf(line, sizeof line, "%s report in %s (pid %ld)\n", what, exe, (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (len > 0 && write(fd, line, (size_t)len) < 0)
        len = 0;
    close(fd);
}

static void on_death(void) { leave_marker("AddressSanitizer/LeakSanitizer"); }

void __ubsan_on_report(void) { leave_marker("UndefinedBehaviorSanitizer"); }

__attribute__((constructor)) static void install_death_callback(void)
{
    __sanitizer_set_death_callback(on_death);
}
