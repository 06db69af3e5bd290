/*
 * xlsx_zip.h: the parts of an XLSX package (a zip) read through minizip, with the limits that
 * stop zip bombs: the total of the declared sizes, each part's compression ratio, and the bytes
 * actually inflated (a header may lie).
 */
#ifndef LK_XLSX_ZIP_H
#define LK_XLSX_ZIP_H

#include "input/reader.h"

#include <sys/types.h>

typedef struct lk_zip lk_zip;

/* Opens the package and checks every part's declared size and ratio against limits. Errors
 * name path. */
lk_zip *lk_zip_open(const char *path, const lk_reader_limits *limits, lk_error *err);
void lk_zip_free(lk_zip *z);

/* Whether the package has a part of that name (ASCII case does not matter, as in Excel). */
int lk_zip_has(lk_zip *z, const char *name);

/* One part at a time is open for reading. open: 0 ok, -1 err set (a missing part is an error
 * naming it). read: bytes read, 0 at the end (CRC checked), -1 err set. */
int lk_zip_part_open(lk_zip *z, const char *name, lk_error *err);
ssize_t lk_zip_part_read(lk_zip *z, void *buf, size_t len, lk_error *err);
void lk_zip_part_close(lk_zip *z);

#endif
