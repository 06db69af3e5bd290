/*
 * xlsx_styles.c: date detection from cell styles and number formats, and date arithmetic for
 * Excel serial numbers.
 *
 * An XLSX date is a plain number; only the style of its cell says "date". The style index (the
 * cell's s attribute) selects an xf of cellXfs, whose numFmtId is a built-in format or one of the
 * workbook's numFmts.
 */
#include "input/xlsx_styles.h"
#include "input/xlsx_xml.h"
#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lk_numfmt_builtin_kind(unsigned long id)
{
    if (id == 46)
        return LK_NUMFMT_DURATION;
    return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) ? LK_NUMFMT_DATE : LK_NUMFMT_PLAIN;
}

/* "[h]", "[mm]", "[ss]": elapsed time. */
static int is_elapsed_bracket(const char *open, const char *close)
{
    if (close == open + 1)
        return 0;
    for (const char *q = open + 1; q < close; q++)
        if (tolower((unsigned char)*q) != tolower((unsigned char)open[1]) ||
            !strchr("hms", tolower((unsigned char)*q)))
            return 0;
    return 1;
}

int lk_numfmt_code_kind(const char *code)
{
    int date = 0, elapsed = 0;
    for (const char *p = code; *p; p++) {
        switch (*p) {
        case '"':
            p = strchr(p + 1, '"');
            if (!p)
                return LK_NUMFMT_PLAIN;
            break;
        case '[': {
            const char *close = strchr(p + 1, ']');
            if (!close)
                return LK_NUMFMT_PLAIN;
            if (is_elapsed_bracket(p, close))
                elapsed = 1;
            p = close;
            break;
        }
        case '\\':
        case '_':
        case '*':
            if (!p[1])
                return LK_NUMFMT_PLAIN;
            p++;
            break;
        case ';':
            /* only the first section (positive numbers) decides */
            goto done;
        default:
            switch (tolower((unsigned char)*p)) {
            case 'd': case 'm': case 'y': case 'h': case 's':
                date = 1;
            }
        }
    }
done:
    if (elapsed)
        return LK_NUMFMT_DURATION;
    return date ? LK_NUMFMT_DATE : LK_NUMFMT_PLAIN;
}

/* ---------------------------------------------------------------------------------------------
 * styles.xml
 */

/* A custom format: its id, what it shows, and its place in the part (the last definition of an
 * id wins). */
typedef struct custom_fmt {
    unsigned long id;
    size_t order;
    unsigned char kind;
} custom_fmt;

typedef struct styles_ctx {
    lk_xml_ctx xml;
    lk_styles *styles;
    custom_fmt *fmts;
    size_t nfmts, fmts_alloc;
    size_t xf_alloc;
    int in_cell_xfs;
    unsigned long *xf_fmt;       /* numFmtId of each xf, resolved at the end */
} styles_ctx;

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    styles_ctx *c = ud;
    const char *local = lk_xml_local(name);
    if (lk_xml_enter(&c->xml) < 0)
        return;
    if (strcmp(local, "numFmt") == 0) {
        const char *id = lk_xml_attr(atts, "numFmtId");
        const char *code = lk_xml_attr(atts, "formatCode");
        if (!id || !code)
            return;
        lk_grow(&c->fmts, sizeof(*c->fmts), c->nfmts + 1, &c->fmts_alloc);
        c->fmts[c->nfmts].id = strtoul(id, NULL, 10);
        c->fmts[c->nfmts].order = c->nfmts;
        c->fmts[c->nfmts].kind = (unsigned char)lk_numfmt_code_kind(code);
        c->nfmts++;
    } else if (strcmp(local, "cellXfs") == 0) {
        c->in_cell_xfs = 1;
    } else if (strcmp(local, "xf") == 0 && c->in_cell_xfs) {
        const char *id = lk_xml_attr(atts, "numFmtId");
        size_t n = c->styles->nxf;
        lk_grow(&c->xf_fmt, sizeof(*c->xf_fmt), n + 1, &c->xf_alloc);
        c->xf_fmt[n] = id ? strtoul(id, NULL, 10) : 0;
        c->styles->nxf++;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    styles_ctx *c = ud;
    lk_xml_leave(&c->xml);
    if (strcmp(lk_xml_local(name), "cellXfs") == 0)
        c->in_cell_xfs = 0;
}

static int cmp_fmt(const void *a, const void *b)
{
    const custom_fmt *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_fmt_id(const void *key, const void *elem)
{
    unsigned long id = *(const unsigned long *)key;
    const custom_fmt *f = elem;
    return id < f->id ? -1 : id > f->id;
}

/* Sorted by id with one entry per id, the last definition: n log n, then a bsearch per xf
 * (a 1 MB styles part of xfs and numFmts was quadratic: about a minute). */
static size_t sort_fmts(custom_fmt *f, size_t n)
{
    size_t out = 0;
    if (n)
        qsort(f, n, sizeof *f, cmp_fmt);
    for (size_t i = 0; i < n; i++) {
        if (out && f[out - 1].id == f[i].id)
            f[out - 1] = f[i];
        else
            f[out++] = f[i];
    }
    return out;
}

int lk_styles_load(lk_styles *s, lk_zip *z, const char *path, const char *part, lk_error *err)
{
    styles_ctx c;
    memset(s, 0, sizeof(*s));
    if (!part)
        return 0;
    memset(&c, 0, sizeof c);
    c.styles = s;
    if (lk_xml_init(&c.xml, err) < 0)
        return -1;
    XML_SetElementHandler(c.xml.parser, styles_start, styles_end);
    int rc = lk_xml_parse_part(&c.xml, z, path, part, err);
    lk_xml_free(&c.xml);
    if (rc == 0) {
        size_t nfmts = sort_fmts(c.fmts, c.nfmts);
        s->xf_kind = xcalloc(s->nxf ? s->nxf : 1, 1);
        for (size_t i = 0; i < s->nxf; i++) {
            unsigned long id = c.xf_fmt[i];
            int kind = lk_numfmt_builtin_kind(id);
            /* a workbook may redefine a built-in id with its own code */
            const custom_fmt *f =
                nfmts ? bsearch(&id, c.fmts, nfmts, sizeof *c.fmts, cmp_fmt_id) : NULL;
            if (f)
                kind = f->kind;
            s->xf_kind[i] = (unsigned char)kind;
        }
    } else {
        s->nxf = 0;
    }
    free(c.fmts);
    free(c.xf_fmt);
    return rc;
}

int lk_styles_kind(const lk_styles *s, size_t xf)
{
    return xf < s->nxf ? s->xf_kind[xf] : LK_NUMFMT_PLAIN;
}

void lk_styles_free(lk_styles *s)
{
    free(s->xf_kind);
    memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------------------------------------
 * Serial numbers
 */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *year, int *month, int *day)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

#define MAX_SERIAL 2958466.0 /* 10000-01-01: past Excel's last date */

int lk_serial_to_date(double serial, lk_cell *cell, char *text, size_t size)
{
    if (!(serial >= 0 && serial < MAX_SERIAL))
        return -1;
    long long secs = llround(serial * 86400.0);
    long long days = secs / 86400;
    long long tod = secs % 86400;
    cell->hour = (int)(tod / 3600);
    cell->minute = (int)(tod / 60 % 60);
    cell->second = (int)(tod % 60);
    if (days == 0) {
        /* a time of day without a date */
        cell->year = cell->month = cell->day = 0;
        snprintf(text, size, "%02d:%02d:%02d", cell->hour, cell->minute, cell->second);
        return 0;
    }
    if (days == 60) {
        /* Lotus 1-2-3 took 1900 for a leap year and Excel kept it: serial 60 is 1900-02-29 */
        cell->year = 1900;
        cell->month = 2;
        cell->day = 29;
    } else {
        /* serials 1..59 count from 1899-12-31, later ones (past the phantom day) from 12-30 */
        long long base = days_from_civil(1899, 12, days < 60 ? 31 : 30);
        civil_from_days(base + days, &cell->year, &cell->month, &cell->day);
    }
    if (tod)
        snprintf(text, size, "%04d-%02d-%02dT%02d:%02d:%02d", cell->year, cell->month, cell->day,
                 cell->hour, cell->minute, cell->second);
    else
        snprintf(text, size, "%04d-%02d-%02d", cell->year, cell->month, cell->day);
    return 0;
}

int lk_days_to_duration(double days, lk_cell *cell, char *text, size_t size)
{
    if (!(days >= 0 && days < 1e7))
        return -1;
    long long secs = llround(days * 86400.0);
    cell->year = cell->month = cell->day = 0;
    cell->hour = (int)(secs / 3600);
    cell->minute = (int)(secs / 60 % 60);
    cell->second = (int)(secs % 60);
    snprintf(text, size, "%02d:%02d:%02d", cell->hour, cell->minute, cell->second);
    return 0;
}

int lk_iso_to_serial(const char *iso, double *serial)
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double s = 0;
    if (sscanf(iso, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return -1;
    const char *p = iso + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &s, &k) < 3 || k < 8)
            return -1;
        p += 1 + k;
    }
    if (*p == 'Z')
        p++;
    if (*p || y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || s < 0 || s >= 60)
        return -1;
    long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int y2, m2, d2;
    civil_from_days(days, &y2, &m2, &d2);
    if (y2 != y || m2 != mo || d2 != d)
        return -1; /* 2026-02-30 */
    long long base = days_from_civil(1899, 12, 30);
    double day_serial = (double)(days - base);
    if (day_serial < 61)
        day_serial -= 1; /* before the phantom 1900-02-29 */
    *serial = day_serial + (h * 3600 + mi * 60 + s) / 86400.0;
    return 0;
}
