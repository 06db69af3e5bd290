/*
 * period_name.h: payroll periods named the way a payroll office names them.
 *
 *   monthly    2026-11    "november 2026" in Dutch text, "November 2026" in English
 *   4-weekly   2026-P12   "periode 12 van 2026", "period 12 of 2026"
 *   weekly     2026-W47   "week 47 van 2026", "week 47 of 2026"
 *
 * The short code is the same in both languages (tables, report cells, --period); the words are
 * for sentences. The kind of a period comes from its dates (lk_period_type_of): the official
 * document numbers payrollPeriodType 1 month, 3 4-weekly, 4 weekly, while Loket's acceptance
 * data as the simulator's fixture holds it has 2 for 4 weeks and 3 for a week; the dates
 * cannot disagree with themselves. Not known: the period is named by its number.
 */
#ifndef LK_PERIOD_NAME_H
#define LK_PERIOD_NAME_H

#include "common/i18n.h"

typedef enum lk_period_type {
    LK_PERIOD_TYPE_UNKNOWN = 0,
    LK_PERIOD_TYPE_MONTH,        /* a calendar month */
    LK_PERIOD_TYPE_4WEEKS,       /* 28 days (35 for the last of a 53-week year) */
    LK_PERIOD_TYPE_WEEK          /* 7 days */
} lk_period_type;

/* The kind of the period from start to end ("YYYY-MM-DD"); UNKNOWN for anything else. */
lk_period_type lk_period_type_of(const char *start, const char *end);

#define LK_PERIOD_NAME_MAX 48

/* "2026-11", "2026-P12", "2026-W47". buf >= LK_PERIOD_NAME_MAX. */
char *lk_period_code(int year, int number, lk_period_type type, char *buf);
/* "november 2026", "periode 12 van 2026", "week 47 van 2026" (current language). */
char *lk_period_words(int year, int number, lk_period_type type, char *buf);
/* The name of month 1..12 in the current language ("november"); "" otherwise. */
const char *lk_month_name(int month);
/* How the language names a kind of period: "month"/"maand", "4 weeks"/"4 weken", "week". */
const char *lk_period_type_name(lk_period_type type);

#endif
