/*
 * fuzz_common.h: what the reader fuzz targets share: the input as a file the reader can open
 * (a memfd, named through /proc/self/fd), and reading every row the way the importer does.
 */
#ifndef LK_FUZZ_COMMON_H
#define LK_FUZZ_COMMON_H

#include "input/reader.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void fuzz_read_all(const unsigned char *data, size_t size, lk_file_type type,
                          const lk_reader_opts *base)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    lk_reader_opts opts = *base;
    opts.type = type;
    opts.header_row = 1;
    lk_error err;
    lk_reader *r = lk_reader_open(path, &opts, &err);
    if (r) {
        const lk_row *row;
        size_t total = 0;
        lk_reader_sheets(r);
        lk_reader_encoding(r);
        while (lk_reader_next(r, &row, &err) > 0) {
            /* touch every byte the reader hands out: the sanitizers see a stale pointer */
            for (size_t i = 0; i < row->ncells; i++)
                total += strlen(row->cells[i].text) + row->cells[i].len;
            if (lk_reader_header(r, 0))
                total++;
        }
        (void)total;
        lk_reader_free(r);
    }
    if (err.code) {
        char buf[700];
        lk_error_format(&err, buf, sizeof buf);
    }
    close(fd);
}

#endif
