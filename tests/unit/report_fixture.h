/*
 * report_fixture.h: the plan and apply reports the report tests write and read back, modelled on
 * the simulator fixture (Bakkerij Van den Berg, De Linde, employee 2020's formula name).
 * Input: uren.csv rows 2..7: row 2 employee 1001, 3 employee 1007 (second employment), 4 employee
 * 2020, 5 employee 1019 (left 2026-09-30), 6 a bad number, 7 a totals row skipped on purpose.
 * Included by one test file each (static functions).
 */
#ifndef LK_REPORT_FIXTURE_H
#define LK_REPORT_FIXTURE_H

#include "common/util.h"
#include "report/report.h"

#include <stdio.h>
#include <string.h>

#define FIX_NAME_1007 "Bakker, Sébastien ë"
#define FIX_NAME_2020 "=HYPERLINK(\"x\")"
#define FIX_REJECT_83 "Looncomponent 31 is niet toegestaan voor deze administratie"
#define FIX_ROWS_READ 6

static lk_decimal dec(double d)
{
    lk_decimal v = 0;
    lk_decimal_from_double(d, &v);
    return v;
}

static void fix_monthly(lk_report_record *rec)
{
    lk_report_record_set_employer(rec, "0a1b2c3d-0000-4000-8000-000000000001",
                                  "Bakkerij Van den Berg B.V.");
    lk_report_record_set_administration(rec, "0a1b2c3d-0000-4000-8000-0000000000a1",
                                        "Van den Berg maandloon", 40101);
    lk_report_record_set_period(rec, 202611, 2026, 11, "2026-11-01", "2026-11-30");
    lk_report_record_set_period_label(rec, "2026-11");
    lk_report_ref_set(&rec->record_key.payslip_type, 1, NULL, "Normaal");
}

/* apply: false builds the plan (outcomes "would be", old values), true the apply afterwards. */
static lk_report *fix_report(const char *dir, bool apply)
{
    char csv[512], mapping[512];
    snprintf(csv, sizeof(csv), "%s/uren.csv", dir);
    snprintf(mapping, sizeof(mapping), "%s/mapping.json", dir);
    FILE *f = fopen(csv, "w");
    if (f) {
        fputs("personeelsnummer;uren;overuren;km\n1001;151,5;8;\n", f);
        fclose(f);
    }
    f = fopen(mapping, "w");
    if (f) {
        fputs("{\"layout\":\"wide\"}\n", f);
        fclose(f);
    }
    lk_report *r = lk_report_new(apply ? "apply" : "plan");
    lk_report_add_file(r, csv, NULL);
    lk_report_set_mapping(r, mapping, NULL);
    lk_report_set_environment(r, "sim");
    r->rows_read = FIX_ROWS_READ;

    /* 1001: an existing record changes (plan) / is updated with a warning (apply) */
    lk_report_record *rec = lk_report_add_record(r);
    fix_monthly(rec);
    lk_report_record_set_employee(rec, 1001, "Jansen, Eline");
    lk_report_record_set_employment(rec, "e0000000-0000-4000-8000-000000001001", 1, 1);
    lk_report_ref_set(&rec->record_key.cost_center, 1, "PROD", "Productie");
    lk_report_component *c = lk_report_record_add_value(rec, 10, "Uren gewerkt", dec(151.5),
                                                        false, false);
    c->column = xstrdup("uren");
    if (!apply)
        lk_report_component_set_old(c, dec(140));
    lk_report_record_add_value(rec, 11, "Overuren 125%", dec(8), false, false);
    lk_report_record_add_rows(rec, csv, NULL, 2, 2);
    if (apply) {
        lk_report_record_set_result(rec, LK_OUTCOME_UPDATED, 200, 1);
        lk_report_record_add_message(rec, LK_MSG_LOKET, "Warning", true, 12,
                                     "Waarde wijkt sterk af van vorige periode", NULL);
    } else {
        lk_report_record_set_result(rec, LK_OUTCOME_UPDATED, 0, 0);
    }

    /* 1007, second employment: a new record (plan) / Loket rejects it (apply) */
    rec = lk_report_add_record(r);
    fix_monthly(rec);
    lk_report_record_set_employee(rec, 1007, FIX_NAME_1007);
    lk_report_record_set_employment(rec, "e0000000-0000-4000-8000-000000001072", 2, 2);
    lk_report_record_add_value(rec, 20, "Reiskm", dec(42), false, false);
    lk_report_record_add_value(rec, 31, "Ploegentoeslag", dec(12.25), false, false);
    lk_report_record_add_value(rec, 30, "Bonus", dec(250), false, true);
    lk_report_record_add_rows(rec, csv, NULL, 3, 3);
    if (apply) {
        lk_report_record_set_result(rec, LK_OUTCOME_REJECTED, 400, 1);
        lk_report_record_add_message(rec, LK_MSG_LOKET, "BrokenBusinessRule", true, 83,
                                     FIX_REJECT_83, "31");
        lk_report_record_add_message(rec, LK_MSG_LOKET, "BrokenBusinessRule", true, 84,
                                     "Record niet opgeslagen; \"geen\" wijzigingen", NULL);
    } else {
        lk_report_record_set_result(rec, LK_OUTCOME_CREATED, 0, 0);
    }

    /* 2020, weekly administration, a formula as name, a negative value and a value deleted */
    rec = lk_report_add_record(r);
    lk_report_record_set_employer(rec, "0a1b2c3d-0000-4000-8000-000000000002",
                                  "Hoveniersbedrijf De Linde");
    lk_report_record_set_administration(rec, "0a1b2c3d-0000-4000-8000-0000000000b1",
                                        "De Linde weekloon", 40201);
    lk_report_record_set_period(rec, 202647, 2026, 47, "2026-11-16", "2026-11-22");
    lk_report_record_set_employee(rec, 2020, FIX_NAME_2020);
    lk_report_record_set_employment(rec, "e0000000-0000-4000-8000-000000002020", 1, 1);
    lk_report_ref_set(&rec->record_key.distribution_unit, 1, "TUIN", NULL);
    lk_report_ref_set(&rec->record_key.shift, 2, NULL, "Avond");
    lk_report_record_set_payslip_text(rec, "-correctie week 46");
    c = lk_report_record_add_value(rec, 13, "Ziekte-uren", dec(-3.25), false, false);
    if (!apply)
        lk_report_component_set_old(c, dec(-3.25));
    lk_report_record_add_value(rec, 12, "Overuren 150%", 0, true, false);
    lk_report_record_add_rows(rec, csv, NULL, 4, 4);
    if (apply)
        lk_report_record_set_result(rec, LK_OUTCOME_FAILED, 503, 3);
    else
        lk_report_record_set_result(rec, LK_OUTCOME_UNCHANGED, 0, 0);

    /* 1019 left on 2026-09-30: our own check refuses it in both */
    rec = lk_report_add_record(r);
    fix_monthly(rec);
    lk_report_record_set_employee(rec, 1019, "de Vries, Ömer");
    lk_report_record_add_value(rec, 10, "Uren gewerkt", dec(12), false, false);
    lk_report_record_add_rows(rec, csv, NULL, 5, 5);
    lk_report_record_set_result(rec, LK_OUTCOME_REJECTED, 0, 0);
    lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                 "employee 1019 has no employment in 2026-11 (left 2026-09-30)",
                                 NULL);

    lk_error e;
    lk_error_clear(&e);
    lk_error_at(&e, csv, NULL, 6, 2, "overuren");
    lk_error_set(&e, LK_ERR_INPUT, "\"7,5x\" is not a number");
    lk_report_add_issue(r, LK_OUTCOME_REJECTED, &e);
    lk_error_clear(&e);
    lk_error_at(&e, csv, NULL, 7, (size_t)-1, NULL);
    lk_error_set(&e, LK_ERR_INPUT, "totals row (\"Totaal\")");
    lk_report_add_issue(r, LK_OUTCOME_SKIPPED, &e);

    if (apply) {
        const char *ep =
            "/providers/employers/employees/employments/{employmentId}/payrollperioddata";
        lk_report_count_request(r, "PATCH", ep, 200, 1, 40.0);
        lk_report_count_request(r, "PATCH", ep, 400, 1, 30.0);
        lk_report_count_request(r, "PATCH", ep, 503, 3, 900.0);
    }
    lk_report_finish(r);
    return r;
}

#endif
