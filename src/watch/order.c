/*
 * order.c: the order stage: turns a file's offline reading ('loket-import validate --json')
 * into its scope, the employees and periods it writes to, so that a later file never overtakes
 * an earlier one for the same records, and an older file dropped again is not applied over a
 * newer import. The decisions here are pure; watcher.c asks them with what lies on disk.
 */
#include "watch/watch.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_watch_scope_free(lk_watch_scope *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
    memset(s, 0, sizeof *s);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scope_sort_unique(lk_watch_scope *s)
{
    size_t out = 0;
    if (!s->n)
        return;
    qsort(s->keys, s->n, sizeof(char *), cmp_keys);
    for (size_t i = 0; i < s->n; i++) {
        if (out && !strcmp(s->keys[out - 1], s->keys[i])) {
            free(s->keys[i]);
            continue;
        }
        s->keys[out++] = s->keys[i];
    }
    s->n = out;
}

static void scope_add(lk_watch_scope *s, size_t *alloc, const char *key)
{
    lk_grow(&s->keys, sizeof(char *), s->n + 1, alloc);
    s->keys[s->n++] = xstrdup(key);
}

/* A field of a key must not hold the separators. */
static void key_part(strbuf *sb, const char *s)
{
    for (; *s; s++)
        strbuf_addch(sb, *s == '\t' || *s == '\n' ? ' ' : *s);
}

void lk_watch_scope_from_validate(const char *json, const char *employer, lk_watch_scope *out)
{
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(doc, "entries"), *e;
    size_t alloc = 0;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsArray(entries)) {
        out->all = 1;
        cJSON_Delete(doc);
        return;
    }
    cJSON_ArrayForEach(e, entries) {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(e, "employeeNumber");
        const cJSON *emp = cJSON_GetObjectItemCaseSensitive(e, "employmentId");
        const cJSON *per = cJSON_GetObjectItemCaseSensitive(e, "period");
        const cJSON *er = cJSON_GetObjectItemCaseSensitive(e, "employer");
        strbuf key = STRBUF_INIT;
        strbuf_init(&key, 64);
        if (cJSON_IsNumber(num)) {
            strbuf_addf(&key, "n%.0f", num->valuedouble);
        } else if (cJSON_IsString(emp) && *emp->valuestring) {
            strbuf_addch(&key, 'e');
            key_part(&key, emp->valuestring);
        } else {
            /* an entry naming no employee cannot be placed: it might touch any */
            strbuf_free(&key);
            lk_watch_scope_free(out);
            out->all = 1;
            break;
        }
        strbuf_addch(&key, '\t');
        key_part(&key, cJSON_IsString(per) && *per->valuestring ? per->valuestring : "*");
        strbuf_addch(&key, '\t');
        key_part(&key, employer && *employer                   ? employer
                       : cJSON_IsString(er) && *er->valuestring ? er->valuestring
                                                                : "*");
        scope_add(out, &alloc, key.buf);
        strbuf_free(&key);
    }
    cJSON_Delete(doc);
    scope_sort_unique(out);
}

char *lk_watch_scope_to_text(const lk_watch_scope *s)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 64);
    if (s->all) {
        strbuf_addstr(&sb, "*\n");
    } else {
        for (size_t i = 0; i < s->n; i++) {
            strbuf_addstr(&sb, s->keys[i]);
            strbuf_addch(&sb, '\n');
        }
    }
    return strbuf_detach(&sb, NULL);
}

void lk_watch_scope_from_text(const char *text, lk_watch_scope *out)
{
    size_t alloc = 0;
    memset(out, 0, sizeof *out);
    while (text && *text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        if (len == 1 && *text == '*') {
            lk_watch_scope_free(out);
            out->all = 1;
            return;
        }
        if (len) {
            char *k = xmalloc(len + 1);
            memcpy(k, text, len);
            k[len] = '\0';
            lk_grow(&out->keys, sizeof(char *), out->n + 1, &alloc);
            out->keys[out->n++] = k;
        }
        text += len;
        if (*text == '\n')
            text++;
    }
    scope_sort_unique(out);
}

/* The length of a key's employee part. */
static size_t employee_len(const char *key)
{
    const char *t = strchr(key, '\t');
    return t ? (size_t)(t - key) : strlen(key);
}

/* Field n (0 employee, 1 period, 2 employer) of a key into out. */
static void key_field(const char *key, int n, char *out, size_t size)
{
    const char *p = key;
    size_t len;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\t');
        if (p)
            p++;
    }
    if (!p) {
        snprintf(out, size, "*");
        return;
    }
    len = strcspn(p, "\t");
    snprintf(out, size, "%.*s", (int)len, p);
}

static int field_matches(const char *a, const char *b)
{
    return !strcmp(a, "*") || !strcmp(b, "*") || !strcmp(a, b);
}

void lk_watch_scope_key_describe(const char *key, char *out, size_t size)
{
    char employee[128], period[64], employer[128];
    key_field(key, 0, employee, sizeof employee);
    key_field(key, 1, period, sizeof period);
    key_field(key, 2, employer, sizeof employer);
    snprintf(out, size, "%s %s, %s%s%s", employee[0] == 'e' ? "employment" : "employee",
             employee + 1, strcmp(period, "*") ? period : "every period",
             strcmp(employer, "*") ? ", employer " : "", strcmp(employer, "*") ? employer : "");
}

void lk_watch_scope_describe(const lk_watch_scope *s, size_t max, char *out, size_t size)
{
    size_t used = 0;
    if (!size)
        return;
    out[0] = '\0';
    if (s->all) {
        snprintf(out, size, "%s", "every record (what the file touches could not be read)");
        return;
    }
    for (size_t i = 0; i < s->n && used + 1 < size; i++) {
        char one[320];
        if (i == max) {
            snprintf(out + used, size - used, "; ... (%zu in all)", s->n);
            return;
        }
        lk_watch_scope_key_describe(s->keys[i], one, sizeof one);
        snprintf(out + used, size - used, "%s%s", i ? "; " : "", one);
        used = strlen(out);
    }
}

size_t lk_watch_scope_overlap(const lk_watch_scope *a, const lk_watch_scope *b,
                              lk_watch_scope *common)
{
    size_t i = 0, j = 0, count = 0, alloc = 0;
    if (common)
        memset(common, 0, sizeof *common);
    if (a->all || b->all) {
        if (!a->all && !a->n)
            return 0; /* a file with no records touches nothing */
        if (common)
            common->all = 1;
        return a->n ? a->n : 1;
    }
    while (i < a->n && j < b->n) {
        size_t la = employee_len(a->keys[i]), lb = employee_len(b->keys[j]);
        int c = strncmp(a->keys[i], b->keys[j], la < lb ? la : lb);
        if (!c)
            c = la < lb ? -1 : la > lb ? 1 : 0;
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else {
            /* the same employee: compare each key of a's group with b's group */
            size_t i2 = i, j2 = j;
            while (i2 < a->n && employee_len(a->keys[i2]) == la &&
                   !strncmp(a->keys[i2], a->keys[i], la))
                i2++;
            while (j2 < b->n && employee_len(b->keys[j2]) == lb &&
                   !strncmp(b->keys[j2], b->keys[j], lb))
                j2++;
            for (size_t x = i; x < i2; x++) {
                char pa[64], ea[128];
                key_field(a->keys[x], 1, pa, sizeof pa);
                key_field(a->keys[x], 2, ea, sizeof ea);
                for (size_t y = j; y < j2; y++) {
                    char pb[64], eb[128];
                    key_field(b->keys[y], 1, pb, sizeof pb);
                    key_field(b->keys[y], 2, eb, sizeof eb);
                    if (field_matches(pa, pb) && field_matches(ea, eb)) {
                        if (common)
                            scope_add(common, &alloc, a->keys[x]);
                        count++;
                        break;
                    }
                }
            }
            i = i2;
            j = j2;
        }
    }
    return count;
}

long lk_watch_first_taken(const lk_watch_record *recs, size_t n, const char *sha256)
{
    long first = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(recs[i].sha256, sha256))
            continue;
        if (!strcmp(recs[i].status, "forgotten"))
            first = -1;
        else if (first < 0)
            first = (long)i;
    }
    return first;
}

const char *lk_watch_run_status(const lk_watch_record *recs, size_t n, const char *run)
{
    for (size_t i = n; i-- > 0;)
        if (!strcmp(recs[i].run, run))
            return recs[i].status;
    return "";
}
