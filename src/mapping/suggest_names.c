/*
 * suggest_names.c: names as the mapping assistant compares them. Headers, codes and component
 * descriptions are normalised (case, accents, punctuation, units, word order); the Dutch payroll
 * synonym list (data/synonyms-nl.json, shipped and installed with the program, read from nowhere
 * else) says which names mean the same, which header names a role (employee number, date...),
 * which columns are never payroll data and which words start a totals row. The payroll
 * components of an administration come from Loket or from a saved 'components --json'.
 */
#include "mapping/suggest.h"

#include "common/i18n.h"
#include "common/util.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYNONYMS_MAX_BYTES (1024 * 1024)

/* ---------------------------------------------------------------- normalising */

/* Latin-1 supplement letters (U+00C0..U+00FF) without their accents. */
static const char latin1_base[64] = "AAAAAAACEEEEIIIIDNOOOOO OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

/* Words that say nothing about what a column holds: units and fillers. */
static const char *const filler_words[] = {
    "eur", "euro", "euros", "pct", "procent", "percent", "in", "van", "de", "het", "der",
    "the", "of", "aantal", "a", NULL
};

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *lk_norm_name(const char *in, char *out, size_t size)
{
    char flat[512];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    while (*p && n + 2 < sizeof flat) {
        if (*p < 0x80) {
            flat[n++] = isalnum(*p) ? (char)tolower(*p) : ' ';
            p++;
        } else if ((p[0] == 0xC3) && p[1] >= 0x80 && p[1] <= 0xBF) {
            char c = latin1_base[p[1] - 0x80];
            flat[n++] = isalpha((unsigned char)c) ? (char)tolower((unsigned char)c) : ' ';
            p += 2;
        } else {
            /* any other character (the euro sign, dashes, symbols) separates words */
            flat[n++] = ' ';
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
        }
    }
    flat[n] = '\0';
    char *words[64];
    size_t nw = 0, nall = 0;
    for (char *save = NULL, *w = strtok_r(flat, " ", &save); w && nall < 64;
         w = strtok_r(NULL, " ", &save))
        words[nall++] = w;
    /* fillers go, unless the name is nothing but fillers ("Aantal") */
    bool only_fillers = true;
    for (size_t k = 0; k < nall; k++) {
        bool filler = false;
        for (size_t i = 0; filler_words[i]; i++)
            filler |= !strcmp(words[k], filler_words[i]);
        only_fillers &= filler;
    }
    for (size_t k = 0; k < nall; k++) {
        char *w = words[k];
        bool filler = false;
        for (size_t i = 0; filler_words[i]; i++)
            filler |= !strcmp(w, filler_words[i]);
        if (filler && !only_fillers)
            continue;
        size_t len = strlen(w);
        /* gewerkte ~ gewerkt, ziekte ~ ziekt: the Dutch inflected -e */
        if (len > 4 && w[len - 1] == 'e')
            w[len - 1] = '\0';
        words[nw++] = w;
    }
    qsort(words, nw, sizeof(char *), cmp_strp);
    size_t o = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < nw; i++) {
        if (i && !strcmp(words[i], words[i - 1]))
            continue;
        int k = snprintf(out + o, size - o, "%s%s", o ? " " : "", words[i]);
        if (k < 0 || (size_t)k >= size - o)
            break;
        o += (size_t)k;
    }
    return out;
}

bool lk_norm_in(char *const *list, const char *norm)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(list[i], norm))
            return true;
    return false;
}

long lk_synonym_group(const lk_synonyms *s, const char *norm)
{
    for (size_t g = 0; s && g < s->ngroups; g++)
        if (lk_norm_in(s->groups[g], norm))
            return (long)g;
    return -1;
}

/* ---------------------------------------------------------------- the synonym file */

static const char *const role_keys[LK_ROLE_COUNT] = {
    [LK_ROLE_EMPLOYEE_NUMBER] = "employeeNumber",
    [LK_ROLE_PAYROLL_ID] = "payrollId",
    [LK_ROLE_INCOME_RELATIONSHIP] = "incomeRelationshipNumber",
    [LK_ROLE_NAME] = "name",
    [LK_ROLE_DATE] = "date",
    [LK_ROLE_PERIOD] = "period",
    [LK_ROLE_COST_CENTER] = "costCenter",
    [LK_ROLE_COST_UNIT] = "costUnit",
    [LK_ROLE_EMPLOYER] = "employer",
    [LK_ROLE_LONG_CODE] = "longCode",
    [LK_ROLE_LONG_VALUE] = "longValue",
};

const char *lk_role_key(lk_col_role r)
{
    return r < LK_ROLE_COUNT ? role_keys[r] : NULL;
}

/* A JSON array of strings as a NULL-terminated list of normalised names. */
static char **norm_list(const cJSON *arr)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), k = 0;
    char **l = xcalloc(n + 1, sizeof(char *));
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        char buf[256];
        if (cJSON_IsString(it))
            l[k++] = xstrdup(lk_norm_name(it->valuestring, buf, sizeof buf));
    }
    return l;
}

static void free_list(char **l)
{
    for (size_t i = 0; l && l[i]; i++)
        free(l[i]);
    free(l);
}

lk_code lk_synonyms_load(const char *path, lk_synonyms **out, lk_error *err)
{
    char *text = NULL;
    size_t len;
    *out = NULL;
    if (lk_read_file(path, SYNONYMS_MAX_BYTES, &text, &len, err) != LK_OK)
        return err->code;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(doc, "components");
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(doc, "roles");
    if (!cJSON_IsArray(groups) || !cJSON_IsObject(roles)) {
        cJSON_Delete(doc);
        return lk_error_set(err, LK_ERR_ENV, _("%s: not a synonym list (\"components\" and "
                            "\"roles\" are needed)"), path);
    }
    lk_synonyms *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->ngroups = (size_t)cJSON_GetArraySize(groups);
    s->groups = xcalloc(s->ngroups + 1, sizeof(char **));
    size_t g = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, groups)
        s->groups[g++] = norm_list(it);
    for (int r = 0; r < LK_ROLE_COUNT; r++)
        if (role_keys[r])
            s->roles[r] = norm_list(cJSON_GetObjectItemCaseSensitive(roles, role_keys[r]));
    s->never = norm_list(cJSON_GetObjectItemCaseSensitive(doc, "never"));
    s->totals = norm_list(cJSON_GetObjectItemCaseSensitive(doc, "totals"));
    cJSON_Delete(doc);
    *out = s;
    return LK_OK;
}

lk_code lk_synonyms_load_default(lk_synonyms **out, lk_error *err)
{
    /* beside the program: the source tree (build/../data) or the installation
     * (bin/../share/loket-import/data); never a folder the environment names */
    static const char *const below[] = { "/../data/synonyms-nl.json",
                                         "/../share/loket-import/data/synonyms-nl.json" };
    char exe[4096], path[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            for (size_t i = 0; i < sizeof below / sizeof below[0]; i++) {
                snprintf(path, sizeof path, "%s%s", exe, below[i]);
                if (access(path, R_OK) == 0)
                    return lk_synonyms_load(path, out, err);
            }
        }
    }
    *out = NULL;
    return lk_error_set(err, LK_ERR_ENV, _("the synonym list data/synonyms-nl.json was not "
                        "found beside the program (is it installed?)"));
}

void lk_synonyms_free(lk_synonyms *s)
{
    if (!s)
        return;
    for (size_t g = 0; g < s->ngroups; g++)
        free_list(s->groups[g]);
    free(s->groups);
    for (int r = 0; r < 16; r++)
        free_list(s->roles[r]);
    free_list(s->never);
    free_list(s->totals);
    free(s->path);
    free(s);
}

/* ---------------------------------------------------------------- the components */

lk_catalog *lk_catalog_new(const char *source)
{
    lk_catalog *c = xcalloc(1, sizeof *c);
    c->source = xstrdup(source ? source : "");
    return c;
}

void lk_catalog_add(lk_catalog *c, long key, const char *description, const char *category,
                    bool can_supplement)
{
    char norm[256];
    c->items = xrealloc(c->items, (c->n + 1) * sizeof(lk_catalog_item));
    lk_catalog_item *it = &c->items[c->n++];
    it->key = key;
    it->description = xstrdup(description ? description : "");
    it->can_supplement = can_supplement;
    lk_norm_name(it->description, norm, sizeof norm);
    char cat[128];
    lk_norm_name(category ? category : "", cat, sizeof cat);
    it->hours = strstr(cat, "uren") || strstr(norm, "uren") || strstr(norm, "uur");
}

lk_code lk_catalog_load(const char *path, lk_catalog **out, lk_error *err)
{
    char *text = NULL;
    size_t len;
    *out = NULL;
    if (lk_read_file(path, 16 * 1024 * 1024, &text, &len, err) != LK_OK)
        return err->code;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: not a saved 'loket-import components "
                            "--json' (a JSON array of components)"), path);
    }
    lk_catalog *c = lk_catalog_new(path);
    const cJSON *it;
    cJSON_ArrayForEach(it, doc) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(it, "key");
        const cJSON *desc = cJSON_GetObjectItemCaseSensitive(it, "description");
        const cJSON *cat = cJSON_GetObjectItemCaseSensitive(it, "category");
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(it, "canBeSupplemented");
        if (!cJSON_IsNumber(key) || key->valuedouble < 1 || key->valuedouble > 99999 ||
            !cJSON_IsString(desc)) {
            lk_catalog_free(c);
            cJSON_Delete(doc);
            return lk_error_set(err, LK_ERR_CONFIG, _("%s: every component needs a \"key\" "
                                "(1 to 99999) and a \"description\""), path);
        }
        lk_catalog_add(c, (long)key->valuedouble, desc->valuestring,
                       cJSON_IsString(cat) ? cat->valuestring : NULL, cJSON_IsTrue(sup));
    }
    cJSON_Delete(doc);
    *out = c;
    return LK_OK;
}

const lk_catalog_item *lk_catalog_find(const lk_catalog *c, long key)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (c->items[i].key == key)
            return &c->items[i];
    return NULL;
}

void lk_catalog_free(lk_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].description);
    free(c->items);
    free(c->source);
    free(c);
}
