/*
 * decimal.c: fixed-point payroll values.
 */
#include "common/decimal.h"

#include <math.h>
#include <stdio.h>

char *lk_decimal_format(lk_decimal v, char *buf)
{
    unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    unsigned long long ip = a / LK_DECIMAL_SCALE, fp = a % LK_DECIMAL_SCALE;
    int n = snprintf(buf, 32, "%s%llu", v < 0 ? "-" : "", ip);
    if (fp) {
        char frac[LK_DECIMAL_DIGITS + 1];
        int len = LK_DECIMAL_DIGITS;
        snprintf(frac, sizeof(frac), "%06llu", fp);
        while (len > 0 && frac[len - 1] == '0')
            len--;
        snprintf(buf + n, (size_t)(32 - n), ".%.*s", len, frac);
    }
    return buf;
}

double lk_decimal_to_double(lk_decimal v)
{
    /* Through text so that 7.1 becomes the double nearest 7.1, not 7100000 / 1e6's neighbour. */
    char buf[32];
    double d;
    lk_decimal_format(v, buf);
    sscanf(buf, "%lf", &d);
    return d;
}

bool lk_decimal_from_double(double d, lk_decimal *out)
{
    if (!isfinite(d) || fabs(d) >= (double)LK_DECIMAL_MAX / (double)LK_DECIMAL_SCALE)
        return false;
    *out = (lk_decimal)llround(d * (double)LK_DECIMAL_SCALE);
    return true;
}

lk_decimal lk_decimal_round(lk_decimal v, int places)
{
    lk_decimal unit = 1;
    if (places < 0)
        places = 0;
    for (int i = places; i < LK_DECIMAL_DIGITS; i++)
        unit *= 10;
    if (unit == 1)
        return v;
    lk_decimal q = v / unit, r = v % unit;
    if (r * 2 >= unit)
        q++;
    else if (r * 2 <= -unit)
        q--;
    return q * unit;
}

