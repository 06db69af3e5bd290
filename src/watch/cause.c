/*
 * cause.c: the first real cause of a failed import, for the watcher's log (detail=), its
 * report and NAME.error.txt, whether it is transient (worth trying again later), and whether
 * the login itself was refused (nothing works until a person signs in again).
 *
 * The import's JSON report is the best witness: the error that stopped the run (with its
 * "transient" flag), else the first row refused, else the first rejected or failed record.
 * Without a usable report (a crash, a stand-in importer) the log says it: its first line with
 * "error:", else its last line. A summary line ("exit code 3: ...") is never the cause.
 */
#include "watch/watch.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define CAUSE_MAX 600

/* One line: control characters become spaces, at most CAUSE_MAX bytes (UTF-8 kept whole). */
static char *one_line(const char *s, size_t n)
{
    char *out;
    size_t len;
    while (n > 0 && (unsigned char)*s <= ' ') {
        s++;
        n--;
    }
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    if (!n)
        return NULL;
    if (n > CAUSE_MAX) {
        n = CAUSE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    out = xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    len = n;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)out[i] < ' ' || out[i] == 0x7f)
            out[i] = ' ';
    return out;
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* "file:row: column C: message" from an error object of the report. */
static char *error_text(const cJSON *e)
{
    strbuf sb;
    const char *file = str_of(e, "file"), *col = str_of(e, "column"), *msg = str_of(e, "message");
    double row = num_of(e, "row");
    char *out;
    if (!msg || !*msg)
        return NULL;
    strbuf_init(&sb, 128);
    if (file && *file) {
        strbuf_addstr(&sb, file);
        if (row > 0)
            strbuf_addf(&sb, ":%.0f", row);
        strbuf_addstr(&sb, ": ");
    }
    if (col && *col)
        strbuf_addf(&sb, "column %s: ", col);
    strbuf_addstr(&sb, msg);
    out = one_line(sb.buf, sb.len);
    strbuf_free(&sb);
    return out;
}

/* The first record that failed or was rejected: "employee 1001: what Loket said". */
static char *record_text(const cJSON *records)
{
    const cJSON *rec;
    cJSON_ArrayForEach(rec, records) {
        const char *oc = str_of(rec, "outcome");
        const cJSON *msgs, *m, *emp;
        strbuf sb;
        char *out;
        if (!oc || (strcmp(oc, "failed") && strcmp(oc, "rejected")))
            continue;
        strbuf_init(&sb, 128);
        emp = cJSON_GetObjectItemCaseSensitive(rec, "employee");
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(emp, "number")))
            strbuf_addf(&sb, "employee %.0f: ", num_of(emp, "number"));
        strbuf_addf(&sb, "%s", oc);
        msgs = cJSON_GetObjectItemCaseSensitive(rec, "messages");
        m = cJSON_IsArray(msgs) ? msgs->child : NULL;
        if (m && str_of(m, "description") && *str_of(m, "description"))
            strbuf_addf(&sb, ": %s", str_of(m, "description"));
        out = one_line(sb.buf, sb.len);
        strbuf_free(&sb);
        return out;
    }
    return NULL;
}

/* Exit 1 is transient when nothing was refused: every problem record got no answer, 429 or a
 * 5xx (an outage in the middle of the sending), and the file itself had no issues. */
static int records_transient(const cJSON *doc)
{
    const cJSON *totals = cJSON_GetObjectItemCaseSensitive(doc, "totals");
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(totals, "records");
    const cJSON *issues = cJSON_GetObjectItemCaseSensitive(totals, "issues");
    const cJSON *rec;
    if (!cJSON_IsObject(recs) || num_of(recs, "failed") <= 0 || num_of(recs, "rejected") > 0 ||
        num_of(recs, "not_sent") > 0 || num_of(issues, "rejected") > 0)
        return 0;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(doc, "records")) {
        const char *oc = str_of(rec, "outcome");
        double status = num_of(rec, "http_status");
        if (oc && !strcmp(oc, "failed") && status != 0 && status != 429 &&
            !(status >= 500 && status <= 599))
            return 0;
    }
    return 1;
}

static void from_report(const char *json, int exit_code, lk_watch_cause *out)
{
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    const cJSON *run, *err, *issues, *it;
    if (!cJSON_IsObject(doc))
        goto out;
    run = cJSON_GetObjectItemCaseSensitive(doc, "run");
    err = cJSON_GetObjectItemCaseSensitive(run, "error");
    if (cJSON_IsObject(err)) {
        out->text = error_text(err);
        out->transient = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(err, "transient"));
        if (out->text)
            goto out;
    }
    /* the first row refused (a skipped totals or blank row is no cause) */
    issues = cJSON_GetObjectItemCaseSensitive(doc, "issues");
    cJSON_ArrayForEach(it, issues) {
        const char *oc = str_of(it, "outcome");
        if ((!oc || !strcmp(oc, "rejected")) && (out->text = error_text(it)))
            break;
    }
    if (!out->text)
        out->text = record_text(cJSON_GetObjectItemCaseSensitive(doc, "records"));
    if (exit_code == 1)
        out->transient = records_transient(doc);
out:
    cJSON_Delete(doc);
}

static void from_log(const char *log, lk_watch_cause *out)
{
    const char *p = log, *last = NULL;
    size_t last_len = 0;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *hit = memmem(p, n, "error:", 6);
        if (hit) {
            out->text = one_line(p, n);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)p[i] > ' ') { /* a line with something on it */
                last = p;
                last_len = n;
                break;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    if (last)
        out->text = one_line(last, last_len);
}

void lk_watch_cause_find(const char *report_json, const char *log, int exit_code,
                         lk_watch_cause *out)
{
    memset(out, 0, sizeof *out);
    from_report(report_json, exit_code, out);
    if (!out->text)
        from_log(log, out);
    /* the token service refused the refresh token or the client (OAuth's own words, never
     * translated): every import will fail the same way until a person signs in again */
    out->login_refused = exit_code == 3 && out->text && !out->transient &&
                         (strstr(out->text, "invalid_grant") ||
                          strstr(out->text, "invalid_client"));
}

void lk_watch_cause_free(lk_watch_cause *c)
{
    free(c->text);
    c->text = NULL;
}
