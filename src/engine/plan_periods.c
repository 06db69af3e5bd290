/*
 * plan_periods.c: records -> the checks of where their dates fell. With --period naming a
 * period number and a date column, every date must lie in that period of its administration's
 * calendar (validate cannot know a 4-weekly or weekly calendar offline). And a file whose rows
 * fall into more than one period is said aloud: a date column silently filling a neighbouring
 * period is a wrong payslip nobody asked for.
 */
#include "engine/plan_stages.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/localefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void period_error(bucket *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void period_error(bucket *b, const char *fmt, ...)
{
    strbuf sb;
    va_list ap;
    strbuf_init(&sb, 128);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    lk_grow(&b->errors, sizeof *b->errors, b->nerrors + 1, &b->errors_alloc);
    b->errors[b->nerrors++] = strbuf_detach(&sb, NULL);
    b->input_error = true;
}

static void row_text(strbuf *sb, const lk_entry_set *set, const lk_row_pos *p)
{
    strbuf_addstr(sb, set->files[p->file]);
    if (p->sheet && set->sheets[p->sheet][0])
        strbuf_addf(sb, "[%s]", set->sheets[p->sheet]);
    strbuf_addf(sb, ":%lu", p->row);
}

/* --period 2026-P13 or 2026-W47 with a date column: a date in another period is an error of
 * its record (a week's number is its period's number in a weekly administration). */
static void check_expected(plan_ctx *x)
{
    const lk_period_ref *want = &x->set->expected_period;
    if (want->kind != LK_PERIOD_NUMBER && want->kind != LK_PERIOD_WEEK)
        return;   /* a month is checked per row by the mapping stage */
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        for (size_t j = 0; j < b->nentries; j++) {
            const lk_entry *e = b->entries[j];
            const unit *u = &x->units[x->entry_unit[e - x->set->entries]];
            if (e->period.kind != LK_PERIOD_DATE || !u->period || !e->nrows)
                continue;
            lk_period_type kind = lk_period_type_of(u->period->start_date, u->period->end_date);
            bool week_elsewhere = want->kind == LK_PERIOD_WEEK &&
                                  kind != LK_PERIOD_TYPE_WEEK && kind != LK_PERIOD_TYPE_UNKNOWN;
            if (!week_elsewhere && u->period->year == want->year &&
                u->period->period_number == want->number)
                continue;
            strbuf sb;
            strbuf_init(&sb, 128);
            row_text(&sb, x->set, &e->first);
            if (week_elsewhere) {
                /* a week number never means period 47 of a month or 4-week calendar */
                char wk[LK_PERIOD_NAME_MAX];
                period_error(b, _("%s: --period %s is a week, but %s pays per %s: name the "
                             "period by month (%04d-MM) or number (%04d-PNN)"), sb.buf,
                             lk_period_code(want->year, want->number, LK_PERIOD_TYPE_WEEK, wk),
                             u->admin && u->admin->name ? u->admin->name
                                                        : _("the administration"),
                             lk_period_type_name(kind), want->year, want->year);
                strbuf_free(&sb);
                break;
            }
            char iso[16], day[32];
            snprintf(iso, sizeof iso, "%04d-%02d-%02d", e->period.year % 10000,
                     e->period.month % 100, e->period.day % 100);
            period_error(b, _("%s: column \"%s\": date %s lies in period %s (%s to %s) of %s, "
                         "not in %s given with --period"), sb.buf,
                         x->set->period_column ? x->set->period_column : "",
                         lk_fmt_date(iso, day),
                         plan_period_code(u->period, (char[LK_PERIOD_NAME_MAX]){ 0 }),
                         lk_fmt_date(u->period->start_date, (char[32]){ 0 }),
                         lk_fmt_date(u->period->end_date, (char[32]){ 0 }),
                         u->admin && u->admin->name ? u->admin->name : _("the administration"),
                         plan_period_code_like(u->period, want->year, want->number,
                                               (char[LK_PERIOD_NAME_MAX]){ 0 }));
            strbuf_free(&sb);
            break;   /* one message per record: its first date outside */
        }
    }
}

/* The periods (id) a file's records fall into per administration, with a count each. */
typedef struct period_count {
    const admin_info *admin;
    const lk_period *period;
    long id;
    size_t records;
    const lk_entry *example;    /* an entry of this period from the file */
} period_count;

static void count_period(period_count **pc, size_t *n, size_t *alloc, const unit *u,
                         const lk_entry *e)
{
    for (size_t i = 0; i < *n; i++)
        if ((*pc)[i].admin == u->admin && (*pc)[i].id == u->period->id) {
            (*pc)[i].records++;
            return;
        }
    lk_grow(pc, sizeof **pc, *n + 1, alloc);
    (*pc)[(*n)++] = (period_count){ u->admin, u->period, u->period->id, 1, e };
}

/* The warning for one administration of a file, when its records lie in several periods. */
static void warn_admin(plan_ctx *x, size_t file, const period_count *pc, size_t n,
                       const admin_info *admin)
{
    const lk_entry_set *set = x->set;
    size_t count = 0, most = n;
    for (size_t i = 0; i < n; i++)
        if (pc[i].admin == admin) {
            count++;
            if (most == n || pc[i].records > pc[most].records)
                most = i;
        }
    if (count < 2)
        return;
    strbuf sb;
    strbuf_init(&sb, 256);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (pc[i].admin != admin)
            continue;
        strbuf_addf(&sb, ngettext("%s%s (%zu record", "%s%s (%zu records", pc[i].records),
                    first ? "" : ", ", plan_period_code(pc[i].period, (char[LK_PERIOD_NAME_MAX]){ 0 }),
                    pc[i].records);
        if (i != most) {
            strbuf_addstr(&sb, _(", e.g. "));
            row_text(&sb, set, &pc[i].example->first);
        }
        strbuf_addch(&sb, ')');
        first = false;
    }
    lk_report_add_warning(x->report, _("%s: the rows fall into %zu payroll periods%s%s: %s; check "
                          "that the dates are meant for those periods"), set->files[file], count,
                          admin && admin->name ? _(" of ") : "",
                          admin && admin->name ? admin->name : "", sb.buf);
    strbuf_free(&sb);
}

/* A file whose records fall into several periods of one administration: a warning naming them,
 * and where the fewer came from (two administrations, each with its own period, are normal). */
static void warn_spread(plan_ctx *x)
{
    const lk_entry_set *set = x->set;
    for (size_t f = 0; f < set->nfiles; f++) {
        period_count *pc = NULL;
        size_t n = 0, alloc = 0;
        for (size_t i = 0; i < x->nbuckets; i++) {
            const bucket *b = &x->buckets[i];
            for (size_t j = 0; j < b->nentries; j++) {
                const lk_entry *e = b->entries[j];
                const unit *u = &x->units[x->entry_unit[e - set->entries]];
                if (!u->period || !e->nrows || e->first.file != f)
                    continue;
                count_period(&pc, &n, &alloc, u, e);
                break;   /* a record counts once per file */
            }
        }
        for (size_t i = 0; i < n; i++) {
            bool seen = false;   /* each administration once */
            for (size_t j = 0; j < i; j++)
                seen = seen || pc[j].admin == pc[i].admin;
            if (!seen)
                warn_admin(x, f, pc, n, pc[i].admin);
        }
        free(pc);
    }
}

void plan_check_periods(plan_ctx *x)
{
    check_expected(x);
    warn_spread(x);
}
