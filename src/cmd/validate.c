/*
 * validate.c: 'loket-import validate FILE... -m MAPPING': reads the files through the mapping,
 * offline, and shows per file what was read (type, delimiter, encoding, rows, employees,
 * component totals) and every error with file, sheet, row, column and reason. --json prints one
 * JSON document for machines. Nothing touches the network.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/decimal.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/util.h"
#include "mapping/aggregate.h"
#include "mapping/mapping.h"
#include "mapping/period_totals.h"
#include "report/report.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    N_("usage: loket-import validate FILE... -m MAPPING [--period P] [--json] [--quiet]\n"
    "                             [--report FILE] [--csv-style excel-nl|rfc4180]\n"
    "                             [--allow-empty]\n"
    "\n"
    "Reads CSV/XLSX exports through a mapping, offline (no network), and shows per file what\n"
    "was read: type, delimiter, encoding, rows, employees, component totals, ignored columns,\n"
    "and every error with file, sheet, row, column and reason.\n"
    "\n"
    "  -m, --mapping FILE  the mapping (mappings/NAME.json; see docs/mappings.md)\n"
    "  -p, --period P      payroll period for mappings that take it from the command line:\n"
    "                      2026-11 (the month), 2026-P11 (period number) or 2026-W47 (week);\n"
    "                      with a date column,\n"
    "                      2026-11 also checks every date lies in that month\n"
    "      --json          print one JSON document on stdout (entries, errors, skipped, files)\n"
    "  -q, --quiet         print errors only\n"
    "      --report FILE   also write the report (.csv, .xlsx or .json by extension)\n"
    "      --csv-style S   a .csv report as excel-nl (';', decimal comma: Dutch Excel) or\n"
    "                      rfc4180 (',', decimal point); default: the language's\n"
    "      --allow-empty   a file without data rows is not an error\n"
    "  -h, --help          this text\n");

static void usage(FILE *out)
{
    fputs(_(usage_text), out);
    LK_USAGE_EXIT_CODES(out, LK_EXIT_OK, LK_EXIT_INPUT, LK_EXIT_CONFIG, LK_EXIT_INTERNAL,
                        LK_EXIT_USAGE);
}

enum { OPT_JSON = 256, OPT_REPORT, OPT_CSV_STYLE, OPT_ALLOW_EMPTY };

static const struct option options[] = {
    { "mapping", required_argument, NULL, 'm' },
    { "period", required_argument, NULL, 'p' },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "report", required_argument, NULL, OPT_REPORT },
    { "csv-style", required_argument, NULL, OPT_CSV_STYLE },
    { "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* ---------------------------------------------------------------- shared helpers */

static cJSON *json_decimal(lk_decimal v)
{
    char buf[32];
    return cJSON_CreateRaw(lk_decimal_format(v, buf));
}

static cJSON *json_str_or_null(const char *s)
{
    return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *json_long_or_null(long v)
{
    return v ? cJSON_CreateNumber((double)v) : cJSON_CreateNull();
}

static cJSON *json_ref(const lk_ref *r)
{
    cJSON *o;
    switch (r->kind) {
    case LK_REF_KEY:
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "key", r->key);
        return o;
    case LK_REF_CODE:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", r->code ? r->code : "");
        return o;
    default:
        return cJSON_CreateNull();
    }
}

static cJSON *json_error(const lk_error *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "file", json_str_or_null(e->file));
    cJSON_AddItemToObject(o, "sheet", json_str_or_null(e->sheet));
    cJSON_AddItemToObject(o, "row", json_long_or_null((long)e->row));
    cJSON_AddItemToObject(o, "column", json_str_or_null(e->column));
    cJSON_AddItemToObject(o, "header", json_str_or_null(e->header));
    cJSON_AddStringToObject(o, "message", e->message);
    return o;
}

/* A key naming one employee (employer + number), or one employment (+ payrollId ...). */
static char *employee_key(const lk_employee_ref *e, bool employment)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s/%ld/%s/%ld/%ld", e->employer ? e->employer : "",
             e->employee_number, e->employment_id ? e->employment_id : "",
             employment ? e->payroll_id : 0, employment ? e->income_relationship : 0);
    return xstrdup(buf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t count_employees(const lk_entry_set *set, bool employments)
{
    if (!set->nentries)
        return 0;
    char **keys = xcalloc(set->nentries, sizeof(char *));
    for (size_t i = 0; i < set->nentries; i++)
        keys[i] = employee_key(&set->entries[i].employee, employments);
    qsort(keys, set->nentries, sizeof(char *), cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < set->nentries; i++)
        if (i == 0 || strcmp(keys[i], keys[i - 1]))
            n++;
    for (size_t i = 0; i < set->nentries; i++)
        free(keys[i]);
    free(keys);
    return n;
}

typedef struct total {
    int component;
    lk_decimal sum;
    unsigned long entries, nulls;
} total;

static int cmp_total(const void *a, const void *b)
{
    return ((const total *)a)->component - ((const total *)b)->component;
}

/* Totals of the final (summed, rounded) entry values per component. */
/* The decimals the mapping rounds a component to ("round"), -1 when it keeps them all. */
static int component_places(const lk_entry_set *set, int component)
{
    for (size_t i = 0; i < set->nentries; i++)
        if (set->entries[i].component == component)
            return set->entries[i].round;
    return -1;
}

/* A total in the component's own decimals, so a file's total and the run's total of the same
 * component read alike (324,33, not 324,333333 above 324,33). */
static const char *total_text(lk_decimal v, int places, char *buf)
{
    if (places < 0 || places > 6)
        return lk_fmt_decimal(v, 2, buf);
    return lk_fmt_decimal(lk_decimal_round(v, places), places, buf);
}

static total *entry_totals(const lk_entry_set *set, size_t *n);

/* A file's total of a component: with one file, the run's total (each record as it will be
 * rounded), so that the two tables agree to the cent; with several, the file's exact sum. */
static lk_decimal file_total(const lk_entry_set *set, int component, lk_decimal exact)
{
    if (set->nfiles != 1)
        return exact;
    size_t n;
    total *t = entry_totals(set, &n);
    lk_decimal v = exact;
    for (size_t i = 0; i < n; i++)
        if (t[i].component == component)
            v = t[i].sum;
    free(t);
    return v;
}

static total *entry_totals(const lk_entry_set *set, size_t *n)
{
    total *t = xcalloc(set->nentries + 1, sizeof(total));
    *n = 0;
    for (size_t i = 0; i < set->nentries; i++) {
        const lk_entry *e = &set->entries[i];
        size_t j = 0;
        while (j < *n && t[j].component != e->component)
            j++;
        if (j == *n) {
            t[j].component = e->component;
            (*n)++;
        }
        t[j].entries++;
        if (e->value_null)
            t[j].nulls++;
        else
            lk_decimal_add(t[j].sum, lk_entry_shown_value(e), &t[j].sum);
    }
    qsort(t, *n, sizeof(total), cmp_total);
    return t;
}

/* An empty header cell over an empty column is layout, not a typo: not worth listing. */
static bool show_ignored(const lk_ignored_column *ic)
{
    return ic->header[0] || ic->values;
}

/* ---------------------------------------------------------------- JSON */

static cJSON *json_entry(const lk_entry_set *set, const lk_entry *e)
{
    char buf[16];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "employer", json_str_or_null(e->employee.employer));
    cJSON_AddItemToObject(o, "employeeNumber", json_long_or_null(e->employee.employee_number));
    cJSON_AddItemToObject(o, "payrollId", json_long_or_null(e->employee.payroll_id));
    cJSON_AddItemToObject(o, "incomeRelationshipNumber",
                          json_long_or_null(e->employee.income_relationship));
    cJSON_AddItemToObject(o, "employmentId", json_str_or_null(e->employee.employment_id));
    bool is_date = e->period.kind == LK_PERIOD_DATE;
    cJSON_AddItemToObject(o, "period", is_date || e->period.kind == LK_PERIOD_NONE
                                           ? cJSON_CreateNull()
                                           : cJSON_CreateString(lk_period_ref_format(&e->period, buf)));
    cJSON_AddItemToObject(o, "date", is_date ? cJSON_CreateString(lk_period_ref_format(&e->period, buf))
                                             : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "component", e->component);
    cJSON_AddItemToObject(o, "value", e->value_null ? cJSON_CreateNull() : json_decimal(lk_entry_shown_value(e)));
    cJSON_AddBoolToObject(o, "isSupplement", e->is_supplement);
    cJSON *rk = cJSON_AddObjectToObject(o, "recordKey");
    cJSON_AddItemToObject(rk, "costCenter", json_ref(&e->record_key.cost_center));
    cJSON_AddItemToObject(rk, "costUnit", json_ref(&e->record_key.cost_unit));
    cJSON_AddItemToObject(rk, "distributionUnit", json_ref(&e->record_key.distribution_unit));
    cJSON_AddItemToObject(rk, "shift", json_ref(&e->record_key.shift));
    cJSON_AddItemToObject(rk, "payslipType", json_ref(&e->record_key.payslip_type));
    cJSON_AddItemToObject(o, "payslipText", json_str_or_null(e->payslip_text));
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    lk_row_walk w;
    lk_row_span span;
    lk_row_walk_init(&w, set, e, 0);
    while (lk_row_walk_next(&w, &span)) {
        const lk_row_span *s = &span;
        for (unsigned long r = s->first; r <= s->last; r++) {
            cJSON *ro = cJSON_CreateObject();
            cJSON_AddStringToObject(ro, "file", set->files[s->file]);
            cJSON_AddItemToObject(ro, "sheet", json_str_or_null(set->sheets[s->sheet]));
            cJSON_AddNumberToObject(ro, "row", (double)r);
            cJSON_AddItemToArray(rows, ro);
        }
    }
    return o;
}

static cJSON *json_file(const lk_entry_set *set, size_t i)
{
    const lk_file_info *fi = &set->file_info[i];
    char buf[8], d[2] = { fi->delimiter, 0 };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", set->files[i]);
    cJSON_AddItemToObject(o, "type", json_str_or_null(fi->type));
    cJSON_AddItemToObject(o, "sheet", json_str_or_null(fi->sheet));
    cJSON_AddItemToObject(o, "delimiter", json_str_or_null(d));
    cJSON_AddItemToObject(o, "encoding", json_str_or_null(fi->encoding));
    d[0] = fi->decimal;
    cJSON_AddItemToObject(o, "decimalSeparator", json_str_or_null(d));
    cJSON_AddNumberToObject(o, "rowsRead", (double)fi->rows_read);
    cJSON_AddNumberToObject(o, "rowsUsed", (double)fi->rows_used);
    cJSON_AddNumberToObject(o, "rowsSkipped", (double)fi->rows_skipped);
    cJSON_AddNumberToObject(o, "rowsBlank", (double)fi->rows_blank);
    cJSON_AddNumberToObject(o, "rowsWithErrors", (double)fi->rows_failed);
    cJSON_AddNumberToObject(o, "employees", (double)fi->employees);
    cJSON_AddBoolToObject(o, "readToEnd", !fi->failed);
    cJSON *comps = cJSON_AddArrayToObject(o, "components");
    for (size_t j = 0; j < fi->ntotals; j++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "component", fi->totals[j].component);
        cJSON_AddItemToObject(c, "name", json_str_or_null(fi->totals[j].name));
        cJSON_AddItemToObject(c, "total", json_decimal(fi->totals[j].total));
        cJSON_AddNumberToObject(c, "values", (double)fi->totals[j].values);
        cJSON_AddItemToArray(comps, c);
    }
    cJSON *ign = cJSON_AddArrayToObject(o, "ignoredColumns");
    for (size_t j = 0; j < fi->nignored; j++) {
        if (!show_ignored(&fi->ignored[j]))
            continue;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "column", lk_column_letter(fi->ignored[j].column, buf));
        cJSON_AddStringToObject(c, "header", fi->ignored[j].header);
        cJSON_AddNumberToObject(c, "values", (double)fi->ignored[j].values);
        cJSON_AddItemToArray(ign, c);
    }
    return o;
}

static void print_json(const char *mapping, const lk_entry_set *set, const lk_error *fatal)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "mapping", mapping);
    cJSON *files = cJSON_AddArrayToObject(doc, "files");
    cJSON *entries = cJSON_AddArrayToObject(doc, "entries");
    cJSON *errors = cJSON_AddArrayToObject(doc, "errors");
    cJSON *skipped = cJSON_AddArrayToObject(doc, "skipped");
    if (set) {
        for (size_t i = 0; i < set->nfiles; i++)
            cJSON_AddItemToArray(files, json_file(set, i));
        for (size_t i = 0; i < set->nentries; i++)
            cJSON_AddItemToArray(entries, json_entry(set, &set->entries[i]));
        for (size_t i = 0; i < set->nissues; i++) {
            cJSON *e = json_error(&set->issues[i].error);
            if (set->issues[i].last_row > set->issues[i].error.row)   /* a run of blank rows */
                cJSON_AddNumberToObject(e, "lastRow", (double)set->issues[i].last_row);
            cJSON_AddItemToArray(set->issues[i].skipped ? skipped : errors, e);
        }
    }
    if (fatal)
        cJSON_AddItemToArray(errors, json_error(fatal));
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(sum, "rowsRead", set ? (double)set->rows_read : 0);
    cJSON_AddNumberToObject(sum, "entries", set ? (double)set->nentries : 0);
    cJSON_AddNumberToObject(sum, "employees", set ? (double)count_employees(set, false) : 0);
    cJSON_AddNumberToObject(sum, "employments", set ? (double)count_employees(set, true) : 0);
    cJSON_AddNumberToObject(sum, "errors", (double)cJSON_GetArraySize(errors) +
                                               (set ? (double)set->errors_not_listed : 0));
    cJSON_AddNumberToObject(sum, "skipped", (double)cJSON_GetArraySize(skipped) +
                                                (set ? (double)set->skipped_not_listed : 0));
    cJSON_AddNumberToObject(sum, "errorsNotListed", set ? (double)set->errors_not_listed : 0);
    cJSON_AddNumberToObject(sum, "skippedNotListed", set ? (double)set->skipped_not_listed : 0);
    cJSON *comps = cJSON_AddArrayToObject(sum, "components");
    if (set) {
        size_t n;
        total *t = entry_totals(set, &n);
        for (size_t i = 0; i < n; i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddNumberToObject(c, "component", t[i].component);
            cJSON_AddItemToObject(c, "total", json_decimal(t[i].sum));
            cJSON_AddNumberToObject(c, "entries", (double)t[i].entries);
            cJSON_AddNumberToObject(c, "nulls", (double)t[i].nulls);
            cJSON_AddItemToArray(comps, c);
        }
        free(t);
        /* dates: per-period sums (each record rounded once) where the mapping says the periods
         * are calendar months; otherwise they come with the plan, which reads Loket's calendar */
        size_t np;
        lk_period_total *pt = lk_period_totals(set, &np);
        if (pt) {
            cJSON *arr = cJSON_AddArrayToObject(sum, "periodTotals");
            for (size_t i = 0; i < np; i++) {
                char per[16];
                cJSON *c = cJSON_CreateObject();
                snprintf(per, sizeof per, "%04d-%02d", pt[i].year % 10000, pt[i].month % 100);
                cJSON_AddStringToObject(c, "period", per);
                cJSON_AddNumberToObject(c, "component", pt[i].component);
                cJSON_AddItemToObject(c, "total", pt[i].overflow ? cJSON_CreateNull()
                                                                 : json_decimal(pt[i].total));
                cJSON_AddNumberToObject(c, "records", (double)pt[i].records);
                cJSON_AddItemToArray(arr, c);
            }
            free(pt);
        }
        if (lk_period_totals_need_plan(set))
            cJSON_AddStringToObject(sum, "periodTotalsIn", "plan");
    }
    char *s = cJSON_Print(doc);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
    }
    free(s);
    cJSON_Delete(doc);
}

/* ---------------------------------------------------------------- text */

static void print_error_line(FILE *out, const lk_error *e)
{
    char buf[LK_ERROR_MSG_MAX + 400];
    fprintf(out, "  %s\n", lk_error_format(e, buf, sizeof(buf)));
}

static void print_text(const lk_entry_set *set, bool quiet)
{
    char buf[LK_FMT_NUMBER_MAX], letter[8];
    size_t nerrors = lk_entry_set_errors(set);
    if (!quiet) {
        for (size_t i = 0; i < set->nfiles; i++) {
            const lk_file_info *fi = &set->file_info[i];
            printf("%s:", set->files[i]);
            if (fi->type[0])
                printf(" %s", fi->type);
            if (fi->sheet)
                printf(_(", sheet \"%s\""), fi->sheet);
            if (fi->delimiter == '\t')
                printf(_(", delimiter tab"));
            else if (fi->delimiter)
                printf(_(", delimiter '%c'"), fi->delimiter);
            if (fi->encoding[0])
                printf(_(", encoding %s"), fi->encoding);
            if (fi->decimal)
                printf(_(", decimal %s"), fi->decimal == ',' ? _("comma") : _("point"));
            printf(_("\n  rows: %lu read, %lu used, %lu skipped, %lu blank, %lu with errors%s\n"),
                   fi->rows_read, fi->rows_used, fi->rows_skipped, fi->rows_blank, fi->rows_failed,
                   fi->failed ? _(" (file not read to its end)") : "");
            printf(_("  employees: %zu\n"), fi->employees);
            if (fi->ntotals)
                printf("  %-10s %16s %8s  %s\n", _("component"), _("total"), _("values"), _("name"));
            for (size_t j = 0; j < fi->ntotals; j++)
                printf("  %-10d %16s %8lu  %s\n", fi->totals[j].component,
                       total_text(file_total(set, fi->totals[j].component,
                                             fi->totals[j].total),
                                  component_places(set, fi->totals[j].component), buf),
                       fi->totals[j].values,
                       fi->totals[j].name ? fi->totals[j].name : "");
            for (size_t j = 0; j < fi->nignored; j++)
                if (show_ignored(&fi->ignored[j]))
                    printf(ngettext("  ignored column %s: header \"%s\" is not a component "
                                    "number (%lu value below it)\n",
                                    "  ignored column %s: header \"%s\" is not a component "
                                    "number (%lu values below it)\n",
                                    fi->ignored[j].values),
                           lk_column_letter(fi->ignored[j].column, letter),
                           fi->ignored[j].header, fi->ignored[j].values);
        }
        size_t skipped = set->nissues - (nerrors - set->errors_not_listed) +
                         set->skipped_not_listed;
        if (skipped) {
            printf(_("skipped rows (%zu):\n"), skipped);
            for (size_t i = 0; i < set->nissues; i++)
                if (set->issues[i].skipped)
                    print_error_line(stdout, &set->issues[i].error);
            if (set->skipped_not_listed)
                printf(_("  ... and %lu more skipped rows, not listed\n"), set->skipped_not_listed);
        }
    }
    if (nerrors) {
        printf(_("errors (%zu):\n"), nerrors);
        for (size_t i = 0; i < set->nissues; i++)
            if (!set->issues[i].skipped)
                print_error_line(stdout, &set->issues[i].error);
        if (set->errors_not_listed)
            printf(_("  ... and %lu more errors, not listed (only the first %d are)\n"),
                   set->errors_not_listed, LK_MAX_LISTED_ISSUES);
    }
    if (!quiet && (set->expected_period.kind == LK_PERIOD_NUMBER ||
                   set->expected_period.kind == LK_PERIOD_WEEK)) {
        char p[16];
        printf(_("note: whether every date lies in period %s is checked by plan: it needs the "
               "administration's calendar\n"), lk_period_ref_format(&set->expected_period, p));
    }
    if (!quiet) {
        size_t n;
        total *t = entry_totals(set, &n);
        size_t nemployees = count_employees(set, false), nemployments = count_employees(set, true);
        printf(ngettext("total: %lu row", "total: %lu rows", set->rows_read), set->rows_read);
        printf(ngettext(", %zu employee", ", %zu employees", nemployees), nemployees);
        printf(ngettext(" (%zu employment)", " (%zu employments)", nemployments), nemployments);
        printf(ngettext(", %zu entry", ", %zu entries", set->nentries), set->nentries);
        printf(ngettext(", %zu error\n", ", %zu errors\n", nerrors), nerrors);
        for (size_t i = 0; i < n; i++)
            printf(ngettext("  component %-6d %16s  (%lu entry%s)\n",
                            "  component %-6d %16s  (%lu entries%s)\n", t[i].entries),
                   t[i].component,
                   total_text(t[i].sum, component_places(set, t[i].component), buf), t[i].entries,
                   t[i].nulls ? _(", some sent as null") : "");
        free(t);
        size_t np;
        lk_period_total *pt = lk_period_totals(set, &np);
        if (pt) {
            printf(_("per period (calendar months; each record's sum rounded only once, as sent):\n"));
            for (size_t i = 0; i < np; i++)
                printf(ngettext("  %04d-%02d  component %-6d %16s  (%lu record)\n",
                                "  %04d-%02d  component %-6d %16s  (%lu records)\n",
                                pt[i].records),
                       pt[i].year % 10000, pt[i].month % 100, pt[i].component,
                       pt[i].overflow ? _("out of range") : lk_fmt_decimal(pt[i].total, 0, buf),
                       pt[i].records);
            free(pt);
        }
        if (lk_period_totals_need_plan(set))
            fputs(_("  these are exact sums of the dates. Each date goes into its administration's "
                  "payroll\n"
                  "  period (month, 4 weeks or week: only Loket knows which), and \"round\" "
                  "applies only to\n"
                  "  each period's sum: `plan` shows the totals per period.\n"),
                  stdout);
    }
}

/* ---------------------------------------------------------------- report */

static bool write_report(const char *path, const char *mapping, const lk_entry_set *set,
                         lk_csv_style csv_style, bool quiet)
{
    lk_error err;
    lk_error_clear(&err);
    lk_report *r = lk_report_new("validate");
    lk_report_set_mapping(r, mapping, &err);
    lk_report_add_entry_set(r, set, &err);
    lk_report_add_input_warnings(r, set);
    lk_report_finish(r);
    lk_error_clear(&err);
    bool ok = lk_report_write_as(r, path, LK_REPORT_AUTO, csv_style, &err) == LK_OK;
    if (!ok) {
        char buf[LK_ERROR_MSG_MAX + 400];
        lk_errorf("%s", lk_error_format(&err, buf, sizeof(buf)));
    } else if (!quiet) {
        fprintf(stderr, _("report written to %s\n"), path);
    }
    lk_report_free(r);
    return ok;
}

/* ---------------------------------------------------------------- command */

int cmd_validate(int argc, char **argv)
{
    const char *mapping_path = NULL, *period_text = NULL, *report_path = NULL;
    bool json = false, quiet = false, allow_empty = false;
    /* the chosen language's (Dutch: excel-nl); --csv-style still wins */
    lk_csv_style csv_style =
        lk_csv_style_for_language(lk_lang_current() == LK_LANG_NL ? "nl" : "en");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:p:qh", options, NULL)) != -1) {
        switch (c) {
        case 'm': mapping_path = optarg; break;
        case 'p': period_text = optarg; break;
        case 'q': quiet = true; break;
        case OPT_JSON: json = true; break;
        case OPT_REPORT: report_path = optarg; break;
        case OPT_CSV_STYLE:
            if (!lk_csv_style_parse(optarg, &csv_style)) {
                lk_errorf(_("--csv-style %s: expected excel-nl or rfc4180"), optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case OPT_ALLOW_EMPTY: allow_empty = true; break;
        case 'h':
            usage(stdout);
            return LK_EXIT_OK;
        default:
            usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (!mapping_path || optind >= argc) {
        lk_errorf(_("validate needs one FILE or more and -m MAPPING"));
        usage(stderr);
        return LK_EXIT_USAGE;
    }
    lk_period_ref period = { 0 };
    if (period_text && !lk_parse_period(period_text, &period)) {
        lk_period_usage_error(period_text);
        return LK_EXIT_USAGE;
    }

    lk_error err;
    lk_error_clear(&err);
    lk_mapping *m = NULL;
    if (lk_mapping_load(mapping_path, &m, &err) != LK_OK) {
        if (json) {
            print_json(mapping_path, NULL, &err);
        } else {
            char buf[LK_ERROR_MSG_MAX + 400];
            lk_errorf("%s", lk_error_format(&err, buf, sizeof(buf)));
        }
        return lk_exit_code(err.code);
    }

    lk_entry_set set;
    lk_entry_set_init(&set);
    lk_aggregator *a = lk_aggregator_new(m, period_text ? &period : NULL, &set, &err);
    if (!a) {
        lk_errorf("%s", err.message);
        lk_entry_set_free(&set);
        lk_mapping_free(m);
        return LK_EXIT_CONFIG;
    }
    lk_aggregator_set_allow_empty(a, allow_empty);
    int rc = LK_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        if (lk_aggregator_add_file(a, argv[i], &err) != LK_OK) {
            char buf[LK_ERROR_MSG_MAX + 400];
            lk_errorf("%s", lk_error_format(&err, buf, sizeof(buf)));
            rc = lk_exit_code(err.code);
            break;
        }
    }
    lk_aggregator_free(a);

    if (json)
        print_json(mapping_path, &set, NULL);
    else
        print_text(&set, quiet);
    if (report_path && !write_report(report_path, mapping_path, &set, csv_style, quiet || json) &&
        rc == LK_EXIT_OK)
        rc = LK_EXIT_CONFIG;
    if (rc == LK_EXIT_OK && lk_entry_set_errors(&set))
        rc = LK_EXIT_INPUT;
    lk_entry_set_free(&set);
    lk_mapping_free(m);
    return rc;
}
