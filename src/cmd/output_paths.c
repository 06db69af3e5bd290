/*
 * output_paths.c: checks of the paths a run will write, before it starts (see output_paths.h).
 */
#include "cmd/output_paths.h"

#include "common/i18n.h"
#include "common/util.h"

#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static bool report_extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return false;
    return !strcasecmp(dot, ".csv") || !strcasecmp(dot, ".xlsx") || !strcasecmp(dot, ".json");
}

lk_code lk_output_path_check(const char *what, const char *path, bool report, lk_error *err)
{
    struct stat st;
    if (!*path)
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: an empty path"), what);
    if (report && !report_extension(path))
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("%s %s: the name must end in .csv, .xlsx or .json (the format)"),
                            what, path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lk_error_set(err, LK_ERR_CONFIG, _("%s %s: that is a folder; give a file name"),
                            what, path);
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    lk_code rc = LK_OK;
    if (stat(dir, &st) != 0)
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s %s: the folder %s: %s"), what, path, dir,
                          strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s %s: %s is not a folder"), what, path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s %s: cannot write into the folder %s: %s"),
                          what, path, dir, strerror(errno));
    free(copy);
    return rc;
}
