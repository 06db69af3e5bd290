/*
 * report_plan.c: the changes of a plan, the way `terraform plan` shows them: per employer and
 * period, per employment each payroll value old -> new, what is created and what is removed,
 * with totals; on the terminal (the first screenful, then where the rest is) and as JSON.
 *
 * Both views are built from one grouping of the report's records (employer, period, employee
 * number), so what a machine reads with --json is what a person reads on the screen.
 */
#include "report/report_int.h"

#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/period_name.h"
#include "common/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Grouping
 * ------------------------------------------------------------------------------------------- */

typedef struct sorted_record {
    const lk_report_record *rec;
    size_t index;               /* report order: ties keep it */
} sorted_record;

static int strcmp_null(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int compare_group(const lk_report_record *a, const lk_report_record *b)
{
    int c = strcmp_null(a->employer_name, b->employer_name);
    if (!c)
        c = strcmp_null(a->employer_id, b->employer_id);
    if (!c)
        c = (a->client_number > b->client_number) - (a->client_number < b->client_number);
    if (!c)
        c = (a->period_year > b->period_year) - (a->period_year < b->period_year);
    if (!c)
        c = (a->period_number > b->period_number) - (a->period_number < b->period_number);
    if (!c && !a->period_number)
        c = strcmp_null(a->period_label, b->period_label);
    return c;
}

static int compare_sorted(const void *pa, const void *pb)
{
    const sorted_record *a = pa, *b = pb;
    int c = compare_group(a->rec, b->rec);
    if (!c)
        c = (a->rec->employee_number > b->rec->employee_number) -
            (a->rec->employee_number < b->rec->employee_number);
    if (!c)
        c = (a->index > b->index) - (a->index < b->index);
    return c;
}

static sorted_record *sort_records(const lk_report *r)
{
    sorted_record *s = xcalloc(r->nrecords ? r->nrecords : 1, sizeof(*s));
    for (size_t i = 0; i < r->nrecords; i++) {
        s[i].rec = r->records[i];
        s[i].index = i;
    }
    qsort(s, r->nrecords, sizeof(*s), compare_sorted);
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * What changes
 * ------------------------------------------------------------------------------------------- */

typedef enum value_change {
    CHANGE_NONE = 0,            /* Loket holds the same value */
    CHANGE_CREATE,              /* no value yet */
    CHANGE_UPDATE,              /* old -> new */
    CHANGE_REMOVE               /* sent as null: Loket's value goes */
} value_change;

static const char *const change_names[] = { "unchanged", "create", "update", "remove" };
static const char change_marks[] = { '=', '+', '~', '-' };

static value_change component_change(const lk_report_component *c)
{
    if (c->delete)
        return CHANGE_REMOVE;
    if (!c->has_old)
        return CHANGE_CREATE;
    return c->old_value == c->new_value ? CHANGE_NONE : CHANGE_UPDATE;
}

static char record_mark(lk_outcome o)
{
    switch (o) {
    case LK_OUTCOME_CREATED: return '+';
    case LK_OUTCOME_UPDATED: return '~';
    case LK_OUTCOME_UNCHANGED: return '=';
    case LK_OUTCOME_SKIPPED: return '.';
    default: return '!';
    }
}

/* A value in the view's number style: 1.75 as it is, or in Dutch grouped with two decimals and a
 * decimal comma (3.926,50), as the terminal summary writes totals. buf >= LK_FMT_NUMBER_MAX. */
static const char *value_text(lk_decimal v, bool decimal_comma, char *buf)
{
    if (decimal_comma)
        return lk_fmt_decimal_in(LK_LANG_NL, v, 2, buf);
    lk_decimal_format(v, buf);
    return buf;
}

/* "2026-11 (2026-11-01 to 2026-11-30)" (2026-P12 for 4 weeks, 2026-W47 for a week; the dates as
 * the language writes them), or the input's label when Loket's period is unknown. */
static void period_text(strbuf *sb, const lk_report_record *rec)
{
    char code[LK_PERIOD_NAME_MAX], from[32], to[32];
    if (rec->period_year && rec->period_number)
        strbuf_addstr(sb, lk_period_code(rec->period_year, rec->period_number, rec->period_type,
                                         code));
    else
        strbuf_addstr(sb, rec->period_label ? rec->period_label : _("(no period)"));
    if (rec->period_start && rec->period_end)
        strbuf_addf(sb, _(" (%s to %s)"), lk_fmt_date(rec->period_start, from),
                    lk_fmt_date(rec->period_end, to));
}

static void employer_text(strbuf *sb, const lk_report_record *rec)
{
    const char *name = rec->employer_name ? rec->employer_name
                       : rec->employer_ref ? rec->employer_ref : _("(employer not found)");
    strbuf_addstr(sb, name);
    if (rec->client_number)
        strbuf_addf(sb, _(" (client %ld)"), rec->client_number);
    if (rec->administration_name)
        strbuf_addf(sb, ", %s", rec->administration_name);
}

static void record_key_text(strbuf *sb, const lk_report_record *rec)
{
    const struct { const char *name; const lk_report_ref *ref; } keys[] = {
        { N_("cost center"), &rec->record_key.cost_center },
        { N_("cost unit"), &rec->record_key.cost_unit },
        { N_("distribution unit"), &rec->record_key.distribution_unit },
        { N_("shift"), &rec->record_key.shift },
        { N_("payslip type"), &rec->record_key.payslip_type },
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const lk_report_ref *ref = keys[i].ref;
        if (!ref->set)
            continue;
        strbuf_addf(sb, ", %s %s", _(keys[i].name),
                    ref->code ? ref->code : ref->description ? ref->description : "");
        if (!ref->code && !ref->description && ref->key)
            strbuf_addf(sb, "%d", ref->key);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Totals of one group (or of the whole plan)
 * ------------------------------------------------------------------------------------------- */

typedef struct value_total {
    int key;
    const char *description;
    lk_decimal old_sum, new_sum;    /* old: what Loket holds; new: what it holds after apply */
    bool overflow;
} value_total;

typedef struct group_totals {
    unsigned long outcomes[LK_OUTCOME_COUNT];
    unsigned long values[4];        /* per value_change, over records that would be sent */
    value_total *comp;
    size_t ncomp, comp_alloc;
} group_totals;

static bool sent_outcome(lk_outcome o)
{
    return o == LK_OUTCOME_CREATED || o == LK_OUTCOME_UPDATED;
}

static void totals_add(group_totals *t, const lk_report_record *rec)
{
    t->outcomes[rec->outcome]++;
    if (!sent_outcome(rec->outcome))
        return;
    for (size_t i = 0; i < rec->ncomponents; i++) {
        const lk_report_component *c = &rec->components[i];
        t->values[component_change(c)]++;
        size_t k = 0;
        while (k < t->ncomp && t->comp[k].key != c->key)
            k++;
        if (k == t->ncomp) {
            size_t at = 0;
            while (at < t->ncomp && t->comp[at].key < c->key)
                at++;
            lk_grow(&t->comp, sizeof(*t->comp), t->ncomp + 1, &t->comp_alloc);
            memmove(&t->comp[at + 1], &t->comp[at], (t->ncomp - at) * sizeof(*t->comp));
            memset(&t->comp[at], 0, sizeof(*t->comp));
            t->comp[at].key = c->key;
            t->ncomp++;
            k = at;
        }
        value_total *v = &t->comp[k];
        if (!v->description)
            v->description = c->description;
        lk_decimal old_v = c->has_old ? c->old_value : 0;
        lk_decimal new_v = c->delete ? 0 : c->new_value;
        if (!lk_decimal_add(v->old_sum, old_v, &v->old_sum) ||
            !lk_decimal_add(v->new_sum, new_v, &v->new_sum))
            v->overflow = true;
    }
}

static void totals_free(group_totals *t)
{
    free(t->comp);
    memset(t, 0, sizeof(*t));
}

/* ---------------------------------------------------------------------------------------------
 * The terminal
 * ------------------------------------------------------------------------------------------- */

typedef struct screen {
    FILE *out;
    size_t max_lines, printed, hidden;
} screen;

static void screen_line(screen *s, const char *text)
{
    if (s->max_lines && s->printed >= s->max_lines) {
        s->hidden++;
        return;
    }
    fputs(text, s->out);
    fputc('\n', s->out);
    s->printed++;
}

static void print_component(screen *s, const lk_report_component *c, bool comma)
{
    char a[32], b[32];
    strbuf sb;
    strbuf_init(&sb, 96);
    value_change ch = component_change(c);
    strbuf_addf(&sb, "      %c %d %s", change_marks[ch], c->key,
                c->description ? c->description : "");
    while (sb.len < 40)
        strbuf_addch(&sb, ' ');
    switch (ch) {
    case CHANGE_CREATE:
        strbuf_addf(&sb, " %s", value_text(c->new_value, comma, a));
        break;
    case CHANGE_UPDATE:
        strbuf_addf(&sb, " %s -> %s", value_text(c->old_value, comma, a),
                    value_text(c->new_value, comma, b));
        break;
    case CHANGE_REMOVE:
        if (c->has_old)
            strbuf_addf(&sb, _(" %s -> (removed)"), value_text(c->old_value, comma, a));
        else
            strbuf_addstr(&sb, _(" (removed)"));
        break;
    case CHANGE_NONE:
        strbuf_addf(&sb, _(" %s (unchanged)"), value_text(c->new_value, comma, a));
        break;
    }
    if (c->is_supplement)
        strbuf_addstr(&sb, _(" (supplement)"));
    screen_line(s, sb.buf);
    strbuf_free(&sb);
}

static void print_record(screen *s, const lk_report_record *rec, bool comma)
{
    strbuf sb;
    strbuf_init(&sb, 128);
    strbuf_addf(&sb, "  %c ", record_mark(rec->outcome));
    if (rec->employee_number)
        strbuf_addf(&sb, "%ld ", rec->employee_number);
    strbuf_addstr(&sb, rec->employee_name ? rec->employee_name : _("(employee not found)"));
    if (rec->payroll_id)
        strbuf_addf(&sb, _(", employment %ld"), rec->payroll_id);
    record_key_text(&sb, rec);
    if (rec->payslip_text)
        strbuf_addf(&sb, _(", payslip text \"%s\""), rec->payslip_text);
    strbuf_addf(&sb, ": %s", lk_outcome_label(rec->outcome));
    if (!sent_outcome(rec->outcome) && rec->nmessages) {
        strbuf_addstr(&sb, ": ");
        lk_report_messages_text(&sb, rec);
    }
    screen_line(s, sb.buf);
    strbuf_free(&sb);
    if (!sent_outcome(rec->outcome))
        return;
    size_t same = 0;
    for (size_t i = 0; i < rec->ncomponents; i++) {
        if (component_change(&rec->components[i]) == CHANGE_NONE)
            same++;
        else
            print_component(s, &rec->components[i], comma);
    }
    if (same) {
        char line[80];
        snprintf(line, sizeof line,
                 ngettext("        and %zu value Loket already holds",
                          "        and %zu values Loket already holds", same), same);
        screen_line(s, line);
    }
}

/* The records that will not be sent, one line per distinct reason: 24 employments of a closed
 * period are one line with their employee numbers, not 24 copies of the same sentence. */
static void print_held(screen *s, const lk_report_record **recs, size_t n, bool comma)
{
    size_t ncauses;
    lk_report_cause *causes = lk_report_causes(recs, n, &ncauses);
    for (size_t i = 0; i < ncauses; i++) {
        const lk_report_cause *c = &causes[i];
        if (c->n == 1) {
            print_record(s, c->recs[0], comma);
            continue;
        }
        strbuf sb;
        strbuf_init(&sb, 160);
        strbuf_addf(&sb, ngettext("  %c %zu employment record %s: %s",
                                  "  %c %zu employment records %s: %s", c->n),
                    record_mark(c->outcome), c->n, lk_outcome_label(c->outcome), c->reason);
        screen_line(s, sb.buf);
        strbuf_reset(&sb);
        strbuf_addstr(&sb, _("      employees "));
        lk_report_cause_employees(&sb, c, 20);
        screen_line(s, sb.buf);
        strbuf_free(&sb);
    }
    lk_report_causes_free(causes, ncauses);
}

static void print_totals(screen *s, const group_totals *t, const char *what, bool comma)
{
    strbuf sb;
    strbuf_init(&sb, 160);
    strbuf_addf(&sb, _("  %s: %lu to create, %lu to change, %lu unchanged"), _(what),
                t->outcomes[LK_OUTCOME_CREATED], t->outcomes[LK_OUTCOME_UPDATED],
                t->outcomes[LK_OUTCOME_UNCHANGED]);
    if (t->outcomes[LK_OUTCOME_REJECTED])
        strbuf_addf(&sb, _(", %lu rejected"), t->outcomes[LK_OUTCOME_REJECTED]);
    if (t->outcomes[LK_OUTCOME_SKIPPED])
        strbuf_addf(&sb, _(", %lu skipped"), t->outcomes[LK_OUTCOME_SKIPPED]);
    strbuf_addf(&sb, _("; values: %lu new, %lu changed, %lu removed"), t->values[CHANGE_CREATE],
                t->values[CHANGE_UPDATE], t->values[CHANGE_REMOVE]);
    screen_line(s, sb.buf);
    for (size_t i = 0; i < t->ncomp; i++) {
        char a[32], b[32];
        strbuf_reset(&sb);
        strbuf_addf(&sb, "      %d %s", t->comp[i].key,
                    t->comp[i].description ? t->comp[i].description : "");
        while (sb.len < 40)
            strbuf_addch(&sb, ' ');
        if (t->comp[i].overflow)
            strbuf_addstr(&sb, _(" (overflow)"));
        else
            strbuf_addf(&sb, " %s -> %s", value_text(t->comp[i].old_sum, comma, a),
                        value_text(t->comp[i].new_sum, comma, b));
        screen_line(s, sb.buf);
    }
    strbuf_free(&sb);
}

size_t lk_report_print_changes(const lk_report *r, const lk_plan_view_opts *o, FILE *out)
{
    screen s = { out, o ? o->max_lines : 0, 0, 0 };
    bool comma = o && o->decimal_comma;
    sorted_record *sorted = sort_records(r);
    group_totals all;
    memset(&all, 0, sizeof all);
    size_t groups = 0;
    for (size_t i = 0; i < r->nrecords;) {
        size_t end = i + 1;
        while (end < r->nrecords && !compare_group(sorted[i].rec, sorted[end].rec))
            end++;
        strbuf sb;
        strbuf_init(&sb, 128);
        employer_text(&sb, sorted[i].rec);
        strbuf_addstr(&sb, _(", period "));
        period_text(&sb, sorted[i].rec);
        if (groups++)
            screen_line(&s, "");
        screen_line(&s, sb.buf);
        strbuf_free(&sb);
        group_totals t;
        memset(&t, 0, sizeof t);
        const lk_report_record **held = xcalloc(end - i, sizeof *held);
        size_t nheld = 0;
        for (size_t k = i; k < end; k++) {
            const lk_report_record *rec = sorted[k].rec;
            totals_add(&t, rec);
            totals_add(&all, rec);
            if (!sent_outcome(rec->outcome) && rec->nmessages)
                held[nheld++] = rec;
            else if (rec->outcome != LK_OUTCOME_UNCHANGED)
                print_record(&s, rec, comma);
        }
        print_held(&s, held, nheld, comma);
        free(held);
        if (t.outcomes[LK_OUTCOME_UNCHANGED]) {
            char line[80];
            snprintf(line, sizeof line,
                     ngettext("  = %lu employment record unchanged (not shown)",
                              "  = %lu employment records unchanged (not shown)",
                              t.outcomes[LK_OUTCOME_UNCHANGED]),
                     t.outcomes[LK_OUTCOME_UNCHANGED]);
            screen_line(&s, line);
        }
        print_totals(&s, &t, N_("totals"), comma);
        totals_free(&t);
        i = end;
    }
    if (groups > 1) {
        screen_line(&s, "");
        print_totals(&s, &all, N_("plan totals"), comma);
    }
    totals_free(&all);
    free(sorted);
    if (s.hidden) {
        fprintf(out, ngettext("  ... %zu more line not shown: ", "  ... %zu more lines not shown: ",
                              s.hidden), s.hidden);
        if (o && o->rest_in)
            fprintf(out, _("the whole plan is in %s (or use --lines 0)\n"), o->rest_in);
        else
            fputs(_("use --lines 0 to see all, or --report FILE\n"), out);
    }
    return s.hidden;
}

/* ---------------------------------------------------------------------------------------------
 * JSON: the same groups for machines
 * ------------------------------------------------------------------------------------------- */

static cJSON *decimal_json(lk_decimal v)
{
    char buf[32];
    return cJSON_CreateRaw(lk_decimal_format(v, buf));
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *num_or_null(long long n)
{
    return n ? cJSON_CreateNumber((double)n) : cJSON_CreateNull();
}

static cJSON *totals_json(const group_totals *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *rec = cJSON_AddObjectToObject(o, "records");
    for (int i = 0; i < LK_OUTCOME_COUNT; i++)
        if (t->outcomes[i])
            cJSON_AddNumberToObject(rec, lk_outcome_name((lk_outcome)i), (double)t->outcomes[i]);
    cJSON *val = cJSON_AddObjectToObject(o, "values");
    for (int i = CHANGE_CREATE; i <= CHANGE_REMOVE; i++)
        cJSON_AddNumberToObject(val, change_names[i], (double)t->values[i]);
    cJSON *comp = cJSON_AddArrayToObject(o, "components");
    for (size_t i = 0; i < t->ncomp; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "key", t->comp[i].key);
        cJSON_AddItemToObject(c, "description", str_or_null(t->comp[i].description));
        cJSON_AddItemToObject(c, "old_sum",
                              t->comp[i].overflow ? cJSON_CreateNull()
                                                  : decimal_json(t->comp[i].old_sum));
        cJSON_AddItemToObject(c, "new_sum",
                              t->comp[i].overflow ? cJSON_CreateNull()
                                                  : decimal_json(t->comp[i].new_sum));
        cJSON_AddItemToArray(comp, c);
    }
    return o;
}

static cJSON *record_json(const lk_report_record *rec)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "outcome", lk_outcome_name(rec->outcome));
    cJSON_AddItemToObject(o, "employee_number", num_or_null(rec->employee_number));
    cJSON_AddItemToObject(o, "employee_name", str_or_null(rec->employee_name));
    cJSON_AddItemToObject(o, "employment_id", str_or_null(rec->employment_id));
    cJSON_AddItemToObject(o, "payroll_id", num_or_null(rec->payroll_id));
    strbuf sb;
    strbuf_init(&sb, 64);
    record_key_text(&sb, rec);
    cJSON_AddItemToObject(o, "record_key", sb.len ? cJSON_CreateString(sb.buf + 2)
                                                  : cJSON_CreateNull());
    strbuf_free(&sb);
    cJSON *comps = cJSON_AddArrayToObject(o, "components");
    for (size_t i = 0; i < rec->ncomponents; i++) {
        const lk_report_component *c = &rec->components[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "key", c->key);
        cJSON_AddItemToObject(j, "description", str_or_null(c->description));
        cJSON_AddStringToObject(j, "change", change_names[component_change(c)]);
        cJSON_AddItemToObject(j, "old_value",
                              c->has_old ? decimal_json(c->old_value) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "new_value",
                              c->delete ? cJSON_CreateNull() : decimal_json(c->new_value));
        cJSON_AddBoolToObject(j, "is_supplement", c->is_supplement);
        cJSON_AddItemToArray(comps, j);
    }
    cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
    for (size_t i = 0; i < rec->nmessages; i++) {
        const lk_report_message *m = &rec->messages[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "origin", m->origin == LK_MSG_LOKET ? "loket" : "importer");
        cJSON_AddItemToObject(j, "type", str_or_null(m->type));
        cJSON_AddItemToObject(j, "code", m->has_code ? cJSON_CreateNumber((double)m->code)
                                                     : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "description", str_or_null(m->description));
        cJSON_AddItemToArray(msgs, j);
    }
    return o;
}

char *lk_report_changes_json(const lk_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "command", r->command);
    cJSON *groups = cJSON_AddArrayToObject(doc, "groups");
    sorted_record *sorted = sort_records(r);
    group_totals all;
    memset(&all, 0, sizeof all);
    for (size_t i = 0; i < r->nrecords;) {
        const lk_report_record *first = sorted[i].rec;
        cJSON *g = cJSON_CreateObject();
        cJSON *emp = cJSON_AddObjectToObject(g, "employer");
        cJSON_AddItemToObject(emp, "id", str_or_null(first->employer_id));
        cJSON_AddItemToObject(emp, "name", str_or_null(first->employer_name));
        cJSON_AddItemToObject(emp, "client_number", num_or_null(first->client_number));
        cJSON_AddItemToObject(emp, "administration", str_or_null(first->administration_name));
        cJSON *per = cJSON_AddObjectToObject(g, "period");
        cJSON_AddItemToObject(per, "id", num_or_null(first->period_id));
        cJSON_AddItemToObject(per, "year", num_or_null(first->period_year));
        cJSON_AddItemToObject(per, "number", num_or_null(first->period_number));
        cJSON_AddItemToObject(per, "start", str_or_null(first->period_start));
        cJSON_AddItemToObject(per, "end", str_or_null(first->period_end));
        cJSON_AddItemToObject(per, "label", str_or_null(first->period_label));
        cJSON *recs = cJSON_AddArrayToObject(g, "records");
        group_totals t;
        memset(&t, 0, sizeof t);
        size_t end = i;
        while (end < r->nrecords && !compare_group(first, sorted[end].rec)) {
            totals_add(&t, sorted[end].rec);
            totals_add(&all, sorted[end].rec);
            cJSON_AddItemToArray(recs, record_json(sorted[end].rec));
            end++;
        }
        cJSON_AddItemToObject(g, "totals", totals_json(&t));
        totals_free(&t);
        cJSON_AddItemToArray(groups, g);
        i = end;
    }
    cJSON_AddItemToObject(doc, "totals", totals_json(&all));
    totals_free(&all);
    free(sorted);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    return text;
}
