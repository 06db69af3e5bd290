/*
 * plan_verify.c: a sent plan -> the listings read again and each record compared with what Loket
 * holds now: for --verify (a record reported stored must hold its values, one reported rejected
 * must not) and for the read-back of collective items whose fate Loket's answer did not name.
 */
#include "engine/plan_stages.h"

#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

/* The listings of the plan read again (not those read only for default record keys). */
static lk_code read_listings(lk_client *c, lk_plan *p, merged_set *ms, lk_error *err)
{
    memset(ms, 0, sizeof *ms);
    for (size_t i = 0; i < p->nlistings; i++) {
        lk_period_data_list_free(p->listings[i].list);
        p->listings[i].list = NULL;
        p->listings[i].failed = false;
        if (!p->listings[i].for_defaults)
            plan_start_listing(c, &p->listings[i]);
    }
    lk_code rc = lk_client_run(c, err);
    if (rc != LK_OK)
        return rc;
    for (size_t i = 0; i < p->nlistings; i++)
        if (p->listings[i].failed) {
            *err = p->listings[i].err;
            return err->code;
        }
    plan_merge_listings(p, ms);
    return LK_OK;
}

/* The listing line of an item's record (same employment, period and record key), or NULL. */
static const merged *item_line(const merged_set *ms, const lk_plan_item *it)
{
    const char *kt = strchr(it->key, '|');
    for (size_t j = plan_merged_first(ms, it->employment_id, it->admin_period_id); j && kt;
         j = ms->items[j - 1].next_same)
        if (!strcmp(strchr(ms->items[j - 1].key_text, '|'), kt))
            return &ms->items[j - 1];
    return NULL;
}

/* True when the line holds the component as the item sends it (nothing, for a removal). */
static bool holds_as_sent(const merged *m, const lk_report_component *rc)
{
    const lk_component_value *held = NULL;
    for (size_t q = 0; m && q < m->rec.ncomponents; q++)
        if (m->rec.components[q].key == rc->key && m->rec.components[q].has_value)
            held = &m->rec.components[q];
    return rc->delete ? held == NULL : (held && held->value == rc->new_value);
}

/* True when the item changes the component (a value it had already says nothing of a send). */
static bool changes(const lk_report_component *c)
{
    return c->delete ? c->has_old : !c->has_old || c->old_value != c->new_value;
}

/* Compares the item's values with the line. Returns the number of components that differ
 * (supplements are not compared: they add to the fixed value); *compared: components that
 * could be compared. With msgs, each difference becomes an error message on the record. */
static size_t differences(const merged *m, lk_report_record *rec, bool msgs, size_t *compared)
{
    char msg[300], a[LK_FMT_NUMBER_MAX], b[LK_FMT_NUMBER_MAX];
    size_t bad = 0;
    *compared = 0;
    for (size_t k = 0; k < rec->ncomponents; k++) {
        const lk_report_component *rc = &rec->components[k];
        const lk_component_value *held = NULL;
        if (rc->is_supplement)
            continue; /* a supplement adds to the fixed value: the period value may differ */
        (*compared)++;
        if (holds_as_sent(m, rc))
            continue;
        for (size_t q = 0; m && q < m->rec.ncomponents; q++)
            if (m->rec.components[q].key == rc->key && m->rec.components[q].has_value)
                held = &m->rec.components[q];
        bad++;
        if (msgs) {
            snprintf(msg, sizeof msg, _("verify: component %d should be %s, Loket holds %s"),
                     rc->key, rc->delete ? _("empty") : lk_fmt_decimal(rc->new_value, 0, a),
                     held ? lk_fmt_decimal(held->value, 0, b) : _("nothing"));
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, msg, NULL);
        }
    }
    return bad;
}

/* A record reported rejected whose change Loket nevertheless holds: the report would lie. Only
 * a change can tell (a record that already held these values before says nothing); the old
 * values are the report's, which a resumed run takes from the journal. */
static bool rejected_but_held(const merged *m, const lk_plan_item *it)
{
    size_t compared;
    bool change = false;
    if (!m)
        return false;
    for (size_t k = 0; k < it->rec->ncomponents; k++) {
        const lk_report_component *c = &it->rec->components[k];
        if (!c->is_supplement && changes(c))
            change = true;
    }
    return change && differences(m, it->rec, false, &compared) == 0 && compared > 0;
}

/* True when Loket holds none of the values the item changes: the record was not stored (Loket
 * stores a record whole or not at all), whatever its unchanged values show. */
static bool holds_no_change(const merged *m, const lk_plan_item *it)
{
    bool change = false;
    for (size_t k = 0; k < it->rec->ncomponents; k++) {
        const lk_report_component *c = &it->rec->components[k];
        if (c->is_supplement || !changes(c))
            continue;
        change = true;
        if (holds_as_sent(m, c))
            return false;
    }
    return change;
}

long lk_plan_verify(lk_client *c, lk_plan *p, const bool *sent, lk_error *err)
{
    merged_set ms;
    if (read_listings(c, p, &ms, err) != LK_OK) {
        plan_merged_set_free(&ms);
        return -1;
    }
    long mismatches = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (!sent[i] || !it->key)
            continue;
        const merged *m = item_line(&ms, it);
        lk_report_record *rec = it->rec;
        bool bad = false;
        size_t compared;
        if (rec->outcome == LK_OUTCOME_REJECTED) {
            if (!rejected_but_held(m, it))
                continue;
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "verify: reported rejected, but Loket holds this "
                                         "record's new values",
                                         NULL);
            bad = true;
        } else if (!m) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "verify: Loket holds no such record after the upsert",
                                         NULL);
            bad = true;
        } else {
            bad = differences(m, rec, true, &compared) > 0;
        }
        if (bad) {
            mismatches++;
            lk_report_record_set_result(rec, LK_OUTCOME_FAILED, rec->http_status, rec->attempts);
        }
    }
    plan_merged_set_free(&ms);
    return mismatches;
}

lk_code lk_plan_read_back(lk_client *c, lk_plan *p, const bool *which, lk_held *held,
                          lk_error *err)
{
    merged_set ms;
    lk_code rc = read_listings(c, p, &ms, err);
    for (size_t i = 0; rc == LK_OK && i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        size_t compared;
        if (!which[i] || !it->key)
            continue;
        const merged *m = item_line(&ms, it);
        size_t bad = differences(m, it->rec, false, &compared);
        if (!compared && it->planned == LK_OUTCOME_CREATED)
            /* supplements only, but Loket had no such record: whether it has one now tells */
            held[i] = m && plan_line_has_values(&m->rec) ? LK_HELD_YES : LK_HELD_NO;
        else if (!compared)
            held[i] = LK_HELD_UNKNOWN; /* supplements only: the period value cannot tell */
        else if (bad == 0)
            held[i] = LK_HELD_YES;
        else if (bad == compared || holds_no_change(m, it))
            held[i] = LK_HELD_NO;
        else
            held[i] = LK_HELD_PARTLY;
    }
    plan_merged_set_free(&ms);
    return rc;
}
