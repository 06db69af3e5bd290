/*
 * report_lines.c: the detail table that the CSV file and the XLSX detail sheet share: one line
 * per record x component (a record without components gets one line), then one line per issue.
 * Cells are typed (text, whole number, payroll value) so each writer can keep numbers numbers
 * and text text.
 */
#include "report/report_int.h"
#include "report/report_signals.h"

#include "common/i18n.h"
#include "common/period_name.h"

#include "common/util.h"

#include <string.h>
#include <strings.h>

const lk_report_column lk_report_columns[LK_NCOLS] = {
    [LK_COL_OUTCOME] = {N_("outcome"), 11},
    [LK_COL_EMPLOYER] = {N_("employer"), 28},
    [LK_COL_ADMINISTRATION] = {N_("administration"), 24},
    [LK_COL_CLIENT_NUMBER] = {N_("client_number"), 12},
    [LK_COL_EMPLOYEE_NUMBER] = {N_("employee_number"), 14},
    [LK_COL_EMPLOYEE_NAME] = {N_("employee_name"), 26},
    [LK_COL_EMPLOYMENT_ID] = {N_("employment_id"), 38},
    [LK_COL_PAYROLL_ID] = {N_("payroll_id"), 10},
    [LK_COL_PERIOD] = {N_("period"), 10},
    [LK_COL_PERIOD_ID] = {N_("period_id"), 10},
    [LK_COL_PERIOD_START] = {N_("period_start"), 12},
    [LK_COL_PERIOD_END] = {N_("period_end"), 12},
    [LK_COL_COST_CENTER] = {N_("cost_center"), 14},
    [LK_COL_COST_UNIT] = {N_("cost_unit"), 12},
    [LK_COL_DISTRIBUTION_UNIT] = {N_("distribution_unit"), 16},
    [LK_COL_SHIFT] = {N_("shift"), 10},
    [LK_COL_PAYSLIP_TYPE] = {N_("payslip_type"), 16},
    [LK_COL_PAYSLIP_TEXT] = {N_("payslip_text"), 20},
    [LK_COL_COMPONENT_KEY] = {N_("component_key"), 13},
    [LK_COL_COMPONENT] = {N_("component"), 16},
    [LK_COL_OLD_VALUE] = {N_("old_value"), 11},
    [LK_COL_NEW_VALUE] = {N_("new_value"), 11},
    [LK_COL_DELETE] = {N_("delete"), 8},
    [LK_COL_SUPPLEMENT] = {N_("is_supplement"), 12},
    [LK_COL_HTTP_STATUS] = {N_("http_status"), 11},
    [LK_COL_ATTEMPTS] = {N_("attempts"), 9},
    [LK_COL_MESSAGES] = {N_("messages"), 60},
    [LK_COL_INPUT_ROWS] = {N_("input_rows"), 24},
    [LK_COL_INPUT_COLUMN] = {N_("input_column"), 16},
};

void lk_report_line_init(lk_report_cell *cells)
{
    for (int i = 0; i < LK_NCOLS; i++) {
        cells[i].kind = LK_RCELL_EMPTY;
        strbuf_init(&cells[i].text, 0);
        cells[i].number = 0;
        cells[i].value = 0;
    }
}

void lk_report_line_free(lk_report_cell *cells)
{
    for (int i = 0; i < LK_NCOLS; i++)
        strbuf_free(&cells[i].text);
}

static void line_reset(lk_report_cell *cells)
{
    for (int i = 0; i < LK_NCOLS; i++) {
        cells[i].kind = LK_RCELL_EMPTY;
        strbuf_reset(&cells[i].text);
        cells[i].number = 0;
        cells[i].value = 0;
    }
}

static void set_text(lk_report_cell *c, const char *s)
{
    strbuf_reset(&c->text);
    if (s && *s) {
        c->kind = LK_RCELL_TEXT;
        strbuf_addstr(&c->text, s);
    } else {
        c->kind = LK_RCELL_EMPTY;
    }
}

/* A date as Loket gives it ("2026-11-30"); anything else stays text. */
static void set_date(lk_report_cell *c, const char *s)
{
    set_text(c, s);
    int y, m, d;
    char tail;
    if (c->kind == LK_RCELL_TEXT && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
        strlen(s) == 10 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 1900)
        c->kind = LK_RCELL_DATE;
}

static void set_int(lk_report_cell *c, long long n)
{
    c->kind = LK_RCELL_INT;
    c->number = n;
}

/* Unknown numbers (0 in the model) stay empty rather than a misleading 0. */
static void set_int_known(lk_report_cell *c, long long n)
{
    if (n)
        set_int(c, n);
}

static void set_decimal(lk_report_cell *c, lk_decimal v)
{
    c->kind = LK_RCELL_DECIMAL;
    c->value = v;
}

/* "PROD Productie", "1 Dag", "key 3"; "" for the employment's default. */
static void set_ref(lk_report_cell *c, const lk_report_ref *ref)
{
    strbuf_reset(&c->text);
    if (!ref->set)
        return;
    if (ref->code)
        strbuf_addstr(&c->text, ref->code);
    else if (ref->key)
        strbuf_addf(&c->text, "%d", ref->key);
    if (ref->description && (!ref->code || strcmp(ref->code, ref->description))) {
        if (c->text.len)
            strbuf_addch(&c->text, ' ');
        strbuf_addstr(&c->text, ref->description);
    }
    c->kind = c->text.len ? LK_RCELL_TEXT : LK_RCELL_EMPTY;
}

/* 0 a reason (anything that is not a warning or information), 1 a warning, 2 information */
static int message_rank(const lk_report_message *m)
{
    const char *t = m->type ? m->type : "";
    if (!strcasecmp(t, "Warning"))
        return 1;
    if (!strcasecmp(t, "Info") || !strcasecmp(t, "Information") ||
        !strcasecmp(t, "Informational"))
        return 2;
    return 0;
}

/* A message's kind as the reader's language names it; a kind we do not know is shown as Loket
 * sent it. The JSON report keeps Loket's own word. */
static const char *message_type_label(const char *type)
{
    /* the msgids are Loket's own words, which English screens keep */
    static const char *const known[] = {
        N_("Error"),       N_("BrokenBusinessRule"), N_("Warning"),
        N_("Info"),        N_("Information"),        N_("Informational"),
        N_("Exception"),   N_("ConcurrencyViolation"), N_("NotFound"),
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcasecmp(type, known[i]))
            return _(known[i]);
    return type;
}

void lk_report_messages_text(strbuf *sb, const lk_report_record *rec)
{
    size_t shown = 0;
    for (int rank = 0; rank <= 2; rank++)
    for (size_t i = 0; i < rec->nmessages; i++) {
        const lk_report_message *m = &rec->messages[i];
        if (message_rank(m) != rank)
            continue;
        if (shown++)
            strbuf_addstr(sb, " | ");
        /* Our own errors and notes need no "Error:" before them (the outcome says it already);
         * Loket's messages keep their kind and code, and a warning is called one. */
        bool label = m->type && *m->type &&
                     (m->origin != LK_MSG_IMPORTER || message_rank(m) == 1);
        if (label)
            strbuf_addstr(sb, message_type_label(m->type));
        if (m->has_code)
            strbuf_addf(sb, label ? " %ld" : "%ld", m->code);
        if (label || m->has_code)
            strbuf_addstr(sb, ": ");
        strbuf_addstr(sb, m->description ? m->description : "");
        if (m->id && *m->id)
            strbuf_addf(sb, " [%s]", m->id);
    }
}

lk_report_cause *lk_report_causes(const lk_report_record *const *recs, size_t n, size_t *ncauses)
{
    lk_report_cause *c = NULL;
    size_t nc = 0;
    strbuf sb;
    strbuf_init(&sb, 128);
    for (size_t i = 0; i < n; i++) {
        strbuf_reset(&sb);
        lk_report_messages_text(&sb, recs[i]);
        const char *reason = sb.buf ? sb.buf : "";
        size_t k = 0;
        while (k < nc && (c[k].outcome != recs[i]->outcome || strcmp(c[k].reason, reason)))
            k++;
        if (k == nc) {
            c = xrealloc(c, (nc + 1) * sizeof *c);
            c[nc].reason = xstrdup(reason);
            c[nc].outcome = recs[i]->outcome;
            c[nc].recs = xcalloc(n, sizeof *c[nc].recs);
            c[nc].n = 0;
            nc++;
        }
        c[k].recs[c[k].n++] = recs[i];
    }
    strbuf_free(&sb);
    *ncauses = nc;
    return c;
}

void lk_report_causes_free(lk_report_cause *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].reason);
        free(c[i].recs);
    }
    free(c);
}

void lk_report_cause_employees(strbuf *sb, const lk_report_cause *c, size_t shown_max)
{
    size_t distinct = 0, shown = 0;
    for (size_t i = 0; i < c->n; i++) {
        long number = c->recs[i]->employee_number;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = c->recs[j]->employee_number == number;
        if (seen || !number)
            continue;
        if (distinct++ < shown_max)
            strbuf_addf(sb, "%s%ld", shown++ ? ", " : "", number);
    }
    if (distinct > shown)
        strbuf_addf(sb, ngettext(" and %zu more", " and %zu more", distinct - shown),
                    distinct - shown);
}

static void add_place(strbuf *sb, const char *file, const char *sheet)
{
    strbuf_addstr(sb, file ? file : "");
    if (sheet && *sheet)
        strbuf_addf(sb, "[%s]", sheet);
}

void lk_report_rows_text(strbuf *sb, const lk_report_rows *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_addstr(sb, "; ");
        /* the file is named once for a run of spans in the same place */
        if (i == 0 || strcmp(rows[i].file, rows[i - 1].file) ||
            !!rows[i].sheet != !!rows[i - 1].sheet ||
            (rows[i].sheet && strcmp(rows[i].sheet, rows[i - 1].sheet))) {
            add_place(sb, rows[i].file, rows[i].sheet);
            strbuf_addch(sb, ':');
        }
        if (rows[i].first == rows[i].last)
            strbuf_addf(sb, "%lu", rows[i].first);
        else
            strbuf_addf(sb, "%lu-%lu", rows[i].first, rows[i].last);
    }
}

char *lk_report_time_text(double t, char *out)
{
    if (t <= 0) {
        out[0] = '\0';
        return out;
    }
    return lk_iso8601((long long)t, out);
}

lk_outcome lk_report_line_record(lk_report_cell *cells, const lk_report_record *rec,
                                 const lk_report_component *comp)
{
    line_reset(cells);
    set_text(&cells[LK_COL_OUTCOME], lk_outcome_label(rec->outcome));
    set_text(&cells[LK_COL_EMPLOYER], rec->employer_name ? rec->employer_name : rec->employer_ref);
    set_text(&cells[LK_COL_ADMINISTRATION], rec->administration_name);
    set_int_known(&cells[LK_COL_CLIENT_NUMBER], rec->client_number);
    set_int_known(&cells[LK_COL_EMPLOYEE_NUMBER], rec->employee_number);
    set_text(&cells[LK_COL_EMPLOYEE_NAME], rec->employee_name);
    set_text(&cells[LK_COL_EMPLOYMENT_ID], rec->employment_id);
    set_int_known(&cells[LK_COL_PAYROLL_ID], rec->payroll_id);
    if (rec->period_year && rec->period_number) {
        char code[LK_PERIOD_NAME_MAX];
        strbuf_addstr(&cells[LK_COL_PERIOD].text,
                      lk_period_code(rec->period_year, rec->period_number, rec->period_type,
                                     code));
        cells[LK_COL_PERIOD].kind = LK_RCELL_TEXT;
    } else {
        set_text(&cells[LK_COL_PERIOD], rec->period_label);
    }
    set_int_known(&cells[LK_COL_PERIOD_ID], rec->period_id);
    set_date(&cells[LK_COL_PERIOD_START], rec->period_start);
    set_date(&cells[LK_COL_PERIOD_END], rec->period_end);
    set_ref(&cells[LK_COL_COST_CENTER], &rec->record_key.cost_center);
    set_ref(&cells[LK_COL_COST_UNIT], &rec->record_key.cost_unit);
    set_ref(&cells[LK_COL_DISTRIBUTION_UNIT], &rec->record_key.distribution_unit);
    set_ref(&cells[LK_COL_SHIFT], &rec->record_key.shift);
    set_ref(&cells[LK_COL_PAYSLIP_TYPE], &rec->record_key.payslip_type);
    set_text(&cells[LK_COL_PAYSLIP_TEXT], rec->payslip_text);
    if (comp) {
        set_int(&cells[LK_COL_COMPONENT_KEY], comp->key);
        set_text(&cells[LK_COL_COMPONENT], comp->description);
        if (comp->has_old)
            set_decimal(&cells[LK_COL_OLD_VALUE], comp->old_value);
        if (!comp->delete)
            set_decimal(&cells[LK_COL_NEW_VALUE], comp->new_value);
        if (comp->delete)
            set_text(&cells[LK_COL_DELETE], _("yes"));
        if (comp->is_supplement)
            set_text(&cells[LK_COL_SUPPLEMENT], _("yes"));
        set_text(&cells[LK_COL_INPUT_COLUMN], comp->column);
    }
    if (rec->http_status)
        set_int(&cells[LK_COL_HTTP_STATUS], rec->http_status);
    if (rec->attempts)
        set_int(&cells[LK_COL_ATTEMPTS], rec->attempts);
    lk_report_messages_text(&cells[LK_COL_MESSAGES].text, rec);
    cells[LK_COL_MESSAGES].kind = cells[LK_COL_MESSAGES].text.len ? LK_RCELL_TEXT : LK_RCELL_EMPTY;
    lk_report_rows_text(&cells[LK_COL_INPUT_ROWS].text, rec->rows, rec->nrows);
    cells[LK_COL_INPUT_ROWS].kind =
        cells[LK_COL_INPUT_ROWS].text.len ? LK_RCELL_TEXT : LK_RCELL_EMPTY;
    return rec->outcome;
}

lk_outcome lk_report_line_issue(lk_report_cell *cells, const lk_report_issue *is,
                                const char *employee_name)
{
    const lk_error *e = &is->error;
    line_reset(cells);
    set_text(&cells[LK_COL_OUTCOME], lk_outcome_label(is->outcome));
    set_int_known(&cells[LK_COL_EMPLOYEE_NUMBER], is->employee_number);
    set_text(&cells[LK_COL_EMPLOYEE_NAME], employee_name);
    if (is->employer_ref[0])
        set_text(&cells[LK_COL_EMPLOYER], is->employer_ref);
    set_text(&cells[LK_COL_MESSAGES], e->message[0] ? e->message : lk_strerror(e->code));
    strbuf *rows = &cells[LK_COL_INPUT_ROWS].text;
    if (e->file[0] || e->row) {
        add_place(rows, e->file, e->sheet);
        if (e->row) {
            strbuf_addf(rows, ":%lu", e->row);
            if (is->last_row > e->row)
                strbuf_addf(rows, "-%lu", is->last_row);
        }
        cells[LK_COL_INPUT_ROWS].kind = LK_RCELL_TEXT;
    }
    strbuf *col = &cells[LK_COL_INPUT_COLUMN].text;
    if (e->column[0])
        strbuf_addstr(col, e->column);
    if (e->header[0])
        strbuf_addf(col, "%s\"%s\"", col->len ? " " : "", e->header);
    cells[LK_COL_INPUT_COLUMN].kind = col->len ? LK_RCELL_TEXT : LK_RCELL_EMPTY;
    return is->outcome;
}

int lk_report_each_line(const lk_report *r, lk_report_line_fn fn, void *ctx)
{
    lk_report_cell cells[LK_NCOLS];
    int rc = 0;
    lk_report_line_init(cells);
    for (size_t i = 0; i < r->nrecords && !rc; i++) {
        const lk_report_record *rec = r->records[i];
        if (rec->ncomponents == 0) {
            lk_outcome o = lk_report_line_record(cells, rec, NULL);
            rc = fn(ctx, cells, o);
        }
        for (size_t j = 0; j < rec->ncomponents && !rc; j++) {
            lk_outcome o = lk_report_line_record(cells, rec, &rec->components[j]);
            rc = fn(ctx, cells, o);
        }
    }
    for (size_t i = 0; i < r->nissues && !rc; i++) {
        const lk_report_issue *is = &r->issues[i];
        lk_outcome o = lk_report_line_issue(
            cells, is, lk_report_employee_name(r, is->employee_number, is->employer_ref));
        rc = fn(ctx, cells, o);
    }
    lk_report_line_free(cells);
    return rc ? rc : lk_report_each_signal_line(r, fn, ctx);
}
