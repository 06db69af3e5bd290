/*
 * mapping.c: loads mappings/NAME.json (cJSON) into an lk_mapping and checks it whole.
 *
 * Every object's keys are checked against the keys it may have, so a misspelt key is an error
 * with a did-you-mean instead of a silently ignored setting (a silently ignored "blank": "zero"
 * or "isSuplement" would send wrong payslips). Every message starts with the JSON key path:
 *   mappings/uren.json: components[2].scael: unknown key; did you mean "scale"?
 */
#include "mapping/mapping.h"

#include "mapping/checks.h"

#include "common/i18n.h"
#include "common/util.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const lk_record_key_names[LK_RK_COUNT] = {
    "costCenter", "costUnit", "distributionUnit", "shift", "payslipType"
};

#define MAX_MAPPING_BYTES (4u << 20)
#define MAX_COMPONENT_KEY 99999

typedef struct loader {
    const char *file;
    lk_error *err;
    lk_mapping *m;
} loader;

/* ---------------------------------------------------------------- errors and did-you-mean */

size_t lk_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

__attribute__((format(printf, 3, 4)))
static bool fail(loader *L, const char *path, const char *fmt, ...)
{
    char msg[LK_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lk_error_clear(L->err);
    lk_error_at(L->err, L->file, NULL, 0, LK_NO_COLUMN, NULL);
    if (path && *path)
        lk_error_set(L->err, LK_ERR_MAPPING, "%s: %s", path, msg);
    else
        lk_error_set(L->err, LK_ERR_MAPPING, "%s", msg);
    return false;
}

static const char *suggest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; allowed[i]; i++) {
        size_t d = lk_edit_distance(key, allowed[i]);
        if (d < best_d) {
            best_d = d;
            best = allowed[i];
        }
    }
    size_t len = strlen(key);
    if (best && (best_d <= 2 || best_d <= len / 3))
        return best;
    return NULL;
}

static void join_path(char *out, size_t size, const char *path, const char *key)
{
    if (path && *path)
        snprintf(out, size, "%s.%s", path, key);
    else
        snprintf(out, size, "%s", key);
}

/* The object's keys must all be in allowed; "$comment" is allowed everywhere. */
static bool check_keys(loader *L, const cJSON *obj, const char *path, const char *const *allowed)
{
    char p[256];
    if (!cJSON_IsObject(obj))
        return fail(L, path, _("expected an object"));
    for (const cJSON *it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        bool ok = !strcmp(k, "$comment");
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = !strcmp(k, allowed[i]);
        if (ok) {
            /* cJSON keeps duplicates; the first would win silently */
            for (const cJSON *o = obj->child; o != it; o = o->next)
                if (o->string && !strcmp(o->string, k)) {
                    join_path(p, sizeof(p), path, k);
                    return fail(L, p, _("key given twice"));
                }
            continue;
        }
        join_path(p, sizeof(p), path, k);
        const char *s = suggest(k, allowed);
        if (s)
            return fail(L, p, _("unknown key; did you mean \"%s\"?"), s);
        return fail(L, p, _("unknown key"));
    }
    return true;
}

/* ---------------------------------------------------------------- typed getters */

static bool get_string(loader *L, const cJSON *obj, const char *key, const char *path,
                       const char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!it)
        return true;
    char p[256];
    join_path(p, sizeof(p), path, key);
    if (!cJSON_IsString(it) || !it->valuestring)
        return fail(L, p, _("expected a string"));
    *out = it->valuestring;
    return true;
}

static bool get_int(loader *L, const cJSON *obj, const char *key, const char *path, long min,
                    long max, long *out, bool *present)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (present)
        *present = it != NULL;
    if (!it)
        return true;
    char p[256];
    join_path(p, sizeof(p), path, key);
    if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble))
        return fail(L, p, _("expected a whole number"));
    /* range first: casting 1e40 to long is undefined */
    if (it->valuedouble < (double)min || it->valuedouble > (double)max)
        return fail(L, p, _("must be from %ld to %ld"), min, max);
    long v = (long)it->valuedouble;
    *out = v;
    return true;
}

static bool get_bool(loader *L, const cJSON *obj, const char *key, const char *path, bool *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return true;
    char p[256];
    join_path(p, sizeof(p), path, key);
    if (!cJSON_IsBool(it))
        return fail(L, p, _("expected true or false"));
    *out = cJSON_IsTrue(it);
    return true;
}

/* A decimal from a JSON number or a string like "0.5" (exact). */
static bool get_decimal(loader *L, const cJSON *obj, const char *key, const char *path,
                        lk_decimal *out, bool *present)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = it != NULL;
    if (!it)
        return true;
    char p[256];
    join_path(p, sizeof(p), path, key);
    if (cJSON_IsString(it) && it->valuestring && lk_parse_machine_number(it->valuestring, out))
        return true;
    if (cJSON_IsNumber(it) && lk_decimal_from_double(it->valuedouble, out))
        return true;
    return fail(L, p, _("expected a number"));
}

/* One of the words; returns its index in *out. */
static bool get_enum(loader *L, const cJSON *obj, const char *key, const char *path,
                     const char *const *words, int *out)
{
    const char *s;
    if (!get_string(L, obj, key, path, &s))
        return false;
    if (!s)
        return true;
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(s, words[i])) {
            *out = i;
            return true;
        }
    char p[256], list[256] = "";
    join_path(p, sizeof(p), path, key);
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof(list) - n, "%s\"%s\"", i ? ", " : "", words[i]);
    }
    const char *sg = suggest(s, words);
    if (sg)
        return fail(L, p, _("\"%s\" is not one of %s; did you mean \"%s\"?"), s, list, sg);
    return fail(L, p, _("\"%s\" is not one of %s"), s, list);
}

/* ---------------------------------------------------------------- columns */

static bool parse_letter(const char *s, size_t *out)
{
    size_t v = 0, n = 0;
    for (; *s; s++, n++) {
        if (n >= 3 || !isalpha((unsigned char)*s))
            return false;
        v = v * 26 + (size_t)(toupper((unsigned char)*s) - 'A' + 1);
    }
    if (n == 0 || v > 16384)
        return false;
    *out = v - 1;
    return true;
}

static void colref_init(lk_colref *c)
{
    c->name = NULL;
    c->letter = LK_NO_COLUMN;
    c->path = NULL;
}

static void colref_free(lk_colref *c)
{
    free(c->name);
    free(c->path);
    colref_init(c);
}

/* Reads "column" / "letter" from obj (other keys are the caller's); neither is fine here. */
static bool colref_fields(loader *L, const cJSON *obj, const char *path, lk_colref *c)
{
    const char *name, *letter;
    char p[256];
    if (!get_string(L, obj, "column", path, &name) || !get_string(L, obj, "letter", path, &letter))
        return false;
    if (name && letter)
        return fail(L, path, _("give \"column\" (header text) or \"letter\", not both"));
    if (name) {
        if (!*name) {
            join_path(p, sizeof(p), path, "column");
            return fail(L, p, _("empty header text"));
        }
        c->name = xstrdup(name);
    }
    if (letter) {
        join_path(p, sizeof(p), path, "letter");
        if (!parse_letter(letter, &c->letter))
            return fail(L, p, _("\"%s\" is not a column letter (A to XFD)"), letter);
    }
    if (name || letter)
        c->path = xstrdup(path);
    return true;
}

/* A column given as "Header text" or {"column": ...} / {"letter": ...}. */
static bool colref_value(loader *L, const cJSON *it, const char *path, lk_colref *c)
{
    static const char *const keys[] = { "column", "letter", NULL };
    if (!it)
        return true;
    if (cJSON_IsString(it) && it->valuestring) {
        if (!*it->valuestring)
            return fail(L, path, _("empty header text"));
        c->name = xstrdup(it->valuestring);
        c->path = xstrdup(path);
        return true;
    }
    if (!cJSON_IsObject(it))
        return fail(L, path, _("expected a header text or {\"column\": ...} or {\"letter\": ...}"));
    if (!check_keys(L, it, path, keys) || !colref_fields(L, it, path, c))
        return false;
    if (!lk_colref_used(c))
        return fail(L, path, _("give \"column\" or \"letter\""));
    return true;
}

/* ---------------------------------------------------------------- sections */

static const char *const format_words[] = { "number", "duration", "percent", NULL };
static const char *const blank_words[] = { "skip", "zero", "null", NULL };

/* Value settings shared by components[] and defaults. */
static bool value_settings(loader *L, const cJSON *obj, const char *path, lk_component_spec *s)
{
    bool present;
    long round = s->round;
    int format = (int)s->format, blank = (int)s->blank;
    char p[256];
    if (!get_decimal(L, obj, "scale", path, &s->scale, &present))
        return false;
    if (present && s->scale == 0) {
        join_path(p, sizeof(p), path, "scale");
        return fail(L, p, _("must not be 0"));
    }
    if (!get_decimal(L, obj, "divideBy", path, &s->divide_by, &present))
        return false;
    if (present && s->divide_by <= 0) {
        join_path(p, sizeof(p), path, "divideBy");
        return fail(L, p, _("must be greater than 0"));
    }
    if (!get_int(L, obj, "round", path, 0, 6, &round, NULL) ||
        !get_enum(L, obj, "format", path, format_words, &format) ||
        !get_enum(L, obj, "blank", path, blank_words, &blank) ||
        !get_bool(L, obj, "isSupplement", path, &s->is_supplement) ||
        !get_bool(L, obj, "allowNegative", path, &s->allow_negative))
        return false;
    lk_decimal v;
    if (!get_decimal(L, obj, "min", path, &v, &present))
        return false;
    if (present) {
        s->has_min = true;
        s->min = v;
    }
    if (!get_decimal(L, obj, "max", path, &v, &present))
        return false;
    if (present) {
        s->has_max = true;
        s->max = v;
    }
    if (s->has_min && s->has_max && s->min > s->max) {
        join_path(p, sizeof(p), path, "min");
        return fail(L, p, _("is greater than \"max\""));
    }
    if (s->has_min && s->min < 0 && !s->allow_negative) {
        join_path(p, sizeof(p), path, "min");
        return fail(L, p, _("is negative, but negative values are refused: add "
                    "\"allowNegative\": true for corrections"));
    }
    s->round = (int)round;
    s->format = (lk_value_format)format;
    s->blank = (lk_blank_rule)blank;
    return true;
}

static bool load_defaults(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "scale", "divideBy", "round", "format", "isSupplement",
                                        "blank", "min", "max", "allowNegative", NULL };
    if (!obj)
        return true;
    return check_keys(L, obj, "defaults", keys) &&
           value_settings(L, obj, "defaults", &L->m->defaults);
}

static bool load_components(loader *L, const cJSON *arr)
{
    static const char *const keys[] = { "component", "name", "column", "letter", "code", "scale",
                                        "divideBy", "round", "format", "isSupplement", "blank",
                                        "min", "max", "allowNegative", NULL };
    lk_mapping *m = L->m;
    if (!arr)
        return true;
    if (!cJSON_IsArray(arr))
        return fail(L, "components", _("expected an array"));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    m->components = xcalloc(n ? n : 1, sizeof(lk_component_spec));
    for (const cJSON *it = arr->child; it; it = it->next) {
        char path[64];
        snprintf(path, sizeof(path), "components[%zu]", m->ncomponents);
        lk_component_spec *s = &m->components[m->ncomponents++];
        *s = m->defaults;
        s->name = NULL;
        s->code = NULL;
        colref_init(&s->column);
        s->path = xstrdup(path);
        if (!check_keys(L, it, path, keys))
            return false;
        long key = 0;
        bool has_key;
        const char *name, *code;
        if (!get_int(L, it, "component", path, 1, MAX_COMPONENT_KEY, &key, &has_key) ||
            !get_string(L, it, "name", path, &name) || !get_string(L, it, "code", path, &code) ||
            !colref_fields(L, it, path, &s->column) || !value_settings(L, it, path, s))
            return false;
        if (!has_key)
            return fail(L, path, _("\"component\" (the payroll component key) is missing"));
        s->component = (int)key;
        s->name = name ? xstrdup(name) : NULL;
        if (code) {
            if (!*code) {
                char p[96];
                join_path(p, sizeof(p), path, "code");
                return fail(L, p, _("empty code"));
            }
            s->code = xstrdup(code);
        }
    }
    return true;
}

/* A rule that selects rows by one cell: a skipRows entry, or the totalsRow. */
static bool row_rule(loader *L, const cJSON *it, const char *path, lk_skip_rule *r)
{
    static const char *const skip_keys[] = { "column", "letter", "matches", "blank", "reason",
                                             NULL };
    colref_init(&r->column);
    const char *pattern, *reason;
    bool blank = false;
    if (!check_keys(L, it, path, skip_keys) || !colref_fields(L, it, path, &r->column) ||
        !get_string(L, it, "matches", path, &pattern) ||
        !get_bool(L, it, "blank", path, &blank) ||
        !get_string(L, it, "reason", path, &reason))
        return false;
    if (!lk_colref_used(&r->column))
        return fail(L, path, _("give the \"column\" or \"letter\" to test"));
    if (!pattern == !blank)
        return fail(L, path, _("give either \"matches\" (a pattern like \"Totaal*\") or "
                    "\"blank\": true"));
    if (pattern && !*pattern)
        return fail(L, path, _("\"matches\" is empty; use \"blank\": true for empty cells"));
    r->test = pattern ? LK_SKIP_MATCHES : LK_SKIP_BLANK;
    r->pattern = pattern ? xstrdup(pattern) : NULL;
    r->reason = reason ? xstrdup(reason) : NULL;
    return true;
}

static bool load_input(loader *L, const cJSON *in)
{
    static const char *const keys[] = { "type", "delimiter", "quote", "encoding",
                                        "decimalSeparator", "thousandsSeparator", "headerRow",
                                        "firstDataRow", "sheet", "skipRows", "totalsRow",
                                        NULL };
    static const char *const type_words[] = { "auto", "csv", "xlsx", NULL };
    static const char *const enc_words[] = { "auto", "utf-8", "windows-1252", "latin1", "utf8",
                                             "cp1252", "iso-8859-1", NULL };
    static const lk_encoding enc_values[] = { LK_ENC_AUTO, LK_ENC_UTF8, LK_ENC_CP1252,
                                              LK_ENC_LATIN1, LK_ENC_UTF8, LK_ENC_CP1252,
                                              LK_ENC_LATIN1 };
    lk_mapping *m = L->m;
    if (!in)
        return true;
    if (!check_keys(L, in, "input", keys))
        return false;
    int type = 0, enc = 0;
    if (!get_enum(L, in, "type", "input", type_words, &type) ||
        !get_enum(L, in, "encoding", "input", enc_words, &enc))
        return false;
    m->reader.type = (lk_file_type)type;
    m->reader.encoding = enc_values[enc];

    const char *s;
    if (!get_string(L, in, "delimiter", "input", &s))
        return false;
    if (s && strcasecmp(s, "auto")) {
        if (!strcmp(s, "\\t") || !strcasecmp(s, "tab"))
            m->reader.delimiter = '\t';
        else if (strlen(s) == 1 && !isalnum((unsigned char)*s) && *s != '"' && *s != '\n' &&
                 *s != '\r')
            m->reader.delimiter = *s;
        else
            return fail(L, "input.delimiter", _("\"%s\" is not a delimiter (\"auto\", \";\", \",\", "
                        "\"tab\", \"|\")"), s);
    }
    if (!get_string(L, in, "quote", "input", &s))
        return false;
    if (s) {
        if (strlen(s) != 1 || isalnum((unsigned char)*s) || *s == m->reader.delimiter)
            return fail(L, "input.quote", _("\"%s\" is not a quote character"), s);
        m->reader.quote = *s;
    }
    if (!get_string(L, in, "decimalSeparator", "input", &s))
        return false;
    if (s && strcasecmp(s, "auto")) {
        if (strcmp(s, ",") && strcmp(s, "."))
            return fail(L, "input.decimalSeparator", _("\"%s\" is not one of \"auto\", \",\", \".\""),
                        s);
        m->decimal_sep = *s;
    }
    if (!get_string(L, in, "thousandsSeparator", "input", &s))
        return false;
    if (s && strcasecmp(s, "auto")) {
        if (!strcasecmp(s, "none"))
            m->thousands_sep = 'n';
        else if (!strcmp(s, ".") || !strcmp(s, ",") || !strcmp(s, " "))
            m->thousands_sep = *s;
        else
            return fail(L, "input.thousandsSeparator",
                        _("\"%s\" is not one of \"auto\", \"none\", \".\", \",\", \" \""), s);
        if (m->thousands_sep == m->decimal_sep)
            return fail(L, "input.thousandsSeparator", _("must differ from decimalSeparator"));
    }
    long v = 0;
    bool present;
    if (!get_int(L, in, "headerRow", "input", 0, 1048576, &v, &present))
        return false;
    if (present)
        m->header_row = (unsigned long)v;
    if (!get_int(L, in, "firstDataRow", "input", 1, 1048576, &v, &present))
        return false;
    if (present)
        m->first_data_row = (unsigned long)v;

    const cJSON *sheet = cJSON_GetObjectItemCaseSensitive(in, "sheet");
    if (sheet) {
        if (cJSON_IsString(sheet) && sheet->valuestring && *sheet->valuestring) {
            m->sheet_name = xstrdup(sheet->valuestring);
            m->reader.sheet_name = m->sheet_name;
        } else if (cJSON_IsNumber(sheet) && sheet->valuedouble >= 1 &&
                   sheet->valuedouble <= 10000 &&
                   sheet->valuedouble == (double)(int)sheet->valuedouble) {
            m->reader.sheet_index = (int)sheet->valuedouble;
        } else {
            return fail(L, "input.sheet", _("expected a sheet name or a sheet number (1 = first)"));
        }
    }

    const cJSON *skips = cJSON_GetObjectItemCaseSensitive(in, "skipRows");
    if (skips) {
        if (!cJSON_IsArray(skips))
            return fail(L, "input.skipRows", _("expected an array"));
        size_t n = (size_t)cJSON_GetArraySize(skips);
        m->skips = xcalloc(n ? n : 1, sizeof(lk_skip_rule));
        for (const cJSON *it = skips->child; it; it = it->next) {
            char path[64];
            snprintf(path, sizeof(path), "input.skipRows[%zu]", m->nskips);
            if (!row_rule(L, it, path, &m->skips[m->nskips++]))
                return false;
        }
    }
    const cJSON *totals = cJSON_GetObjectItemCaseSensitive(in, "totalsRow");
    if (totals) {
        if (!cJSON_IsObject(totals))
            return fail(L, "input.totalsRow", _("expected an object like a skipRows entry: "
                        "{\"column\": \"Naam\", \"matches\": \"Totaal*\"}"));
        m->totals_row = xcalloc(1, sizeof(lk_skip_rule));
        if (!row_rule(L, totals, "input.totalsRow", m->totals_row))
            return false;
    }
    return true;
}

static bool load_employee(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "employeeNumber", "payrollId",
                                        "incomeRelationshipNumber", "employmentId", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return fail(L, "employee", _("missing: say which column holds the employee number "
                    "(\"employee\": {\"employeeNumber\": \"Personeelsnummer\"})"));
    if (!check_keys(L, obj, "employee", keys) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "employeeNumber"),
                      "employee.employeeNumber", &m->employee_number) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "payrollId"),
                      "employee.payrollId", &m->payroll_id) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "incomeRelationshipNumber"),
                      "employee.incomeRelationshipNumber", &m->income_relationship) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "employmentId"),
                      "employee.employmentId", &m->employment_id))
        return false;
    if (!lk_colref_used(&m->employee_number) && !lk_colref_used(&m->employment_id))
        return fail(L, "employee", _("give \"employeeNumber\" or \"employmentId\""));
    if (!lk_colref_used(&m->employee_number) &&
        (lk_colref_used(&m->payroll_id) || lk_colref_used(&m->income_relationship)))
        return fail(L, "employee", _("\"payrollId\" and \"incomeRelationshipNumber\" narrow down "
                    "an employee number; give \"employeeNumber\" too"));
    return true;
}

static bool load_employer(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "clientNumber", "column", "letter", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return true;
    if (!check_keys(L, obj, "employer", keys))
        return false;
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(obj, "clientNumber");
    if (cn) {
        char buf[32];
        if (cJSON_IsString(cn) && cn->valuestring && *cn->valuestring)
            m->employer_fixed = xstrdup(cn->valuestring);
        else if (cJSON_IsNumber(cn) && cn->valuedouble >= 1 && cn->valuedouble < 1e12 &&
                 cn->valuedouble == (double)(long long)cn->valuedouble) {
            snprintf(buf, sizeof(buf), "%lld", (long long)cn->valuedouble);
            m->employer_fixed = xstrdup(buf);
        } else
            return fail(L, "employer.clientNumber", _("expected a client number such as 40101"));
    }
    if (!colref_fields(L, obj, "employer", &m->employer_column))
        return false;
    if (!!m->employer_fixed == lk_colref_used(&m->employer_column))
        return fail(L, "employer", _("give either \"clientNumber\" or the \"column\"/\"letter\" "
                    "holding it"));
    return true;
}

static bool load_period(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "source", "value", "column", "letter", "calendar", NULL };
    static const char *const sources[] = { "commandLine", "fixed", "column", "date", NULL };
    static const char *const calendars[] = { "month", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return true;
    int source = 0;
    const char *value;
    if (!check_keys(L, obj, "period", keys) ||
        !get_enum(L, obj, "source", "period", sources, &source) ||
        !get_string(L, obj, "value", "period", &value) ||
        !colref_fields(L, obj, "period", &m->period_column))
        return false;
    if (!cJSON_GetObjectItemCaseSensitive(obj, "source"))
        return fail(L, "period.source", _("missing: \"commandLine\", \"fixed\", \"column\" or "
                    "\"date\""));
    int calendar = -1;
    if (!get_enum(L, obj, "calendar", "period", calendars, &calendar))
        return false;
    if (calendar >= 0 && source != LK_PSRC_DATE)
        return fail(L, "period.calendar", _("only with source \"date\""));
    m->period_calendar_month = calendar == 0;
    m->period_source = (lk_period_source)source;
    bool col = lk_colref_used(&m->period_column);
    switch (m->period_source) {
    case LK_PSRC_COMMAND_LINE:
        if (value || col)
            return fail(L, "period", _("source \"commandLine\" takes no \"value\" or column"));
        break;
    case LK_PSRC_FIXED:
        if (!value)
            return fail(L, "period.value", _("missing: e.g. \"2026-11\" or \"2026-P11\""));
        if (!lk_parse_period(value, &m->period_fixed))
            return fail(L, "period.value",
                        _("\"%s\" is not a period (\"2026-11\", \"2026-P11\" or \"2026-W47\")"), value);
        if (col)
            return fail(L, "period", _("source \"fixed\" takes no column"));
        break;
    case LK_PSRC_COLUMN:
    case LK_PSRC_DATE:
        if (!col)
            return fail(L, "period", _("source \"%s\" needs the \"column\" or \"letter\""),
                        sources[source]);
        if (value)
            return fail(L, "period.value", _("only with source \"fixed\""));
        break;
    }
    return true;
}

static bool load_record_key(loader *L, const cJSON *obj)
{
    static const char *const field_keys[] = { "column", "letter", "by", "key", "code", NULL };
    static const char *const by_words[] = { "code", "key", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return true;
    static const char *const keys[] = { "costCenter", "costUnit", "distributionUnit", "shift",
                                        "payslipType", NULL };
    if (!check_keys(L, obj, "recordKey", keys))
        return false;
    for (int i = 0; i < LK_RK_COUNT; i++) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, lk_record_key_names[i]);
        if (!f)
            continue;
        char path[64];
        snprintf(path, sizeof(path), "recordKey.%s", lk_record_key_names[i]);
        lk_ref_spec *r = &m->record_key[i];
        int by = 0;
        long key = 0;
        bool has_key;
        const char *code;
        if (cJSON_IsString(f) && f->valuestring && *f->valuestring) {
            /* shorthand: a header text, read as code */
            r->source = LK_SRC_COLUMN;
            r->by = LK_REF_CODE;
            r->column.name = xstrdup(f->valuestring);
            r->column.path = xstrdup(path);
            continue;
        }
        if (!check_keys(L, f, path, field_keys) || !colref_fields(L, f, path, &r->column) ||
            !get_enum(L, f, "by", path, by_words, &by) ||
            !get_int(L, f, "key", path, 1, 999999999, &key, &has_key) ||
            !get_string(L, f, "code", path, &code))
            return false;
        int given = lk_colref_used(&r->column) + has_key + (code != NULL);
        if (given != 1)
            return fail(L, path, _("give exactly one of \"column\"/\"letter\", \"key\" or \"code\""));
        if (cJSON_GetObjectItemCaseSensitive(f, "by") && !lk_colref_used(&r->column))
            return fail(L, path, _("\"by\" only applies to a column"));
        if (lk_colref_used(&r->column)) {
            r->source = LK_SRC_COLUMN;
            r->by = by == 1 ? LK_REF_KEY : LK_REF_CODE;
        } else if (has_key) {
            r->source = LK_SRC_CONSTANT;
            r->by = LK_REF_KEY;
            r->key = (int)key;
        } else {
            if (!*code)
                return fail(L, path, _("empty code"));
            r->source = LK_SRC_CONSTANT;
            r->by = LK_REF_CODE;
            r->code = xstrdup(code);
        }
    }
    return true;
}

static bool load_payslip_text(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "column", "letter", "value", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return true;
    const char *value;
    if (!check_keys(L, obj, "payslipText", keys) ||
        !colref_fields(L, obj, "payslipText", &m->payslip_text_column) ||
        !get_string(L, obj, "value", "payslipText", &value))
        return false;
    if (!!value == lk_colref_used(&m->payslip_text_column))
        return fail(L, "payslipText", _("give either \"value\" or the \"column\"/\"letter\""));
    if (value)
        m->payslip_text_fixed = xstrdup(value);
    return true;
}

static bool load_long(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "componentColumn", "valueColumn", "acceptKeys", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return fail(L, "long", _("missing: layout \"long\" needs \"long\": {\"componentColumn\": "
                    "..., \"valueColumn\": ...}"));
    if (!check_keys(L, obj, "long", keys) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "componentColumn"),
                      "long.componentColumn", &m->long_component) ||
        !colref_value(L, cJSON_GetObjectItemCaseSensitive(obj, "valueColumn"),
                      "long.valueColumn", &m->long_value) ||
        !get_bool(L, obj, "acceptKeys", "long", &m->long_accept_keys))
        return false;
    if (!lk_colref_used(&m->long_component))
        return fail(L, "long.componentColumn", _("missing"));
    if (!lk_colref_used(&m->long_value))
        return fail(L, "long.valueColumn", _("missing"));
    return true;
}

static bool load_component_row(loader *L, const cJSON *obj)
{
    static const char *const keys[] = { "row", "nameRow", "firstColumn", "lastColumn", NULL };
    lk_mapping *m = L->m;
    if (!obj)
        return fail(L, "componentRow", _("missing: layout \"componentRow\" needs "
                    "\"componentRow\": {\"row\": 5}"));
    long row = 0, name_row = 0;
    bool has_row;
    const char *first, *last;
    if (!check_keys(L, obj, "componentRow", keys) ||
        !get_int(L, obj, "row", "componentRow", 1, 1048576, &row, &has_row) ||
        !get_int(L, obj, "nameRow", "componentRow", 1, 1048576, &name_row, NULL) ||
        !get_string(L, obj, "firstColumn", "componentRow", &first) ||
        !get_string(L, obj, "lastColumn", "componentRow", &last))
        return false;
    if (!has_row)
        return fail(L, "componentRow.row", _("missing: the row holding the component numbers"));
    m->component_row = (unsigned long)row;
    m->component_name_row = (unsigned long)name_row;
    if (first && !parse_letter(first, &m->first_value_column))
        return fail(L, "componentRow.firstColumn", _("\"%s\" is not a column letter"), first);
    if (last && !parse_letter(last, &m->last_value_column))
        return fail(L, "componentRow.lastColumn", _("\"%s\" is not a column letter"), last);
    if (first && last && m->last_value_column < m->first_value_column)
        return fail(L, "componentRow.lastColumn", _("lies before firstColumn"));
    return true;
}

/* ---------------------------------------------------------------- whole-mapping checks */

static bool same_column(const lk_colref *a, const lk_colref *b)
{
    if (a->name && b->name)
        return !strcasecmp(a->name, b->name);
    return !a->name && !b->name && a->letter == b->letter && a->letter != LK_NO_COLUMN;
}

static bool check_layout(loader *L)
{
    lk_mapping *m = L->m;
    for (size_t i = 0; i < m->ncomponents; i++) {
        lk_component_spec *s = &m->components[i];
        switch (m->layout) {
        case LK_LAYOUT_WIDE:
            if (!lk_colref_used(&s->column))
                return fail(L, s->path, _("give the \"column\" (header text) or \"letter\" holding "
                            "component %d"), s->component);
            if (s->code)
                return fail(L, s->path, _("\"code\" is for the long layout"));
            for (size_t j = 0; j < i; j++)
                if (same_column(&s->column, &m->components[j].column))
                    return fail(L, s->path, _("the same column as %s"), m->components[j].path);
            break;
        case LK_LAYOUT_LONG:
            if (lk_colref_used(&s->column))
                return fail(L, s->path, _("in the long layout components are selected by \"code\" "
                            "or key, not by column"));
            for (size_t j = 0; j < i; j++) {
                const lk_component_spec *o = &m->components[j];
                bool clash = s->code && o->code ? !strcasecmp(s->code, o->code)
                                                : !s->code && !o->code && s->component == o->component;
                if (clash)
                    return fail(L, s->path, _("selects the same cells as %s"), o->path);
            }
            break;
        case LK_LAYOUT_COMPONENT_ROW:
            if (lk_colref_used(&s->column) || s->code)
                return fail(L, s->path, _("in the componentRow layout the file names the columns; "
                            "list a component here only to change its settings"));
            for (size_t j = 0; j < i; j++)
                if (m->components[j].component == s->component)
                    return fail(L, s->path, _("component %d is listed twice"), s->component);
            break;
        }
    }
    if (m->layout == LK_LAYOUT_WIDE && m->ncomponents == 0)
        return fail(L, "components", _("the wide layout needs one component column or more"));

    /* header rows and the first data row */
    unsigned long last_header = m->header_row;
    if (m->component_row > last_header)
        last_header = m->component_row;
    if (m->component_name_row > last_header)
        last_header = m->component_name_row;
    if (!m->first_data_row)
        m->first_data_row = last_header + 1;
    else if (m->first_data_row <= last_header)
        return fail(L, "input.firstDataRow", _("must come after the header rows (row %lu)"),
                    last_header);

    /* a column by header text needs a header row */
    const lk_colref *refs[16 + LK_RK_COUNT];
    size_t nrefs = 0;
    refs[nrefs++] = &m->employee_number;
    refs[nrefs++] = &m->payroll_id;
    refs[nrefs++] = &m->income_relationship;
    refs[nrefs++] = &m->employment_id;
    refs[nrefs++] = &m->employer_column;
    refs[nrefs++] = &m->period_column;
    refs[nrefs++] = &m->payslip_text_column;
    refs[nrefs++] = &m->long_component;
    refs[nrefs++] = &m->long_value;
    for (int i = 0; i < LK_RK_COUNT; i++)
        refs[nrefs++] = &m->record_key[i].column;
    if (!m->header_row) {
        for (size_t i = 0; i < nrefs; i++)
            if (refs[i]->name)
                return fail(L, refs[i]->path, _("a column by header text (\"%s\") needs "
                            "input.headerRow; or give the \"letter\""), refs[i]->name);
        for (size_t i = 0; i < m->ncomponents; i++)
            if (m->components[i].column.name)
                return fail(L, m->components[i].path, _("a column by header text needs "
                            "input.headerRow; or give the \"letter\""));
        for (size_t i = 0; i < m->nskips; i++)
            if (m->skips[i].column.name)
                return fail(L, m->skips[i].column.path, _("a column by header text needs "
                            "input.headerRow; or give the \"letter\""));
        if (m->totals_row && m->totals_row->column.name)
            return fail(L, m->totals_row->column.path, _("a column by header text needs "
                        "input.headerRow; or give the \"letter\""));
    }
    return true;
}

static bool load_root(loader *L, const cJSON *root)
{
    static const char *const keys[] = { "name", "description", "input", "layout", "employee",
                                        "employer", "period", "components", "defaults", "long",
                                        "componentRow", "recordKey", "payslipText", "aggregate",
                                        "checks", NULL };
    static const char *const layouts[] = { "wide", "long", "componentRow", NULL };
    static const char *const agg_words[] = { "sum", "reject", NULL };
    lk_mapping *m = L->m;
    if (!check_keys(L, root, "", keys))
        return false;
    const char *name, *description;
    int layout = 0, agg = 0;
    if (!get_string(L, root, "name", "", &name) ||
        !get_string(L, root, "description", "", &description) ||
        !get_enum(L, root, "layout", "", layouts, &layout) ||
        !get_enum(L, root, "aggregate", "", agg_words, &agg))
        return false;
    m->name = name ? xstrdup(name) : NULL;
    m->description = description ? xstrdup(description) : NULL;
    m->layout = (lk_layout)layout;
    m->aggregate = (lk_aggregate_rule)agg;
    if (!cJSON_GetObjectItemCaseSensitive(root, "layout"))
        return fail(L, "layout", _("missing: \"wide\", \"long\" or \"componentRow\""));

    m->header_row = 1;
    if (!load_input(L, cJSON_GetObjectItemCaseSensitive(root, "input")))
        return false;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "input");
    bool header_given = in && cJSON_GetObjectItemCaseSensitive(in, "headerRow");
    if (!load_defaults(L, cJSON_GetObjectItemCaseSensitive(root, "defaults")) ||
        !load_components(L, cJSON_GetObjectItemCaseSensitive(root, "components")) ||
        !load_employee(L, cJSON_GetObjectItemCaseSensitive(root, "employee")) ||
        !load_employer(L, cJSON_GetObjectItemCaseSensitive(root, "employer")) ||
        !load_period(L, cJSON_GetObjectItemCaseSensitive(root, "period")) ||
        !load_record_key(L, cJSON_GetObjectItemCaseSensitive(root, "recordKey")) ||
        !load_payslip_text(L, cJSON_GetObjectItemCaseSensitive(root, "payslipText")))
        return false;
    const cJSON *lng = cJSON_GetObjectItemCaseSensitive(root, "long");
    const cJSON *crow = cJSON_GetObjectItemCaseSensitive(root, "componentRow");
    if (m->layout == LK_LAYOUT_LONG) {
        if (!load_long(L, lng))
            return false;
    } else if (lng) {
        return fail(L, "long", _("only with layout \"long\""));
    }
    if (m->layout == LK_LAYOUT_COMPONENT_ROW) {
        if (!load_component_row(L, crow))
            return false;
        /* Loket's template names its identifying columns in the component row itself */
        if (!header_given)
            m->header_row = m->component_row;
    } else if (crow) {
        return fail(L, "componentRow", _("only with layout \"componentRow\""));
    }
    m->reader.header_row = m->header_row;
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    if (checks) {
        lk_checks scratch;
        char key[64], msg[300], p[80];
        lk_checks_default(&scratch);
        if (!lk_checks_apply_json(&scratch, checks, key, sizeof key, msg, sizeof msg)) {
            snprintf(p, sizeof p, "checks%s%s", *key ? "." : "", key);
            return fail(L, p, "%s", msg);
        }
        m->checks = cJSON_Duplicate(checks, 1);
    }
    return check_layout(L);
}

/* ---------------------------------------------------------------- load / free */

static void line_col(const char *json, const char *at, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = json; p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Where a string holds \u0000 (a NUL), or NULL: cJSON would end the string there silently. */
static const char *find_escaped_nul(const char *json, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (json[i] != '\\')
            continue;
        if (json[i + 1] == 'u' && i + 5 < len && !memcmp(json + i + 2, "0000", 4))
            return json + i;
        i++; /* the escaped character, so that "\\u0000" (a backslash, then text) is not one */
    }
    return NULL;
}

lk_code lk_mapping_parse(const char *path, const char *json, size_t len, lk_mapping **out,
                         lk_error *err)
{
    *out = NULL;
    const char *end = NULL;
    const char *nul = find_escaped_nul(json, len);
    if (nul) {
        unsigned long line, col;
        line_col(json, nul, &line, &col);
        lk_error_clear(err);
        lk_error_at(err, path, NULL, line, LK_NO_COLUMN, NULL);
        return lk_error_set(err, LK_ERR_MAPPING,
                            _("a string holds \\u0000 (a NUL character) at character %lu, which "
                            "would silently cut it short"),
                            col);
    }
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        unsigned long line, col;
        const char *at = end ? end : cJSON_GetErrorPtr();
        if (!at || at < json || at > json + len)
            at = json;
        line_col(json, at, &line, &col);
        lk_error_clear(err);
        lk_error_at(err, path, NULL, line, LK_NO_COLUMN, NULL);
        return lk_error_set(err, LK_ERR_MAPPING, _("not valid JSON (line %lu, character %lu)"),
                            line, col);
    }
    /* cJSON stops after the first value; text after it is a mistake, not a comment */
    size_t used = (size_t)(end - json);
    while (used < len && (json[used] == ' ' || json[used] == '\t' || json[used] == '\r' ||
                          json[used] == '\n'))
        used++;
    if (used < len) {
        unsigned long line, col;
        line_col(json, json + used, &line, &col);
        cJSON_Delete(root);
        lk_error_clear(err);
        lk_error_at(err, path, NULL, line, LK_NO_COLUMN, NULL);
        return lk_error_set(err, LK_ERR_MAPPING, _("unexpected text after the mapping's JSON object "
                            "(line %lu, character %lu)"), line, col);
    }
    lk_mapping *m = xcalloc(1, sizeof(*m));
    m->path = xstrdup(path);
    m->defaults.scale = LK_DECIMAL_SCALE;
    m->defaults.divide_by = LK_DECIMAL_SCALE;
    m->defaults.round = -1;
    m->long_accept_keys = true;
    m->first_value_column = LK_NO_COLUMN;
    m->last_value_column = LK_NO_COLUMN;
    colref_init(&m->employee_number);
    colref_init(&m->payroll_id);
    colref_init(&m->income_relationship);
    colref_init(&m->employment_id);
    colref_init(&m->employer_column);
    colref_init(&m->period_column);
    colref_init(&m->payslip_text_column);
    colref_init(&m->long_component);
    colref_init(&m->long_value);
    for (int i = 0; i < LK_RK_COUNT; i++)
        colref_init(&m->record_key[i].column);
    colref_init(&m->defaults.column);
    loader L = { path, err, m };
    bool ok = cJSON_IsObject(root) ? load_root(&L, root)
                                   : fail(&L, "", _("the mapping must be a JSON object"));
    cJSON_Delete(root);
    if (!ok) {
        lk_mapping_free(m);
        return LK_ERR_MAPPING;
    }
    *out = m;
    return LK_OK;
}

lk_code lk_mapping_load(const char *path, lk_mapping **out, lk_error *err)
{
    char *buf;
    size_t len;
    *out = NULL;
    lk_error_clear(err);
    lk_error_at(err, path, NULL, 0, LK_NO_COLUMN, NULL);
    lk_code rc = lk_read_file(path, MAX_MAPPING_BYTES, &buf, &len, err);
    if (rc != LK_OK)
        return rc;
    rc = lk_mapping_parse(path, buf, len, out, err);
    free(buf);
    return rc;
}

static void spec_free(lk_component_spec *s)
{
    free(s->name);
    free(s->code);
    free(s->path);
    colref_free(&s->column);
}

void lk_mapping_free(lk_mapping *m)
{
    if (!m)
        return;
    free(m->path);
    free(m->name);
    free(m->description);
    free(m->sheet_name);
    cJSON_Delete(m->checks);
    for (size_t i = 0; i < m->nskips; i++) {
        colref_free(&m->skips[i].column);
        free(m->skips[i].pattern);
        free(m->skips[i].reason);
    }
    free(m->skips);
    if (m->totals_row) {
        colref_free(&m->totals_row->column);
        free(m->totals_row->pattern);
        free(m->totals_row->reason);
        free(m->totals_row);
    }
    for (size_t i = 0; i < m->ncomponents; i++)
        spec_free(&m->components[i]);
    free(m->components);
    colref_free(&m->long_component);
    colref_free(&m->long_value);
    colref_free(&m->employee_number);
    colref_free(&m->payroll_id);
    colref_free(&m->income_relationship);
    colref_free(&m->employment_id);
    free(m->employer_fixed);
    colref_free(&m->employer_column);
    colref_free(&m->period_column);
    for (int i = 0; i < LK_RK_COUNT; i++) {
        colref_free(&m->record_key[i].column);
        free(m->record_key[i].code);
    }
    colref_free(&m->payslip_text_column);
    free(m->payslip_text_fixed);
    free(m);
}
