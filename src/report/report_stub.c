/*
 * report_stub.c: placeholders for the report writers and the terminal output while they are
 * being written, so that commands can link against the final API already.
 */
#include "report/report.h"

#include "common/util.h"

lk_code lk_report_write_csv(const lk_report *r, const char *path, char delimiter, lk_error *err)
{
    lk_error_clear(err);
    return lk_error_set(err, LK_ERR_INTERNAL, "%s: CSV reports are not available in this build yet", path);
}

lk_code lk_report_write_xlsx(const lk_report *r, const char *path, lk_error *err)
{
    lk_error_clear(err);
    return lk_error_set(err, LK_ERR_INTERNAL, "%s: XLSX reports are not available in this build yet", path);
}

lk_code lk_report_write_json(const lk_report *r, const char *path, lk_error *err)
{
    lk_error_clear(err);
    return lk_error_set(err, LK_ERR_INTERNAL, "%s: JSON reports are not available in this build yet", path);
}

char *lk_report_json_string(const lk_report *r)
{
    return xstrdup("{}");
}

void lk_report_print_summary(const lk_report *r, FILE *out)
{
}

struct lk_progress {
    int unused;
};

lk_progress *lk_progress_new(unsigned long total, bool quiet)
{
    return xcalloc(1, sizeof(lk_progress));
}

void lk_progress_update(lk_progress *p, unsigned long done, unsigned long failed)
{
}

void lk_progress_finish(lk_progress *p)
{
}

void lk_progress_free(lk_progress *p)
{
    free(p);
}
