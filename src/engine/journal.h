/*
 * journal.h: the append-only record of what Loket confirmed during an apply.
 *
 * Every answer that settles a record (2xx accepted, or a rejection that retrying cannot change)
 * is appended as one JSON line and made durable (fdatasync) before the run counts it as done.
 * After a crash or kill, `apply --resume` opens the same journal: what is in it is not sent
 * again, and its stored result goes into the final report, so the report of a resumed run equals
 * that of an uninterrupted one. The run's fingerprint (a hash of its inputs and options) is the
 * first line; a journal of other inputs is refused.
 *
 * Format (one JSON object per line):
 *   {"loketImportJournal":1,"fingerprint":"<hex>","created":"2026-11-28T12:00:00Z"}
 *   {"key":"<employmentId>/<recordKey>","bodySha256":"<hex>","result":{...}}
 * A torn last line (crash in the middle of a write) is dropped and cut off on open.
 */
#ifndef LK_JOURNAL_H
#define LK_JOURNAL_H

#include "common/error.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct lk_journal lk_journal;

typedef struct lk_journal_entry {
    const char *key;          /* employment id + "/" + record key (the caller's canonical text) */
    const char *body_sha256;  /* hash of the request body that was confirmed */
    const cJSON *result;      /* what the report needs: status, outcome, messages (journal owns) */
} lk_journal_entry;

/*
 * Opens path for a run with this fingerprint (hex or other text without quotes/backslashes).
 * resume=false: creates the journal; one that already holds results is refused (LK_ERR_CONFLICT)
 * so that two runs never mix; a header-only one is replaced.
 * resume=true: loads it (a missing file is an empty journal); another fingerprint is refused
 * (LK_ERR_CONFLICT); a damaged line other than a torn last one is LK_ERR_INPUT naming the line.
 */
lk_journal *lk_journal_open(const char *path, const char *fingerprint, bool resume, lk_error *err);
/* The confirmed entry for key (the newest if confirmed twice), or NULL. */
const lk_journal_entry *lk_journal_find(const lk_journal *j, const char *key);
/* Number of distinct keys confirmed. */
size_t lk_journal_count(const lk_journal *j);
/* Appends one confirmed result (written at once; durable after lk_journal_sync). Copies result. */
lk_code lk_journal_append(lk_journal *j, const char *key, const char *body_sha256,
                          const cJSON *result, lk_error *err);
/* Makes every appended line durable: one fdatasync for a batch of answers. */
lk_code lk_journal_sync(lk_journal *j, lk_error *err);
void lk_journal_free(lk_journal *j);

#endif
