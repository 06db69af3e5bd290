/*
 * report_signals.h: the signals of a run in the report model (what the plan found implausible
 * against Loket's history: a file repeating an earlier period, an outlier, more hours than the
 * contract, a new component) and their rendering for each writer: terminal section, JSON list,
 * detail lines of the CSV and XLSX reports. docs/reports.md describes them.
 */
#ifndef LK_REPORT_SIGNALS_H
#define LK_REPORT_SIGNALS_H

#include "common/decimal.h"
#include "common/strbuf.h"
#include "mapping/checks.h"
#include "report/report.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>

struct lk_report_cell;

typedef struct lk_report_signal {
    lk_signal_kind kind;
    bool blocking;              /* stops apply unless accepted */
    bool accepted;              /* accepted by --accept-signals */
    long employee_number;       /* 0: about the file as a whole */
    char *employee_name;        /* NULL = none */
    char *employment_id;        /* NULL = none */
    long payroll_id;            /* 0 = not known */
    char *period;               /* the target period's name: "2026-11" */
    long component;             /* 0: not about one component */
    char *component_name;       /* NULL = none */
    bool has_value;
    lk_decimal value;           /* the file's value (over-contract: the hours counted) */
    /* what it was compared with */
    char **ref_periods;         /* history: period names, oldest first */
    lk_decimal *ref_values;     /* and the employment's value in each */
    size_t nref;
    bool has_median;
    lk_decimal median;
    int decimal_slip;           /* outlier: 10 or 100 (or 0): a likely slipped decimal */
    bool slip_exact;            /* the value is exactly that factor of an earlier value */
    double hours_per_week;      /* over-contract: the contract */
    double weeks;               /* the employment's weeks in the period */
    double margin;              /* over-contract margin (0.15) */
    lk_decimal allowed;         /* contract hours x weeks x (1 + margin), rounded to 2 */
    char *repeat_period;        /* repeat-of-previous: the earlier period repeated */
    long repeat_matching;       /* employments with exactly its values */
    long repeat_of;             /* of these employments with history to compare */
} lk_report_signal;

typedef struct lk_report_signals {
    lk_report_signal *items;
    size_t n, alloc;
    bool read;                  /* the history was read (a plan ran): "signals" is meaningful */
    char accepted_kinds[160];   /* --accept-signals as given ("all", "outlier,..."); "" none */
} lk_report_signals;

lk_report_signals *lk_report_signals_new(void);
void lk_report_signals_free(lk_report_signals *s);
/* A new zeroed signal owned by s (copy strings in with xstrdup). */
lk_report_signal *lk_report_signals_add(lk_report_signals *s, lk_signal_kind kind);
/* Signals that block and are not accepted; names (may be NULL) gets "outlier (2), ..." */
size_t lk_report_signals_blocking(const lk_report_signals *s, strbuf *names);
/* Marks the signals of the accepted kinds (accept[kind]) accepted, and remembers how. */
void lk_report_signals_accept(lk_report_signals *s, const bool *accept, const char *as_given);

/* One line for a person: what and with what it was compared ("3 earlier periods: 160, 168,
 * 164"), in the current language. */
void lk_report_signal_what(strbuf *sb, const lk_report_signal *sig);
void lk_report_signal_reference(strbuf *sb, const lk_report_signal *sig);

/* The terminal section "Signals" (nothing when there are none). */
void lk_report_print_signals(const lk_report *r, FILE *out);
/* The JSON report's "signals" list (an empty list when there are none). */
cJSON *lk_report_signals_json(const lk_report *r);
/* Detail lines (CSV, XLSX) of the signals, after the records and issues (the writers' line
 * callback of report_int.h). */
int lk_report_each_signal_line(const lk_report *r,
                               int (*fn)(void *ctx, const struct lk_report_cell *cells,
                                         lk_outcome outcome),
                               void *ctx);

#endif
