/*
 * period_name.c: codes and words for payroll periods (see period_name.h).
 */
#include "common/period_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const month_names[12] = {
    /* TRANSLATORS: month names as they stand in a sentence ("november 2026") */
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
};

/* days since 1970-01-01 of a "YYYY-MM-DD", or false */
static bool day_number(const char *date, long *out, int *y, int *m, int *d)
{
    if (!date || strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d", y, m, d) != 3 || *m < 1 ||
        *m > 12 || *d < 1 || *d > 31)
        return false;
    /* days from civil (H. Hinnant's algorithm) */
    int yy = *y - (*m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153L * (*m + (*m > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = era * 146097 + doe - 719468;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

lk_period_type lk_period_type_of(const char *start, const char *end)
{
    long a, b;
    int y1, m1, d1, y2, m2, d2;
    if (!day_number(start, &a, &y1, &m1, &d1) || !day_number(end, &b, &y2, &m2, &d2))
        return LK_PERIOD_TYPE_UNKNOWN;
    if (y1 == y2 && m1 == m2 && d1 == 1 && d2 == days_in_month(y2, m2))
        return LK_PERIOD_TYPE_MONTH;
    long days = b - a + 1;
    if (days == 7)
        return LK_PERIOD_TYPE_WEEK;
    if (days == 28 || days == 35)
        return LK_PERIOD_TYPE_4WEEKS;
    return LK_PERIOD_TYPE_UNKNOWN;
}

const char *lk_month_name(int month)
{
    return month >= 1 && month <= 12 ? _(month_names[month - 1]) : "";
}

static unsigned clamp(int v, unsigned max)
{
    return v < 0 ? 0u : (unsigned)v % (max + 1u);
}

char *lk_period_code(int year, int number, lk_period_type type, char *buf)
{
    unsigned y = clamp(year, 9999), n = clamp(number, 99);
    switch (type) {
    case LK_PERIOD_TYPE_MONTH:
        snprintf(buf, LK_PERIOD_NAME_MAX, "%04u-%02u", y, n);
        break;
    case LK_PERIOD_TYPE_WEEK:
        snprintf(buf, LK_PERIOD_NAME_MAX, "%04u-W%02u", y, n);
        break;
    default:
        snprintf(buf, LK_PERIOD_NAME_MAX, "%04u-P%02u", y, n);
    }
    return buf;
}

char *lk_period_words(int year, int number, lk_period_type type, char *buf)
{
    unsigned y = clamp(year, 9999), n = clamp(number, 99);
    switch (type) {
    case LK_PERIOD_TYPE_MONTH:
        if (n >= 1 && n <= 12) {
            /* TRANSLATORS: a month and its year: "november 2026" */
            snprintf(buf, LK_PERIOD_NAME_MAX, _("%s %04u"), lk_month_name((int)n), y);
            break;
        }
        /* fall through */
    default:
        /* TRANSLATORS: a 4-weekly payroll period and its year */
        snprintf(buf, LK_PERIOD_NAME_MAX, _("period %u of %04u"), n, y);
        break;
    case LK_PERIOD_TYPE_WEEK:
        /* TRANSLATORS: a weekly payroll period and its year */
        snprintf(buf, LK_PERIOD_NAME_MAX, _("week %u of %04u"), n, y);
        break;
    }
    return buf;
}

const char *lk_period_type_name(lk_period_type type)
{
    switch (type) {
    case LK_PERIOD_TYPE_MONTH:
        return _("month");
    case LK_PERIOD_TYPE_4WEEKS:
        return _("4 weeks");
    case LK_PERIOD_TYPE_WEEK:
        return _("week");
    default:
        return _("period");
    }
}
