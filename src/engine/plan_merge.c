/*
 * plan_merge.c: records whose record keys are spelled differently in the file but are the same
 * Loket record once the defaults are known (a blank cost center next to the code of the
 * employment's default cost center) -> one record. Their entries and exact sums are put
 * together before the single rounding, so the sum is the file's (docs/mappings.md: recordKey,
 * round): neither refused nor rounded per spelling.
 */
#include "engine/plan_stages.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_error(bucket *b, char *msg)
{
    for (size_t i = 0; i < b->nerrors; i++)
        if (!strcmp(b->errors[i], msg)) {
            free(msg);
            return;
        }
    lk_grow(&b->errors, sizeof *b->errors, b->nerrors + 1, &b->errors_alloc);
    b->errors[b->nerrors++] = msg;
}

/* src's entries, values and errors into dst; src is left empty. */
static void merge_into(bucket *dst, bucket *src)
{
    for (size_t i = 0; i < src->nentries; i++) {
        lk_grow(&dst->entries, sizeof *dst->entries, dst->nentries + 1, &dst->entries_alloc);
        dst->entries[dst->nentries++] = src->entries[i];
    }
    if (src->payslip_text) {
        if (dst->payslip_text && strcmp(dst->payslip_text, src->payslip_text))
            dst->text_conflict = true;
        else
            dst->payslip_text = src->payslip_text;
    }
    dst->text_conflict |= src->text_conflict;
    for (size_t i = 0; i < src->nvals; i++) {
        const struct bval *sv = &src->vals[i];
        struct bval *dv = NULL;
        for (size_t j = 0; j < dst->nvals && !dv; j++)
            if (dst->vals[j].key == sv->key)
                dv = &dst->vals[j];
        if (!dv) {
            lk_grow(&dst->vals, sizeof *dst->vals, dst->nvals + 1, &dst->vals_alloc);
            dst->vals[dst->nvals++] = *sv;
            continue;
        }
        dv->overflow |= sv->overflow;
        if (dv->value_null != sv->value_null) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     _("component %d is both removed (null) and given a value in period %s"),
                     sv->key, dst->u->label);
            add_error(dst, xstrdup(msg));
            dst->input_error = true;
        } else if (!sv->value_null && !lk_decimal_add(dv->value, sv->value, &dv->value)) {
            dv->overflow = true;
        }
    }
    for (size_t i = 0; i < src->nerrors; i++)
        add_error(dst, src->errors[i]);
    src->nerrors = 0;
    dst->input_error |= src->input_error;
    dst->need_defaults |= src->need_defaults;
    free(src->group_key);
    free(src->vals);
    free(src->entries);
    free(src->errors);
}

void plan_merge_records(plan_ctx *x)
{
    lk_hashmap *first = lk_hashmap_new(x->nbuckets + 1);   /* final key -> kept index + 1 */
    size_t kept = 0;
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        final_key k;
        char *key = NULL;
        if (!b->u->failed && plan_final_key(x, b, &k) == PLAN_KEY_OK)
            key = plan_final_key_text(b, &k);
        void *v = key ? lk_hashmap_get(first, key) : NULL;
        if (v) {
            merge_into(&x->buckets[(size_t)v - 1], b);
        } else {
            if (kept != i)
                x->buckets[kept] = *b;
            if (key)
                lk_hashmap_put(first, key, (void *)(kept + 1));
            kept++;
        }
        free(key);
    }
    x->nbuckets = kept;
    lk_hashmap_free(first);
    plan_round_records(x);
}
