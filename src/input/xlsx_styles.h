/*
 * xlsx_styles.h: which cell styles show a number as a date or time (the cellXfs of
 * styles.xml and their number formats), and Excel serial numbers as calendar dates.
 */
#ifndef LK_XLSX_STYLES_H
#define LK_XLSX_STYLES_H

#include "input/xlsx_zip.h"

/* What a number format makes of a number. */
enum {
    LK_NUMFMT_PLAIN = 0,
    LK_NUMFMT_DATE = 1,          /* a date and/or time of day */
    LK_NUMFMT_DURATION = 2       /* elapsed time ([h]:mm): a count of days, no calendar */
};

typedef struct lk_styles {
    unsigned char *xf_kind;      /* LK_NUMFMT_* per cellXfs index */
    size_t nxf;
} lk_styles;

/* Reads part (styles.xml) into s; an absent part (NULL) leaves every style non-date. */
int lk_styles_load(lk_styles *s, lk_zip *z, const char *path, const char *part, lk_error *err);
int lk_styles_kind(const lk_styles *s, size_t xf);
void lk_styles_free(lk_styles *s);

/* Built-in number formats 14-22 and 45-47 are dates or times, 46 ([h]:mm:ss) a duration. */
int lk_numfmt_builtin_kind(unsigned long id);
/* A custom format code shows a date or time when it has d, m, y, h or s outside quoted text,
 * brackets ([Red], [$-413]) and escaped characters; an elapsed-time bracket ([h], [mm], [ss])
 * makes it a duration. */
int lk_numfmt_code_kind(const char *code);

/* A duration in days as "37:30:00" (hours past 24); hour holds the total hours, the date fields
 * are 0. -1 when negative or absurdly long. */
int lk_days_to_duration(double days, lk_cell *cell, char *text, size_t size);
/* Fills the DATE fields of cell from a serial in the 1900 system (Excel's phantom 1900-02-29
 * included) and writes its ISO text ("2026-11-02", "2026-11-02T08:30:00", or "08:30:00" for a
 * time of day, serial < 1) into text. -1 when the serial is outside 0 .. 9999-12-31. */
int lk_serial_to_date(double serial, lk_cell *cell, char *text, size_t size);
/* ISO 8601 "2026-11-02" / "2026-11-02T08:30:00[.fff][Z]" (cells of type "d") to a 1900 serial.
 * -1 when it is not such a date. */
int lk_iso_to_serial(const char *iso, double *serial);

/* Days between the 1900 and the 1904 date systems: serial1900 = serial1904 + this. */
#define LK_DATE1904_OFFSET 1462

#endif
