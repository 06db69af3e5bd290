/*
 * components.c: 'loket-import components': the payroll components of an administration in a
 * year (key, description, category, whether a value may be added to the fixed one with
 * isSupplement): the keys a mapping's "components" section refers to.
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
#include <time.h>

static const char usage_text[] =
    N_("usage: loket-import components --admin A [--year YYYY] [--employer X] [--json] [OPTIONS]\n"
    "\n"
    "Lists the payroll components of a payroll administration in a year: key, description,\n"
    "category, payment or deduction, and whether isSupplement is allowed.\n"
    "\n"
    "  -a, --admin A    payroll administration: id, client number or name (may be left out\n"
    "                   when the employer has only one)\n"
    "  -y, --year YYYY  the year (default: this year)\n"
    "      --json       one JSON document on stdout\n"
    "  -q, --quiet      print errors only (nothing on stdout: the exit code says it)\n"
    "  -h, --help       this text\n"
    "\n");

enum { OPT_JSON = 256 };

static const struct option options[] = {
    { "admin", required_argument, NULL, 'a' },
    { "year", required_argument, NULL, 'y' },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

int cmd_components(int argc, char **argv)
{
    lk_common_opts common;
    lk_session s;
    lk_admin_list *admin = NULL;
    lk_component_list *list = NULL;
    const char *admin_arg = NULL;
    bool quiet = false, json = false;
    int year, c, rc = LK_EXIT_OK;
    lk_error err;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    year = tm.tm_year + 1900;
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
    /* an administration id needs no employer; anything else is looked up in one */
    if (lk_resolve_admin(&s, NULL, admin_arg, &admin, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (lk_api_components(s.client, admin->items[0].id, year, &list, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (quiet) {
        /* -q: errors only; the exit code says the rest */
    } else if (json) {
        cJSON *root = cJSON_CreateArray();
        char *text;
        for (size_t i = 0; i < list->n; i++) {
            const lk_component *p = &list->items[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "key", (double)p->key);
            cJSON_AddStringToObject(o, "description", p->description);
            cJSON_AddStringToObject(o, "category", p->category ? p->category : "");
            cJSON_AddStringToObject(o, "deductionOrPayment",
                                    p->deduction_or_payment ? p->deduction_or_payment : "");
            cJSON_AddBoolToObject(o, "canBeSupplemented", p->can_be_supplemented);
            cJSON_AddItemToArray(root, o);
        }
        text = cJSON_Print(root);
        puts(text);
        free(text);
        cJSON_Delete(root);
    } else {
        static const char *const headers[] = { N_("KEY"), N_("DESCRIPTION"), N_("CATEGORY"),
                                               N_("PAYMENT/DEDUCTION"), N_("SUPPLEMENT") };
        lk_table *t = lk_table_new(5, headers);
        printf(ngettext("%s%s%d: %zu component\n", "%s%s%d: %zu components\n", list->n),
               admin->items[0].name,
               admin->items[0].name[0] ? ", " : "", year, list->n);
        for (size_t i = 0; i < list->n; i++) {
            const lk_component *p = &list->items[i];
            char key[24];
            const char *row[5];
            snprintf(key, sizeof key, "%ld", p->key);
            row[0] = key;
            row[1] = p->description;
            row[2] = p->category ? p->category : "";
            row[3] = p->deduction_or_payment ? p->deduction_or_payment : "";
            row[4] = p->can_be_supplemented ? _("yes") : _("no");
            lk_table_add(t, row);
        }
        lk_table_print(t, stdout);
        lk_table_free(t);
    }
out:
    lk_component_list_free(list);
    lk_admin_list_free(admin);
    lk_session_close(&s, &common);
    return rc;
}
