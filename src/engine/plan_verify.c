/*
 * plan_verify.c: a sent plan -> the listings read again and every sent record compared with what
 * Loket holds now; a difference fails the record.
 */
#include "engine/plan_stages.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>

long lk_plan_verify(lk_client *c, lk_plan *p, const bool *sent, lk_error *err)
{
    /* the same queries again, fresh */
    for (size_t i = 0; i < p->nlistings; i++) {
        lk_period_data_list_free(p->listings[i].list);
        p->listings[i].list = NULL;
        p->listings[i].failed = false;
        if (!p->listings[i].for_defaults)
            plan_start_listing(c, &p->listings[i]);
    }
    lk_code rc = lk_client_run(c, err);
    if (rc != LK_OK)
        return -1;
    for (size_t i = 0; i < p->nlistings; i++)
        if (p->listings[i].failed) {
            *err = p->listings[i].err;
            return -1;
        }
    merged_set ms;
    memset(&ms, 0, sizeof ms);
    plan_merge_listings(p, &ms);
    long mismatches = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (!sent[i] || !it->key)
            continue;
        const char *kt = strchr(it->key, '|');
        const merged *m = NULL;
        for (size_t j = plan_merged_first(&ms, it->employment_id, it->admin_period_id); j && !m && kt;
             j = ms.items[j - 1].next_same)
            if (!strcmp(strchr(ms.items[j - 1].key_text, '|'), kt))
                m = &ms.items[j - 1];
        lk_report_record *rec = it->rec;
        bool bad = false;
        char msg[300], a[32], b[32];
        if (!m) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "verify: Loket holds no such record after the upsert",
                                         NULL);
            bad = true;
        }
        for (size_t k = 0; m && k < rec->ncomponents; k++) {
            const lk_report_component *rc2 = &rec->components[k];
            const lk_component_value *held = NULL;
            for (size_t q = 0; q < m->rec.ncomponents; q++)
                if (m->rec.components[q].key == rc2->key && m->rec.components[q].has_value)
                    held = &m->rec.components[q];
            if (rc2->delete ? held == NULL : (held && held->value == rc2->new_value))
                continue;
            if (rc2->is_supplement)
                continue; /* a supplement adds to the fixed value: the period value may differ */
            snprintf(msg, sizeof msg, "verify: component %d should be %s, Loket holds %s",
                     rc2->key, rc2->delete ? "empty" : lk_decimal_format(rc2->new_value, a),
                     held ? lk_decimal_format(held->value, b) : "nothing");
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, msg, NULL);
            bad = true;
        }
        if (bad) {
            mismatches++;
            lk_report_record_set_result(rec, LK_OUTCOME_FAILED, rec->http_status, rec->attempts);
        }
    }
    plan_merged_set_free(&ms);
    return mismatches;
}
