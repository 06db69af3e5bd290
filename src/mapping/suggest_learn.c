/*
 * suggest_learn.c: what the bureau chose before. Every mapping of a folder (by default the
 * mappings folder) that loads is read for the headers and codes it maps to a component, and
 * the headers it gives a role (employee number, period, ...), so that a new export using the
 * same words gets the same answers, with the mapping named as the reason.
 */
#include "mapping/suggest.h"

#include "common/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEARN_MAX_FILES 2000

static void add(lk_learned *l, size_t *alloc, const char *text, long key, int role,
                const char *from)
{
    char norm[256];
    if (!text || !*text)
        return;
    lk_norm_name(text, norm, sizeof norm);
    if (!*norm)
        return;
    lk_grow(&l->items, sizeof(lk_learned_item), l->n + 1, alloc);
    lk_learned_item *it = &l->items[l->n++];
    it->norm = xstrdup(norm);
    it->text = xstrdup(text);
    it->key = key;
    it->role = role;
    it->from = xstrdup(from);
}

static void learn_mapping(lk_learned *l, size_t *alloc, const lk_mapping *m, const char *from)
{
    for (size_t i = 0; i < m->ncomponents; i++) {
        const lk_component_spec *c = &m->components[i];
        if (m->layout == LK_LAYOUT_WIDE)
            add(l, alloc, c->column.name, c->component, 0, from);
        else if (m->layout == LK_LAYOUT_LONG)
            add(l, alloc, c->code, c->component, 0, from);
    }
    add(l, alloc, m->employee_number.name, 0, LK_ROLE_EMPLOYEE_NUMBER, from);
    add(l, alloc, m->payroll_id.name, 0, LK_ROLE_PAYROLL_ID, from);
    add(l, alloc, m->income_relationship.name, 0, LK_ROLE_INCOME_RELATIONSHIP, from);
    add(l, alloc, m->employer_column.name, 0, LK_ROLE_EMPLOYER, from);
    if (m->period_source == LK_PSRC_COLUMN)
        add(l, alloc, m->period_column.name, 0, LK_ROLE_PERIOD, from);
    if (m->period_source == LK_PSRC_DATE)
        add(l, alloc, m->period_column.name, 0, LK_ROLE_DATE, from);
    if (m->record_key[LK_RK_COST_CENTER].source == LK_SRC_COLUMN)
        add(l, alloc, m->record_key[LK_RK_COST_CENTER].column.name, 0, LK_ROLE_COST_CENTER,
            from);
    if (m->record_key[LK_RK_COST_UNIT].source == LK_SRC_COLUMN)
        add(l, alloc, m->record_key[LK_RK_COST_UNIT].column.name, 0, LK_ROLE_COST_UNIT, from);
    if (m->layout == LK_LAYOUT_LONG) {
        add(l, alloc, m->long_component.name, 0, LK_ROLE_LONG_CODE, from);
        add(l, alloc, m->long_value.name, 0, LK_ROLE_LONG_VALUE, from);
    }
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

lk_learned *lk_learned_read(const char *dir)
{
    lk_learned *l = xcalloc(1, sizeof *l);
    size_t alloc = 0, nnames = 0, nalloc = 0;
    char **names = NULL;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return l;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nnames < LEARN_MAX_FILES) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        lk_grow(&names, sizeof(char *), nnames + 1, &nalloc);
        names[nnames++] = xstrdup(de->d_name);
    }
    closedir(d);
    /* in name order, so that the reasons given do not depend on the folder's order */
    qsort(names, nnames, sizeof(char *), cmp_name);
    for (size_t i = 0; i < nnames; i++) {
        char path[4200];
        lk_mapping *m = NULL;
        lk_error err;
        lk_error_clear(&err);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lk_mapping_load(path, &m, &err) == LK_OK) {
            learn_mapping(l, &alloc, m, path);
            l->mappings++;
            lk_mapping_free(m);
        }
        free(names[i]);
    }
    free(names);
    return l;
}

void lk_learned_free(lk_learned *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].norm);
        free(l->items[i].text);
        free(l->items[i].from);
    }
    free(l->items);
    free(l);
}
