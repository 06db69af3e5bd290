/*
 * report_csv.c: the report as CSV for spreadsheets and scripts: the detail table (one line per
 * record x component, then one per input issue) under a header line.
 *
 * - UTF-8 with a byte order mark: without it Excel reads UTF-8 as Windows-1252 and "Sévérine"
 *   becomes mojibake. Lines end in CRLF (RFC 4180).
 * - Every field is quoted by libcsv (csv_fwrite), so delimiters, quotes and line breaks in names
 *   and Loket messages survive.
 * - Delimiter ',' (values with a decimal point) or ';' (values with a decimal comma), the two
 *   forms Excel opens directly in English and in Dutch regional settings.
 * - Formula injection: a text cell starting with '=', '+', '-', '@', TAB or CR would be run as a
 *   formula by Excel/LibreOffice when the file is opened (CSV has no way to say "this is text"),
 *   so such text gets a leading single quote: `=HYPERLINK("x")` is written as `'=HYPERLINK("x")`.
 *   Numbers (a negative value such as -3.5) are numbers, not text, and are left alone.
 */
#include "report/report_int.h"

#include "common/i18n.h"
#include "common/util.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct csv_ctx {
    FILE *out;
    char delimiter;
};

static bool looks_like_formula(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
           s[0] == '\r';
}

static void write_field(struct csv_ctx *ctx, const lk_report_cell *c, bool first)
{
    char buf[64];
    const char *text = "";
    if (!first)
        fputc(ctx->delimiter, ctx->out);
    switch (c->kind) {
    case LK_RCELL_EMPTY:
        break;
    case LK_RCELL_DATE:
        text = c->text.buf; /* ISO 8601: read as a date in every regional setting */
        break;
    case LK_RCELL_TEXT:
        text = c->text.buf;
        if (looks_like_formula(text)) {
            /* csv_fwrite quotes the whole field; the quote character goes inside it */
            strbuf guarded = STRBUF_INIT;
            strbuf_init(&guarded, c->text.len + 1);
            strbuf_addch(&guarded, '\'');
            strbuf_add(&guarded, c->text.buf, c->text.len);
            csv_fwrite(ctx->out, guarded.buf, guarded.len);
            strbuf_free(&guarded);
            return;
        }
        break;
    case LK_RCELL_INT:
        snprintf(buf, sizeof(buf), "%lld", c->number);
        text = buf;
        break;
    case LK_RCELL_DECIMAL:
        lk_decimal_format(c->value, buf);
        if (ctx->delimiter == ';') {
            char *dot = strchr(buf, '.');
            if (dot)
                *dot = ',';
        }
        text = buf;
        break;
    }
    if (*text)
        csv_fwrite(ctx->out, text, strlen(text));
}

static int write_line(void *vctx, const lk_report_cell *cells, lk_outcome outcome)
{
    struct csv_ctx *ctx = vctx;
    for (int i = 0; i < LK_NCOLS; i++)
        write_field(ctx, &cells[i], i == 0);
    fputs("\r\n", ctx->out);
    return 0;
}

/* The whole file in memory; lk_write_file_atomic then puts it in place in one step, so a reader
 * of the drop folder never sees half a report. */
static char *render_csv(const lk_report *r, char delimiter, size_t *len)
{
    char *data = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&data, &size);
    if (!out)
        lk_die(_("out of memory (CSV report)"));
    struct csv_ctx ctx = {out, delimiter};
    fputs("\xEF\xBB\xBF", out);
    for (int i = 0; i < LK_NCOLS; i++) {
        if (i)
            fputc(delimiter, out);
        csv_fwrite(out, _(lk_report_columns[i].header), strlen(_(lk_report_columns[i].header)));
    }
    fputs("\r\n", out);
    lk_report_each_line(r, write_line, &ctx);
    if (fclose(out) != 0)
        lk_die(_("out of memory (CSV report)"));
    *len = size;
    return data;
}

lk_code lk_report_write_csv(const lk_report *r, const char *path, char delimiter, lk_error *err)
{
    if (delimiter != ',' && delimiter != ';' && delimiter != '\t') {
        lk_error_clear(err);
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("%s: CSV report delimiter must be ',' or ';' (got '%c')"), path,
                            delimiter);
    }
    size_t len;
    char *data = render_csv(r, delimiter, &len);
    lk_error_clear(err);
    lk_code rc = lk_report_write_bytes(path, data, len, err);
    free(data);
    return rc;
}
