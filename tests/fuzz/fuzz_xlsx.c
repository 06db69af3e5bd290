/*
 * fuzz_xlsx.c: libFuzzer target for the XLSX reader. Two shapes of input:
 *  - first byte even: the rest is the file itself (zip damage, lying headers, junk);
 *  - first byte odd: the rest is "sheet XML \0\0 shared strings XML \0\0 styles XML", zipped
 *    here into a minimal package, so the fuzzer works on the XML handlers directly.
 * Any input must give rows or a clear error: no crash, leak, hang or unbounded memory.
 */
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <zip.h>

static const char *split(const char *s, const char *end, size_t *len, const char **next)
{
    const char *p = s;
    while (p + 1 < end && !(p[0] == '\0' && p[1] == '\0'))
        p++;
    if (p + 1 >= end) {
        *len = (size_t)(end - s);
        *next = end;
    } else {
        *len = (size_t)(p - s);
        *next = p + 2;
    }
    return s;
}

static void add(zipFile zf, const char *name, const void *data, size_t len)
{
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    /* stored, not deflated: the XML handlers are the target here, and deflate state for five
     * parts per input cost most of the time; raw inputs exercise inflate */
    if (zipOpenNewFileInZip(zf, name, &zi, NULL, 0, NULL, 0, NULL, 0, 0) != ZIP_OK)
        return;
    zipWriteInFileInZip(zf, data, (unsigned)len);
    zipCloseFileInZip(zf);
}

static void fuzz_xml(const uint8_t *data, size_t size, const lk_reader_opts *opts)
{
    /* a memfd: no disk, nothing left behind; minizip reopens it through /proc */
    int fd = memfd_create("fuzz-xlsx", MFD_CLOEXEC);
    if (fd < 0)
        return;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    zipFile zf = zipOpen(path, APPEND_STATUS_CREATE);
    if (!zf) {
        close(fd);
        return;
    }
    const char *s = (const char *)data, *end = s + size, *next;
    size_t sheet_len, sst_len, styles_len;
    const char *sheet = split(s, end, &sheet_len, &next);
    const char *sst = split(next, end, &sst_len, &next);
    const char *styles = split(next, end, &styles_len, &next);
    static const char workbook[] =
        "<workbook xmlns:r=\"r\"><workbookPr date1904=\"0\"/><sheets>"
        "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    static const char rels[] =
        "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"s.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"/xl/sst.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"x/styles\" Target=\"../xl/st.xml\"/></Relationships>";
    add(zf, "xl/workbook.xml", workbook, sizeof workbook - 1);
    add(zf, "xl/_rels/workbook.xml.rels", rels, sizeof rels - 1);
    add(zf, "xl/s.xml", sheet, sheet_len);
    add(zf, "xl/sst.xml", sst, sst_len);
    add(zf, "xl/st.xml", styles, styles_len);
    zipClose(zf, NULL);

    lk_reader_opts o = *opts;
    o.type = LK_FILE_XLSX;
    o.header_row = 1;
    lk_error err;
    lk_reader *r = lk_reader_open(path, &o, &err);
    if (r) {
        const lk_row *row;
        size_t total = 0;
        while (lk_reader_next(r, &row, &err) > 0)
            for (size_t i = 0; i < row->ncells; i++)
                total += strlen(row->cells[i].text) + (size_t)row->cells[i].year;
        (void)total;
        lk_reader_free(r);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_reader_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.limits.max_uncompressed = 64u << 20;
    opts.limits.max_cell = 4096;
    opts.limits.max_columns = 256;
    opts.limits.max_rows = 100000;
    if (size == 0)
        return 0;
    if (data[0] & 1)
        fuzz_xml(data + 1, size - 1, &opts);
    else
        fuzz_read_all(data + 1, size - 1, LK_FILE_XLSX, &opts);
    return 0;
}
