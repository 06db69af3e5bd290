/*
 * periods.c: 'loket-import periods': the payroll periods of an administration (id, year,
 * number, dates, open or approved): which period an export belongs to and whether Loket will
 * still accept data for it.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/util.h"
#include "loket/api.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    N_("usage: loket-import periods --admin A [--year YYYY] [--open] [--employer X] [--json]\n"
    "                            [OPTIONS]\n"
    "\n"
    "Lists the payroll periods of a payroll administration: id, year, period number, start and\n"
    "end date, and whether the period is open or approved (closed: Loket refuses data for it).\n"
    "\n"
    "  -a, --admin A    payroll administration: id, client number or name (may be left out\n"
    "                   when the employer has only one)\n"
    "  -y, --year YYYY  only this year\n"
    "      --open       only open periods\n"
    "      --json       one JSON document on stdout\n"
    "  -q, --quiet      print errors only (nothing on stdout: the exit code says it)\n"
    "  -h, --help       this text\n"
    "\n");

enum { OPT_JSON = 256, OPT_OPEN };

static const struct option options[] = {
    { "admin", required_argument, NULL, 'a' },
    { "year", required_argument, NULL, 'y' },
    { "open", no_argument, NULL, OPT_OPEN },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

int cmd_periods(int argc, char **argv)
{
    lk_common_opts common;
    lk_session s;
    lk_admin_list *admin = NULL;
    lk_period_list *list = NULL;
    const char *admin_arg = NULL;
    bool quiet = false, json = false, only_open = false;
    int year = 0, c, rc = LK_EXIT_OK;
    size_t shown = 0;
    lk_error err;
    lk_common_init(&common);
    lk_error_clear(&err);
    while ((c = getopt_long(argc, argv, "ha:y:q", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case 'a':
            admin_arg = optarg;
            break;
        case 'y':
            if (lk_parse_year(optarg, &year) != 0)
                return LK_EXIT_USAGE;
            break;
        case OPT_OPEN:
            only_open = true;
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
            return LK_EXIT_OK;
        default:
            fputs(_(usage_text), stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        lk_errorf(_("unexpected argument \"%s\""), argv[optind]);
        return LK_EXIT_USAGE;
    }
    if (lk_session_open(&common, true, &s) != LK_OK)
        return LK_EXIT_CONFIG;
    if (lk_resolve_admin(&s, NULL, admin_arg, &admin, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (lk_api_periods(s.client, admin->items[0].id, &list, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (quiet) {
        /* -q: errors only; the exit code says the rest */
    } else if (json) {
        cJSON *root = cJSON_CreateArray();
        char *text;
        for (size_t i = 0; i < list->n; i++) {
            const lk_period *p = &list->items[i];
            cJSON *o;
            if ((year && p->year != year) || (only_open && p->approved))
                continue;
            o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id", (double)p->id);
            cJSON_AddNumberToObject(o, "year", p->year);
            cJSON_AddNumberToObject(o, "periodNumber", p->period_number);
            cJSON_AddStringToObject(o, "startDate", p->start_date);
            cJSON_AddStringToObject(o, "endDate", p->end_date);
            cJSON_AddBoolToObject(o, "approved", p->approved);
            cJSON_AddItemToArray(root, o);
        }
        text = cJSON_Print(root);
        puts(text);
        free(text);
        cJSON_Delete(root);
    } else {
        static const char *const headers[] = { N_("ID"), N_("YEAR"), N_("PERIOD"), N_("START"),
                                               N_("END"), N_("STATUS") };
        lk_table *t = lk_table_new(6, headers);
        for (size_t i = 0; i < list->n; i++) {
            const lk_period *p = &list->items[i];
            char id[24], y[8], n[8], start[32], end[32];
            const char *row[6];
            if ((year && p->year != year) || (only_open && p->approved))
                continue;
            snprintf(id, sizeof id, "%ld", p->id);
            snprintf(y, sizeof y, "%d", p->year);
            snprintf(n, sizeof n, "%d", p->period_number);
            row[0] = id;
            row[1] = y;
            row[2] = n;
            row[3] = lk_fmt_date(p->start_date, start);
            row[4] = lk_fmt_date(p->end_date, end);
            row[5] = p->approved ? _("approved (closed)") : _("open");
            lk_table_add(t, row);
            shown++;
        }
        printf(ngettext("%s%s%zu period\n", "%s%s%zu periods\n", shown), admin->items[0].name,
               admin->items[0].name[0] ? ": " : "",
               shown);
        lk_table_print(t, stdout);
        lk_table_free(t);
    }
out:
    lk_period_list_free(list);
    lk_admin_list_free(admin);
    lk_session_close(&s, &common);
    return rc;
}
