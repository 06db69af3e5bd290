/*
 * report_loket.c: what the report takes straight from the Loket client: the messages of a
 * response envelope (verbatim, in Loket's order) and the HTTP engine's request statistics.
 * Kept apart from report.c so the model itself depends on nothing of src/loket.
 */
#include "report/report.h"

#include "loket/envelope.h"
#include "loket/http.h"

void lk_report_record_add_envelope(lk_report_record *rec, const lk_envelope *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->nmessages; i++) {
        const lk_message *m = &env->messages[i];
        const char *type = m->type_text && *m->type_text ? m->type_text
                                                         : lk_message_type_name(m->type);
        lk_report_record_add_message(rec, LK_MSG_LOKET, type, m->has_code, m->code,
                                     m->description, m->id);
    }
}

void lk_report_add_http_stats(lk_report *r, const lk_http_stats *stats)
{
    if (!stats)
        return;
    for (size_t i = 0; i < stats->n; i++) {
        const lk_http_record *h = &stats->records[i];
        lk_report_count_request(r, h->method, h->endpoint, (int)h->status,
                                h->attempts > 0 ? (unsigned)h->attempts : 0, h->latency_ms);
    }
}
