/*
 * report_xlsx.c: the report as an Excel workbook for people (libxlsxwriter).
 *
 * Sheet "Summary": the run (command, environment, times, mapping and input files with SHA-256,
 * exit code), totals per outcome, per component (records and sum of the new values) and the
 * request counts. Sheet "Details": the same columns as the CSV (report_lines.c), with a frozen
 * header, an autofilter, column widths, the outcome cell coloured, and numbers as numbers.
 *
 * Every text (employee names, Loket's messages, file names) goes through
 * worksheet_write_string(): it lands in the shared string table as text, so a name such as
 * `=HYPERLINK("x")` can never become a formula. No formula is written anywhere in the workbook.
 *
 * The workbook is written to a temporary file next to the target and renamed into place, so a
 * drop-folder reader never sees half a workbook.
 */
#include "report/report_int.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Excel's limit on the characters in one cell; longer text is cut (at a UTF-8 boundary). */
#define XLSX_CELL_MAX 32767

struct xlsx_ctx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_format *header, *bold, *title, *outcome[LK_OUTCOME_COUNT];
    lxw_error status;
};

/* ---------------------------------------------------------------------------------------------
 * Cells
 * ------------------------------------------------------------------------------------------- */

static void keep_error(struct xlsx_ctx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && x->status == LXW_NO_ERROR)
        x->status = e;
}

/* Text always as a string cell (never a formula), cut to Excel's limit. */
static void put_text(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, const char *s,
                     lxw_format *fmt)
{
    if (!s)
        return;
    size_t len = strlen(s), chars = 0, cut = len;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > XLSX_CELL_MAX) {
            cut = i;
            break;
        }
    }
    if (cut < len) {
        char *copy = xstrndup(s, cut);
        keep_error(x, worksheet_write_string(x->ws, row, col, copy, fmt));
        free(copy);
    } else {
        keep_error(x, worksheet_write_string(x->ws, row, col, s, fmt));
    }
}

static void put_number(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, double v,
                       lxw_format *fmt)
{
    keep_error(x, worksheet_write_number(x->ws, row, col, v, fmt));
}

static void put_decimal(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, lk_decimal v,
                        lxw_format *fmt)
{
    put_number(x, row, col, lk_decimal_to_double(v), fmt);
}

static void put_cell(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, const lk_report_cell *c,
                     lxw_format *fmt)
{
    switch (c->kind) {
    case LK_RCELL_EMPTY:
        if (fmt)
            keep_error(x, worksheet_write_blank(x->ws, row, col, fmt));
        break;
    case LK_RCELL_TEXT:
        put_text(x, row, col, c->text.buf, fmt);
        break;
    case LK_RCELL_INT:
        put_number(x, row, col, (double)c->number, fmt);
        break;
    case LK_RCELL_DECIMAL:
        put_decimal(x, row, col, c->value, fmt);
        break;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Formats
 * ------------------------------------------------------------------------------------------- */

static const struct {
    lxw_color_t bg, fg;
} outcome_colours[LK_OUTCOME_COUNT] = {
    /* Excel's own "Good", "Neutral", "Bad" styles, so the sheet looks familiar */
    [LK_OUTCOME_VALID] = {0xC6EFCE, 0x006100},
    [LK_OUTCOME_CREATED] = {0xC6EFCE, 0x006100},
    [LK_OUTCOME_UPDATED] = {0xDDEBF7, 0x1F4E78},
    [LK_OUTCOME_UNCHANGED] = {0xEDEDED, 0x3A3A3A},
    [LK_OUTCOME_REJECTED] = {0xFFC7CE, 0x9C0006},
    [LK_OUTCOME_SKIPPED] = {0xFFEB9C, 0x9C5700},
    [LK_OUTCOME_FAILED] = {0xFFC7CE, 0x9C0006},
    [LK_OUTCOME_NOT_SENT] = {0xFCE4D6, 0x833C0B},
};

static void make_formats(struct xlsx_ctx *x)
{
    x->header = workbook_add_format(x->wb);
    format_set_bold(x->header);
    format_set_bg_color(x->header, 0xD9E1F2);
    format_set_bottom(x->header, LXW_BORDER_THIN);
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        x->outcome[i] = workbook_add_format(x->wb);
        format_set_bg_color(x->outcome[i], outcome_colours[i].bg);
        format_set_font_color(x->outcome[i], outcome_colours[i].fg);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Details
 * ------------------------------------------------------------------------------------------- */

static int detail_line(void *vctx, const lk_report_cell *cells, lk_outcome outcome)
{
    struct xlsx_ctx *x = vctx;
    x->row++;
    for (int i = 0; i < LK_NCOLS; i++) {
        lxw_format *fmt = NULL;
        if (i == LK_COL_OUTCOME && (unsigned)outcome < LK_OUTCOME_COUNT)
            fmt = x->outcome[outcome];
        put_cell(x, x->row, (lxw_col_t)i, &cells[i], fmt);
    }
    return 0;
}

static void write_details(struct xlsx_ctx *x, const lk_report *r)
{
    x->ws = workbook_add_worksheet(x->wb, _("Details"));
    x->row = 0;
    for (int i = 0; i < LK_NCOLS; i++) {
        put_text(x, 0, (lxw_col_t)i, _(lk_report_columns[i].header), x->header);
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, lk_report_columns[i].width, NULL);
    }
    lk_report_each_line(r, detail_line, x);
    worksheet_freeze_panes(x->ws, 1, 0);
    keep_error(x, worksheet_autofilter(x->ws, 0, 0, x->row, LK_NCOLS - 1));
}

/* ---------------------------------------------------------------------------------------------
 * Summary
 * ------------------------------------------------------------------------------------------- */

static void pair(struct xlsx_ctx *x, const char *label, const char *value)
{
    put_text(x, x->row, 0, label, x->bold);
    put_text(x, x->row, 1, value ? value : "", NULL);
    x->row++;
}

static void write_summary(struct xlsx_ctx *x, const lk_report *r)
{
    char buf[600];
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    x->ws = workbook_add_worksheet(x->wb, _("Summary"));
    worksheet_set_column(x->ws, 0, 0, 26, NULL);
    worksheet_set_column(x->ws, 1, 1, 44, NULL);
    worksheet_set_column(x->ws, 2, 5, 16, NULL);
    x->row = 0;
    put_text(x, x->row, 0, _("loket-import report"), x->title);
    x->row += 2;

    pair(x, _("Command"), r->command);
    pair(x, _("Environment"), r->environment);
    pair(x, _("Started (UTC)"), lk_report_time_text(r->started, buf));
    pair(x, _("Finished (UTC)"), lk_report_time_text(r->finished, buf));
    pair(x, _("Mapping"), r->mapping_path);
    if (r->mapping_sha256[0])
        pair(x, _("Mapping SHA-256"), r->mapping_sha256);
    for (size_t i = 0; i < r->nfiles; i++) {
        put_text(x, x->row, 0, _("Input file"), x->bold);
        put_text(x, x->row, 1, r->files[i].path, NULL);
        put_text(x, x->row, 2, r->files[i].sha256[0] ? r->files[i].sha256 : _("(not readable)"),
                 NULL);
        x->row++;
    }
    put_text(x, x->row, 0, _("Input rows read"), x->bold);
    put_number(x, x->row++, 1, (double)r->rows_read, NULL);
    put_text(x, x->row, 0, _("Input rows in records"), x->bold);
    put_number(x, x->row++, 1, (double)t.rows_in_records, NULL);
    put_text(x, x->row, 0, _("Input rows with issues"), x->bold);
    put_number(x, x->row++, 1, (double)t.rows_in_issues, NULL);
    int code = lk_report_exit_code(r);
    put_text(x, x->row, 0, _("Exit code"), x->bold);
    put_number(x, x->row, 1, code, NULL);
    put_text(x, x->row++, 2, lk_exit_code_meaning(code), NULL);
    if (r->has_error)
        pair(x, _("Stopped by"), lk_error_format(&r->error, buf, sizeof(buf)));
    for (size_t i = 0; i < r->nwarnings; i++)
        pair(x, "Warning", r->warnings[i]);
    x->row++;

    put_text(x, x->row, 0, _("Outcome"), x->header);
    put_text(x, x->row, 1, _("Records (employment x period x record key)"), x->header);
    put_text(x, x->row, 2, _("Input issues"), x->header);
    x->row++;
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        if (!t.records[i] && !t.issues[i])
            continue;
        put_text(x, x->row, 0, lk_outcome_label((lk_outcome)i), x->outcome[i]);
        put_number(x, x->row, 1, (double)t.records[i], NULL);
        put_number(x, x->row, 2, (double)t.issues[i], NULL);
        x->row++;
    }
    put_text(x, x->row, 0, _("total"), x->bold);
    put_number(x, x->row, 1, (double)r->nrecords, x->bold);
    put_number(x, x->row, 2, (double)r->nissues, x->bold);
    x->row += 2;

    /* Sums: over every record, and over those Loket holds (or would hold) afterwards */
    unsigned accepted = 1u << LK_OUTCOME_VALID | 1u << LK_OUTCOME_CREATED |
                        1u << LK_OUTCOME_UPDATED | 1u << LK_OUTCOME_UNCHANGED;
    size_t n, na;
    lk_report_component_total *all = lk_report_component_totals(r, 0, &n);
    lk_report_component_total *ok = lk_report_component_totals(r, accepted, &na);
    const char *heads[] = {N_("Component key"), N_("Component"), N_("Records"),
                           N_("Sum of new values"), N_("Records accepted"), N_("Sum accepted")};
    for (int i = 0; i < 6; i++)
        put_text(x, x->row, (lxw_col_t)i, _(heads[i]), x->header);
    x->row++;
    for (size_t i = 0; i < n; i++) {
        put_number(x, x->row, 0, all[i].key, NULL);
        put_text(x, x->row, 1, all[i].description ? all[i].description : "", NULL);
        put_number(x, x->row, 2, (double)all[i].count, NULL);
        if (!all[i].overflow)
            put_decimal(x, x->row, 3, all[i].sum, NULL);
        const lk_report_component_total *a = NULL;
        for (size_t j = 0; j < na; j++)
            if (ok[j].key == all[i].key)
                a = &ok[j];
        put_number(x, x->row, 4, a ? (double)a->count : 0, NULL);
        if (!a || !a->overflow)
            put_decimal(x, x->row, 5, a ? a->sum : 0, NULL);
        x->row++;
    }
    free(all);
    free(ok);
    x->row++;

    if (r->nrequests) {
        const char *rh[] = {N_("Method"), N_("Endpoint"), N_("HTTP status"), N_("Requests"),
                            N_("Attempts"), N_("Average ms")};
        for (int i = 0; i < 6; i++)
            put_text(x, x->row, (lxw_col_t)i, _(rh[i]), x->header);
        x->row++;
        for (size_t i = 0; i < r->nrequests; i++) {
            const lk_report_request_stat *s = &r->requests[i];
            put_text(x, x->row, 0, s->method, NULL);
            put_text(x, x->row, 1, s->endpoint, NULL);
            put_number(x, x->row, 2, s->status, NULL);
            put_number(x, x->row, 3, (double)s->count, NULL);
            put_number(x, x->row, 4, (double)s->attempts, NULL);
            put_number(x, x->row, 5, s->attempts ? s->latency_ms / (double)s->attempts : 0, NULL);
            x->row++;
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * The file
 * ------------------------------------------------------------------------------------------- */

/* "cannot write X: Permission denied" -> "Permission denied" (the report's name is said once) */
static const char *last_reason(const char *msg)
{
    const char *why = strrchr(msg, ':');
    return why ? why + 2 : msg;
}

static lk_code io_error(lk_error *err, const char *path, const char *why)
{
    lk_error_clear(err);
    return lk_error_set(err, LK_ERR_ENV, _("cannot write the report %s: %s"), path, why);
}

lk_code lk_report_write_xlsx(const lk_report *r, const char *path, lk_error *err)
{
    lk_error_clear(err);
    /* libxlsxwriter takes only a file name and opens it with fopen(): it writes into a private
     * scratch folder, never to a name another user could have prepared. */
    lk_safe_scratch s;
    lk_error ferr;
    lk_error_clear(&ferr);
    if (lk_safe_scratch_begin(&s, path, lk_mode_under_umask(LK_REPORT_FILE_MODE), &ferr) !=
        LK_OK)
        return io_error(err, path, last_reason(ferr.message));

    struct xlsx_ctx x;
    memset(&x, 0, sizeof(x));
    x.wb = workbook_new(s.file_path);
    if (!x.wb) {
        lk_safe_scratch_abort(&s);
        return io_error(err, path, "cannot start the workbook");
    }
    make_formats(&x);
    write_summary(&x, r);
    write_details(&x, r);
    lxw_error werr = workbook_close(x.wb);
    if (werr == LXW_NO_ERROR && x.status != LXW_NO_ERROR)
        werr = x.status;
    if (werr != LXW_NO_ERROR) {
        lk_safe_scratch_abort(&s);
        return io_error(err, path, lxw_strerror(werr));
    }
    /* libxlsxwriter closes without fsync; commit makes the bytes durable before the rename */
    if (lk_safe_scratch_commit(&s, &ferr) != LK_OK)
        return io_error(err, path, last_reason(ferr.message));
    return LK_OK;
}
