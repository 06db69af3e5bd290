/*
 * plan_file.h: a saved plan (`plan --out PLAN.json`) and the check that `apply PLAN.json` sends
 * exactly that plan.
 *
 * The document names what the plan was made from (the API it was made against, the input files
 * and the mapping with their SHA-256, --period and --employer) and holds every record: its
 * journal key, the exact PATCH body and its SHA-256, the planned outcome, the value Loket held
 * for every component, and the importer's notes (errors, values Loket holds that the file leaves
 * out). apply PLAN.json reads the same inputs again, refuses when one of them changed, builds a
 * fresh plan against Loket and sends only when it is record for record the saved one; otherwise
 * it names what changed. The run folder keeps the plan of every apply in the same format
 * (revert reads the old values from it).
 *
 * A plan written with --out is sealed: "seal": {"installation": key id, "hmacSha256": HMAC of
 * the file's bytes with the seal's value as 64 zeros} with the installation key (seal.h).
 * Every byte is covered, so a plan edited after it was made (a body value, a name, a hash
 * made to match) is refused, and so is a plan of another installation unless the person says
 * it is trusted (apply --trust-plan); a trusted plan is still compared field by field.
 *
 * Format:
 *   {"loketImportPlan": 1, "created": "...", "api": "https://...", "employer": null|"...",
 *    "period": null|"2026-11", "mapping": {"path", "sha256"}, "files": [{"path", "sha256"}],
 *    "summary": {"records", "errors", "created", "updated", "unchanged", "rejected"},
 *    "records": [{"key", "employmentId", "employerId", "employeeNumber", "employeeName",
 *                 "periodId", "period", "planned", "error", "blocked", "bodySha256", "body",
 *                 "components": [{"key", "old", "new", "delete", "isSupplement"}],
 *                 "notes": ["..."]}],
 *    "seal": {"installation", "hmacSha256"}}
 */
#ifndef LK_PLAN_FILE_H
#define LK_PLAN_FILE_H

#include "common/error.h"
#include "common/strbuf.h"
#include "engine/plan.h"
#include "engine/seal.h"
#include "report/report.h"

#include <cJSON.h>
#include <stdbool.h>

/* What the plan was made from, besides the report's files and mapping. */
typedef struct lk_plan_origin {
    const char *api_url;        /* the API base the plan was checked against */
    const char *period;         /* --period as given, or NULL */
    const char *employer;       /* --employer (or the configuration's default), or NULL */
    const lk_seal_key *key;     /* seals a plan written with lk_plan_file_write (NULL: none) */
} lk_plan_origin;

/* The document of plan p (its records are the report's); the caller deletes it. File and
 * mapping paths are made absolute, so the plan can be applied from another folder. */
cJSON *lk_plan_file_json(const lk_plan *p, const lk_report *r, const lk_plan_origin *origin);
/* Writes it to path (atomically, mode 0600: bodies hold employees' payroll values). */
lk_code lk_plan_file_write(const lk_plan *p, const lk_report *r, const lk_plan_origin *origin,
                           const char *path, lk_error *err);

/* A plan read back. */
typedef struct lk_plan_file {
    cJSON *doc;                 /* the whole document (owned) */
    char sha256[65];            /* of the file as read: names the plan in the run record */
    const char *api_url;        /* these point into doc */
    const char *period, *employer;
    const char *mapping, *mapping_sha256;
    const char **files, **file_sha256;
    size_t nfiles;
    char *text;                 /* the bytes as read, for the seal */
    size_t len;
    bool sealed;                /* its seal was checked with this installation's key */
} lk_plan_file;

/* True when path's name ends in .json (apply takes it for a plan when no mapping is given). */
bool lk_plan_file_named(const char *path);
/* True when path is a JSON document that calls itself a loket-import plan. */
bool lk_plan_file_sniff(const char *path);
/* Reads and checks a saved plan; errors (LK_ERR_INPUT) name the file and the field. */
lk_code lk_plan_file_load(const char *path, lk_plan_file **out, lk_error *err);
void lk_plan_file_free(lk_plan_file *pf);
/* Checks the plan's seal with this installation's key: LK_ERR_INPUT with a headline saying the
 * file was changed after it was made when it does not match; a plan without a seal or of
 * another installation is refused. A trusted plan (--trust-plan) is not checked: the
 * comparison with a fresh plan decides alone. Sets pf->sealed when the seal was checked. */
lk_code lk_plan_file_verify(lk_plan_file *pf, const char *path, const lk_seal_key *k,
                            bool trusted, lk_error *err);

/* The number of differences between the saved plan and a fresh one (p with its records); the
 * first max_lines of them are appended to why, one line each, naming employee, period, record
 * and component. 0: apply may send p, it is the reviewed plan. */
size_t lk_plan_file_compare(const lk_plan_file *pf, const lk_plan *p, strbuf *why,
                            size_t max_lines);

#endif
