/*
 * resolve.c: period choice, active-employment choice, record key fields and the diff (see
 * resolve.h). No network here: the plan hands in what it fetched.
 */
#include "engine/resolve.h"

#include "common/i18n.h"
#include "common/period_name.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/localefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *lk_date_text(int year, int month, int day, char *buf)
{
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u, d = (unsigned)day % 100u;
    snprintf(buf, 11, "%04u-%02u-%02u", y, m, d);
    return buf;
}

static int days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return month >= 1 && month <= 12 ? days[month - 1] : 0;
}

/* ---------------------------------------------------------------- periods */

const lk_period *lk_period_pick(const lk_period_list *periods, const lk_period_ref *ref,
                                const char *admin_name, const char *period_type, lk_error *err)
{
    char label[16], first[11], last[11];
    const char *admin = admin_name ? admin_name : "the payroll administration";
    size_t n = periods ? periods->n : 0;
    lk_period_ref_format(ref, label);
    switch (ref->kind) {
    case LK_PERIOD_MONTH: {
        bool year_known = false;
        lk_date_text(ref->year, ref->number, 1, first);
        lk_date_text(ref->year, ref->number, days_in_month(ref->year, ref->number), last);
        for (size_t i = 0; i < n; i++) {
            const lk_period *p = &periods->items[i];
            if (p->year == ref->year)
                year_known = true;
            if (!strcmp(p->start_date, first) && !strcmp(p->end_date, last))
                return p;
        }
        if (year_known) {
            lk_error_set(err, LK_ERR_INPUT,
                         _("period %s is a month, but %s pays per %s: name the period by number "
                         "(%04d-PNN) or map a date column"),
                         label, admin,
                         period_type && *period_type ? period_type : _("other period"),
                         ref->year);
            return NULL;
        }
        break;
    }
    case LK_PERIOD_WEEK:
        /* a week number means the weekly calendar: never period 47 of some other kind */
        for (size_t i = 0; i < n; i++) {
            const lk_period *p = &periods->items[i];
            lk_period_type type = lk_period_type_of(p->start_date, p->end_date);
            if (p->year == ref->year && type != LK_PERIOD_TYPE_UNKNOWN &&
                type != LK_PERIOD_TYPE_WEEK) {
                lk_error_set(err, LK_ERR_INPUT,
                             _("period %s is a week, but %s pays per %s: name the period by "
                             "month (%04d-MM) or number (%04d-PNN)"),
                             label, admin, lk_period_type_name(type), ref->year,
                             ref->year);
                return NULL;
            }
        }
        /* fall through */
    case LK_PERIOD_NUMBER:
        for (size_t i = 0; i < n; i++)
            if (periods->items[i].year == ref->year &&
                periods->items[i].period_number == ref->number)
                return &periods->items[i];
        break;
    case LK_PERIOD_DATE:
        lk_date_text(ref->year, ref->month, ref->day, first);
        for (size_t i = 0; i < n; i++) {
            const lk_period *p = &periods->items[i];
            if (strcmp(p->start_date, first) <= 0 && strcmp(first, p->end_date) <= 0)
                return p;
        }
        break;
    default:
        lk_error_set(err, LK_ERR_INPUT,
                     _("no payroll period: give --period (2026-11, 2026-P11 or 2026-W47) or map a "
                       "period or date column"));
        return NULL;
    }
    const char *from = NULL, *to = NULL;
    for (size_t i = 0; i < n; i++) {
        const lk_period *p = &periods->items[i];
        if (!from || strcmp(p->start_date, from) < 0)
            from = p->start_date;
        if (!to || strcmp(p->end_date, to) > 0)
            to = p->end_date;
    }
    if (from && to)
        lk_error_set(err, LK_ERR_NOT_FOUND,
                     _("%s has no payroll period %s: its periods run from %s to %s"), admin,
                     label, lk_fmt_date(from, (char[32]){ 0 }), lk_fmt_date(to, (char[32]){ 0 }));
    else
        lk_error_set(err, LK_ERR_NOT_FOUND, _("%s has no payroll period %s"), admin, label);
    return NULL;
}

/* ---------------------------------------------------------------- employments */

static void describe_employment(strbuf *sb, const lk_employment *e)
{
    strbuf_addf(sb, "payrollId %ld, incomeRelationshipNumber %ld, %s..%s (id %s)", e->payroll_id,
                e->income_relationship_number, e->start_date[0] ? e->start_date : "?",
                e->end_date[0] ? e->end_date : "", e->id);
}

int lk_employment_choose(const lk_employment_candidate *cands, size_t n, long number,
                         long payroll_id, long income_relationship, const char *period_label,
                         lk_error *err)
{
    size_t active = 0, matching = 0;
    int pick = -1;
    const char *label = period_label && *period_label ? period_label : "the period";
    if (n == 0) {
        lk_error_set(err, LK_ERR_NOT_FOUND, _("employee %ld is not an employee of this employer"),
                     number);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const lk_employment_candidate *c = &cands[i];
        if (!c->period || !lk_employment_active(c->employment, c->period->start_date,
                                                c->period->end_date))
            continue;
        active++;
        if ((payroll_id && c->employment->payroll_id != payroll_id) ||
            (income_relationship && c->employment->income_relationship_number != income_relationship))
            continue;
        matching++;
        pick = (int)i;
    }
    if (matching == 1)
        return pick;

    strbuf sb;
    strbuf_init(&sb, 256);
    if (active == 0) {
        /* say why: left before, starts after, or no such period in its administration */
        for (size_t i = 0; i < n; i++) {
            const lk_employment_candidate *c = &cands[i];
            const lk_employment *e = c->employment;
            const char *why = c->period_error ? c->period_error : _("no such period");
            if (!c->period && sb.buf && strstr(sb.buf, why))
                continue; /* two employments in an administration without that period */
            strbuf_addstr(&sb, sb.len ? "; " : "");
            if (!c->period)
                strbuf_addf(&sb, "%s", why);
            else if (e->end_date[0] && strcmp(e->end_date, c->period->start_date) < 0)
                strbuf_addf(&sb, _("employment %ld left on %s"), e->payroll_id,
                            lk_fmt_date(e->end_date, (char[32]){ 0 }));
            else
                strbuf_addf(&sb, _("employment %ld starts on %s"), e->payroll_id,
                            lk_fmt_date(e->start_date, (char[32]){ 0 }));
        }
        const lk_period *p = NULL;
        for (size_t i = 0; i < n && !p; i++)
            p = cands[i].period;
        if (p)
            lk_error_set(err, LK_ERR_NOT_FOUND,
                         _("employee %ld has no employment active in period %s (%s to %s): %s"),
                         number, label, lk_fmt_date(p->start_date, (char[32]){ 0 }),
                         lk_fmt_date(p->end_date, (char[32]){ 0 }), sb.buf);
        else /* the period itself is missing: the same words for every employee, said once */
            lk_error_set(err, LK_ERR_NOT_FOUND, "%s", sb.buf);
    } else if (matching == 0) {
        for (size_t i = 0; i < n; i++) {
            if (!cands[i].period)
                continue;
            strbuf_addstr(&sb, sb.len ? "; " : "");
            describe_employment(&sb, cands[i].employment);
        }
        lk_error_set(err, LK_ERR_NOT_FOUND,
                     _("employee %ld has no employment with payrollId %ld%s%.0ld active in period "
                     "%s; candidates: %s"),
                     number, payroll_id, income_relationship ? " / incomeRelationshipNumber " : "",
                     income_relationship, label, sb.buf);
    } else {
        for (size_t i = 0; i < n; i++) {
            const lk_employment_candidate *c = &cands[i];
            if (!c->period ||
                !lk_employment_active(c->employment, c->period->start_date, c->period->end_date))
                continue;
            strbuf_addstr(&sb, sb.len ? "; " : "");
            describe_employment(&sb, c->employment);
        }
        lk_error_set(err, LK_ERR_INPUT,
                     _("employee %ld has %zu employments active in period %s; map a payrollId or "
                     "incomeRelationshipNumber column to choose: %s"),
                     number, matching, label, sb.buf);
    }
    strbuf_free(&sb);
    return -1;
}

/* ---------------------------------------------------------------- record key */

const lk_meta_ref *lk_meta_option_find(const lk_metadata *md, const char *field,
                                       const lk_ref *ref)
{
    const lk_metadata_field *f = md ? lk_metadata_field_get(md, field) : NULL;
    if (!f || !ref || ref->kind == LK_REF_DEFAULT)
        return NULL;
    if (ref->kind == LK_REF_KEY) {
        char text[32];
        snprintf(text, sizeof text, "%d", ref->key);
        for (size_t i = 0; i < f->n; i++)
            if ((f->options[i].key_is_int && f->options[i].key == ref->key) ||
                (f->options[i].key_text && !strcmp(f->options[i].key_text, text)))
                return &f->options[i];
        return NULL;
    }
    if (!ref->code)
        return NULL;
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].code && !strcasecmp(f->options[i].code, ref->code))
            return &f->options[i];
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].description && !strcasecmp(f->options[i].description, ref->code))
            return &f->options[i];
    return NULL;
}

char *lk_record_key_text(long period_id, const lk_key_fields *k)
{
    strbuf sb;
    strbuf_init(&sb, 96);
    strbuf_addf(&sb, "%ld|shift=%s|payslipType=%s|distributionUnit=%s|costCenter=%s|costUnit=%s",
                period_id, k->shift ? k->shift : "-", k->payslip_type ? k->payslip_type : "-",
                k->distribution_unit ? k->distribution_unit : "-",
                k->cost_center ? k->cost_center : "-", k->cost_unit ? k->cost_unit : "-");
    return strbuf_detach(&sb, NULL);
}

/* ---------------------------------------------------------------- diff */

lk_diff_result lk_diff_values(lk_diff_value *vals, size_t n, const lk_period_data_record *existing,
                              const char *payslip_text, bool text_known, const char *held_text)
{
    bool any_change = false;
    for (size_t i = 0; i < n; i++) {
        lk_diff_value *v = &vals[i];
        const lk_component_value *held = NULL;
        v->has_old = false;
        v->old = 0;
        for (size_t j = 0; existing && j < existing->ncomponents; j++)
            if (existing->components[j].key == v->key && existing->components[j].has_value)
                held = &existing->components[j];
        if (held) {
            v->has_old = true;
            v->old = held->value;
        }
        if (v->value_null)
            v->changed = held != NULL;
        else
            v->changed = !held || held->value != v->value ||
                         (held->has_supplement && held->is_supplement != v->is_supplement);
        any_change |= v->changed;
    }
    if (!existing)
        return LK_DIFF_CREATE;
    if (payslip_text && (!text_known || !held_text || strcmp(payslip_text, held_text)))
        any_change = true;
    return any_change ? LK_DIFF_CHANGE : LK_DIFF_SAME;
}
