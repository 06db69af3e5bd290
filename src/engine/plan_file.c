/*
 * plan_file.c: a plan as a JSON document, read back, and compared with a fresh plan
 * (see plan_file.h).
 */
#include "engine/plan_file.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLAN_FILE_VERSION 1
#define PLAN_FILE_MAX_BYTES (512UL * 1024 * 1024)
#define SEAL_PLACEHOLDER "0000000000000000000000000000000000000000000000000000000000000000"

/* ---------------------------------------------------------------- writing */

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}


static void add_str_or_null(cJSON *o, const char *name, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_abs_path(cJSON *o, const char *name, const char *path)
{
    char *abs = path ? realpath(path, NULL) : NULL;
    add_str_or_null(o, name, abs ? abs : path);
    free(abs);
}

static void period_text(const lk_report_record *rec, char *buf, size_t size)
{
    if (rec->period_year && rec->period_number)
        snprintf(buf, size, "%04d-P%02d", rec->period_year, rec->period_number);
    else
        snprintf(buf, size, "%s", rec->period_label ? rec->period_label : "");
}

static cJSON *record_json(const lk_plan_item *it)
{
    const lk_report_record *rec = it->rec;
    cJSON *o = cJSON_CreateObject();
    char buf[64];
    add_str_or_null(o, "key", it->key);
    add_str_or_null(o, "employmentId", it->employment_id);
    add_str_or_null(o, "employerId", it->employer_id);
    cJSON_AddNumberToObject(o, "employeeNumber", (double)rec->employee_number);
    add_str_or_null(o, "employeeName", rec->employee_name);
    cJSON_AddNumberToObject(o, "periodId", (double)rec->period_id);
    period_text(rec, buf, sizeof buf);
    cJSON_AddStringToObject(o, "period", buf);
    if (rec->period_type) /* so that people's names can be given: "november 2026" */
        cJSON_AddNumberToObject(o, "periodType", rec->period_type);
    cJSON_AddStringToObject(o, "planned", lk_outcome_name(it->planned));
    cJSON_AddBoolToObject(o, "error", it->error);
    cJSON_AddBoolToObject(o, "blocked", it->blocked);
    if (it->body) {
        cJSON_AddStringToObject(o, "bodySha256", it->body_sha256);
        cJSON *body = cJSON_Parse(it->body);
        cJSON_AddItemToObject(o, "body", body ? body : cJSON_CreateNull());
    } else {
        cJSON_AddNullToObject(o, "bodySha256");
        cJSON_AddNullToObject(o, "body");
    }
    cJSON *comps = cJSON_AddArrayToObject(o, "components");
    for (size_t i = 0; i < rec->ncomponents; i++) {
        const lk_report_component *c = &rec->components[i];
        cJSON *co = cJSON_CreateObject();
        cJSON_AddNumberToObject(co, "key", c->key);
        if (c->description) /* for people: revert and runs show name it */
            cJSON_AddStringToObject(co, "name", c->description);
        if (c->has_old)
            cJSON_AddStringToObject(co, "old", lk_decimal_format(c->old_value, buf));
        else
            cJSON_AddNullToObject(co, "old");
        if (c->delete)
            cJSON_AddNullToObject(co, "new");
        else
            cJSON_AddStringToObject(co, "new", lk_decimal_format(c->new_value, buf));
        cJSON_AddBoolToObject(co, "delete", c->delete);
        cJSON_AddBoolToObject(co, "isSupplement", c->is_supplement);
        cJSON_AddItemToArray(comps, co);
    }
    const lk_report_ref *cc = &rec->record_key.cost_center;
    if (cc->set && (cc->code || cc->description)) { /* the cost centre as people name it */
        snprintf(buf, sizeof buf, "%s%s%s", cc->code ? cc->code : "",
                 cc->code && cc->description ? " " : "", cc->description ? cc->description : "");
        cJSON_AddStringToObject(o, "costCenter", buf);
    }
    cJSON *notes = cJSON_AddArrayToObject(o, "notes");
    for (size_t i = 0; i < rec->nmessages; i++)
        if (rec->messages[i].origin == LK_MSG_IMPORTER)
            cJSON_AddItemToArray(notes, cJSON_CreateString(rec->messages[i].description
                                                               ? rec->messages[i].description
                                                               : ""));
    return o;
}

cJSON *lk_plan_file_json(const lk_plan *p, const lk_report *r, const lk_plan_origin *origin)
{
    cJSON *doc = cJSON_CreateObject();
    char when[32];
    unsigned long count[LK_OUTCOME_COUNT] = { 0 };
    cJSON_AddNumberToObject(doc, "loketImportPlan", PLAN_FILE_VERSION);
    cJSON_AddStringToObject(doc, "created", lk_iso8601((long long)time(NULL), when));
    add_str_or_null(doc, "api", origin->api_url);
    add_str_or_null(doc, "employer", origin->employer);
    add_str_or_null(doc, "period", origin->period);
    cJSON *m = cJSON_AddObjectToObject(doc, "mapping");
    add_abs_path(m, "path", r->mapping_path);
    cJSON_AddStringToObject(m, "sha256", r->mapping_sha256);
    cJSON *files = cJSON_AddArrayToObject(doc, "files");
    for (size_t i = 0; i < r->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        add_abs_path(f, "path", r->files[i].path);
        cJSON_AddStringToObject(f, "sha256", r->files[i].sha256);
        cJSON_AddItemToArray(files, f);
    }
    cJSON *recs = cJSON_CreateArray();
    for (size_t i = 0; i < p->nitems; i++) {
        cJSON_AddItemToArray(recs, record_json(&p->items[i]));
        count[p->items[i].planned]++;
    }
    cJSON *s = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(s, "records", (double)p->nitems);
    cJSON_AddNumberToObject(s, "errors", (double)p->errors);
    cJSON_AddNumberToObject(s, "created", (double)count[LK_OUTCOME_CREATED]);
    cJSON_AddNumberToObject(s, "updated", (double)count[LK_OUTCOME_UPDATED]);
    cJSON_AddNumberToObject(s, "unchanged", (double)count[LK_OUTCOME_UNCHANGED]);
    cJSON_AddNumberToObject(s, "rejected", (double)count[LK_OUTCOME_REJECTED]);
    add_str_or_null(doc, "unreadableFile", p->unread_file);
    cJSON_AddItemToObject(doc, "records", recs);
    return doc;
}

lk_code lk_plan_file_write(const lk_plan *p, const lk_report *r, const lk_plan_origin *origin,
                           const char *path, lk_error *err)
{
    cJSON *doc = lk_plan_file_json(p, r, origin);
    if (origin->key) { /* the seal: an HMAC of the bytes with its own value as zeros */
        cJSON *seal = cJSON_CreateObject();
        cJSON_AddStringToObject(seal, "installation", origin->key->id);
        cJSON_AddStringToObject(seal, "hmacSha256", SEAL_PLACEHOLDER);
        cJSON_AddItemToObject(doc, "seal", seal);
    }
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
        lk_die(_("out of memory"));
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: the length is kept apart */
    if (origin->key) {
        char mac[65];
        char *at = memmem(text, len, "\"" SEAL_PLACEHOLDER "\"", 66);
        if (!at)
            lk_die(_("internal error: the plan's seal is missing"));
        lk_seal_mac(origin->key, text, len + 1, mac);
        memcpy(at + 1, mac, 64);
    }
    lk_code rc = lk_write_file_atomic(path, text, len + 1, 0600, err);
    free(text);
    return rc;
}

lk_code lk_plan_file_verify(lk_plan_file *pf, const char *path, const lk_seal_key *k,
                            bool trusted, lk_error *err)
{
    const cJSON *seal = cJSON_GetObjectItemCaseSensitive(pf->doc, "seal");
    const char *inst = str_field(seal, "installation"), *mac = str_field(seal, "hmacSha256");
    pf->sealed = false;
    if (trusted) /* the person vouches for it: the field-by-field comparison decides */
        return LK_OK;
    if (!inst || !mac) {
        return lk_error_set(err, LK_ERR_INPUT,
                            _("%s has no seal: it was not made by 'loket-import plan --out' of "
                              "this installation, or it was changed after it was made; nothing "
                              "was sent (make a new plan, or give --trust-plan if you know who "
                              "made it)"),
                            path);
    }
    if (strcmp(inst, k->id))
        return lk_error_set(err, LK_ERR_INPUT,
                            _("%s was made by another installation (key %s, this one's is %s); "
                              "nothing was sent (give --trust-plan if you trust who made it)"),
                            path, inst, k->id);
    /* the seal's own value is the one 64-hex-digit string that is zeroed before the HMAC */
    char *copy = xmalloc(pf->len + 1);
    memcpy(copy, pf->text, pf->len);
    char quoted[67];
    snprintf(quoted, sizeof quoted, "\"%s\"", mac);
    char *at = strlen(mac) == 64 ? memmem(copy, pf->len, quoted, 66) : NULL;
    bool ok = at && !memmem(at + 1, pf->len - (size_t)(at + 1 - copy), quoted, 66);
    char want[65];
    if (ok) {
        memcpy(at + 1, SEAL_PLACEHOLDER, 64);
        lk_seal_mac(k, copy, pf->len, want);
        ok = lk_seal_equal(want, mac);
    }
    free(copy);
    if (!ok)
        return lk_error_set(err, LK_ERR_INPUT,
                            _("%s was changed after it was made (its seal does not match its "
                              "contents); nothing was sent: make a new plan with 'loket-import "
                              "plan --out' and review it"),
                            path);
    pf->sealed = true;
    return LK_OK;
}

/* ---------------------------------------------------------------- reading */

bool lk_plan_file_named(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strcmp(dot, ".json");
}

bool lk_plan_file_sniff(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    lk_error ignored;
    bool yes = false;
    const char *dot = strrchr(path, '.');
    if (!dot || strcmp(dot, ".json"))
        return false;
    if (lk_read_file(path, PLAN_FILE_MAX_BYTES, &text, &len, &ignored) != LK_OK)
        return false;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    yes = cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "loketImportPlan");
    cJSON_Delete(doc);
    free(text);
    return yes;
}

lk_code lk_plan_file_load(const char *path, lk_plan_file **out, lk_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    if (lk_read_file(path, PLAN_FILE_MAX_BYTES, &text, &len, err) != LK_OK)
        return err->code;
    lk_plan_file *pf = xcalloc(1, sizeof *pf);
    lk_sha256_hex(text, len, pf->sha256);
    pf->doc = cJSON_ParseWithLength(text, len);
    pf->text = text;
    pf->len = len;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(pf->doc, "loketImportPlan");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(pf->doc, "mapping");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(pf->doc, "files");
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(pf->doc, "records");
    const char *bad = NULL;
    if (!pf->doc)
        bad = _("it is not a valid plan (not JSON, or nested deeper than a plan is)");
    else if (!cJSON_IsObject(pf->doc) || !cJSON_IsNumber(v))
        bad = "it is not a loket-import plan (no \"loketImportPlan\")";
    else if (v->valuedouble != PLAN_FILE_VERSION)
        bad = "it is a plan of another loket-import version";
    else if (!str_field(m, "path") || !str_field(m, "sha256"))
        bad = "\"mapping\" lacks its path or sha256";
    else if (!cJSON_IsArray(files) || cJSON_GetArraySize(files) < 1)
        bad = "\"files\" names no input file";
    else if (!cJSON_IsArray(recs))
        bad = "\"records\" is missing";
    if (bad) {
        lk_plan_file_free(pf);
        return lk_error_set(err, LK_ERR_INPUT, "%s: %s", path, bad);
    }
    pf->api_url = str_field(pf->doc, "api");
    pf->period = str_field(pf->doc, "period");
    pf->employer = str_field(pf->doc, "employer");
    pf->mapping = str_field(m, "path");
    pf->mapping_sha256 = str_field(m, "sha256");
    size_t n = (size_t)cJSON_GetArraySize(files), i = 0;
    pf->files = xcalloc(n, sizeof *pf->files);
    pf->file_sha256 = xcalloc(n, sizeof *pf->file_sha256);
    const cJSON *f;
    cJSON_ArrayForEach(f, files) {
        pf->files[i] = str_field(f, "path");
        pf->file_sha256[i] = str_field(f, "sha256");
        if (!pf->files[i] || !pf->file_sha256[i]) {
            lk_plan_file_free(pf);
            return lk_error_set(err, LK_ERR_INPUT, _("%s: files[%zu] lacks its path or sha256"),
                                path, i);
        }
        i++;
    }
    pf->nfiles = n;
    *out = pf;
    return LK_OK;
}

void lk_plan_file_free(lk_plan_file *pf)
{
    if (!pf)
        return;
    cJSON_Delete(pf->doc);
    free(pf->text);
    free(pf->files);
    free(pf->file_sha256);
    free(pf);
}

/* ---------------------------------------------------------------- comparing */

typedef struct compare_ctx {
    strbuf *why;
    size_t max_lines, differences;
} compare_ctx;

static void who(const cJSON *rec, strbuf *sb)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(rec, "employeeNumber");
    const char *period = str_field(rec, "period");
    strbuf_addf(sb, "employee %ld", cJSON_IsNumber(n) ? (long)n->valuedouble : 0L);
    if (period && *period)
        strbuf_addf(sb, ", %s", period);
    const char *key = str_field(rec, "key");
    const char *slash = key ? strchr(key, '/') : NULL;
    if (slash)
        strbuf_addf(sb, " (record %s)", slash + 1);
}

static void differ(compare_ctx *x, const cJSON *rec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void differ(compare_ctx *x, const cJSON *rec, const char *fmt, ...)
{
    va_list ap;
    if (x->differences++ >= x->max_lines)
        return;
    size_t start = x->why->len;
    who(rec, x->why);
    strbuf_addstr(x->why, ": ");
    va_start(ap, fmt);
    strbuf_vaddf(x->why, fmt, ap);
    va_end(ap);
    lk_text_make_one_line(x->why->buf + start); /* notes quote files and Loket */
    strbuf_addch(x->why, '\n');
}

static const char *text_or(const cJSON *v, const char *none)
{
    return cJSON_IsString(v) ? v->valuestring : none;
}

static bool same_json(const cJSON *a, const cJSON *b)
{
    return cJSON_Compare(a, b, true) || (!a && cJSON_IsNull(b)) || (cJSON_IsNull(a) && !b);
}

static void compare_components(compare_ctx *x, const cJSON *saved, const cJSON *fresh)
{
    const cJSON *sc, *fc;
    cJSON_ArrayForEach(fc, cJSON_GetObjectItemCaseSensitive(fresh, "components")) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(fc, "key");
        const cJSON *match = NULL;
        cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(saved, "components")) {
            const cJSON *k2 = cJSON_GetObjectItemCaseSensitive(sc, "key");
            if (cJSON_IsNumber(k2) && cJSON_IsNumber(key) && k2->valuedouble == key->valuedouble)
                match = sc;
        }
        long k = cJSON_IsNumber(key) ? (long)key->valuedouble : 0;
        if (!match) {
            differ(x, fresh, _("component %ld is not in the plan"), k);
            continue;
        }
        const cJSON *o1 = cJSON_GetObjectItemCaseSensitive(match, "old");
        const cJSON *o2 = cJSON_GetObjectItemCaseSensitive(fc, "old");
        if (!same_json(o1, o2))
            differ(x, fresh, _("component %ld: Loket held %s when the plan was made, now %s"), k,
                   text_or(o1, "no value"), text_or(o2, "no value"));
        const cJSON *n1 = cJSON_GetObjectItemCaseSensitive(match, "new");
        const cJSON *n2 = cJSON_GetObjectItemCaseSensitive(fc, "new");
        if (!same_json(n1, n2))
            differ(x, fresh, _("component %ld: the plan sends %s, the input now gives %s"), k,
                   text_or(n1, "null"), text_or(n2, "null"));
        static const char *const flags[] = { "delete", "isSupplement" };
        for (size_t f = 0; f < 2; f++)
            if (!same_json(cJSON_GetObjectItemCaseSensitive(match, flags[f]),
                           cJSON_GetObjectItemCaseSensitive(fc, flags[f])))
                differ(x, fresh, _("component %ld: \"%s\" in the plan differs from the input's"),
                       k, flags[f]);
    }
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(saved, "components")) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(sc, "key");
        bool found = false;
        cJSON_ArrayForEach(fc, cJSON_GetObjectItemCaseSensitive(fresh, "components")) {
            const cJSON *k2 = cJSON_GetObjectItemCaseSensitive(fc, "key");
            found |= cJSON_IsNumber(k2) && cJSON_IsNumber(key) &&
                     k2->valuedouble == key->valuedouble;
        }
        if (!found)
            differ(x, saved, _("component %ld of the plan is no longer in it"),
                   cJSON_IsNumber(key) ? (long)key->valuedouble : 0L);
    }
}

/* What the plan shows of a record besides its components: each must be what a fresh plan
 * says, so a plan that names another employee or period than it sends is refused. */
static void compare_shown(compare_ctx *x, const cJSON *saved, const cJSON *fresh)
{
    static const char *const shown[] = { "employmentId", "employerId", "employeeNumber",
                                         "employeeName", "periodId",   "period" };
    char a[256], b[256];
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const cJSON *v1 = cJSON_GetObjectItemCaseSensitive(saved, shown[i]);
        const cJSON *v2 = cJSON_GetObjectItemCaseSensitive(fresh, shown[i]);
        if (same_json(v1, v2))
            continue;
        char *t1 = v1 ? cJSON_PrintUnformatted(v1) : NULL, *t2 = v2 ? cJSON_PrintUnformatted(v2) : NULL;
        snprintf(a, sizeof a, "%s", t1 ? t1 : "null");
        snprintf(b, sizeof b, "%s", t2 ? t2 : "null");
        free(t1);
        free(t2);
        differ(x, fresh, _("\"%s\" is %s in the plan, %s now"), shown[i], a, b);
    }
}

static void compare_record(compare_ctx *x, const cJSON *saved, const cJSON *fresh)
{
    size_t before = x->differences;
    compare_shown(x, saved, fresh);
    const char *p1 = str_field(saved, "planned"), *p2 = str_field(fresh, "planned");
    if (!p1 || !p2 || strcmp(p1, p2))
        differ(x, fresh, _("the plan would have %s it, now it would be %s"),
               p1 ? p1 : "?", p2 ? p2 : "?");
    compare_components(x, saved, fresh);
    const cJSON *e1 = cJSON_GetObjectItemCaseSensitive(saved, "error");
    const cJSON *e2 = cJSON_GetObjectItemCaseSensitive(fresh, "error");
    if (cJSON_IsTrue(e1) != cJSON_IsTrue(e2))
        differ(x, fresh, cJSON_IsTrue(e2) ? "it has an error now" : "its error is gone");
    const cJSON *b1 = cJSON_GetObjectItemCaseSensitive(saved, "blocked");
    const cJSON *b2 = cJSON_GetObjectItemCaseSensitive(fresh, "blocked");
    if (cJSON_IsTrue(b1) != cJSON_IsTrue(b2))
        differ(x, fresh, cJSON_IsTrue(b2) ? "its employment is blocked by an error now"
                                          : "its employment is no longer blocked");
    const cJSON *n1 = cJSON_GetObjectItemCaseSensitive(saved, "notes");
    const cJSON *n2 = cJSON_GetObjectItemCaseSensitive(fresh, "notes");
    if (!same_json(n1, n2)) {
        const cJSON *n;
        cJSON_ArrayForEach(n, n2) {
            bool seen = false;
            const cJSON *m;
            cJSON_ArrayForEach(m, n1) seen |= cJSON_Compare(m, n, true);
            if (!seen)
                differ(x, fresh, _("new: %s"), text_or(n, ""));
        }
        cJSON_ArrayForEach(n, n1) {
            bool seen = false;
            const cJSON *m;
            cJSON_ArrayForEach(m, n2) seen |= cJSON_Compare(m, n, true);
            if (!seen)
                differ(x, saved, _("no longer: %s"), text_or(n, ""));
        }
    }
    /* the body decides what is sent: any difference not named above still refuses, in the
     * body itself or in its SHA-256 (either may have been edited) */
    const char *s1 = str_field(saved, "bodySha256"), *s2 = str_field(fresh, "bodySha256");
    const cJSON *bd1 = cJSON_GetObjectItemCaseSensitive(saved, "body");
    const cJSON *bd2 = cJSON_GetObjectItemCaseSensitive(fresh, "body");
    if (x->differences == before &&
        ((s1 == NULL) != (s2 == NULL) || (s1 && strcmp(s1, s2)) || !same_json(bd1, bd2)))
        differ(x, fresh, _("the request body differs from the plan's"));
}

size_t lk_plan_file_compare(const lk_plan_file *pf, const lk_plan *p, strbuf *why,
                            size_t max_lines)
{
    compare_ctx x = { why, max_lines, 0 };
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(pf->doc, "records");
    lk_hashmap *by_key = lk_hashmap_new(256);
    lk_hashmap *matched = lk_hashmap_new(256);
    const cJSON *rec;
    /* records without a key (their record key could not be resolved) in order */
    const cJSON **keyless = xcalloc((size_t)cJSON_GetArraySize(recs) + 1, sizeof *keyless);
    size_t nkeyless = 0, next_keyless = 0;
    cJSON_ArrayForEach(rec, recs) {
        const char *key = str_field(rec, "key");
        if (key)
            lk_hashmap_put(by_key, key, (void *)rec);
        else
            keyless[nkeyless++] = rec;
    }
    for (size_t i = 0; i < p->nitems; i++) {
        cJSON *fresh = record_json(&p->items[i]);
        const cJSON *saved = NULL;
        if (p->items[i].key) {
            saved = lk_hashmap_get(by_key, p->items[i].key);
            if (saved)
                lk_hashmap_put(matched, p->items[i].key, (void *)1);
        } else if (next_keyless < nkeyless) {
            saved = keyless[next_keyless++];
        }
        if (saved)
            compare_record(&x, saved, fresh);
        else
            differ(&x, fresh, _("a record the plan does not hold (%s)"),
                   lk_outcome_name(p->items[i].planned));
        cJSON_Delete(fresh);
    }
    cJSON_ArrayForEach(rec, recs) {
        const char *key = str_field(rec, "key");
        if (key ? !lk_hashmap_get(matched, key) : false)
            differ(&x, rec, _("a record of the plan is no longer in it"));
    }
    for (; next_keyless < nkeyless; next_keyless++)
        differ(&x, keyless[next_keyless], _("a record of the plan is no longer in it"));
    if (x.differences > max_lines)
        strbuf_addf(why, "... and %zu more\n", x.differences - max_lines);
    free(keyless);
    lk_hashmap_free(by_key);
    lk_hashmap_free(matched);
    return x.differences;
}
