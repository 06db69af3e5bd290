/*
 * xlsx.c: XLSX workbooks into rows (minizip + expat). Placeholder until the streaming reader
 * lands: it says so instead of misreading the file.
 */
#include "input/reader_int.h"

lk_xlsx *lk_xlsx_open(const char *path, const lk_reader_opts *opts, lk_error *err)
{
    (void)opts;
    lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
    lk_error_set(err, LK_ERR_INPUT, "XLSX input is not supported yet: save the sheet as CSV");
    return NULL;
}

int lk_xlsx_next(lk_xlsx *x, const lk_row **row, lk_error *err)
{
    (void)x;
    (void)row;
    (void)err;
    return 0;
}

const char *const *lk_xlsx_sheets(const lk_xlsx *x)
{
    (void)x;
    return NULL;
}

void lk_xlsx_free(lk_xlsx *x)
{
    (void)x;
}
