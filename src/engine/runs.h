/*
 * runs.h: the audit trail: one folder per apply, kept in the state directory and never reused.
 *
 * RUNS/ID/ (ID = start time in UTC to the microsecond and a random suffix, e.g.
 * 20261128T120000Z-048213-3f9a, so names sort in the order runs started; the folder
 * is made with mkdir, so it is new; mode 0700; no symlink is followed inside it) holds:
 *   run.json       what the run was: command line, inputs and their SHA-256, status, exit code,
 *                  employers, periods, counts per outcome, where the journal and reports are
 *   inputs.sha256  the inputs' SHA-256 in sha256sum's format (`sha256sum -c` checks them)
 *   mapping.json   a copy of the mapping
 *   plan.json      the plan as it was before anything was sent (format: plan_file.h)
 *   journal        the journal of confirmed answers (or a copy of the one --journal named)
 *   report.json    and, when --report was not given, report.csv and report.xlsx
 * RUNS is the "runsDir" setting, else the folder of the token store + "/runs" (the state
 * directory: $XDG_STATE_HOME/loket-import/runs, or $STATE_DIRECTORY/runs under systemd).
 * A resumed run (apply --resume) continues in its own folder; nothing else writes into it.
 * The runs folder and every run folder must be this user's and writable by nobody else (not a
 * symlink); otherwise they are refused with a message that names the fix. run.json records the
 * SHA-256 of the run's files and is sealed with the installation key (seal.h).
 */
#ifndef LK_RUNS_H
#define LK_RUNS_H

#include "common/error.h"
#include "engine/seal.h"
#include "loket/config.h"

#include <cJSON.h>
#include <stddef.h>

typedef struct lk_run lk_run;

/* The runs folder of a configuration; caller frees. */
char *lk_runs_dir(const lk_config *cfg);

/* Makes a new run folder in runs_dir (made 0700 when missing; refused when it is a symlink). */
lk_code lk_run_create(const char *runs_dir, lk_run **out, lk_error *err);
/* Opens run ID of runs_dir (ID must be a plain name). LK_ERR_NOT_FOUND when there is none. */
lk_code lk_run_open(const char *runs_dir, const char *id, lk_run **out, lk_error *err);
/* The newest run whose run.json has this fingerprint and status "running" or "unfinished", and,
 * when journal is not NULL, names that journal. LK_ERR_NOT_FOUND when there is none. */
lk_code lk_run_find_unfinished(const char *runs_dir, const char *fingerprint,
                               const char *journal, lk_run **out, lk_error *err);
void lk_run_free(lk_run *run);
/* Takes the run's lock (held until lk_run_free): LK_ERR_CONFLICT while another process runs it. */
lk_code lk_run_lock(lk_run *run, lk_error *err);

const char *lk_run_id(const lk_run *run);
const char *lk_run_path(const lk_run *run);
/* run path + "/" + name; caller frees. */
char *lk_run_file(const lk_run *run, const char *name);
/* Whether the run folder holds a file of that name. */
int lk_run_has(const lk_run *run, const char *name);
/* run.json as an object the caller may change (the run owns it); an empty object for a new run. */
cJSON *lk_run_info(lk_run *run);
/* Seals run.json with k from now on: every save records the SHA-256 of the run's files
 * (plan.json, journal, mapping.json, inputs.sha256, report.*, revert.json; the journal only
 * once the run is no longer "running") in "sha256" and an HMAC of the whole record in "seal". */
void lk_run_set_key(lk_run *run, const lk_seal_key *k);
/* Checks a run before it is used again (revert, --resume): sealed by this installation, the
 * record unchanged, every recorded file unchanged and none added since. LK_ERR_INPUT names
 * what differs. */
lk_code lk_run_check(lk_run *run, const lk_seal_key *k, lk_error *err);
/* Reads a file of the run folder (this user's regular file, no link followed): LK_ERR_NOT_FOUND
 * when absent, LK_ERR_INPUT when it is not one. */
lk_code lk_run_read(const lk_run *run, const char *name, size_t max, char **out, size_t *len,
                    lk_error *err);
/* Writes run.json (temp file in the folder, fsync, rename; sealed when a key is set). */
lk_code lk_run_save_info(lk_run *run, lk_error *err);
/* Writes a file of the run folder atomically (O_EXCL temp, no symlink followed, 0600). */
lk_code lk_run_write(lk_run *run, const char *name, const void *data, size_t len, lk_error *err);
/* Copies the file at src into the run folder under name. */
lk_code lk_run_copy_in(lk_run *run, const char *name, const char *src, lk_error *err);

/* Every run of runs_dir, oldest first: run.json objects with "id" set, and "active": true while
 * a process holds the run's lock (caller deletes the array). A folder without a readable
 * run.json is listed with "status": "unreadable". */
lk_code lk_runs_list(const char *runs_dir, cJSON **out, lk_error *err);

#endif
