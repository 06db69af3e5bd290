/*
 * output_paths.h: the files a run will write (reports, journal, saved plan) checked before the
 * run does anything, so a typo in a path stops it at once (exit 3) instead of after every
 * request was sent.
 */
#ifndef LK_OUTPUT_PATHS_H
#define LK_OUTPUT_PATHS_H

#include "common/error.h"

#include <stdbool.h>

/* Whether path can be written: its folder exists and is writable, the path itself is not a
 * folder, and (report) its extension names a report format (.csv, .xlsx, .json). what names the
 * option in the error ("--report"). Errors are LK_ERR_CONFIG. */
lk_code lk_output_path_check(const char *what, const char *path, bool report, lk_error *err);

#endif
