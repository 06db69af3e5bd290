/*
 * entry.c: ownership of an lk_entry_set (the mapping stage's output) and small helpers on it.
 */
#include "mapping/entry.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>

void lk_entry_set_init(lk_entry_set *set)
{
    memset(set, 0, sizeof(*set));
    /* sheets[0] is the empty sheet of CSV files, so a span's sheet 0 means "none" */
    set->sheets = xcalloc(1, sizeof(char *));
    set->sheets[0] = xstrdup("");
    set->nsheets = 1;
}

static void free_employee(lk_employee_ref *e)
{
    free(e->employer);
    free(e->employment_id);
}

static void free_record_key(lk_record_key *rk)
{
    free(rk->cost_center.code);
    free(rk->cost_unit.code);
    free(rk->distribution_unit.code);
    free(rk->shift.code);
    free(rk->payslip_type.code);
}

void lk_entry_set_free(lk_entry_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->nfiles; i++) {
        free(set->files[i]);
        if (set->file_info) {
            lk_file_info *fi = &set->file_info[i];
            free(fi->sheet);
            for (size_t j = 0; j < fi->ntotals; j++)
                free(fi->totals[j].name);
            free(fi->totals);
            for (size_t j = 0; j < fi->nignored; j++)
                free(fi->ignored[j].header);
            free(fi->ignored);
        }
    }
    free(set->files);
    free(set->file_info);
    for (size_t i = 0; i < set->nsheets; i++)
        free(set->sheets[i]);
    free(set->sheets);
    for (size_t i = 0; i < set->nentries; i++) {
        lk_entry *e = &set->entries[i];
        free_employee(&e->employee);
        free_record_key(&e->record_key);
        free(e->payslip_text);
        free(e->rows);
        free(e->column_header);
    }
    free(set->entries);
    for (size_t i = 0; i < set->nissues; i++)
        free_employee(&set->issues[i].employee);
    free(set->issues);
    memset(set, 0, sizeof(*set));
}

unsigned lk_entry_set_file(lk_entry_set *set, const char *path)
{
    for (size_t i = 0; i < set->nfiles; i++)
        if (!strcmp(set->files[i], path))
            return (unsigned)i;
    set->files = xrealloc(set->files, (set->nfiles + 1) * sizeof(char *));
    set->file_info = xrealloc(set->file_info, (set->nfiles + 1) * sizeof(lk_file_info));
    memset(&set->file_info[set->nfiles], 0, sizeof(lk_file_info));
    set->files[set->nfiles] = xstrdup(path);
    return (unsigned)set->nfiles++;
}

unsigned lk_entry_set_sheet(lk_entry_set *set, const char *sheet)
{
    if (!sheet || !*sheet)
        return 0;
    for (size_t i = 1; i < set->nsheets; i++)
        if (!strcmp(set->sheets[i], sheet))
            return (unsigned)i;
    set->sheets = xrealloc(set->sheets, (set->nsheets + 1) * sizeof(char *));
    set->sheets[set->nsheets] = xstrdup(sheet);
    return (unsigned)set->nsheets++;
}

size_t lk_entry_set_errors(const lk_entry_set *set)
{
    size_t n = set->errors_not_listed;
    for (size_t i = 0; i < set->nissues; i++)
        if (!set->issues[i].skipped)
            n++;
    return n;
}

char *lk_period_ref_format(const lk_period_ref *p, char *buf)
{
    switch (p->kind) {
    case LK_PERIOD_MONTH:
        snprintf(buf, 16, "%04d-%02d", p->year, p->number);
        break;
    case LK_PERIOD_NUMBER:
        snprintf(buf, 16, "%04d-P%02d", p->year, p->number);
        break;
    case LK_PERIOD_DATE:
        snprintf(buf, 16, "%04d-%02d-%02d", p->year, p->month, p->day);
        break;
    default:
        buf[0] = '\0';
    }
    return buf;
}
