/*
 * report_write.c: lk_report_write(), choosing the writer by format or by the path's extension,
 * and remembering what was written for the terminal summary.
 */
#include "report/report_int.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/util.h"

#include <string.h>
#include <strings.h>

lk_code lk_report_write_bytes(const char *path, const void *data, size_t len, lk_error *err)
{
    lk_error werr;
    lk_error_clear(&werr);
    if (lk_write_file_atomic(path, data, len, lk_mode_under_umask(LK_REPORT_FILE_MODE), &werr) ==
        LK_OK)
        return LK_OK;
    /* lk_write_file_atomic names its temporary file; the operator should see the report's name */
    const char *why = strrchr(werr.message, ':');
    why = why ? why + 2 : werr.message;
    lk_error_clear(err);
    return lk_error_set(err, LK_ERR_ENV, _("cannot write the report %s: %s"), path, why);
}

static lk_report_format format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return LK_REPORT_AUTO;
    if (!strcasecmp(dot, ".csv"))
        return LK_REPORT_CSV;
    if (!strcasecmp(dot, ".xlsx"))
        return LK_REPORT_XLSX;
    if (!strcasecmp(dot, ".json"))
        return LK_REPORT_JSON;
    return LK_REPORT_AUTO;
}

bool lk_csv_style_parse(const char *name, lk_csv_style *out)
{
    if (!strcmp(name, "rfc4180"))
        *out = LK_CSV_RFC4180;
    else if (!strcmp(name, "excel-nl"))
        *out = LK_CSV_EXCEL_NL;
    else
        return false;
    return true;
}

const char *lk_csv_style_name(lk_csv_style style)
{
    return style == LK_CSV_EXCEL_NL ? "excel-nl" : "rfc4180";
}

lk_csv_style lk_csv_style_for_language(const char *lang)
{
    if (lang && lang[0] == 'n' && lang[1] == 'l' && (!lang[2] || lang[2] == '_' ||
                                                     lang[2] == '-' || lang[2] == '.'))
        return LK_CSV_EXCEL_NL;
    return LK_CSV_RFC4180;
}

lk_code lk_report_write(lk_report *r, const char *path, lk_report_format format, lk_error *err)
{
    return lk_report_write_as(r, path, format, LK_CSV_RFC4180, err);
}

lk_code lk_report_write_as(lk_report *r, const char *path, lk_report_format format,
                           lk_csv_style csv_style, lk_error *err)
{
    lk_code rc;
    if (format == LK_REPORT_AUTO)
        format = format_from_path(path);
    switch (format) {
    case LK_REPORT_CSV:
        rc = lk_report_write_csv(r, path, csv_style == LK_CSV_EXCEL_NL ? ';' : ',', err);
        break;
    case LK_REPORT_XLSX:
        rc = lk_report_write_xlsx(r, path, err);
        break;
    case LK_REPORT_JSON:
        rc = lk_report_write_json(r, path, err);
        break;
    default:
        lk_error_clear(err);
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("%s: unknown report format (use a .csv, .xlsx or .json name)"), path);
    }
    if (rc == LK_OK) {
        lk_grow(&r->outputs, sizeof(*r->outputs), r->noutputs + 1, &r->outputs_alloc);
        r->outputs[r->noutputs++] = xstrdup(path);
    }
    return rc;
}
