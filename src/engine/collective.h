/*
 * collective.h: the answer to one collective PATCH -> what it says of each item of the call.
 *
 * Only what Loket says counts: an item is stored when one of the records Loket returns
 * (`_embedded`) is its record, refused when a message names it (by its index in `properties`,
 * "[3].payrollPeriod", or by its employment id when no other unsettled item of the call has that
 * employment). Everything else is unknown: the caller reads those records back. The official
 * document promises neither `_embedded` in a 200 nor an index in `properties`.
 */
#ifndef LK_COLLECTIVE_H
#define LK_COLLECTIVE_H

#include "engine/plan.h"
#include "loket/envelope.h"

#include <stddef.h>

typedef enum lk_item_fate {
    LK_FATE_UNKNOWN = 0,
    LK_FATE_STORED,
    LK_FATE_REFUSED
} lk_item_fate;

typedef struct lk_collective_answer {
    lk_item_fate *fate;         /* per item of the call */
    long *message_item;         /* per message of the envelope: the item (position in the call)
                                 * it names, -1 = none (it concerns the unknown items) */
    size_t nitems, nmessages;
} lk_collective_answer;

/* Attributes env (may be NULL) to the n items (plan item indexes, in call order). */
void lk_collective_attribute(const lk_plan *p, const size_t *items, size_t n,
                             const lk_envelope *env, lk_collective_answer *out);
void lk_collective_answer_clear(lk_collective_answer *a);

#endif
