/*
 * fuzz_csv.c: libFuzzer target for the CSV reader: any bytes, auto-detected and with small
 * limits, must give rows or a clear error, never a crash, leak or hang.
 */
#include "fuzz_common.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_reader_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.limits.max_cell = 4096;
    opts.limits.max_columns = 64;
    opts.limits.max_rows = 10000;
    fuzz_read_all(data, size, LK_FILE_CSV, &opts);
    /* the first byte picks a forced encoding and delimiter for a second pass */
    if (size > 0) {
        static const char delims[] = { 0, ';', ',', '\t', '|' };
        opts.encoding = (lk_encoding)(data[0] % 4);
        opts.delimiter = delims[(data[0] >> 2) % 5];
        fuzz_read_all(data + 1, size - 1, LK_FILE_CSV, &opts);
    }
    return 0;
}
