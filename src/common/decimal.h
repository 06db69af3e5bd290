/*
 * decimal.h: payroll values as fixed-point decimals (value x 10^6 in a 64-bit integer).
 *
 * Hours, kilometres and euros are summed over many rows; binary doubles would drift
 * (0.1 + 0.2) and a drifted sum is a wrong payslip. Values become doubles only at the edge,
 * when a JSON body is written, and come back from JSON through lk_decimal_from_double().
 */
#ifndef LK_DECIMAL_H
#define LK_DECIMAL_H

#include <stdbool.h>

typedef long long lk_decimal;

#define LK_DECIMAL_SCALE 1000000LL
#define LK_DECIMAL_DIGITS 6
/* |value| must stay below 10^12: far beyond any payroll number, far from overflow. */
#define LK_DECIMAL_MAX (1000000000000LL * LK_DECIMAL_SCALE)

/* Shortest plain text: 151.5, -3.25, 0, 1234567.123456. buf >= 32 bytes. */
char *lk_decimal_format(lk_decimal v, char *buf);
double lk_decimal_to_double(lk_decimal v);
/* Rounds half away from zero to 6 decimals; false when not finite or out of range. */
bool lk_decimal_from_double(double d, lk_decimal *out);
/* Rounds to `places` decimals (0..6), half away from zero. */
lk_decimal lk_decimal_round(lk_decimal v, int places);
/* a + b; false on leaving the range. */
/* Inline: mapping adds every value of every row twice (its entry, its file's total). */
static inline bool lk_decimal_add(lk_decimal a, lk_decimal b, lk_decimal *out)
{
    lk_decimal s = a + b; /* both < 10^18, no overflow of 64 bits */
    if (s >= LK_DECIMAL_MAX || s <= -LK_DECIMAL_MAX)
        return false;
    *out = s;
    return true;
}

#endif
