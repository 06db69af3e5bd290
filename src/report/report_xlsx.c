/*
 * report_xlsx.c: the report as an Excel workbook for people (libxlsxwriter).
 *
 * Sheet "Summary": the run (command, environment, times, mapping and input files with SHA-256,
 * exit code), totals per outcome, per component (records and sum of the new values) and the
 * request counts. Sheet "Details": the same columns as the CSV (report_lines.c), with a frozen
 * header, an autofilter, the outcome cell coloured, numbers as numbers and dates as dates.
 *
 * Made to be read and printed: every column as wide as its content (within a cap; Loket's
 * messages wrap, their line as high as the wrapped text), columns empty on every line hidden,
 * the technical ones (ids, HTTP status) folded in an outline group, payroll values with two
 * decimals or as many as they have, dates in the reader's own short date format (Excel's
 * built-in format 14: 30-11-2026 in Dutch settings), both sheets landscape on A4, one page
 * wide, the Details header row repeated on every printed page, page numbers in the footer.
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
#include "common/localefmt.h"
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

/* Column widths in characters: no narrower than a header with its filter button, no wider than
 * a cap (wider text wraps in the messages column, is cut on screen elsewhere). */
#define WIDTH_MIN 6.0
#define WIDTH_MAX 48.0
#define WIDTH_MESSAGES_MAX 46.0
#define WIDTH_ROWS_MAX 34.0     /* "uren.csv:2-4; ...": wraps rather than being cut */
#define WIDTH_COLS 64
/*
 * What one A4 landscape page holds with its text at >= 9 pt: LibreOffice draws a character of a
 * column width at about 6.5 pt (a wide substitute font where Calibri is missing), the printable
 * width is 784 pt, and 9 pt text is 70% of the sheets' 11 pt (a word's box is 1.16 times the
 * font size, so 0.70 x 11 x 1.16 = 9 pt). A sheet up to this width is fitted to one page wide;
 * a wider one prints at WIDE_SCALE over several pages wide, its key columns on every page.
 */
#define PAGE_CHARS 165.0
#define WIDE_SCALE 75
#define SUMMARY_LINES_ONE_PAGE 46

struct xlsx_ctx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_format *header, *bold, *title, *outcome[LK_OUTCOME_COUNT];
    lxw_format *date, *wrap, *rows, *milliseconds, *whole, *top;
    lxw_format *decimals[LK_DECIMAL_DIGITS + 1];    /* by places shown, 2..6 */
    lxw_format *decimals_bold[LK_DECIMAL_DIGITS + 1];
    double width[WIDTH_COLS];                       /* widest content per column, this sheet */
    bool track;                                     /* measure what is written */
    /* Details: the text of each column's first cell and whether any later line differs */
    char *first[LK_NCOLS];
    bool varies[LK_NCOLS];
    bool one_file;          /* one input file: its name is said in the page header, not per line */
    size_t extra_lines;     /* Summary: lines that wrapped texts add to its rows */
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

static void measure(struct xlsx_ctx *x, lxw_col_t col, double chars)
{
    if (x->track && col < WIDTH_COLS && chars > x->width[col])
        x->width[col] = chars;
}

/* The decimals a value needs, at least two: 166 -> 2 (166.00), 1.125 -> 3. */
static int places_of(lk_decimal v)
{
    lk_decimal frac = v % LK_DECIMAL_SCALE;
    if (frac < 0)
        frac = -frac;
    int places = LK_DECIMAL_DIGITS;
    while (places > 2 && frac % 10 == 0) {
        frac /= 10;
        places--;
    }
    return places;
}

/* Characters a number takes when shown with thousands separators and `places` decimals. */
static double number_chars(double v, int places)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.*f", places, v);
    int digits = n - (places ? places + 1 : 0) - (v < 0);
    return (double)n + (digits > 3 ? (digits - 1) / 3 : 0);
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
    /* the longest line of a multi-line text decides */
    size_t longest = 0, line = 0;
    for (const char *p = s; p < s + cut; p++) {
        if (*p == '\n') {
            line = 0;
            continue;
        }
        line += ((unsigned char)*p & 0xC0) != 0x80;
        if (line > longest)
            longest = line;
    }
    measure(x, col, (double)longest);
}

/* A count, key or id: a whole number. */
static void put_number(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, double v,
                       lxw_format *fmt)
{
    keep_error(x, worksheet_write_number(x->ws, row, col, v, fmt));
    measure(x, col, number_chars(v, 0));
}

/* A payroll value, with two decimals or as many as it has (never a rounded one). */
static void put_decimal(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, lk_decimal v,
                        bool bold)
{
    int places = places_of(v);
    double d = lk_decimal_to_double(v);
    keep_error(x, worksheet_write_number(x->ws, row, col, d,
                                         bold ? x->decimals_bold[places] : x->decimals[places]));
    measure(x, col, number_chars(d, places));
}

/* "2026-11-30" as a date cell; text when it is not a date after all. */
static void put_date(struct xlsx_ctx *x, lxw_row_t row, lxw_col_t col, const char *s)
{
    lxw_datetime dt = {0};
    if (sscanf(s, "%4d-%2d-%2d", &dt.year, &dt.month, &dt.day) != 3) {
        put_text(x, row, col, s, NULL);
        return;
    }
    keep_error(x, worksheet_write_datetime(x->ws, row, col, &dt, x->date));
    measure(x, col, 10);
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
        put_decimal(x, row, col, c->value, false);
        break;
    case LK_RCELL_DATE:
        put_date(x, row, col, c->text.buf);
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
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_TOP);
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    format_set_align(x->bold, LXW_ALIGN_VERTICAL_TOP); /* beside a wrapped text: its first line */
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        x->outcome[i] = workbook_add_format(x->wb);
        format_set_bg_color(x->outcome[i], outcome_colours[i].bg);
        format_set_font_color(x->outcome[i], outcome_colours[i].fg);
        format_set_align(x->outcome[i], LXW_ALIGN_VERTICAL_TOP);
    }
    /* a line made higher by a wrapped message reads from its top, every cell alike */
    x->top = workbook_add_format(x->wb);
    format_set_align(x->top, LXW_ALIGN_VERTICAL_TOP);
    x->date = workbook_add_format(x->wb);
    format_set_num_format_index(x->date, 14); /* the reader's short date: 30-11-2026 in Dutch */
    format_set_align(x->date, LXW_ALIGN_VERTICAL_TOP);
    x->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    x->rows = workbook_add_format(x->wb); /* input rows: apart from the amount before them */
    format_set_text_wrap(x->rows);
    format_set_align(x->rows, LXW_ALIGN_VERTICAL_TOP);
    format_set_indent(x->rows, 1);
    x->milliseconds = workbook_add_format(x->wb);
    format_set_num_format(x->milliseconds, "#,##0");
    /* employee numbers, client numbers, keys: names more than amounts, so they read left,
     * apart from the amounts and not glued to the name next to them */
    x->whole = workbook_add_format(x->wb);
    format_set_num_format(x->whole, "0");
    format_set_align(x->whole, LXW_ALIGN_LEFT);
    format_set_align(x->whole, LXW_ALIGN_VERTICAL_TOP);
    static const char *const codes[] = {"", "", "#,##0.00", "#,##0.000", "#,##0.0000",
                                        "#,##0.00000", "#,##0.000000"};
    for (int p = 2; p <= LK_DECIMAL_DIGITS; p++) {
        x->decimals[p] = workbook_add_format(x->wb);
        format_set_num_format(x->decimals[p], codes[p]);
        format_set_align(x->decimals[p], LXW_ALIGN_VERTICAL_TOP);
        x->decimals_bold[p] = workbook_add_format(x->wb);
        format_set_num_format(x->decimals_bold[p], codes[p]);
        format_set_bold(x->decimals_bold[p]);
    }
}

/* Landscape A4, narrow margins, page numbers; one page wide and as many long as it takes when
 * fit_width (the sheet is narrow enough to stay readable so), else at scale percent. */
static void print_setup(lxw_worksheet *ws, bool fit_width, int scale)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    if (fit_width)
        worksheet_fit_to_pages(ws, 1, 0);
    else
        worksheet_set_print_scale(ws, (uint16_t)scale);
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    worksheet_set_footer(ws, _("&L&A&RPage &P of &N"));
}

/* Each column as wide as its widest content (measured while writing), within max[col]. */
static void set_widths(struct xlsx_ctx *x, lxw_col_t ncols, const double *max)
{
    for (lxw_col_t c = 0; c < ncols && c < WIDTH_COLS; c++) {
        double w = x->width[c] + 2;
        if (w < WIDTH_MIN)
            w = WIDTH_MIN;
        if (w > max[c])
            w = max[c];
        worksheet_set_column(x->ws, c, c, w, NULL);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Details
 * ------------------------------------------------------------------------------------------- */

static const char *file_name(const char *path);

/* The Details' column titles: words for people (the CSV keeps its stable machine headers). */
static const char *const detail_titles[LK_NCOLS] = {
    [LK_COL_OUTCOME] = N_("Outcome"),
    [LK_COL_EMPLOYER] = N_("Employer"),
    [LK_COL_ADMINISTRATION] = N_("Payroll administration"),
    [LK_COL_CLIENT_NUMBER] = N_("Client number"),
    [LK_COL_EMPLOYEE_NUMBER] = N_("Employee number"),
    [LK_COL_EMPLOYEE_NAME] = N_("Name"),
    [LK_COL_EMPLOYMENT_ID] = N_("Employment id"),
    [LK_COL_PAYROLL_ID] = N_("Employment"),
    [LK_COL_PERIOD] = N_("Period"),
    [LK_COL_PERIOD_ID] = N_("Period id"),
    [LK_COL_PERIOD_START] = N_("Period start"),
    [LK_COL_PERIOD_END] = N_("Period end"),
    [LK_COL_COST_CENTER] = N_("Cost centre"),
    [LK_COL_COST_UNIT] = N_("Cost unit"),
    [LK_COL_DISTRIBUTION_UNIT] = N_("Distribution unit"),
    [LK_COL_SHIFT] = N_("Shift"),
    [LK_COL_PAYSLIP_TYPE] = N_("Payslip type"),
    [LK_COL_PAYSLIP_TEXT] = N_("Payslip text"),
    [LK_COL_COMPONENT_KEY] = N_("Component number"),
    [LK_COL_COMPONENT] = N_("Payroll component"),
    [LK_COL_OLD_VALUE] = N_("Old value"),
    [LK_COL_NEW_VALUE] = N_("New value"),
    [LK_COL_DELETE] = N_("Removed"),
    [LK_COL_SUPPLEMENT] = N_("Supplement"),
    [LK_COL_HTTP_STATUS] = N_("HTTP status"),
    [LK_COL_ATTEMPTS] = N_("Attempts"),
    [LK_COL_MESSAGES] = N_("Messages"),
    [LK_COL_INPUT_ROWS] = N_("Input rows"),
    [LK_COL_INPUT_COLUMN] = N_("Input column"),
};

/* Columns a printed line is read by: on every page of a sheet printed several pages wide, and
 * never folded for being the same on every line. */
static bool key_column(int col)
{
    return col == LK_COL_OUTCOME || col == LK_COL_EMPLOYEE_NUMBER ||
           col == LK_COL_EMPLOYEE_NAME || col == LK_COL_COMPONENT ||
           col == LK_COL_COMPONENT_KEY || col == LK_COL_NEW_VALUE ||
           col == LK_COL_OLD_VALUE || col == LK_COL_MESSAGES;
}

/* "uren.csv:2-4; b.xlsx[Blad1]:3" out of the same with folders in front of the file names. */
static char *without_folders(const char *s)
{
    strbuf sb;
    strbuf_init(&sb, strlen(s) + 1);
    size_t token = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '/') {
            sb.len = token;
            sb.buf[sb.len] = '\0';
            continue;
        }
        strbuf_addch(&sb, *p);
        if (*p == ' ' && p > s && p[-1] == ';')
            token = sb.len;
    }
    return strbuf_detach(&sb, NULL);
}

/* "2; 22; 42-43" out of "uren.xlsx[Uren]:2; 22; 42-43" when the rows are all in that one place
 * (the rows of a second file or sheet start with its name, not a digit): s is changed. */
static void rows_only(char *s)
{
    char *colon = strchr(s, ':');
    if (!colon)
        return;
    for (const char *p = strstr(colon, "; "); p; p = strstr(p + 2, "; "))
        if (p[2] < '0' || p[2] > '9')
            return;
    memmove(s, colon + 1, strlen(colon + 1) + 1);
}

/* The text a cell shows, to find the columns that are the same on every line. */
static void cell_key(const lk_report_cell *c, char *buf, size_t size)
{
    switch (c->kind) {
    case LK_RCELL_EMPTY: snprintf(buf, size, "-"); break;
    case LK_RCELL_INT: snprintf(buf, size, "i%lld", (long long)c->number); break;
    case LK_RCELL_DECIMAL: snprintf(buf, size, "d%lld", (long long)c->value); break;
    case LK_RCELL_DATE: snprintf(buf, size, "D%.200s", c->text.buf ? c->text.buf : ""); break;
    default: snprintf(buf, size, "t%.200s", c->text.buf ? c->text.buf : ""); break;
    }
}

/* Lines of text a wrapped cell of `width` characters takes. */
static size_t wrapped_lines(const char *s, double width)
{
    size_t lines = 1, col = 0, max = width > 6 ? (size_t)width - 3 : 3;
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\n' || col >= max) {
            lines++;
            col = 0;
        }
        col += ((unsigned char)*p & 0xC0) != 0x80 && *p != '\n';
    }
    return lines;
}

/* Columns for the machine and the support desk (ids, HTTP details): folded in an outline
 * group, so the sheet and its print show what a payroll operator reads. */
static bool technical_column(int col)
{
    return col == LK_COL_ADMINISTRATION || col == LK_COL_EMPLOYMENT_ID ||
           col == LK_COL_PAYROLL_ID || col == LK_COL_PERIOD_ID || col == LK_COL_HTTP_STATUS ||
           col == LK_COL_ATTEMPTS || col == LK_COL_INPUT_COLUMN;
}

static int detail_line(void *vctx, const lk_report_cell *cells, lk_outcome outcome)
{
    struct xlsx_ctx *x = vctx;
    char key[224];
    x->row++;
    for (int i = 0; i < LK_NCOLS; i++) {
        lxw_format *fmt = NULL;
        /* an empty cell (an issue line has no period) does not make a column vary */
        cell_key(&cells[i], key, sizeof key);
        if (cells[i].kind == LK_RCELL_EMPTY)
            ;
        else if (!x->first[i])
            x->first[i] = xstrdup(key);
        else if (strcmp(x->first[i], key))
            x->varies[i] = true;
        if (i == LK_COL_OUTCOME && (unsigned)outcome < LK_OUTCOME_COUNT)
            fmt = x->outcome[outcome];
        else if (i == LK_COL_MESSAGES)
            fmt = x->wrap;
        else if (i == LK_COL_INPUT_ROWS)
            fmt = x->rows;
        else if (cells[i].kind == LK_RCELL_INT)
            fmt = x->whole;
        else if (cells[i].kind == LK_RCELL_TEXT)
            fmt = x->top;
        if (i == LK_COL_INPUT_ROWS && cells[i].kind == LK_RCELL_TEXT) {
            /* file names, not paths: the folder says nothing on paper and takes half the page */
            char *names = without_folders(cells[i].text.buf);
            if (x->one_file)
                rows_only(names);
            put_text(x, x->row, (lxw_col_t)i, names, fmt);
            free(names);
            continue;
        }
        put_cell(x, x->row, (lxw_col_t)i, &cells[i], fmt);
    }
    /* a spreadsheet does not grow a line for wrapped text by itself when it opens the file */
    size_t lines = 1;
    if (cells[LK_COL_MESSAGES].kind == LK_RCELL_TEXT)
        lines = wrapped_lines(cells[LK_COL_MESSAGES].text.buf, WIDTH_MESSAGES_MAX);
    if (cells[LK_COL_INPUT_ROWS].kind == LK_RCELL_TEXT) {
        char *names = without_folders(cells[LK_COL_INPUT_ROWS].text.buf);
        if (x->one_file)
            rows_only(names);
        size_t l = wrapped_lines(names, WIDTH_ROWS_MAX);
        free(names);
        if (l > lines)
            lines = l;
    }
    if (lines > 1)
        worksheet_set_row(x->ws, x->row, 15.0 * (double)(lines > 20 ? 20 : lines), NULL);
    return 0;
}

/* The longest word of a title: a title wraps in its header cell, a word does not. */
static double longest_word(const char *s)
{
    size_t best = 0, cur = 0;
    for (const char *p = s; ; p++) {
        if (!*p || *p == ' ') {
            if (cur > best)
                best = cur;
            cur = 0;
            if (!*p)
                break;
            continue;
        }
        cur += ((unsigned char)*p & 0xC0) != 0x80;
    }
    return (double)best;
}

/* "&" is a code in a page header; "&&" prints one. */
static void header_text(strbuf *sb, const char *s)
{
    for (; *s && sb->len < 200; s++) {
        if (*s == '&')
            strbuf_addch(sb, '&');
        strbuf_addch(sb, *s);
    }
}

static void write_details(struct xlsx_ctx *x, const lk_report *r)
{
    x->ws = workbook_add_worksheet(x->wb, _("Details"));
    x->row = 0;
    memset(x->width, 0, sizeof x->width);
    x->track = true;
    x->one_file = r->nfiles == 1;
    lk_report_each_line(r, detail_line, x);
    x->track = false;
    lxw_row_t lines = x->row;
    /* the titles wrap onto two lines: a column is as wide as its content or a title's word */
    for (int i = 0; i < LK_NCOLS; i++)
        put_text(x, 0, (lxw_col_t)i, _(detail_titles[i]), x->header);
    worksheet_set_row(x->ws, 0, 30.0, NULL);

    /* Folded (one click on the outline's + shows them): the technical columns, and a column
     * that says the same on every line (one employer, one period), which the page header
     * says instead. Hidden: a column no line uses. */
    strbuf same;
    strbuf_init(&same, 128);
    if (x->one_file)
        header_text(&same, file_name(r->files[0].path));
    double visible = 0;
    bool fold[LK_NCOLS];
    for (int i = 0; i < LK_NCOLS; i++) {
        double used = x->width[i];
        double max = i == LK_COL_MESSAGES ? WIDTH_MESSAGES_MAX
                     : i == LK_COL_INPUT_ROWS ? WIDTH_ROWS_MAX : WIDTH_MAX;
        double w = (used > longest_word(_(detail_titles[i])) ? used
                    : longest_word(_(detail_titles[i]))) + 2;
        w = w < WIDTH_MIN ? WIDTH_MIN : w > max ? max : w;
        bool constant = lines > 1 && !x->varies[i] && !key_column(i) && used > 0;
        fold[i] = used == 0 || technical_column(i) || constant;
        if (constant && x->first[i] && (x->first[i][0] == 't' || x->first[i][0] == 'D')) {
            char day[32];
            if (same.len)
                header_text(&same, ", ");
            header_text(&same, x->first[i][0] == 'D' ? lk_fmt_date(x->first[i] + 1, day)
                                                     : x->first[i] + 1);
        }
        lxw_row_col_options opt = {.hidden = fold[i], .level = used > 0 && fold[i]};
        worksheet_set_column_opt(x->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL,
                                 fold[i] ? &opt : NULL);
        if (!fold[i])
            visible += w;
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    keep_error(x, worksheet_autofilter(x->ws, 0, 0, lines, LK_NCOLS - 1));
    print_setup(x->ws, visible <= PAGE_CHARS, WIDE_SCALE);
    worksheet_repeat_rows(x->ws, 0, 0);
    if (same.len) {
        strbuf h;
        strbuf_init(&h, 256);
        strbuf_addstr(&h, "&L");
        strbuf_addstr(&h, same.buf);
        worksheet_set_header(x->ws, h.buf);
        strbuf_free(&h);
    }
    strbuf_free(&same);
    if (visible > PAGE_CHARS) {
        /* too wide for one page at a readable size: several pages wide, each line's outcome,
         * employee number and name on every page, the pages of one set of lines together */
        worksheet_repeat_columns(x->ws, 0, LK_COL_EMPLOYEE_NAME);
        worksheet_print_across(x->ws);
    }
    for (int i = 0; i < LK_NCOLS; i++) {
        free(x->first[i]);
        x->first[i] = NULL;
    }
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

/* The Summary's columns B..F: the widths a long text wraps in. */
static const double summary_max[6] = {26, 50, 32, 16, 16, 16};

/* A long text (a warning, the error that stopped the run) across columns B..F, wrapped, its
 * line as high as the wrapped text: one long cell must not make the whole page tiny. */
static void long_pair(struct xlsx_ctx *x, const char *label, const char *value)
{
    double width = 0;
    for (int i = 1; i < 6; i++)
        width += summary_max[i];
    size_t lines = wrapped_lines(value, width);
    put_text(x, x->row, 0, label, x->bold);
    keep_error(x, worksheet_merge_range(x->ws, x->row, 1, x->row, 5, "", x->wrap));
    keep_error(x, worksheet_write_string(x->ws, x->row, 1, value, x->wrap));
    worksheet_set_row(x->ws, x->row, 15.0 * (double)(lines > 30 ? 30 : lines), NULL);
    x->extra_lines += (lines > 30 ? 30 : lines) - 1;
    x->row++;
}

/* A text with every path in it ("/srv/in/uren.csv:12") cut to the file's name ("uren.csv:12"). */
static char *paths_to_names(const char *s)
{
    strbuf sb;
    strbuf_init(&sb, strlen(s) + 1);
    size_t word = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '/' && sb.len > word && sb.buf[word] == '/') {
            sb.len = word + 1; /* keep the leading '/' as the mark until the word ends */
            sb.buf[sb.len] = '\0';
            continue;
        }
        if (*p == ' ' || *p == '(') {
            if (sb.len > word && sb.buf[word] == '/') { /* drop the mark */
                memmove(sb.buf + word, sb.buf + word + 1, sb.len - word);
                sb.len--;
            }
            strbuf_addch(&sb, *p);
            word = sb.len;
            continue;
        }
        strbuf_addch(&sb, *p);
    }
    if (sb.len > word && sb.buf[word] == '/') {
        memmove(sb.buf + word, sb.buf + word + 1, sb.len - word);
        sb.len--;
    }
    return strbuf_detach(&sb, NULL);
}

/* A header row of the Summary; two lines high only when a title is wider than its column. */
static void summary_header(struct xlsx_ctx *x, const char *const *titles, int n)
{
    bool wraps = false;
    for (int i = 0; i < n; i++) {
        const char *t = _(titles[i]);
        size_t chars = 0;
        for (const char *p = t; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        put_text(x, x->row, (lxw_col_t)i, t, x->header);
        wraps = wraps || (double)chars > summary_max[i] - 2;
    }
    if (wraps) {
        worksheet_set_row(x->ws, x->row, 30.0, NULL);
        x->extra_lines++;
    }
}

/* A file's name without its folders: what a person recognises on paper. */
static const char *file_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static void write_summary(struct xlsx_ctx *x, const lk_report *r)
{
    char buf[600];
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    x->ws = workbook_add_worksheet(x->wb, _("Summary"));
    memset(x->width, 0, sizeof x->width);
    x->row = 0;
    put_text(x, x->row, 0, _("loket-import report"), x->title);
    x->row += 2;
    x->track = true;

    pair(x, _("Command"), r->command);
    pair(x, _("Environment"), r->environment);
    pair(x, _("Started (UTC)"), lk_report_time_text(r->started, buf));
    pair(x, _("Finished (UTC)"), lk_report_time_text(r->finished, buf));
    pair(x, _("Mapping"), file_name(r->mapping_path));
    if (r->mapping_sha256[0])
        pair(x, _("Mapping SHA-256"), r->mapping_sha256);
    for (size_t i = 0; i < r->nfiles; i++) {
        put_text(x, x->row, 0, _("Input file"), x->bold);
        put_text(x, x->row, 1, file_name(r->files[i].path), NULL);
        put_text(x, x->row, 2, r->files[i].sha256[0] ? r->files[i].sha256 : _("(not readable)"),
                 x->wrap);
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
    put_text(x, x->row++, 2, lk_exit_code_meaning(code), x->wrap);
    x->track = false; /* the long texts wrap in the widths the short ones leave */
    if (r->has_error) {
        char *text = paths_to_names(lk_error_format(&r->error, buf, sizeof(buf)));
        long_pair(x, _("Stopped by"), text);
        free(text);
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        char *text = paths_to_names(r->warnings[i]);
        long_pair(x, _("Warning"), text);
        free(text);
    }
    x->track = true;
    x->row++;

    const char *oh[] = {N_("Outcome"), N_("Records"), N_("Input issues")};
    summary_header(x, oh, 3);
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
                           N_("Sum of new values"), N_("Accepted records"),
                           N_("Sum of accepted records")};
    summary_header(x, heads, 6);
    x->row++;
    for (size_t i = 0; i < n; i++) {
        put_number(x, x->row, 0, all[i].key, NULL);
        put_text(x, x->row, 1, all[i].description ? all[i].description : "", NULL);
        put_number(x, x->row, 2, (double)all[i].count, NULL);
        if (!all[i].overflow)
            put_decimal(x, x->row, 3, all[i].sum, false);
        const lk_report_component_total *a = NULL;
        for (size_t j = 0; j < na; j++)
            if (ok[j].key == all[i].key)
                a = &ok[j];
        put_number(x, x->row, 4, a ? (double)a->count : 0, NULL);
        if (!a || !a->overflow)
            put_decimal(x, x->row, 5, a ? a->sum : 0, false);
        x->row++;
    }
    free(all);
    free(ok);
    x->row++;

    if (r->nrequests) {
        const char *rh[] = {N_("Method"), N_("Endpoint"), N_("HTTP status"), N_("Requests"),
                            N_("Attempts"), N_("Average ms")};
        summary_header(x, rh, 6);
    x->row++;
        for (size_t i = 0; i < r->nrequests; i++) {
            const lk_report_request_stat *s = &r->requests[i];
            put_text(x, x->row, 0, s->method, NULL);
            put_text(x, x->row, 1, s->endpoint, x->wrap);
            if (s->endpoint) {
                size_t l = wrapped_lines(s->endpoint, summary_max[1]);
                worksheet_set_row(x->ws, x->row, 15.0 * (double)l, NULL);
                x->extra_lines += l - 1;
            }
            put_number(x, x->row, 2, s->status, NULL);
            put_number(x, x->row, 3, (double)s->count, NULL);
            put_number(x, x->row, 4, (double)s->attempts, NULL);
            put_number(x, x->row, 5, s->attempts ? s->latency_ms / (double)s->attempts : 0,
                       x->milliseconds);
            x->row++;
        }
    }
    x->track = false;
    /* the wide texts (hashes, the exit code's meaning, endpoints) wrap within these */
    set_widths(x, 6, summary_max);
    print_setup(x->ws, true, 100);
    /* a summary a little longer than a page is shrunk onto it: a page holds about 32 lines
     * of text, and at 9 pt about 46 */
    if (x->row + x->extra_lines <= SUMMARY_LINES_ONE_PAGE)
        worksheet_fit_to_pages(x->ws, 1, 1);
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
