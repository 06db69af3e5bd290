/*
 * employments.c: 'loket-import employments': an employer's employments with what a mapping
 * author needs to match export rows to them: employee number, name, payroll id, income
 * relationship number, dates, administration and employment id. A few --number options use
 * Loket's filter instead of reading every page.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/util.h"
#include "loket/api.h"

#include <cJSON.h>
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage_text[] =
    N_("usage: loket-import employments [--employer X] [--admin A] [--number N[,N...]]...\n"
    "                                [--active-on YYYY-MM-DD] [--json] [OPTIONS]\n"
    "\n"
    "Lists the employer's employments: employee number, name, employment number (payrollId),\n"
    "income relationship number, start and end date, payroll administration and employment id.\n"
    "\n"
    "  -n, --number N       only these employee numbers (repeat or separate with commas)\n"
    "  -a, --admin A        only this payroll administration (id, client number or name)\n"
    "      --active-on D    only employments running on date D\n"
    "      --json           one JSON document on stdout\n"
    "  -q, --quiet          print errors only (nothing on stdout: the exit code says it)\n"
    "  -h, --help           this text\n"
    "\n");

enum { OPT_JSON = 256, OPT_ACTIVE };

static const struct option options[] = {
    { "number", required_argument, NULL, 'n' },
    { "admin", required_argument, NULL, 'a' },
    { "active-on", required_argument, NULL, OPT_ACTIVE },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static bool parse_numbers(const char *arg, long **nums, size_t *n, size_t *alloc)
{
    const char *p = arg;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0)
            return false;
        lk_grow(nums, sizeof **nums, *n + 1, alloc);
        (*nums)[(*n)++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return false;
    }
    return *n > 0;
}

static bool is_date(const char *s)
{
    return strlen(s) == 10 && isdigit((unsigned char)s[0]) && s[4] == '-' && s[7] == '-';
}

static bool admin_matches(const lk_employment *e, const char *admin)
{
    char *end;
    long number;
    if (!admin)
        return true;
    number = strtol(admin, &end, 10);
    return (e->admin_id && !strcasecmp(e->admin_id, admin)) ||
           (e->admin_name && !strcasecmp(e->admin_name, admin)) ||
           (*end == '\0' && e->admin_client_number == number);
}

int cmd_employments(int argc, char **argv)
{
    lk_common_opts common;
    lk_session s;
    lk_employment_list *list = NULL;
    long *numbers = NULL;
    size_t nnumbers = 0, alloc = 0, shown = 0;
    const char *admin = NULL, *active_on = NULL;
    char *employer_id = NULL, *employer_name = NULL;
    bool quiet = false, json = false;
    lk_error err;
    int c, rc = LK_EXIT_OK;
    lk_common_init(&common);
    lk_error_clear(&err);
    while ((c = getopt_long(argc, argv, "hn:a:q", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case 'n':
            if (!parse_numbers(optarg, &numbers, &nnumbers, &alloc)) {
                lk_errorf(_("--number takes employee numbers like 1001 or 1001,1002, not \"%s\""),
                          optarg);
                free(numbers);
                return LK_EXIT_USAGE;
            }
            break;
        case 'a':
            admin = optarg;
            break;
        case OPT_ACTIVE:
            if (!is_date(optarg)) {
                lk_errorf(_("--active-on takes a date like 2026-11-01, not \"%s\""), optarg);
                free(numbers);
                return LK_EXIT_USAGE;
            }
            active_on = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case OPT_JSON:
            json = true;
            break;
        case 'h':
            fputs(_(usage_text), stdout);
            lk_common_usage(stdout);
            LK_USAGE_EXIT_CODES(stdout, LK_EXIT_OK, LK_EXIT_CONFIG, LK_EXIT_INTERNAL,
                                LK_EXIT_USAGE);
            free(numbers);
            return LK_EXIT_OK;
        default:
            fputs(_(usage_text), stderr);
            free(numbers);
            return LK_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        lk_errorf(_("unexpected argument \"%s\""), argv[optind]);
        free(numbers);
        return LK_EXIT_USAGE;
    }
    if (lk_session_open(&common, true, &s) != LK_OK) {
        free(numbers);
        return LK_EXIT_CONFIG;
    }
    char named[24];
    if (lk_resolve_employer(&s, NULL, &employer_id, &employer_name, &err) == LK_OK &&
        !admin && s.named_client_number) {
        /* --employer 40101 names one administration: show that one, as plan would import */
        snprintf(named, sizeof named, "%ld", s.named_client_number);
        admin = named;
    }
    if (err.code != LK_OK ||
        lk_api_employments(s.client, employer_id, numbers, nnumbers, &list, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (quiet) {
        /* -q: errors only; the exit code says the rest */
    } else if (json) {
        cJSON *root = cJSON_CreateArray();
        char *text;
        for (size_t i = 0; i < list->n; i++) {
            const lk_employment *e = &list->items[i];
            cJSON *o;
            if (!admin_matches(e, admin) ||
                (active_on && !lk_employment_active(e, active_on, active_on)))
                continue;
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", e->id);
            cJSON_AddNumberToObject(o, "employeeNumber", (double)e->employee_number);
            cJSON_AddStringToObject(o, "formattedName", e->formatted_name ? e->formatted_name : "");
            cJSON_AddNumberToObject(o, "payrollId", (double)e->payroll_id);
            cJSON_AddNumberToObject(o, "incomeRelationshipNumber",
                                    (double)e->income_relationship_number);
            cJSON_AddStringToObject(o, "startDate", e->start_date);
            if (e->end_date[0])
                cJSON_AddStringToObject(o, "endDate", e->end_date);
            else
                cJSON_AddNullToObject(o, "endDate");
            cJSON_AddStringToObject(o, "payrollAdministrationId", e->admin_id ? e->admin_id : "");
            cJSON_AddNumberToObject(o, "clientNumber", (double)e->admin_client_number);
            cJSON_AddItemToArray(root, o);
            shown++;
        }
        text = cJSON_Print(root);
        puts(text);
        free(text);
        cJSON_Delete(root);
    } else {
        static const char *const headers[] = { N_("NUMBER"), N_("NAME"), N_("EMPLOYMENT"),
                                               N_("IRN"), N_("START"), N_("END"),
                                               N_("ADMINISTRATION"), N_("CLIENT NR"),
                                               N_("EMPLOYMENT ID") };
        lk_table *t = lk_table_new(9, headers);
        for (size_t i = 0; i < list->n; i++) {
            const lk_employment *e = &list->items[i];
            char num[24], pid[24], irn[24], cn[24], start[32], end[32];
            const char *row[9];
            if (!admin_matches(e, admin) ||
                (active_on && !lk_employment_active(e, active_on, active_on)))
                continue;
            snprintf(num, sizeof num, "%ld", e->employee_number);
            snprintf(pid, sizeof pid, "%ld", e->payroll_id);
            snprintf(irn, sizeof irn, "%ld", e->income_relationship_number);
            snprintf(cn, sizeof cn, "%ld", e->admin_client_number);
            row[0] = num;
            row[1] = e->formatted_name ? e->formatted_name : "";
            row[2] = pid;
            row[3] = irn;
            row[4] = lk_fmt_date(e->start_date, start);
            row[5] = lk_fmt_date(e->end_date, end);
            row[6] = e->admin_name ? e->admin_name : "";
            row[7] = cn;
            row[8] = e->id;
            lk_table_add(t, row);
            shown++;
        }
        printf(ngettext("%s: %zu employment\n", "%s: %zu employments\n", shown), employer_name,
               shown);
        lk_table_print(t, stdout);
        lk_table_free(t);
    }
    for (size_t i = 0; i < nnumbers && !quiet; i++) {
        bool seen = false;
        for (size_t j = 0; j < list->n && !seen; j++)
            seen = list->items[j].employee_number == numbers[i];
        if (!seen)
            lk_warn(_("employee number %ld has no employment at %s"), numbers[i], employer_name);
    }
out:
    lk_employment_list_free(list);
    free(employer_id);
    free(employer_name);
    free(numbers);
    lk_session_close(&s, &common);
    return rc;
}
