/*
 * report.c: building and reading the report model (report.h): the builders that copy what the
 * engine hands them, the validate helper that turns an lk_entry_set into records and issues,
 * totals, and the exit code derived from the outcomes.
 */
#include "report/report.h"
#include "report/report_signals.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/period_name.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Outcomes
 * ------------------------------------------------------------------------------------------- */

static const struct {
    const char *name, *label;
} outcome_names[LK_OUTCOME_COUNT] = {
    [LK_OUTCOME_VALID] = {"valid", N_("valid")},
    [LK_OUTCOME_CREATED] = {"created", N_("created")},
    [LK_OUTCOME_UPDATED] = {"updated", N_("updated")},
    [LK_OUTCOME_UNCHANGED] = {"unchanged", N_("unchanged")},
    [LK_OUTCOME_REJECTED] = {"rejected", N_("rejected")},
    [LK_OUTCOME_SKIPPED] = {"skipped", N_("skipped")},
    [LK_OUTCOME_FAILED] = {"failed", N_("failed")},
    [LK_OUTCOME_NOT_SENT] = {"not_sent", N_("not sent")},
};

const char *lk_outcome_name(lk_outcome o)
{
    return (unsigned)o < LK_OUTCOME_COUNT ? outcome_names[o].name : "unknown";
}

const char *lk_outcome_label(lk_outcome o)
{
    return (unsigned)o < LK_OUTCOME_COUNT ? _(outcome_names[o].label) : _("unknown");
}

bool lk_outcome_parse(const char *s, lk_outcome *out)
{
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        if (!strcmp(s, outcome_names[i].name) || !strcmp(s, outcome_names[i].label)) {
            *out = (lk_outcome)i;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not valid: overlong forms,
 * surrogates and code points above U+10FFFF are invalid too. */
static size_t utf8_valid_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4
                                                                                         : 0;
    }
    return 0;
}

/* A copy that is valid UTF-8 without control characters: every report format must stay
 * readable (an XLSX with one stray byte does not open, a JSON document with one is invalid).
 * Invalid bytes become U+FFFD; control characters other than TAB, LF and CR become a space. */
static char *text_dup(const char *s)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, strlen(s));
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_valid_len(p);
        if (n == 0) {
            strbuf_addstr(&sb, "\xEF\xBF\xBD");
            p++;
        } else if (n == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t' && *p != '\n' &&
                   *p != '\r') {
            strbuf_addch(&sb, ' ');
            p++;
        } else {
            strbuf_add(&sb, p, n);
            p += n;
        }
    }
    return strbuf_detach(&sb, NULL);
}

/* text_dup into a fixed buffer, cut at a character boundary. */
static void text_fix(char *buf, size_t size)
{
    char *clean = text_dup(buf);
    size_t len = strlen(clean);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)clean[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(buf, clean, len);
    buf[len] = '\0';
    free(clean);
}

static void error_fix(lk_error *e)
{
    text_fix(e->file, sizeof(e->file));
    text_fix(e->sheet, sizeof(e->sheet));
    text_fix(e->column, sizeof(e->column));
    text_fix(e->header, sizeof(e->header));
    text_fix(e->message, sizeof(e->message));
}

static char *dup_or_null(const char *s)
{
    return s ? text_dup(s) : NULL;
}

static void replace_str(char **field, const char *s)
{
    char *copy = dup_or_null(s);
    free(*field);
    *field = copy;
}

static void ref_free(lk_report_ref *ref)
{
    free(ref->code);
    free(ref->description);
}

static void record_free(lk_report_record *rec)
{
    if (!rec)
        return;
    free(rec->employer_id);
    free(rec->employer_name);
    free(rec->employer_ref);
    free(rec->administration_id);
    free(rec->administration_name);
    free(rec->employee_name);
    free(rec->employment_id);
    free(rec->period_start);
    free(rec->period_end);
    free(rec->period_label);
    ref_free(&rec->record_key.cost_center);
    ref_free(&rec->record_key.cost_unit);
    ref_free(&rec->record_key.distribution_unit);
    ref_free(&rec->record_key.shift);
    ref_free(&rec->record_key.payslip_type);
    free(rec->payslip_text);
    for (size_t i = 0; i < rec->ncomponents; i++) {
        free(rec->components[i].description);
        free(rec->components[i].column);
    }
    free(rec->components);
    for (size_t i = 0; i < rec->nmessages; i++) {
        free(rec->messages[i].type);
        free(rec->messages[i].description);
        free(rec->messages[i].id);
    }
    free(rec->messages);
    for (size_t i = 0; i < rec->nrows; i++) {
        free(rec->rows[i].file);
        free(rec->rows[i].sheet);
    }
    free(rec->rows);
    free(rec);
}

/* ---------------------------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------------------------- */

lk_report *lk_report_new(const char *command)
{
    lk_report *r = xcalloc(1, sizeof(*r));
    r->command = text_dup(command ? command : "");
    r->started = lk_now();
    return r;
}

void lk_report_free(lk_report *r)
{
    if (!r)
        return;
    free(r->command);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i].path);
    free(r->files);
    free(r->mapping_path);
    free(r->environment);
    for (size_t i = 0; i < r->nrequests; i++) {
        free(r->requests[i].method);
        free(r->requests[i].endpoint);
    }
    free(r->requests);
    for (size_t i = 0; i < r->nrecords; i++)
        record_free(r->records[i]);
    free(r->records);
    free(r->issues);
    for (size_t i = 0; i < r->noutputs; i++)
        free(r->outputs[i]);
    free(r->outputs);
    for (size_t i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    lk_report_signals_free(r->signals);
    free(r);
}

void lk_report_add_warning(lk_report *r, const char *fmt, ...)
{
    strbuf sb;
    va_list ap;
    strbuf_init(&sb, 128);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    lk_grow(&r->warnings, sizeof(*r->warnings), r->nwarnings + 1, &r->warnings_alloc);
    r->warnings[r->nwarnings++] = text_dup(sb.buf);
    strbuf_free(&sb);
}

void lk_report_add_file_hash(lk_report *r, const char *path, const char *sha256)
{
    lk_grow(&r->files, sizeof(*r->files), r->nfiles + 1, &r->files_alloc);
    lk_report_file *f = &r->files[r->nfiles++];
    memset(f, 0, sizeof(*f));
    f->path = text_dup(path);
    if (sha256)
        snprintf(f->sha256, sizeof(f->sha256), "%s", sha256);
}

lk_code lk_report_add_file(lk_report *r, const char *path, lk_error *err)
{
    char hex[65] = "";
    lk_code rc = lk_sha256_file(path, hex, err);
    lk_report_add_file_hash(r, path, rc == LK_OK ? hex : NULL);
    return rc;
}

lk_code lk_report_set_mapping(lk_report *r, const char *path, lk_error *err)
{
    replace_str(&r->mapping_path, path);
    r->mapping_sha256[0] = '\0';
    if (!path)
        return LK_OK;
    lk_code rc = lk_sha256_file(path, r->mapping_sha256, err);
    if (rc != LK_OK)
        r->mapping_sha256[0] = '\0';
    return rc;
}

void lk_report_set_environment(lk_report *r, const char *environment)
{
    replace_str(&r->environment, environment);
}

void lk_report_finish(lk_report *r)
{
    r->finished = lk_now();
}

void lk_report_set_error(lk_report *r, const lk_error *err)
{
    if (!err) {
        r->has_error = false;
        lk_error_clear(&r->error);
        return;
    }
    r->has_error = true;
    r->error = *err;
    error_fix(&r->error);
}

void lk_report_count_request(lk_report *r, const char *method, const char *endpoint, int status,
                             unsigned attempts, double latency_ms)
{
    const char *m = method ? method : "";
    const char *ep = endpoint ? endpoint : "";
    for (size_t i = 0; i < r->nrequests; i++) {
        lk_report_request_stat *s = &r->requests[i];
        if (s->status == status && !strcmp(s->method, m) && !strcmp(s->endpoint, ep)) {
            s->count++;
            s->attempts += attempts;
            s->latency_ms += latency_ms;
            return;
        }
    }
    lk_grow(&r->requests, sizeof(*r->requests), r->nrequests + 1, &r->requests_alloc);
    lk_report_request_stat *s = &r->requests[r->nrequests++];
    s->method = text_dup(m);
    s->endpoint = text_dup(ep);
    s->status = status;
    s->count = 1;
    s->attempts = attempts;
    s->latency_ms = latency_ms;
}

void lk_report_set_request_stats(lk_report *r, const lk_report_request_stat *stats, size_t n)
{
    for (size_t i = 0; i < r->nrequests; i++) {
        free(r->requests[i].method);
        free(r->requests[i].endpoint);
    }
    r->nrequests = 0;
    lk_grow(&r->requests, sizeof(*r->requests), n, &r->requests_alloc);
    for (size_t i = 0; i < n; i++) {
        r->requests[i] = stats[i];
        r->requests[i].method = text_dup(stats[i].method ? stats[i].method : "");
        r->requests[i].endpoint = text_dup(stats[i].endpoint ? stats[i].endpoint : "");
    }
    r->nrequests = n;
}

/* ---------------------------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------------------------- */

lk_report_record *lk_report_add_record(lk_report *r)
{
    lk_grow(&r->records, sizeof(*r->records), r->nrecords + 1, &r->records_alloc);
    lk_report_record *rec = xcalloc(1, sizeof(*rec));
    rec->outcome = LK_OUTCOME_VALID;
    r->records[r->nrecords++] = rec;
    return rec;
}

void lk_report_record_set_employer(lk_report_record *rec, const char *id, const char *name)
{
    replace_str(&rec->employer_id, id);
    replace_str(&rec->employer_name, name);
}

void lk_report_record_set_administration(lk_report_record *rec, const char *id, const char *name,
                                         long client_number)
{
    replace_str(&rec->administration_id, id);
    replace_str(&rec->administration_name, name);
    rec->client_number = client_number;
}

void lk_report_record_set_employee(lk_report_record *rec, long employee_number, const char *name)
{
    rec->employee_number = employee_number;
    replace_str(&rec->employee_name, name);
}

void lk_report_record_set_employment(lk_report_record *rec, const char *employment_id,
                                     long payroll_id, long income_relationship)
{
    replace_str(&rec->employment_id, employment_id);
    rec->payroll_id = payroll_id;
    rec->income_relationship = income_relationship;
}

void lk_report_record_set_period(lk_report_record *rec, long id, int year, int number,
                                 const char *start, const char *end)
{
    rec->period_id = id;
    rec->period_year = year;
    rec->period_number = number;
    replace_str(&rec->period_start, start);
    replace_str(&rec->period_end, end);
    rec->period_type = lk_period_type_of(start, end);
}

void lk_report_record_set_period_label(lk_report_record *rec, const char *label)
{
    replace_str(&rec->period_label, label);
}

void lk_report_record_set_payslip_text(lk_report_record *rec, const char *text)
{
    replace_str(&rec->payslip_text, text);
}

void lk_report_record_set_employer_ref(lk_report_record *rec, const char *ref)
{
    replace_str(&rec->employer_ref, ref);
}

void lk_report_ref_set(lk_report_ref *which, int key, const char *code, const char *description)
{
    which->set = true;
    which->key = key;
    replace_str(&which->code, code);
    replace_str(&which->description, description);
}

void lk_report_ref_from_entry(lk_report_ref *which, const lk_ref *ref)
{
    switch (ref->kind) {
    case LK_REF_DEFAULT:
        which->set = false;
        which->key = 0;
        replace_str(&which->code, NULL);
        replace_str(&which->description, NULL);
        break;
    case LK_REF_KEY:
        lk_report_ref_set(which, ref->key, NULL, NULL);
        break;
    case LK_REF_CODE:
        lk_report_ref_set(which, 0, ref->code, NULL);
        break;
    }
}

lk_report_component *lk_report_record_add_component(lk_report_record *rec,
                                                    const lk_report_component *c)
{
    lk_grow(&rec->components, sizeof(*rec->components), rec->ncomponents + 1,
            &rec->components_alloc);
    lk_report_component *copy = &rec->components[rec->ncomponents++];
    *copy = *c;
    copy->description = dup_or_null(c->description);
    copy->column = dup_or_null(c->column);
    return copy;
}

lk_report_component *lk_report_record_add_value(lk_report_record *rec, int key,
                                                const char *description, lk_decimal new_value,
                                                bool delete, bool is_supplement)
{
    lk_report_component c = {
        .key = key,
        .description = (char *)description,
        .new_value = delete ? 0 : new_value,
        .delete = delete,
        .is_supplement = is_supplement,
    };
    return lk_report_record_add_component(rec, &c);
}

void lk_report_component_set_old(lk_report_component *c, lk_decimal old_value)
{
    c->has_old = true;
    c->old_value = old_value;
}

lk_report_message *lk_report_record_add_message(lk_report_record *rec, lk_message_origin origin,
                                                const char *type, bool has_code, long code,
                                                const char *description, const char *id)
{
    lk_grow(&rec->messages, sizeof(*rec->messages), rec->nmessages + 1, &rec->messages_alloc);
    lk_report_message *m = &rec->messages[rec->nmessages++];
    m->origin = origin;
    m->type = text_dup(type ? type : "");
    m->has_code = has_code;
    m->code = has_code ? code : 0;
    m->description = text_dup(description ? description : "");
    m->id = dup_or_null(id);
    return m;
}

static bool same_place(const lk_report_rows *s, const char *file, const char *sheet)
{
    if (strcmp(s->file, file))
        return false;
    if (!s->sheet || !sheet)
        return !s->sheet && !sheet;
    return !strcmp(s->sheet, sheet);
}

/* Spans touch when they overlap or are adjacent; care with ULONG_MAX + 1. */
static bool spans_touch(unsigned long a1, unsigned long a2, unsigned long b1, unsigned long b2)
{
    return (a2 == (unsigned long)-1 || b1 <= a2 + 1) && (b2 == (unsigned long)-1 || a1 <= b2 + 1);
}

static void add_rows_clean(lk_report_record *rec, const char *file, const char *sheet,
                           unsigned long first, unsigned long last);

void lk_report_record_add_rows(lk_report_record *rec, const char *file, const char *sheet,
                               unsigned long first, unsigned long last)
{
    /* compare what is stored: a Latin-1 file name must still merge with itself */
    char *clean_file = text_dup(file ? file : "");
    char *clean_sheet = sheet && *sheet ? text_dup(sheet) : NULL;
    add_rows_clean(rec, clean_file, clean_sheet, first, last);
    free(clean_file);
    free(clean_sheet);
}

/* Place order: file, then sheet (none first). */
static int cmp_span_place(const lk_report_rows *s, const char *file, const char *sheet)
{
    int c = strcmp(s->file, file);
    if (c)
        return c;
    if (!s->sheet || !sheet)
        return (s->sheet != NULL) - (sheet != NULL);
    return strcmp(s->sheet, sheet);
}

/*
 * The spans are kept in order of place and first row, without two that touch, so a new span
 * finds its place by binary search and merges only with its neighbours: a record of thousands
 * of scattered rows stays cheap to build.
 */
static void add_rows_clean(lk_report_record *rec, const char *file, const char *sheet,
                           unsigned long first, unsigned long last)
{
    if (last < first) {
        unsigned long t = first;
        first = last;
        last = t;
    }
    /* lo: the first span at or after (place, first) */
    size_t lo = 0, hi = rec->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_span_place(&rec->rows[mid], file, sheet);
        if (c < 0 || (c == 0 && rec->rows[mid].first < first))
            lo = mid + 1;
        else
            hi = mid;
    }
    /* merge with the span before when it touches, then with those after that do */
    size_t from = lo, to = lo;
    if (lo > 0 && same_place(&rec->rows[lo - 1], file, sheet) &&
        spans_touch(rec->rows[lo - 1].first, rec->rows[lo - 1].last, first, last))
        from = lo - 1;
    while (to < rec->nrows && same_place(&rec->rows[to], file, sheet) &&
           spans_touch(rec->rows[to].first, rec->rows[to].last, first, last))
        to++;
    if (from == to) {
        lk_grow(&rec->rows, sizeof(*rec->rows), rec->nrows + 1, &rec->rows_alloc);
        memmove(&rec->rows[lo + 1], &rec->rows[lo], (rec->nrows - lo) * sizeof(*rec->rows));
        rec->nrows++;
        lk_report_rows *s = &rec->rows[lo];
        s->file = xstrdup(file);
        s->sheet = dup_or_null(sheet);
        s->first = first;
        s->last = last;
        return;
    }
    lk_report_rows *keep = &rec->rows[from];
    if (first < keep->first)
        keep->first = first;
    if (last > keep->last)
        keep->last = last;
    for (size_t i = from + 1; i < to; i++) {
        if (rec->rows[i].last > keep->last)
            keep->last = rec->rows[i].last;
        free(rec->rows[i].file);
        free(rec->rows[i].sheet);
    }
    if (to > from + 1) {
        memmove(&rec->rows[from + 1], &rec->rows[to], (rec->nrows - to) * sizeof(*rec->rows));
        rec->nrows -= to - from - 1;
    }
}

void lk_report_record_add_entry_rows(lk_report_record *rec, const lk_entry_set *set,
                                     const lk_entry *e)
{
    lk_row_walk w;
    lk_row_span span;
    lk_row_walk_init(&w, set, e, 0);
    while (lk_row_walk_next(&w, &span)) {
        const lk_row_span *sp = &span;
        const char *file = sp->file < set->nfiles ? set->files[sp->file] : "";
        const char *sheet = sp->sheet && sp->sheet < set->nsheets ? set->sheets[sp->sheet] : NULL;
        lk_report_record_add_rows(rec, file, sheet, sp->first, sp->last);
    }
}

void lk_report_record_set_result(lk_report_record *rec, lk_outcome outcome, int http_status,
                                 unsigned attempts)
{
    rec->outcome = outcome;
    rec->http_status = http_status;
    rec->attempts = attempts;
}

lk_report_issue *lk_report_add_issue(lk_report *r, lk_outcome outcome, const lk_error *err)
{
    lk_grow(&r->issues, sizeof(*r->issues), r->nissues + 1, &r->issues_alloc);
    lk_report_issue *is = &r->issues[r->nissues++];
    memset(is, 0, sizeof(*is));
    is->outcome = outcome == LK_OUTCOME_SKIPPED ? LK_OUTCOME_SKIPPED : LK_OUTCOME_REJECTED;
    if (err)
        is->error = *err;
    else
        lk_error_clear(&is->error);
    error_fix(&is->error);
    is->last_row = is->error.row;
    return is;
}

void lk_report_issue_set_employee(lk_report_issue *is, long employee_number,
                                  const char *employer)
{
    is->employee_number = employee_number;
    snprintf(is->employer_ref, sizeof is->employer_ref, "%s", employer ? employer : "");
}

const char *lk_report_employee_name(const lk_report *r, long employee_number,
                                    const char *employer)
{
    if (!employee_number)
        return NULL;
    for (size_t i = 0; i < r->nrecords; i++) {
        const lk_report_record *rec = r->records[i];
        if (rec->employee_number != employee_number || !rec->employee_name)
            continue;
        if (employer && *employer && rec->employer_ref && strcmp(rec->employer_ref, employer))
            continue;
        return rec->employee_name;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * validate: records from an lk_entry_set
 * ------------------------------------------------------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_long(long long a, long long b)
{
    return (a > b) - (a < b);
}

static int cmp_ref(const lk_ref *a, const lk_ref *b)
{
    int c = cmp_long(a->kind, b->kind);
    if (c)
        return c;
    if (a->kind == LK_REF_KEY)
        return cmp_long(a->key, b->key);
    if (a->kind == LK_REF_CODE)
        return cmp_str(a->code, b->code);
    return 0;
}

/* Entries that end up in one PATCH record: same employment, period, record key, payslip text. */
static int cmp_entry_record(const lk_entry *a, const lk_entry *b)
{
    int c;
    if ((c = cmp_str(a->employee.employer, b->employee.employer)) ||
        (c = cmp_long(a->employee.employee_number, b->employee.employee_number)) ||
        (c = cmp_long(a->employee.payroll_id, b->employee.payroll_id)) ||
        (c = cmp_long(a->employee.income_relationship, b->employee.income_relationship)) ||
        (c = cmp_str(a->employee.employment_id, b->employee.employment_id)) ||
        (c = cmp_long(a->period.kind, b->period.kind)) ||
        (c = cmp_long(a->period.year, b->period.year)) ||
        (c = cmp_long(a->period.number, b->period.number)) ||
        (c = cmp_long(a->period.month, b->period.month)) ||
        (c = cmp_long(a->period.day, b->period.day)) ||
        (c = cmp_ref(&a->record_key.cost_center, &b->record_key.cost_center)) ||
        (c = cmp_ref(&a->record_key.cost_unit, &b->record_key.cost_unit)) ||
        (c = cmp_ref(&a->record_key.distribution_unit, &b->record_key.distribution_unit)) ||
        (c = cmp_ref(&a->record_key.shift, &b->record_key.shift)) ||
        (c = cmp_ref(&a->record_key.payslip_type, &b->record_key.payslip_type)) ||
        (c = cmp_str(a->payslip_text, b->payslip_text)))
        return c;
    return 0;
}

struct entry_order {
    const lk_entry *entries;
    size_t index;
};

static int cmp_entry_order(const void *pa, const void *pb)
{
    const struct entry_order *a = pa, *b = pb;
    int c = cmp_entry_record(&a->entries[a->index], &b->entries[b->index]);
    return c ? c : cmp_long((long long)a->index, (long long)b->index);
}

static void record_from_entry(lk_report_record *rec, const lk_entry *e)
{
    char label[32];
    lk_report_record_set_employer_ref(rec, e->employee.employer);
    rec->employee_number = e->employee.employee_number;
    lk_report_record_set_employment(rec, e->employee.employment_id, e->employee.payroll_id,
                                    e->employee.income_relationship);
    lk_period_ref_format(&e->period, label);
    lk_report_record_set_period_label(rec, label[0] ? label : NULL);
    if (e->period.kind == LK_PERIOD_NUMBER || e->period.kind == LK_PERIOD_WEEK) {
        rec->period_year = e->period.year;
        rec->period_number = e->period.number;
        if (e->period.kind == LK_PERIOD_WEEK)
            rec->period_type = LK_PERIOD_TYPE_WEEK;
    } else if (e->period.kind != LK_PERIOD_NONE) {
        rec->period_year = e->period.year;
    }
    lk_report_ref_from_entry(&rec->record_key.cost_center, &e->record_key.cost_center);
    lk_report_ref_from_entry(&rec->record_key.cost_unit, &e->record_key.cost_unit);
    lk_report_ref_from_entry(&rec->record_key.distribution_unit,
                             &e->record_key.distribution_unit);
    lk_report_ref_from_entry(&rec->record_key.shift, &e->record_key.shift);
    lk_report_ref_from_entry(&rec->record_key.payslip_type, &e->record_key.payslip_type);
    lk_report_record_set_payslip_text(rec, e->payslip_text);
}

/* Input spans of the new records, sorted by place and first row, to find a row's record. */
struct row_owner {
    const char *file, *sheet;
    unsigned long first, last;
    lk_report_record *rec;
};

static int cmp_place(const char *fa, const char *sa, const char *fb, const char *sb)
{
    int c = strcmp(fa, fb);
    return c ? c : strcmp(sa ? sa : "", sb ? sb : "");
}

static int cmp_row_owner(const void *pa, const void *pb)
{
    const struct row_owner *a = pa, *b = pb;
    int c = cmp_place(a->file, a->sheet, b->file, b->sheet);
    return c ? c : cmp_long((long long)a->first, (long long)b->first);
}

static lk_report_record *row_owner_find(const struct row_owner *o, size_t n, const char *file,
                                        const char *sheet, unsigned long row)
{
    /* the last span of this place starting at or before row */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_place(o[mid].file, o[mid].sheet, file, sheet);
        if (c < 0 || (c == 0 && o[mid].first <= row))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct row_owner *s = &o[lo - 1];
    if (cmp_place(s->file, s->sheet, file, sheet) || s->last < row)
        return NULL;
    return s->rec;
}

static void attach_row_issues(lk_report *r, const lk_entry_set *set, size_t first_new)
{
    struct row_owner *o = NULL;
    size_t n = 0, alloc = 0;
    for (size_t i = first_new; i < r->nrecords; i++) {
        lk_report_record *rec = r->records[i];
        for (size_t j = 0; j < rec->nrows; j++) {
            lk_grow(&o, sizeof(*o), n + 1, &alloc);
            o[n++] = (struct row_owner){rec->rows[j].file, rec->rows[j].sheet,
                                        rec->rows[j].first, rec->rows[j].last, rec};
        }
    }
    if (n)
        qsort(o, n, sizeof(*o), cmp_row_owner);
    for (size_t i = 0; i < set->nissues; i++) {
        const lk_row_issue *is = &set->issues[i];
        const lk_error *e = &is->error;
        lk_report_record *rec =
            e->row ? row_owner_find(o, n, e->file, e->sheet[0] ? e->sheet : NULL, e->row) : NULL;
        if (!rec) {
            lk_report_issue *ri =
                lk_report_add_issue(r, is->skipped ? LK_OUTCOME_SKIPPED : LK_OUTCOME_REJECTED, e);
            if (is->last_row > ri->error.row)
                ri->last_row = is->last_row;
            ri->not_data_row = is->before_data;
            lk_report_issue_set_employee(ri, is->employee.employee_number, is->employee.employer);
            continue;
        }
        char where[LK_ERROR_MSG_MAX + 400];
        lk_error_format(e, where, sizeof(where));
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, is->skipped ? "Warning" : "Error",
                                     false, 0, where, NULL);
        if (!is->skipped) {
            rec->outcome = LK_OUTCOME_REJECTED;
            rec->input_error = true;
        }
    }
    free(o);
}

lk_code lk_report_add_entry_set(lk_report *r, const lk_entry_set *set, lk_error *err)
{
    lk_code rc = LK_OK;
    if (r->nfiles == 0) {
        for (size_t i = 0; i < set->nfiles; i++) {
            lk_error ferr;
            lk_error_clear(&ferr);
            if (lk_report_add_file(r, set->files[i], &ferr) != LK_OK && rc == LK_OK) {
                rc = ferr.code;
                if (err)
                    *err = ferr;
            }
        }
    }
    r->rows_read += set->rows_read;
    r->rows_not_listed += set->rows_not_listed;

    size_t first_new = r->nrecords;
    size_t n = set->nentries;
    struct entry_order *order = xcalloc(n ? n : 1, sizeof(*order));
    for (size_t i = 0; i < n; i++) {
        order[i].entries = set->entries;
        order[i].index = i;
    }
    qsort(order, n, sizeof(*order), cmp_entry_order);
    /* group[i]: the record of entry i; records are created in input order of their first entry */
    size_t *group = xcalloc(n ? n : 1, sizeof(*group));
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_entry_record(&set->entries[order[i - 1].index],
                                      &set->entries[order[i].index]) == 0) {
            group[order[i].index] = group[order[i - 1].index];
        } else {
            group[order[i].index] = ngroups++;
        }
    }
    lk_report_record **recs = xcalloc(ngroups ? ngroups : 1, sizeof(*recs));
    for (size_t i = 0; i < n; i++) {
        const lk_entry *e = &set->entries[i];
        lk_report_record *rec = recs[group[i]];
        if (!rec) {
            rec = recs[group[i]] = lk_report_add_record(r);
            record_from_entry(rec, e);
            rec->outcome = LK_OUTCOME_VALID;
        }
        lk_report_component *c = lk_report_record_add_value(rec, e->component, NULL,
                                                            lk_entry_shown_value(e),
                                                            e->value_null, e->is_supplement);
        c->column = dup_or_null(e->column_header);
        lk_report_record_add_entry_rows(rec, set, e);
    }
    free(recs);
    free(group);
    free(order);

    attach_row_issues(r, set, first_new);
    return rc;
}

void lk_report_add_input_warnings(lk_report *r, const lk_entry_set *set)
{
    for (size_t f = 0; f < set->nfiles && set->file_info; f++) {
        const lk_file_info *fi = &set->file_info[f];
        if (fi->unterminated_row && !fi->totals_differ)
            lk_report_add_warning(r,
                                  _("%s: row %lu, the last, has no line break after it: was the "
                                    "file cut off? Its last value reads \"%s\"; check it "
                                    "(input.totalsRow in the mapping catches a cut file)"),
                                  set->files[f], fi->unterminated_row, fi->unterminated_value);
        for (size_t i = 0; i < fi->nignored; i++) {
            const lk_ignored_column *ic = &fi->ignored[i];
            char letter[8];
            if (!ic->header[0] && !ic->values)
                continue;   /* an empty column under an empty cell is layout */
            lk_report_add_warning(r,
                                  ngettext("%s: ignored column %s: header \"%s\" is not a "
                                           "component number (%lu value below it)",
                                           "%s: ignored column %s: header \"%s\" is not a "
                                           "component number (%lu values below it)",
                                           ic->values),
                                  set->files[f], lk_column_letter(ic->column, letter),
                                  ic->header, ic->values);
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * Reading the model
 * ------------------------------------------------------------------------------------------- */

static unsigned long rows_count(const lk_report_rows *rows, size_t n)
{
    unsigned long total = 0;
    for (size_t i = 0; i < n; i++)
        total += rows[i].last - rows[i].first + 1;
    return total;
}

void lk_report_totals_get(const lk_report *r, lk_report_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < r->nrecords; i++) {
        const lk_report_record *rec = r->records[i];
        if ((unsigned)rec->outcome < LK_OUTCOME_COUNT)
            t->records[rec->outcome]++;
        t->rows_in_records += rows_count(rec->rows, rec->nrows);
        t->messages += rec->nmessages;
    }
    /* a row with two bad cells is two issues but one row: rows are counted once */
    lk_hashmap *seen = lk_hashmap_new(r->nissues + 1);
    for (size_t i = 0; i < r->nissues; i++) {
        const lk_report_issue *is = &r->issues[i];
        if ((unsigned)is->outcome < LK_OUTCOME_COUNT)
            t->issues[is->outcome]++;
        if (!is->error.row || is->not_data_row)
            continue;
        char key[sizeof is->error.file + sizeof is->error.sheet + 24];
        snprintf(key, sizeof key, "%s|%s|%lu", is->error.file, is->error.sheet, is->error.row);
        if (lk_hashmap_get(seen, key))
            continue;
        lk_hashmap_put(seen, key, (void *)1);
        t->rows_in_issues += is->last_row >= is->error.row ? is->last_row - is->error.row + 1
                                                           : 1;
    }
    lk_hashmap_free(seen);
    t->rows_in_issues += r->rows_not_listed;
}

static int cmp_component_total(const void *pa, const void *pb)
{
    const lk_report_component_total *a = pa, *b = pb;
    return (a->key > b->key) - (a->key < b->key);
}

lk_report_component_total *lk_report_component_totals(const lk_report *r, unsigned mask,
                                                       size_t *n)
{
    lk_report_component_total *t = NULL;
    size_t nt = 0, alloc = 0;
    for (size_t i = 0; i < r->nrecords; i++) {
        const lk_report_record *rec = r->records[i];
        if (mask && !(mask & (1u << rec->outcome)))
            continue;
        for (size_t j = 0; j < rec->ncomponents; j++) {
            const lk_report_component *c = &rec->components[j];
            size_t k = 0;
            while (k < nt && t[k].key != c->key)
                k++;
            if (k == nt) {
                lk_grow(&t, sizeof(*t), nt + 1, &alloc);
                memset(&t[nt], 0, sizeof(*t));
                t[nt++].key = c->key;
            }
            if (!t[k].description && c->description)
                t[k].description = c->description;
            t[k].count++;
            if (!c->delete && !t[k].overflow && !lk_decimal_add(t[k].sum, c->new_value, &t[k].sum))
                t[k].overflow = true;
        }
    }
    if (nt)
        qsort(t, nt, sizeof(*t), cmp_component_total);
    *n = nt;
    return t;
}

int lk_report_exit_code(const lk_report *r)
{
    if (r->has_error && r->error.code != LK_OK)
        return lk_exit_code(r->error.code);
    bool input_errors = false, sent = false, some_failed = false;
    for (size_t i = 0; i < r->nissues; i++)
        if (r->issues[i].outcome == LK_OUTCOME_REJECTED)
            input_errors = true;
    for (size_t i = 0; i < r->nrecords; i++) {
        const lk_report_record *rec = r->records[i];
        if (rec->outcome == LK_OUTCOME_REJECTED && rec->input_error)
            input_errors = true;
        if (rec->attempts > 0)
            sent = true;
        if (rec->outcome == LK_OUTCOME_REJECTED || rec->outcome == LK_OUTCOME_FAILED ||
            rec->outcome == LK_OUTCOME_NOT_SENT)
            some_failed = true;
    }
    if (input_errors && !sent)
        return LK_EXIT_INPUT;
    if (input_errors || some_failed)
        return LK_EXIT_REJECTED;
    return LK_EXIT_OK;
}

const char *lk_exit_code_meaning(int code)
{
    switch (code) {
    case LK_EXIT_OK: return _("all done");
    case LK_EXIT_REJECTED: return _("some employments rejected or failed: see the report");
    case LK_EXIT_INPUT: return _("input or mapping errors: nothing was sent");
    case LK_EXIT_CONFIG:
        return _("configuration, login, connection or report file error");
    case LK_EXIT_INTERNAL: return _("internal error");
    case LK_EXIT_INTERRUPTED: return _("interrupted: run again with --resume to finish");
    case LK_EXIT_USAGE: return _("usage error: the command line is wrong (see --help)");
    }
    return _("unknown exit code");
}
