/*
 * localefmt.h: numbers and dates written the way the reader's language writes them.
 *
 *   Dutch:   3.926,50   30-11-2026
 *   English: 3,926.50   2026-11-30
 *
 * Formatted here, not by the C library's locale, so that it needs no system locale and cannot
 * leak into JSON, logs or the numbers sent to Loket (which keep lk_decimal_format's plain form).
 * The _in forms take the language; the others use lk_lang_current().
 */
#ifndef LK_LOCALEFMT_H
#define LK_LOCALEFMT_H

#include "common/decimal.h"
#include "common/i18n.h"

#define LK_FMT_NUMBER_MAX 32 /* the longest: "-999.999.999.999.999,999999" */

/*
 * v with thousands grouped and at least min_places decimals (0..6; more when v has them, up
 * to 6): 3926.5 with 2 -> "3.926,50" (nl), "3,926.50" (en). buf >= LK_FMT_NUMBER_MAX.
 */
char *lk_fmt_decimal_in(lk_lang lang, lk_decimal v, int min_places, char *buf);
char *lk_fmt_decimal(lk_decimal v, int min_places, char *buf);
/* A double rounded to exactly `places` decimals (0..6), grouped like lk_fmt_decimal. */
char *lk_fmt_double_in(lk_lang lang, double d, int places, char *buf);
char *lk_fmt_double(double d, int places, char *buf);
/* A count with thousands grouped: 12345 -> "12.345" (nl), "12,345" (en). */
char *lk_fmt_count_in(lk_lang lang, unsigned long long n, char *buf);
char *lk_fmt_count(unsigned long long n, char *buf);
/*
 * An ISO date "2026-11-30" as the language writes it: "30-11-2026" (nl), "2026-11-30" (en). Text that is no ISO date is copied as it is.
 * buf >= 32 bytes.
 */
char *lk_fmt_date_in(lk_lang lang, const char *iso, char *buf);
char *lk_fmt_date(const char *iso, char *buf);

#endif
