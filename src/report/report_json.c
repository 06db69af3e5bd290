/*
 * report_json.c: the report as one JSON document for machines (cJSON): the whole model, with
 * stable snake_case names, payroll values as exact decimal numbers (written from the fixed-point
 * value, never through a double), and null for what is not known. docs/reports.md describes
 * every field; "format_version" changes only when a field changes meaning or goes away.
 */
#include "report/report_int.h"
#include "report/report_signals.h"

#include "common/i18n.h"
#include "common/util.h"

#include <cJSON.h>
#include <string.h>

#define REPORT_FORMAT_VERSION 1

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *num_or_null(long long n)
{
    return n ? cJSON_CreateNumber((double)n) : cJSON_CreateNull();
}

/* A payroll value as its exact decimal text (cJSON raw), e.g. 151.5, -3.25, 0. */
static cJSON *decimal_json(lk_decimal v)
{
    char buf[32];
    return cJSON_CreateRaw(lk_decimal_format(v, buf));
}

static void add(cJSON *obj, const char *name, cJSON *item)
{
    cJSON_AddItemToObject(obj, name, item);
}

static cJSON *time_json(double t)
{
    char buf[32];
    return t > 0 ? cJSON_CreateString(lk_report_time_text(t, buf)) : cJSON_CreateNull();
}

static cJSON *error_json(const lk_error *e)
{
    cJSON *o = cJSON_CreateObject();
    add(o, "code",
        e->code != LK_OK ? cJSON_CreateString(lk_strerror(e->code)) : cJSON_CreateNull());
    add(o, "message", cJSON_CreateString(e->message[0] ? e->message : lk_strerror(e->code)));
    add(o, "file", e->file[0] ? cJSON_CreateString(e->file) : cJSON_CreateNull());
    add(o, "sheet", e->sheet[0] ? cJSON_CreateString(e->sheet) : cJSON_CreateNull());
    add(o, "row", num_or_null((long long)e->row));
    add(o, "column", e->column[0] ? cJSON_CreateString(e->column) : cJSON_CreateNull());
    add(o, "header", e->header[0] ? cJSON_CreateString(e->header) : cJSON_CreateNull());
    add(o, "transient", cJSON_CreateBool(lk_code_transient(e->code)));
    return o;
}

static cJSON *ref_json(const lk_report_ref *ref)
{
    if (!ref->set)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    add(o, "key", num_or_null(ref->key));
    add(o, "code", str_or_null(ref->code));
    add(o, "description", str_or_null(ref->description));
    return o;
}

static cJSON *rows_json(const lk_report_rows *rows, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        add(o, "file", cJSON_CreateString(rows[i].file));
        add(o, "sheet", str_or_null(rows[i].sheet));
        add(o, "first", cJSON_CreateNumber((double)rows[i].first));
        add(o, "last", cJSON_CreateNumber((double)rows[i].last));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *record_json(const lk_report_record *rec)
{
    cJSON *o = cJSON_CreateObject(), *x;

    x = cJSON_CreateObject();
    add(x, "id", str_or_null(rec->employer_id));
    add(x, "name", str_or_null(rec->employer_name));
    add(x, "input", str_or_null(rec->employer_ref));
    add(o, "employer", x);

    x = cJSON_CreateObject();
    add(x, "id", str_or_null(rec->administration_id));
    add(x, "name", str_or_null(rec->administration_name));
    add(x, "client_number", num_or_null(rec->client_number));
    add(o, "administration", x);

    x = cJSON_CreateObject();
    add(x, "number", num_or_null(rec->employee_number));
    add(x, "name", str_or_null(rec->employee_name));
    add(o, "employee", x);

    x = cJSON_CreateObject();
    add(x, "id", str_or_null(rec->employment_id));
    add(x, "payroll_id", num_or_null(rec->payroll_id));
    add(x, "income_relationship_number", num_or_null(rec->income_relationship));
    add(o, "employment", x);

    x = cJSON_CreateObject();
    add(x, "id", num_or_null(rec->period_id));
    add(x, "year", num_or_null(rec->period_year));
    add(x, "number", num_or_null(rec->period_number));
    add(x, "start_date", str_or_null(rec->period_start));
    add(x, "end_date", str_or_null(rec->period_end));
    add(x, "input", str_or_null(rec->period_label));
    add(o, "period", x);

    x = cJSON_CreateObject();
    add(x, "cost_center", ref_json(&rec->record_key.cost_center));
    add(x, "cost_unit", ref_json(&rec->record_key.cost_unit));
    add(x, "distribution_unit", ref_json(&rec->record_key.distribution_unit));
    add(x, "shift", ref_json(&rec->record_key.shift));
    add(x, "payslip_type", ref_json(&rec->record_key.payslip_type));
    add(o, "record_key", x);
    add(o, "payslip_text", str_or_null(rec->payslip_text));

    cJSON *comps = cJSON_CreateArray();
    for (size_t i = 0; i < rec->ncomponents; i++) {
        const lk_report_component *c = &rec->components[i];
        cJSON *co = cJSON_CreateObject();
        add(co, "key", cJSON_CreateNumber(c->key));
        add(co, "description", str_or_null(c->description));
        add(co, "old_value", c->has_old ? decimal_json(c->old_value) : cJSON_CreateNull());
        add(co, "new_value", c->delete ? cJSON_CreateNull() : decimal_json(c->new_value));
        add(co, "delete", cJSON_CreateBool(c->delete));
        add(co, "is_supplement", cJSON_CreateBool(c->is_supplement));
        add(co, "input_column", str_or_null(c->column));
        cJSON_AddItemToArray(comps, co);
    }
    add(o, "components", comps);

    add(o, "outcome", cJSON_CreateString(lk_outcome_name(rec->outcome)));
    add(o, "http_status", num_or_null(rec->http_status));
    add(o, "attempts", cJSON_CreateNumber(rec->attempts));

    cJSON *msgs = cJSON_CreateArray();
    for (size_t i = 0; i < rec->nmessages; i++) {
        const lk_report_message *m = &rec->messages[i];
        cJSON *mo = cJSON_CreateObject();
        add(mo, "origin", cJSON_CreateString(m->origin == LK_MSG_LOKET ? "loket" : "importer"));
        add(mo, "type", cJSON_CreateString(m->type ? m->type : ""));
        add(mo, "code", m->has_code ? cJSON_CreateNumber((double)m->code) : cJSON_CreateNull());
        add(mo, "description", cJSON_CreateString(m->description ? m->description : ""));
        add(mo, "id", str_or_null(m->id));
        cJSON_AddItemToArray(msgs, mo);
    }
    add(o, "messages", msgs);
    add(o, "input_rows", rows_json(rec->rows, rec->nrows));
    return o;
}

static cJSON *run_json(const lk_report *r)
{
    cJSON *run = cJSON_CreateObject();
    add(run, "command", cJSON_CreateString(r->command));
    add(run, "started", time_json(r->started));
    add(run, "finished", time_json(r->finished));
    if (r->started > 0 && r->finished >= r->started)
        add(run, "duration_seconds", cJSON_CreateNumber(r->finished - r->started));
    else
        add(run, "duration_seconds", cJSON_CreateNull());
    add(run, "environment", str_or_null(r->environment));

    cJSON *m = cJSON_CreateObject();
    add(m, "path", str_or_null(r->mapping_path));
    add(m, "sha256", r->mapping_sha256[0] ? cJSON_CreateString(r->mapping_sha256)
                                          : cJSON_CreateNull());
    add(run, "mapping", m);

    cJSON *files = cJSON_CreateArray();
    for (size_t i = 0; i < r->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        add(f, "path", cJSON_CreateString(r->files[i].path));
        add(f, "sha256", r->files[i].sha256[0] ? cJSON_CreateString(r->files[i].sha256)
                                               : cJSON_CreateNull());
        cJSON_AddItemToArray(files, f);
    }
    add(run, "files", files);
    add(run, "rows_read", cJSON_CreateNumber((double)r->rows_read));

    cJSON *reqs = cJSON_CreateArray();
    for (size_t i = 0; i < r->nrequests; i++) {
        const lk_report_request_stat *s = &r->requests[i];
        cJSON *q = cJSON_CreateObject();
        add(q, "method", cJSON_CreateString(s->method));
        add(q, "endpoint", cJSON_CreateString(s->endpoint));
        add(q, "status", cJSON_CreateNumber(s->status));
        add(q, "count", cJSON_CreateNumber((double)s->count));
        add(q, "attempts", cJSON_CreateNumber((double)s->attempts));
        add(q, "latency_ms_total", cJSON_CreateNumber(s->latency_ms));
        cJSON_AddItemToArray(reqs, q);
    }
    add(run, "requests", reqs);
    add(run, "error", r->has_error ? error_json(&r->error) : cJSON_CreateNull());
    cJSON *warnings = cJSON_CreateArray();
    for (size_t i = 0; i < r->nwarnings; i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(r->warnings[i]));
    add(run, "warnings", warnings);
    return run;
}

#define HELD_MASK                                                                              \
    ((1u << LK_OUTCOME_VALID) | (1u << LK_OUTCOME_CREATED) | (1u << LK_OUTCOME_UPDATED) |      \
     (1u << LK_OUTCOME_UNCHANGED))
#define NOT_HELD_MASK                                                                          \
    ((1u << LK_OUTCOME_REJECTED) | (1u << LK_OUTCOME_FAILED) | (1u << LK_OUTCOME_NOT_SENT))

static cJSON *component_totals_json(const lk_report *r, unsigned mask)
{
    size_t n;
    lk_report_component_total *ct = lk_report_component_totals(r, mask, &n);
    cJSON *comps = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        add(c, "key", cJSON_CreateNumber(ct[i].key));
        add(c, "description", str_or_null(ct[i].description));
        add(c, "count", cJSON_CreateNumber((double)ct[i].count));
        add(c, "sum_new_values", ct[i].overflow ? cJSON_CreateNull() : decimal_json(ct[i].sum));
        cJSON_AddItemToArray(comps, c);
    }
    free(ct);
    return comps;
}

static cJSON *totals_json(const lk_report *r)
{
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    cJSON *o = cJSON_CreateObject();
    cJSON *rec = cJSON_CreateObject(), *iss = cJSON_CreateObject();
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        add(rec, lk_outcome_name((lk_outcome)i), cJSON_CreateNumber((double)t.records[i]));
        if (i == LK_OUTCOME_REJECTED || i == LK_OUTCOME_SKIPPED)
            add(iss, lk_outcome_name((lk_outcome)i), cJSON_CreateNumber((double)t.issues[i]));
    }
    add(o, "records", rec);
    add(o, "issues", iss);
    add(o, "rows_in_records", cJSON_CreateNumber((double)t.rows_in_records));
    add(o, "rows_in_issues", cJSON_CreateNumber((double)t.rows_in_issues));
    add(o, "rows_in_issues_not_listed", cJSON_CreateNumber((double)r->rows_not_listed));
    add(o, "messages", cJSON_CreateNumber((double)t.messages));

    /* what Loket holds (or, in a plan, would hold) apart from what it refused or never got */
    add(o, "components", component_totals_json(r, HELD_MASK));
    add(o, "components_not_in_loket", component_totals_json(r, NOT_HELD_MASK));
    return o;
}

static cJSON *report_json(const lk_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    add(doc, "format", cJSON_CreateString("loket-import-report"));
    add(doc, "format_version", cJSON_CreateNumber(REPORT_FORMAT_VERSION));
    add(doc, "run", run_json(r));
    add(doc, "exit_code", cJSON_CreateNumber(lk_report_exit_code(r)));
    add(doc, "totals", totals_json(r));
    cJSON *recs = cJSON_CreateArray();
    for (size_t i = 0; i < r->nrecords; i++)
        cJSON_AddItemToArray(recs, record_json(r->records[i]));
    add(doc, "records", recs);
    cJSON *issues = cJSON_CreateArray();
    for (size_t i = 0; i < r->nissues; i++) {
        const lk_report_issue *is = &r->issues[i];
        cJSON *o = error_json(&is->error);
        cJSON_AddItemToObjectCS(o, "outcome", cJSON_CreateString(lk_outcome_name(is->outcome)));
        add(o, "last_row", num_or_null((long long)(is->last_row > is->error.row ? is->last_row
                                                                                 : is->error.row)));
        add(o, "employee_number", num_or_null(is->employee_number));
        cJSON_AddItemToArray(issues, o);
    }
    add(doc, "issues", issues);
    add(doc, "signals", lk_report_signals_json(r));
    add(doc, "signalsAccepted", r->signals && r->signals->accepted_kinds[0]
                                    ? cJSON_CreateString(r->signals->accepted_kinds)
                                    : cJSON_CreateNull());
    return doc;
}

char *lk_report_json_string(const lk_report *r)
{
    cJSON *doc = report_json(r);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
        lk_die(_("out of memory (JSON report)"));
    /* cJSON's allocator is malloc; hand the caller a string it can free() */
    return text;
}

lk_code lk_report_write_json(const lk_report *r, const char *path, lk_error *err)
{
    char *text = lk_report_json_string(r);
    size_t len = strlen(text);
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, len + 1);
    strbuf_add(&sb, text, len);
    strbuf_addch(&sb, '\n');
    free(text);
    lk_error_clear(err);
    lk_code rc = lk_report_write_bytes(path, sb.buf, sb.len, err);
    strbuf_free(&sb);
    return rc;
}
