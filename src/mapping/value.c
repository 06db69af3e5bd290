/*
 * value.c: cell values as a Dutch office produces them, into exact lk_decimals and dates.
 *
 * The number convention (decimal comma or point, thousands separator) is fixed per file by the
 * mapping or by the file's own values, never guessed per cell: "1.234" is 1234 in a decimal-comma
 * file and an error-free 1.234 in a decimal-point file, and a cell that does not fit its file's
 * convention is an error naming it, never a silently different number. No double arithmetic:
 * digits are accumulated into the fixed-point value and rounded half away from zero at the 7th
 * decimal. XLSX number cells are taken exactly from their stored text ("7.5", "1E-3").
 */
#include "common/i18n.h"
#include "mapping/mapping.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- whitespace */

/* Length of a whitespace character at s: space, tab, CR, LF, no-break space, narrow no-break space. */
static size_t space_len(const unsigned char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF)
        return 3;
    return 0;
}

char *lk_cell_trim(const char *text, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n;
    while ((n = space_len(s)) > 0)
        s += n;
    size_t len = strlen((const char *)s);
    for (;;) {
        if (len >= 1 && space_len(s + len - 1) == 1)
            len -= 1;
        else if (len >= 2 && s[len - 2] == 0xC2 && s[len - 1] == 0xA0)
            len -= 2;
        else if (len >= 3 && s[len - 3] == 0xE2 && s[len - 2] == 0x80 && s[len - 1] == 0xAF)
            len -= 3;
        else
            break;
    }
    if (len >= size) {
        /* too long for any value we read; keep a recognisable prefix for the message */
        len = size - 1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- digits -> decimal */

/*
 * digits[0..n) with `point` digits before the decimal point (may be < 0 or > n), as a decimal
 * rounded half away from zero to 6 places. False when out of range.
 */
static bool decimal_from_digits(const char *digits, size_t n, long point, bool negative,
                                lk_decimal *out)
{
    while (n > 0 && *digits == '0') {
        digits++;
        n--;
        point--;
    }
    if (n == 0) {
        *out = 0;
        return true;
    }
    if (point > 12)
        return false;
    long keep = point + LK_DECIMAL_DIGITS; /* digits that land in the fixed-point integer */
    long long v = 0;
    for (long i = 0; i < keep; i++) {
        int d = i < (long)n ? digits[i] - '0' : 0;
        v = v * 10 + d;
    }
    if (keep >= 0 && keep < (long)n && digits[keep] >= '5')
        v++;
    if (v >= LK_DECIMAL_MAX)
        return false;
    *out = negative ? -v : v;
    return true;
}

bool lk_parse_machine_number(const char *text, lk_decimal *out)
{
    char digits[64];
    size_t n = 0;
    long point = 0;
    bool negative = false, seen_point = false, any = false;
    const char *p = text;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            any = true;
            if (n == 0 && *p == '0') {
                if (seen_point)
                    point--;
                continue;
            }
            if (n >= sizeof(digits))
                return false;
            digits[n++] = *p;
            if (!seen_point)
                point++;
        } else if (*p == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        bool eneg = false;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        if (!isdigit((unsigned char)*p))
            return false;
        long e = 0;
        for (; isdigit((unsigned char)*p); p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        point += eneg ? -e : e;
    }
    if (*p)
        return false;
    /* below a double's smallest normal number (~2.2e-308) no program writes a real value:
     * 1e-400 is out of range like 1e308, not a quiet 0 */
    if (n > 0 && point < -307)
        return false;
    return decimal_from_digits(digits, n, point, negative, out);
}

/* ---------------------------------------------------------------- numbers as people write them */

/*
 * A plain number in the style: optional sign, digits with optional thousands separators in
 * groups of three, optional decimal separator and digits. Returns false if it does not fit.
 */
static bool parse_styled(const char *t, const lk_number_style *style, lk_decimal *out)
{
    char digits[64];
    size_t n = 0, group = 0, groups = 0;
    long point = -1;
    bool negative = false, any = false, first_group_ok = true;
    const char *p = t;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    for (; *p; p++) {
        char c = *p;
        if (isdigit((unsigned char)c)) {
            if (n >= sizeof(digits))
                return false;
            digits[n++] = c;
            any = true;
            group++;
        } else if (point < 0 && style->thousands && c == style->thousands) {
            /* a separator needs digits before it; groups after the first are exactly three */
            if (group == 0 || (groups == 0 && group > 3) || (groups > 0 && group != 3))
                return false;
            if (groups == 0)
                first_group_ok = group <= 3;
            groups++;
            group = 0;
        } else if (point < 0 && c == style->decimal) {
            if (groups > 0 && group != 3)
                return false;
            point = (long)n;
            group = 0;
        } else {
            return false;
        }
    }
    if (!any || !first_group_ok)
        return false;
    if (point < 0) {
        if (groups > 0 && group != 3)
            return false;
        point = (long)n;
    } else if ((size_t)point == n) {
        return false; /* "7," : a separator with nothing after it */
    }
    return decimal_from_digits(digits, n, point, negative, out);
}

static bool parse_duration(const char *t, lk_decimal *out)
{
    const char *p = t;
    bool negative = false;
    long long h = 0, m = 0, s = 0;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return false;
    for (int i = 0; isdigit((unsigned char)*p); p++, i++) {
        if (i >= 7)
            return false;
        h = h * 10 + (*p - '0');
    }
    if (*p++ != ':' || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
        return false;
    m = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (*p == ':') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
            return false;
        s = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
    }
    if (*p || m > 59 || s > 59)
        return false;
    long long secs = h * 3600 + m * 60 + s;
    /* hours = secs / 3600, rounded half away from zero at 6 decimals */
    long long scaled = (secs * LK_DECIMAL_SCALE * 2 + 3600) / (2 * 3600);
    *out = negative ? -scaled : scaled;
    return true;
}

/* Is t (ending in '%') a number followed by a percent sign? Only then is the percent hint right:
 * "=A1%" is a formula, not a percentage. */
static bool percent_number(const char *t, const lk_number_style *style)
{
    char num[128];
    size_t len = strlen(t);
    if (len >= sizeof(num))
        return false;
    memcpy(num, t, len - 1);
    num[len - 1] = '\0';
    while (len > 1 && (num[len - 2] == ' ' || num[len - 2] == '\t'))
        num[--len - 1] = '\0';
    lk_decimal ignored;
    return parse_styled(num, style, &ignored);
}

lk_parse_result lk_parse_number_text(const char *text, lk_value_format format,
                                     const lk_number_style *style, lk_decimal *out,
                                     char *msg, size_t msgsize)
{
    char t[128];
    lk_cell_trim(text, t, sizeof(t));
    if (!*t)
        return LK_PARSE_BLANK;
    if (strlen(t) >= sizeof(t) - 1) {
        snprintf(msg, msgsize, _("\"%.40s...\" is too long to be a number"), t);
        return LK_PARSE_BAD;
    }
    if (format == LK_FORMAT_DURATION && strchr(t, ':')) {
        if (parse_duration(t, out))
            return LK_PARSE_OK;
        snprintf(msg, msgsize, _("\"%.60s\" is not a duration (hours:minutes, e.g. 7:30)"), t);
        return LK_PARSE_BAD;
    }
    size_t len = strlen(t);
    if (format == LK_FORMAT_PERCENT && len > 0 && t[len - 1] == '%') {
        t[--len] = '\0';
        while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
            t[--len] = '\0';
    }
    if (parse_styled(t, style, out))
        return LK_PARSE_OK;
    /* Say why when the cell would be a number in the other convention: a mixed-up file. */
    lk_number_style other = { style->decimal == ',' ? '.' : ',', style->decimal == ',' ? ',' : '.' };
    lk_decimal ignored;
    if (parse_styled(t, &other, &ignored))
        snprintf(msg, msgsize,
                 _("\"%.60s\" is not a number in this file's convention (decimal %s); "
                 "set input.decimalSeparator if the file uses the other one"),
                 t, style->decimal == ',' ? _("comma") : _("point"));
    else if (format != LK_FORMAT_PERCENT && len > 1 && t[len - 1] == '%' && percent_number(t, style))
        snprintf(msg, msgsize, _("\"%.60s\" is a percentage, the mapping expects a number"), t);
    else if (format != LK_FORMAT_DURATION && parse_duration(t, &ignored))
        snprintf(msg, msgsize,
                 "\"%.60s\" looks like a duration; set \"format\": \"duration\" for this component",
                 t);
    else if (t[0] == '(')
        snprintf(msg, msgsize, _("\"%.60s\" is not a number (write negative values as -3,25)"), t);
    else
        snprintf(msg, msgsize, _("\"%.60s\" is not a number"), t);
    return LK_PARSE_BAD;
}

/*
 * [-]digits[<decimal>digits] with at most 12 whole digits (leading zeros aside) and 6 decimals,
 * nothing else: the shape of nearly every cell, in one pass. False sends the text down the
 * general path (spaces, thousands separators, rounding, errors), which gives the same value for
 * whatever this accepts.
 */
bool lk_parse_plain(const char *t, size_t len, char decimal, lk_decimal *out)
{
    static const long long frac_scale[LK_DECIMAL_DIGITS + 1] = { 1000000, 100000, 10000, 1000,
                                                                 100, 10, 1 };
    const char *p = t, *end = t + len;
    bool negative = p < end && *p == '-';
    if (negative)
        p++;
    long long whole = 0, frac = 0;
    int whole_digits = 0, frac_digits = 0;
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if ((whole || *p != '0') && ++whole_digits > 12)
            return false;
        whole = whole * 10 + (*p - '0');
        any = true;
    }
    if (!any)
        return false;
    if (p < end && *p == decimal) {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (++frac_digits > LK_DECIMAL_DIGITS)
                return false;
            frac = frac * 10 + (*p - '0');
        }
        if (!frac_digits)
            return false;
    }
    if (p != end)
        return false;
    long long v = whole * LK_DECIMAL_SCALE + frac * frac_scale[frac_digits];
    if (v >= LK_DECIMAL_MAX)
        return false;
    *out = negative ? -v : v;
    return true;
}

lk_parse_result lk_parse_value(const lk_cell *cell, lk_value_format format,
                               const lk_number_style *style, lk_decimal *out,
                               char *msg, size_t msgsize)
{
    switch (cell->type) {
    case LK_CELL_EMPTY:
        return LK_PARSE_BLANK;
    case LK_CELL_STRING:
        if (cell->text && lk_parse_plain(cell->text, cell->len, style->decimal, out))
            return LK_PARSE_OK;
        return lk_parse_number_text(cell->text, format, style, out, msg, msgsize);
    case LK_CELL_NUMBER:
        if (cell->text && *cell->text) {
            if (lk_parse_machine_number(cell->text, out))
                return LK_PARSE_OK;
        } else if (lk_decimal_from_double(cell->number, out)) {
            return LK_PARSE_OK;
        }
        snprintf(msg, msgsize, _("number %.40s is out of range"), cell->text ? cell->text : "");
        return LK_PARSE_BAD;
    case LK_CELL_DATE:
        if (format == LK_FORMAT_DURATION && isfinite(cell->number) && cell->number >= 0 &&
            cell->number < 100000) {
            /* Excel stores 7:30 as the day fraction 0.3125; whole seconds, then hours. */
            long long secs = llround(cell->number * 86400.0);
            *out = (secs * LK_DECIMAL_SCALE * 2 + 3600) / (2 * 3600);
            return LK_PARSE_OK;
        }
        snprintf(msg, msgsize, _("holds a date (%04d-%02d-%02d), not a number"), cell->year,
                 cell->month, cell->day);
        return LK_PARSE_BAD;
    case LK_CELL_BOOL:
        snprintf(msg, msgsize, _("holds %s, not a number"), cell->text ? cell->text : "a boolean");
        return LK_PARSE_BAD;
    case LK_CELL_ERROR:
    default:
        snprintf(msg, msgsize, _("holds the spreadsheet error %.40s"), cell->text ? cell->text : "");
        return LK_PARSE_BAD;
    }
}

/* ---------------------------------------------------------------- convention evidence */

/*
 * The shape most numeric cells have: [-]digits[<sep>digits], at most 40 digits, nothing else.
 * Sets the separator (0 when none) and the digits after it; false for any other text, which
 * then takes the general path (that gives the same answer for these).
 */
static bool plain_shape(const char *t, char *sep, size_t *after)
{
    const char *p = t + (*t == '-');
    size_t digits = 0;
    *sep = 0;
    *after = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 40)
                return false;
            if (*sep)
                (*after)++;
        } else if ((*p == ',' || *p == '.') && !*sep && digits) {
            *sep = *p;
        } else {
            return false;
        }
    }
    return digits && (!*sep || *after);
}

char lk_number_evidence(const char *text)
{
    char plain_sep;
    size_t after;
    if (text && plain_shape(text, &plain_sep, &after))
        return plain_sep && after != 3 ? plain_sep : 0; /* "1.234" could be either */
    char t[128];
    lk_cell_trim(text, t, sizeof(t));
    const char *p = t;
    if (*p == '-' || *p == '+')
        p++;
    size_t len = strlen(p);
    if (len > 0 && p[len - 1] == '%')
        len--;
    if (len == 0 || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[len - 1]))
        return 0;
    size_t dots = 0, commas = 0;
    long last_dot = -1, last_comma = -1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            dots++;
            last_dot = (long)i;
        } else if (p[i] == ',') {
            commas++;
            last_comma = (long)i;
        } else if (!isdigit((unsigned char)p[i])) {
            return 0;
        }
    }
    char num[128];
    memcpy(num, p, len);
    num[len] = '\0';
    lk_decimal v;
    if (dots && commas) {
        char dec = last_dot > last_comma ? '.' : ',';
        lk_number_style s = { dec, dec == '.' ? ',' : '.' };
        return parse_styled(num, &s, &v) ? dec : 0;
    }
    if (!dots && !commas)
        return 0;
    char sep = dots ? '.' : ',';
    size_t count = dots ? dots : commas;
    long last = dots ? last_dot : last_comma;
    if (count == 1)
        return (long)len - last - 1 == 3 ? 0 : sep; /* "1.234" could be either */
    /* several of one: thousands separators, if the grouping is right ("28.11.2026" is not) */
    lk_number_style s = { sep == '.' ? ',' : '.', sep };
    return parse_styled(num, &s, &v) ? s.decimal : 0;
}

/* ---------------------------------------------------------------- whole numbers */

lk_parse_result lk_parse_whole(const lk_cell *cell, long max, long *out, char *msg,
                               size_t msgsize)
{
    char t[128];
    switch (cell->type) {
    case LK_CELL_EMPTY:
        return LK_PARSE_BLANK;
    case LK_CELL_NUMBER: {
        lk_decimal d;
        if (lk_parse_machine_number(cell->text, &d) && d % LK_DECIMAL_SCALE == 0 && d > 0 &&
            d / LK_DECIMAL_SCALE <= max) {
            *out = (long)(d / LK_DECIMAL_SCALE);
            return LK_PARSE_OK;
        }
        snprintf(msg, msgsize, _("%.40s is not a whole number from 1 to %ld"), cell->text, max);
        return LK_PARSE_BAD;
    }
    case LK_CELL_STRING:
        break;
    default:
        snprintf(msg, msgsize, _("\"%.40s\" is not a whole number"), cell->text ? cell->text : "");
        return LK_PARSE_BAD;
    }
    lk_cell_trim(cell->text, t, sizeof(t));
    if (!*t)
        return LK_PARSE_BLANK;
    long v = 0;
    const char *p = t;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > max)
            break;
        v = v * 10 + (*p - '0');
    }
    if (*p || p == t || v < 1 || v > max) {
        snprintf(msg, msgsize, _("\"%.60s\" is not a whole number from 1 to %ld"), t, max);
        return LK_PARSE_BAD;
    }
    *out = v;
    return LK_PARSE_OK;
}

/* ---------------------------------------------------------------- dates and periods */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_date(int y, int m, int d)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* Reads 1..maxd digits; returns the count read. */
static int read_int(const char **p, int maxd, int *v)
{
    int n = 0;
    *v = 0;
    while (n < maxd && isdigit((unsigned char)**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n;
}

/* A time after a date ("28-11-2026 00:00", "2026-11-28T08:00:00") is accepted and not used. */
static bool time_tail_ok(const char *p)
{
    if (!*p)
        return true;
    if (*p != ' ' && *p != 'T')
        return false;
    for (p++; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != ':' && *p != '.')
            return false;
    return true;
}

lk_parse_result lk_parse_date(const lk_cell *cell, int *year, int *month, int *day, char *msg,
                              size_t msgsize)
{
    char t[128];
    if (cell->type == LK_CELL_EMPTY)
        return LK_PARSE_BLANK;
    if (cell->type == LK_CELL_DATE) {
        if (valid_date(cell->year, cell->month, cell->day)) {
            *year = cell->year;
            *month = cell->month;
            *day = cell->day;
            return LK_PARSE_OK;
        }
        snprintf(msg, msgsize, _("date cell %.40s is outside the years 1900-9999"), cell->text);
        return LK_PARSE_BAD;
    }
    if (cell->type == LK_CELL_NUMBER) {
        /* a serial in Excel's 1900 system; serial 60 is Excel's non-existent 1900-02-29 */
        double s = cell->number;
        if (isfinite(s) && s >= 61 && s < 2958466) {
            civil_from_days((long long)floor(s) - 25569, year, month, day);
            return LK_PARSE_OK;
        }
        snprintf(msg, msgsize, _("%.40s is not a date serial number"), cell->text);
        return LK_PARSE_BAD;
    }
    if (cell->type != LK_CELL_STRING) {
        snprintf(msg, msgsize, _("\"%.40s\" is not a date"), cell->text ? cell->text : "");
        return LK_PARSE_BAD;
    }
    lk_cell_trim(cell->text, t, sizeof(t));
    if (!*t)
        return LK_PARSE_BLANK;
    const char *p = t;
    int a, b, c, y = 0, m = 0, d = 0;
    int na = read_int(&p, 4, &a);
    char sep = *p;
    bool ok = false;
    if ((sep == '-' || sep == '/' || sep == '.') && na > 0) {
        p++;
        int nb = read_int(&p, 2, &b);
        if (*p == sep && nb > 0) {
            p++;
            int nc = read_int(&p, 4, &c);
            if (na == 4 && sep == '-' && nc >= 1 && nc <= 2) {
                y = a; m = b; d = c; ok = true;          /* 2026-11-28 */
            } else if (na <= 2 && nc == 4) {
                y = c; m = b; d = a; ok = true;          /* 28-11-2026, 28/11/2026, 28.11.2026 */
            }
        }
    }
    if (!ok || !time_tail_ok(p)) {
        snprintf(msg, msgsize,
                 _("\"%.60s\" is not a date (expected e.g. 28-11-2026 or 2026-11-28)"), t);
        return LK_PARSE_BAD;
    }
    if (!valid_date(y, m, d)) {
        snprintf(msg, msgsize, _("\"%.60s\" is not a valid date"), t);
        return LK_PARSE_BAD;
    }
    *year = y;
    *month = m;
    *day = d;
    return LK_PARSE_OK;
}

bool lk_parse_period(const char *text, lk_period_ref *out)
{
    char t[64];
    lk_cell_trim(text, t, sizeof(t));
    const char *p = t;
    int y, n;
    if (read_int(&p, 4, &y) != 4 || y < 1900)
        return false;
    lk_period_kind kind = LK_PERIOD_MONTH;
    if (*p == '-')
        p++;
    else if (*p != 'P' && *p != 'p' && *p != 'W' && *p != 'w')
        return false;
    if (*p == 'P' || *p == 'p') {
        kind = LK_PERIOD_NUMBER;
        p++;
    } else if (*p == 'W' || *p == 'w') {
        kind = LK_PERIOD_WEEK;
        p++;
    }
    int nd = read_int(&p, 2, &n);
    if (nd == 0 || *p)
        return false;
    if (kind != LK_PERIOD_MONTH ? (n < 1 || n > 53) : (n < 1 || n > 12))
        return false;
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->year = y;
    out->number = n;
    return true;
}
