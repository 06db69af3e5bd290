/*
 * error.h: the one error type carried through loket-import.
 *
 * Every stage reports failure as an lk_code and, where a person must act, an lk_error that
 * names the place: file, sheet, row, column (letter and header), employee, and a message.
 * lk_error_format() turns it into the line an operator reads:
 *   uren-november.csv:7: column D "Overuren": "7,5x" is not a number
 * Exit codes of every command come from one table (lk_exit_code).
 */
#ifndef LK_ERROR_H
#define LK_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum lk_code {
    LK_OK = 0,
    LK_ERR_NOMEM,       /* out of memory */
    LK_ERR_IO,          /* a file could not be read or written */
    LK_ERR_INPUT,       /* malformed or invalid input file, cell or value */
    LK_ERR_LIMIT,       /* input exceeds a safety limit (zip bomb, huge cell, ...) */
    LK_ERR_MAPPING,     /* invalid mapping file */
    LK_ERR_CONFIG,      /* invalid configuration or command line */
    LK_ERR_AUTH,        /* no valid token, refresh failed */
    LK_ERR_NETWORK,     /* connection failed after every retry */
    LK_ERR_HTTP,        /* unexpected HTTP status */
    LK_ERR_PROTOCOL,    /* an answer of the server that could not be understood */
    LK_ERR_REJECTED,    /* Loket rejected the request (400 with messages) */
    LK_ERR_NOT_FOUND,   /* an id, employee, period or component does not exist */
    LK_ERR_CONFLICT,    /* state forbids the action (closed period, duplicate row, ...) */
    LK_ERR_INTERRUPTED, /* stopped by a signal; resumable */
    LK_ERR_INTERNAL,    /* a bug */
    LK_ERR_ENV,         /* a file of the program's own (token store, lock, journal, report,
                         * trace) could not be read or written: the environment, not the input */
    LK_ERR_UNAVAILABLE  /* Loket answered 5xx or 429 to every retry: temporary, try later */
} lk_code;

/* Exit codes of every command (docs/exit-codes.md, --help). */
enum {
    LK_EXIT_OK = 0,        /* everything done (or, for plan/validate, no errors) */
    LK_EXIT_REJECTED = 1,  /* some employments rejected or failed; the report says which */
    LK_EXIT_INPUT = 2,     /* input or mapping errors: nothing was sent */
    LK_EXIT_CONFIG = 3,    /* configuration, authentication or connection error */
    LK_EXIT_INTERNAL = 4,  /* internal error */
    LK_EXIT_INTERRUPTED = 5, /* stopped by a signal; the journal lets --resume finish the run */
    LK_EXIT_USAGE = 64     /* the command line itself is wrong (unknown option, missing or bad
                              argument): nothing was read or sent; BSD sysexits' EX_USAGE */
};

#define LK_ERROR_MSG_MAX 512

typedef struct lk_error {
    lk_code code;
    char file[256];         /* "" when not about a file */
    char sheet[64];         /* "" for CSV */
    unsigned long row;      /* 1-based as a person sees it (Excel row, CSV line); 0 = none */
    char column[16];        /* column letter, "" = none */
    char header[64];        /* column header text, "" = none */
    char message[LK_ERROR_MSG_MAX];
} lk_error;

const char *lk_strerror(lk_code code);
int lk_exit_code(lk_code code);
/* True for failures that may go away by themselves (connection, 5xx, 429, maintenance): worth
 * trying again later without a person. */
int lk_code_transient(lk_code code);

void lk_error_clear(lk_error *err);
/* Sets code and message (printf-style); keeps the provenance already in err. Returns code. */
lk_code lk_error_set(lk_error *err, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
lk_code lk_error_setv(lk_error *err, lk_code code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Sets the provenance fields; any pointer may be NULL, row 0 and col (size_t)-1 mean none. */
void lk_error_at(lk_error *err, const char *file, const char *sheet, unsigned long row,
                 size_t col, const char *header);
/* Replaces control characters (C0 but newline and tab, DEL, C1) with spaces in place, as the
 * report does, so that text from a file or a server cannot move the cursor, recolour or retitle
 * a terminal. Every error message and provenance field goes through it. */
void lk_text_make_printable(char *s);
/* The same, and line breaks and tabs become spaces too: for text shown on one line (error
 * messages, warnings, provenance fields, a report line), so that text from a file or a server
 * cannot print a line of its own ("loket-import: error: ..." faked by a cell). */
void lk_text_make_one_line(char *s);
/* "file[sheet]:row: column D "Header": message" into buf; returns buf. */
char *lk_error_format(const lk_error *err, char *buf, size_t size);

/* Column index (0-based) to spreadsheet letters: 0 -> "A", 26 -> "AA". buf >= 8 bytes. */
char *lk_column_letter(size_t col, char *buf);

/* Fatal and non-fatal messages to stderr in one style: "loket-import: error: ...". */
void lk_set_progname(const char *name);
void lk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lk_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void lk_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
