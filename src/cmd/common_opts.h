/*
 * common_opts.h: the options every command that talks to Loket shares, parsed one way.
 *
 *   --config FILE  --api-url URL  --token-url URL  --employer X  --trace FILE
 *   --concurrency N  --cacert FILE
 *
 * A command appends LK_COMMON_LONG_OPTIONS to its own getopt_long table, hands every option it
 * does not know to lk_common_opt(), prints lk_common_usage() in its --help, and opens the
 * configuration, trace and client with lk_common_open(). Codes 0x1000.. are reserved here.
 */
#ifndef LK_COMMON_OPTS_H
#define LK_COMMON_OPTS_H

#include "common/error.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/trace.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

enum {
    LK_OPT_CONFIG = 0x1000,
    LK_OPT_API_URL,
    LK_OPT_TOKEN_URL,
    LK_OPT_EMPLOYER,
    LK_OPT_TRACE,
    LK_OPT_CONCURRENCY,
    LK_OPT_CACERT,
    LK_OPT_STATS,
};

#define LK_COMMON_LONG_OPTIONS                                                                 \
    { "config", required_argument, NULL, LK_OPT_CONFIG },                                      \
    { "api-url", required_argument, NULL, LK_OPT_API_URL },                                    \
    { "token-url", required_argument, NULL, LK_OPT_TOKEN_URL },                                \
    { "employer", required_argument, NULL, LK_OPT_EMPLOYER },                                  \
    { "trace", required_argument, NULL, LK_OPT_TRACE },                                        \
    { "concurrency", required_argument, NULL, LK_OPT_CONCURRENCY },                            \
    { "cacert", required_argument, NULL, LK_OPT_CACERT },                                      \
    { "stats", no_argument, NULL, LK_OPT_STATS }

typedef struct lk_common_opts {
    lk_config_overrides ov;   /* config path, URLs, employer, cacert, concurrency */
    const char *trace_path;
    bool stats;               /* print the request statistics on stderr at the end */
} lk_common_opts;

/* The open connection of a command; close with lk_session_close(). */
typedef struct lk_session {
    lk_config *cfg;
    lk_trace *trace;          /* NULL without --trace */
    lk_client *client;        /* NULL when opened with want_client false */
    long named_client_number; /* set by lk_resolve_employer when the employer was named by the
                                 client number of one of its administrations; 0 = not */
} lk_session;

void lk_common_init(lk_common_opts *o);
/*
 * The --period a person probably meant by text that is no period: "november" or "nov 2026" ->
 * "2026-11" (the current year when none is given), "11-2026" or "11/2026" -> "2026-11",
 * "202611" -> "2026-11", "P11" or "periode 11" -> "2026-P11", "week 47" -> "2026-W47". NULL
 * when there is no good guess; buf >= 16 bytes.
 */
const char *lk_period_guess(const char *text, int this_year, char *buf);
/* lk_errorf of a --period that is no period, with the guess when there is one. */
void lk_period_usage_error(const char *text);
/* The "Exit codes:" part of a command's --help: the codes it can end with, each with the one
 * meaning every command and the run's summary give it (lk_exit_code_meaning). */
void lk_usage_exit_codes(FILE *out, const int *codes, size_t n);
#define LK_USAGE_EXIT_CODES(out, ...)                                                           \
    lk_usage_exit_codes((out), (const int[]){ __VA_ARGS__ },                                    \
                        sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))
/*
 * Handles one option of the common set. Returns 1 when handled, 0 when `opt` is not a common
 * option, -1 on a bad value (message printed).
 */
int lk_common_opt(lk_common_opts *o, int opt, const char *arg);
/* The common options' lines for a --help text. */
void lk_common_usage(FILE *out);
/* Loads the configuration, opens the trace and (want_client) the client. Prints the error. */
lk_code lk_session_open(const lk_common_opts *o, bool want_client, lk_session *s);
void lk_session_close(lk_session *s, const lk_common_opts *o);
/* Prints an error in the one style and returns its exit code. */
int lk_report_error(const lk_error *err);

/*
 * Resolves the employer as plan does: `what` (id, employer number, company name, or the client
 * number of one of its payroll administrations; then s->named_client_number is set), else the
 * configured default, else the only employer the user sees. On success *id is a new string.
 */
lk_code lk_resolve_employer(lk_session *s, const char *what, char **id, char **name,
                            lk_error *err);



/* ---- output helpers for the look-up commands ---- */

/* A plain aligned text table. Cells are copied; control characters become spaces. */
typedef struct lk_table lk_table;
lk_table *lk_table_new(size_t ncols, const char *const *headers);
void lk_table_add(lk_table *t, const char *const *cells);
void lk_table_print(const lk_table *t, FILE *out);
void lk_table_free(lk_table *t);

/*
 * Finds a payroll administration of the employer by id, client number or name; with what NULL
 * the one whose client number named the employer, else the only one. With employer_id NULL an
 * id is taken as it is and anything else is looked up in the default (or only) employer, or,
 * when the user sees several and none is chosen, among every employer's administrations.
 * On success *out is a list of one (lk_admin_list_free).
 */
lk_code lk_resolve_admin(lk_session *s, const char *employer_id, const char *what,
                         lk_admin_list **out, lk_error *err);

/* --year's argument: 1900..9999, else an error on stderr and -1. */
int lk_parse_year(const char *arg, int *year);
#endif
