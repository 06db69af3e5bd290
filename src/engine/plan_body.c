/*
 * plan_body.c: a finished record (its values and its complete record key) -> the JSON text of
 * its PATCH body.
 */
#include "engine/plan_stages.h"

#include "common/strbuf.h"
#include "engine/json_text.h"

/* A record key field: null, or {key_name: the key} (a number, or a string for a uuid key). */
static void key_json(strbuf *sb, const lk_meta_ref *r, const char *key_name)
{
    if (!r || !r->key_text) {
        strbuf_addstr(sb, "null");
        return;
    }
    strbuf_addch(sb, '{');
    lk_json_text_name(sb, key_name);
    if (r->key_is_int)
        lk_json_text_long(sb, r->key);
    else
        lk_json_text_string(sb, r->key_text);
    strbuf_addch(sb, '}');
}

/* The PATCH body, written as text (json_text.h: the bytes cJSON would print for the same tree;
 * a tree per record cost more than the rest of finishing it). */
char *plan_build_body(const bucket *b, const final_key *k)
{
    char buf[32];
    strbuf sb;
    strbuf_init(&sb, 256);
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "payrollPeriod");
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "year");
    lk_json_text_long(&sb, b->u->period->year);
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "periodNumber");
    lk_json_text_long(&sb, b->u->period->period_number);
    strbuf_addch(&sb, '}');
    /* shift, payslipType and distributionUnit are not nullable in the request schema: a record
     * without one leaves the member out; costCenter and costUnit are nullable */
    if (k->f[LK_RK_SHIFT]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "shift");
        key_json(&sb, k->f[LK_RK_SHIFT], "shiftNumber");
    }
    if (k->f[LK_RK_PAYSLIP_TYPE]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "payslipType");
        key_json(&sb, k->f[LK_RK_PAYSLIP_TYPE], "key");
    }
    if (k->f[LK_RK_DISTRIBUTION_UNIT]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "distributionUnit");
        key_json(&sb, k->f[LK_RK_DISTRIBUTION_UNIT], "key");
    }
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "costCenter");
    key_json(&sb, k->f[LK_RK_COST_CENTER], "key");
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "costUnit");
    key_json(&sb, k->f[LK_RK_COST_UNIT], "key");
    if (b->payslip_text) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "payslipText");
        lk_json_text_string(&sb, b->payslip_text);
    }
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "payrollComponents");
    strbuf_addch(&sb, '[');
    for (size_t i = 0; i < b->nvals; i++) {
        if (i)
            strbuf_addch(&sb, ',');
        strbuf_addch(&sb, '{');
        lk_json_text_name(&sb, "payrollComponent");
        strbuf_addch(&sb, '{');
        lk_json_text_name(&sb, "key");
        lk_json_text_long(&sb, b->vals[i].key);
        strbuf_addstr(&sb, "},");
        lk_json_text_name(&sb, "value");
        /* exact decimal text: a double would print 1.75 as 1.75, but sums like 0.1+0.2 not */
        strbuf_addstr(&sb, b->vals[i].value_null ? "null"
                                                 : lk_decimal_format(b->vals[i].value, buf));
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "isSupplement");
        strbuf_addstr(&sb, b->vals[i].is_supplement ? "true" : "false");
        strbuf_addch(&sb, '}');
    }
    strbuf_addstr(&sb, "]}");
    return strbuf_detach(&sb, NULL);
}

