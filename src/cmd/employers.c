/*
 * employers.c: 'loket-import employers': every employer the user may see with its payroll
 * administrations (id, client number, period type): what a mapping author needs to fill in
 * "employer" and to match an export's client number. The administrations of all employers are
 * fetched concurrently.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/util.h"
#include "loket/api.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    N_("usage: loket-import employers [--employer X] [--json] [OPTIONS]\n"
    "\n"
    "Lists the employers this user may see and their payroll administrations: employer id and\n"
    "number, administration id, client number, name and period type (month, 4 weeks, week).\n"
    "An employer whose administrations may not be read is listed with the reason. With\n"
    "--employer (id, number, name or an administration's client number, as plan takes it)\n"
    "only that employer, or only that administration.\n"
    "\n"
    "      --json     one JSON document on stdout\n"
    "  -q, --quiet    print errors only (nothing on stdout: the exit code says it)\n"
    "  -h, --help     this text\n"
    "\n");

enum { OPT_JSON = 256 };

static const struct option options[] = {
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

typedef struct employer_admins {
    lk_admin_list *admins;
    lk_code code;
    long status;
    lk_error err;
} employer_admins;

static void on_admins(const lk_api_result *r, lk_admin_list *list, void *ud)
{
    employer_admins *ea = ud;
    ea->admins = list;
    ea->code = r->code;
    ea->status = r->status;
    ea->err = r->err;
}

/* The first n employers, each with at most max_admins administrations. */
static void print_json(const lk_employer_list *emps, const employer_admins *ea, size_t n,
                       size_t max_admins)
{
    cJSON *root = cJSON_CreateArray();
    char *text;
    for (size_t i = 0; i < n; i++) {
        const lk_employer *e = &emps->items[i];
        cJSON *o = cJSON_CreateObject(), *admins;
        cJSON_AddStringToObject(o, "id", e->id);
        cJSON_AddNumberToObject(o, "employerNumber", (double)e->employer_number);
        cJSON_AddStringToObject(o, "companyName", e->company_name);
        if (ea[i].code != LK_OK) {
            cJSON_AddStringToObject(o, "error", ea[i].err.message);
        } else {
            admins = cJSON_AddArrayToObject(o, "payrollAdministrations");
            for (size_t j = 0; j < ea[i].admins->n && j < max_admins; j++) {
                const lk_admin *a = &ea[i].admins->items[j];
                cJSON *ao = cJSON_CreateObject();
                cJSON_AddStringToObject(ao, "id", a->id);
                cJSON_AddStringToObject(ao, "name", a->name);
                cJSON_AddNumberToObject(ao, "clientNumber", (double)a->client_number);
                cJSON_AddStringToObject(ao, "payrollPeriodType",
                                        a->period_type ? a->period_type : "");
                cJSON_AddItemToArray(admins, ao);
            }
        }
        cJSON_AddItemToArray(root, o);
    }
    text = cJSON_Print(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
}

static void print_table(const lk_employer_list *emps, const employer_admins *ea, size_t n,
                        size_t max_admins)
{
    static const char *const headers[] = { N_("EMPLOYER"), N_("NUMBER"), N_("ADMINISTRATION"),
                                           N_("CLIENT NR"), N_("PERIOD"), N_("ADMINISTRATION ID"),
                                           N_("EMPLOYER ID") };
    lk_table *t = lk_table_new(7, headers);
    for (size_t i = 0; i < n; i++) {
        const lk_employer *e = &emps->items[i];
        char number[32];
        snprintf(number, sizeof number, "%ld", e->employer_number);
        if (ea[i].code != LK_OK) {
            const char *row[] = { e->company_name, number, ea[i].err.message, "", "", "", e->id };
            lk_table_add(t, row);
            continue;
        }
        if (!ea[i].admins->n) {
            const char *row[] = { e->company_name, number, "(none)", "", "", "", e->id };
            lk_table_add(t, row);
        }
        for (size_t j = 0; j < ea[i].admins->n && j < max_admins; j++) {
            const lk_admin *a = &ea[i].admins->items[j];
            char client[32];
            const char *row[7];
            snprintf(client, sizeof client, "%ld", a->client_number);
            row[0] = e->company_name;
            row[1] = number;
            row[2] = a->name;
            row[3] = client;
            row[4] = a->period_type ? a->period_type : "";
            row[5] = a->id;
            row[6] = e->id;
            lk_table_add(t, row);
        }
    }
    lk_table_print(t, stdout);
    lk_table_free(t);
}

/* --employer: keeps the one employer (and, named by a client number, the one administration)
 * that plan would take for it; the others' lists are freed. */
static lk_code keep_named(lk_session *s, lk_employer_list *emps, employer_admins *ea,
                          const char *what, size_t *nshown, size_t *admins_shown, lk_error *err)
{
    char *id = NULL;
    if (lk_resolve_employer(s, what, &id, NULL, err) != LK_OK)
        return err->code;
    size_t keep = 0;
    for (size_t i = 0; i < emps->n; i++)
        if (!strcmp(emps->items[i].id, id))
            keep = i;
    free(id);
    for (size_t i = 0; i < emps->n; i++)
        if (i != keep) {
            lk_admin_list_free(ea[i].admins);
            ea[i].admins = NULL;
        }
    if (keep != 0) {
        lk_employer t = emps->items[0];
        emps->items[0] = emps->items[keep];
        emps->items[keep] = t;
        employer_admins ta = ea[0];
        ea[0] = ea[keep];
        ea[keep] = ta;
    }
    /* the others stay in the list (freed with it) but are not shown */
    *nshown = 1;
    lk_admin_list *admins = ea[0].admins;
    if (s->named_client_number && admins) {
        for (size_t j = 0; j < admins->n; j++)
            if (admins->items[j].client_number == s->named_client_number) {
                lk_admin t = admins->items[0];
                admins->items[0] = admins->items[j];
                admins->items[j] = t;
                *admins_shown = 1;
            }
    }
    return LK_OK;
}

int cmd_employers(int argc, char **argv)
{
    lk_common_opts common;
    lk_session s;
    lk_employer_list *emps = NULL;
    employer_admins *ea = NULL;
    bool quiet = false, json = false;
    lk_error err;
    int c, rc = LK_EXIT_OK;
    lk_common_init(&common);
    lk_error_clear(&err);
    while ((c = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        if (c == OPT_JSON) {
            json = true;
        } else if (c == 'q') {
            quiet = true;
        } else if (c == 'h') {
            fputs(_(usage_text), stdout);
            lk_common_usage(stdout);
            LK_USAGE_EXIT_CODES(stdout, LK_EXIT_OK, LK_EXIT_CONFIG, LK_EXIT_INTERNAL,
                                LK_EXIT_USAGE);
            return LK_EXIT_OK;
        } else {
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
    if (lk_api_employers(s.client, &emps, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    ea = xcalloc(emps->n ? emps->n : 1, sizeof *ea);
    for (size_t i = 0; i < emps->n; i++)
        lk_api_admins_start(s.client, emps->items[i].id, on_admins, &ea[i]);
    if (lk_client_run(s.client, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    for (size_t i = 0; i < emps->n; i++) {
        /* a 403 on one employer is information; no answer or no token is a failure */
        if (ea[i].code != LK_OK && ea[i].status != 403 && ea[i].status != 404) {
            rc = lk_report_error(&ea[i].err);
            goto out;
        }
    }
    size_t nshown = emps->n, admins_shown = (size_t)-1;
    if (common.ov.employer &&
        keep_named(&s, emps, ea, common.ov.employer, &nshown, &admins_shown, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (quiet)
        ; /* -q: errors only */
    else if (json)
        print_json(emps, ea, nshown, admins_shown);
    else
        print_table(emps, ea, nshown, admins_shown);
out:
    for (size_t i = 0; ea && emps && i < emps->n; i++)
        lk_admin_list_free(ea[i].admins);
    free(ea);
    lk_employer_list_free(emps);
    lk_session_close(&s, &common);
    return rc;
}
