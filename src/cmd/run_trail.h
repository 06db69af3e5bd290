/*
 * run_trail.h: the run folder of one apply (engine/runs.h), filled as the run goes: opened (a
 * new one, or the unfinished one that --resume continues) with the inputs' SHA-256 and a copy
 * of the mapping; the plan before anything is sent; at the end the reports, the journal, the
 * status, the exit code and the counts that `loket-import runs` lists.
 */
#ifndef LK_RUN_TRAIL_H
#define LK_RUN_TRAIL_H

#include "common/error.h"
#include "engine/plan.h"
#include "engine/plan_file.h"
#include "engine/runs.h"
#include "loket/config.h"
#include "report/report.h"

#include <stdbool.h>

typedef struct lk_trail_opts {
    const char *fingerprint;    /* the run's (journal) fingerprint */
    bool resume;                /* --resume: continue the newest unfinished run of these inputs */
    const char *journal;        /* --journal, or NULL: the journal lives in the run folder */
    const char *reviewed_plan;  /* apply PLAN.json: the plan's path and SHA-256, else NULL */
    const char *reviewed_sha256;
    const char *period, *employer;
    bool allow_partial, force, verify;
    int collective;
} lk_trail_opts;

/* Opens the run folder and records the start. Errors are LK_ERR_CONFIG (exit 3). */
lk_code lk_trail_open(const lk_config *cfg, const lk_report *r, const lk_trail_opts *o,
                      lk_run **out, lk_error *err);
/* The journal path of the run: --journal when given, else the run folder's; caller frees. */
char *lk_trail_journal_path(const lk_run *run, const char *journal_opt);
/* Keeps the plan as it was before anything was sent (once: a resumed run keeps the first). */
lk_code lk_trail_plan(lk_run *run, const lk_plan *p, const lk_report *r,
                      const lk_plan_origin *origin, lk_error *err);
/* Writes the reports into the run folder: report.json always, report.csv and report.xlsx too
 * when the user named no report. Returns false (error printed) when one could not be written. */
bool lk_trail_reports(lk_run *run, lk_report *r, bool user_reports);
/* Records the end: status ("finished", "unfinished" or "nothing sent"), exit code, counts,
 * employers, periods, reports, and a copy of an outside journal; prints the folder. */
void lk_trail_finish(lk_run *run, const lk_report *r, int exit_code, bool journal_complete,
                     const char *journal_path);

#endif
