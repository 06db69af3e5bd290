/*
 * names.c: which file names in an inbox are finished files, which are refused.
 *
 * Upload tools write under a temporary name and rename when done (rsync: ".name.XXXX",
 * WinSCP: "name.filepart", browsers: "name.part", Excel: "~$name.xlsx" while open), so those
 * names are never taken. Names with path separators or control characters are refused because
 * they cannot be shown in a log line or a report without ambiguity.
 */
#include "watch/watch.h"

#include <fnmatch.h>
#include <string.h>

static const char *const builtin_ignored[][2] = {
    { "*.part", "partial download (*.part)" },
    { "*.tmp", "temporary file (*.tmp)" },
    { "*.filepart", "upload in progress (*.filepart)" },
    { "~$*", "Excel lock file (~$*)" },
};

const char *lk_watch_name_ignored(const char *name, char *const *extra_globs, size_t n_extra)
{
    if (name[0] == '.')
        return "hidden file (dotfile)";
    for (size_t i = 0; i < sizeof(builtin_ignored) / sizeof(builtin_ignored[0]); i++) {
        if (!fnmatch(builtin_ignored[i][0], name, FNM_CASEFOLD))
            return builtin_ignored[i][1];
    }
    for (size_t i = 0; i < n_extra; i++) {
        if (!fnmatch(extra_globs[i], name, FNM_CASEFOLD))
            return "matches an \"ignore\" pattern of the folder config";
    }
    return NULL;
}

const char *lk_watch_name_unsafe(const char *name)
{
    if (!name[0])
        return "empty file name";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p == '/' || *p == '\\')
            return "file name contains a path separator";
        if (*p < 0x20 || *p == 0x7f)
            return "file name contains a control character";
    }
    return NULL;
}

void lk_watch_name_sanitize(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < size; p++)
        out[n++] = (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f) ? '_' : (char)*p;
    /* a report name must never be hidden or empty */
    if (n == 0 || out[0] == '.')
        out[0] = '_';
    if (n == 0)
        n = 1;
    out[n] = '\0';
}
