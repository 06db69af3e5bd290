/*
 * localefmt.c: decimals, counts and dates for people, per language (see localefmt.h).
 */
#include "common/localefmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char decimal_mark(lk_lang lang)
{
    return lang == LK_LANG_NL ? ',' : '.';
}

static char group_mark(lk_lang lang)
{
    return lang == LK_LANG_NL ? '.' : ',';
}

/* digits (no sign) grouped by three into out; returns the length written */
static size_t group_digits(lk_lang lang, const char *digits, char *out)
{
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = group_mark(lang);
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return o;
}

/* integer part ip, fraction digits frac (may be ""), sign */
static char *compose(lk_lang lang, bool negative, unsigned long long ip, const char *frac,
                     char *buf)
{
    char digits[24];
    size_t o = 0;
    snprintf(digits, sizeof(digits), "%llu", ip);
    if (negative)
        buf[o++] = '-';
    o += group_digits(lang, digits, buf + o);
    if (*frac) {
        buf[o++] = decimal_mark(lang);
        snprintf(buf + o, LK_FMT_NUMBER_MAX - o, "%s", frac);
    }
    return buf;
}

char *lk_fmt_decimal_in(lk_lang lang, lk_decimal v, int min_places, char *buf)
{
    if (min_places < 0)
        min_places = 0;
    if (min_places > LK_DECIMAL_DIGITS)
        min_places = LK_DECIMAL_DIGITS;
    unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    unsigned long long ip = a / LK_DECIMAL_SCALE, fp = a % LK_DECIMAL_SCALE;
    char frac[LK_DECIMAL_DIGITS + 1];
    snprintf(frac, sizeof(frac), "%06llu", fp);
    int len = LK_DECIMAL_DIGITS;
    while (len > min_places && frac[len - 1] == '0')
        len--;
    frac[len] = '\0';
    return compose(lang, v < 0, ip, frac, buf);
}

char *lk_fmt_decimal(lk_decimal v, int min_places, char *buf)
{
    return lk_fmt_decimal_in(lk_lang_current(), v, min_places, buf);
}

char *lk_fmt_double_in(lk_lang lang, double d, int places, char *buf)
{
    if (places < 0)
        places = 0;
    if (places > 6)
        places = 6;
    if (!isfinite(d) || fabs(d) >= 1e15) {
        snprintf(buf, LK_FMT_NUMBER_MAX, "%g", d);
        return buf;
    }
    char plain[LK_FMT_NUMBER_MAX];
    snprintf(plain, sizeof(plain), "%.*f", places, fabs(d));
    /* "-0,00" would be a lie */
    bool negative = d < 0 && strspn(plain, "0.") != strlen(plain);
    char *dot = strchr(plain, '.');
    const char *frac = "";
    if (dot) {
        *dot = '\0';
        frac = dot + 1;
    }
    unsigned long long ip = strtoull(plain, NULL, 10);
    return compose(lang, negative, ip, frac, buf);
}

char *lk_fmt_double(double d, int places, char *buf)
{
    return lk_fmt_double_in(lk_lang_current(), d, places, buf);
}

char *lk_fmt_count_in(lk_lang lang, unsigned long long n, char *buf)
{
    return compose(lang, false, n, "", buf);
}

char *lk_fmt_count(unsigned long long n, char *buf)
{
    return lk_fmt_count_in(lk_lang_current(), n, buf);
}

static bool is_iso_date(const char *s)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return false;
        } else if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

char *lk_fmt_date_in(lk_lang lang, const char *iso, char *buf)
{
    if (!iso)
        iso = "";
    if (lang != LK_LANG_NL || strlen(iso) != 10 || !is_iso_date(iso)) {
        snprintf(buf, 32, "%s", iso);
        return buf;
    }
    snprintf(buf, 32, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
    return buf;
}

char *lk_fmt_date(const char *iso, char *buf)
{
    return lk_fmt_date_in(lk_lang_current(), iso, buf);
}
