/*
 * xlsx_zip.c: reading the parts of an XLSX package with minizip, within the safety limits.
 *
 * A zip bomb is stopped twice: at open, from the sizes the central directory declares (their
 * total, and each large part's compression ratio); while reading, from the bytes actually
 * inflated, counted against the same limits and against the part's own declared size.
 */
#include "common/i18n.h"
#include "input/xlsx_zip.h"
#include "common/hashmap.h"
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unzip.h>

/* Parts smaller than this may compress as well as they like: tiny XML is very repetitive. */
#define RATIO_FLOOR (1u << 20)
/* A workbook has a few dozen parts; far more is a hostile or broken archive. */
#define MAX_PARTS 100000u
/* The longest part name accepted; a real workbook's are a few dozen bytes. */
#define PART_NAME_MAX 1024

struct lk_zip {
    const char *path;            /* borrowed */
    lk_reader_limits limits;
    unzFile uf;
    unsigned long long inflated; /* bytes inflated so far, all parts together */
    /* the open part */
    int part_open;
    char part[256];
    unsigned long long part_declared, part_compressed, part_read;
};

static int zip_fail(lk_zip *z, lk_error *err, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int zip_fail(lk_zip *z, lk_error *err, lk_code code, const char *fmt, ...)
{
    va_list ap;
    lk_error_at(err, z->path, NULL, 0, (size_t)-1, NULL);
    va_start(ap, fmt);
    lk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

static int ratio_exceeded(const lk_zip *z, unsigned long long size, unsigned long long packed)
{
    if (size < RATIO_FLOOR)
        return 0;
    return packed == 0 || size / packed > z->limits.max_ratio;
}

/* Walks the central directory once: declared sizes, ratios, encryption, and names that occur
 * twice. Part names are case-insensitive (OPC) and minizip finds them so; with two entries of
 * one name, readers disagree on which is the part (minizip takes the first, others the last),
 * so a reviewer could see other numbers than the ones sent. */
static int check_directory(lk_zip *z, lk_error *err)
{
    unsigned long long total = 0;
    unsigned parts = 0;
    int rc = unzGoToFirstFile(z->uf), ret = 0;
    lk_hashmap *names = lk_hashmap_new(64);
    while (rc == UNZ_OK) {
        unz_file_info64 info;
        char name[PART_NAME_MAX + 1];
        /* minizip leaves a name that fills the buffer without its NUL: ask for one byte less,
         * terminate it ourselves, and refuse a name that did not fit */
        if (unzGetCurrentFileInfo64(z->uf, &info, name, sizeof name - 1, NULL, 0, NULL, 0) !=
            UNZ_OK) {
            ret = zip_fail(z, err, LK_ERR_INPUT, _("damaged zip directory: not a valid XLSX file"));
            break;
        }
        name[info.size_filename < sizeof name ? info.size_filename : sizeof name - 1] = '\0';
        if (info.size_filename > PART_NAME_MAX) {
            ret = zip_fail(z, err, LK_ERR_INPUT,
                           _("the package holds a part name of %lu bytes (longer than %d): not "
                           "a valid XLSX file"),
                           (unsigned long)info.size_filename, PART_NAME_MAX);
            break;
        }
        if (++parts > MAX_PARTS) {
            ret = zip_fail(z, err, LK_ERR_LIMIT, _("more than %u parts in the package"), MAX_PARTS);
            break;
        }
        char folded[PART_NAME_MAX + 1];
        size_t i;
        for (i = 0; name[i] && i + 1 < sizeof folded; i++)
            folded[i] = (char)tolower((unsigned char)name[i]);
        folded[i] = '\0';
        if (lk_hashmap_put(names, folded, (void *)1)) {
            ret = zip_fail(z, err, LK_ERR_INPUT,
                           _("the package holds two parts named %s: which one is the sheet "
                           "depends on the program reading it"),
                           name);
            break;
        }
        total += info.uncompressed_size;
        if (info.uncompressed_size > z->limits.max_uncompressed ||
            total > z->limits.max_uncompressed) {
            ret = zip_fail(z, err, LK_ERR_LIMIT,
                           _("the workbook unpacks to more than %llu bytes (possible zip bomb)"),
                           z->limits.max_uncompressed);
            break;
        }
        if (ratio_exceeded(z, info.uncompressed_size, info.compressed_size)) {
            ret = zip_fail(z, err, LK_ERR_LIMIT,
                           _("part %s is compressed more than %u:1 (possible zip bomb)"), name,
                           z->limits.max_ratio);
            break;
        }
        rc = unzGoToNextFile(z->uf);
    }
    lk_hashmap_free(names);
    if (ret == 0 && rc != UNZ_END_OF_LIST_OF_FILE)
        ret = zip_fail(z, err, LK_ERR_INPUT, _("damaged zip directory: not a valid XLSX file"));
    return ret;
}

lk_zip *lk_zip_open(const char *path, const lk_reader_limits *limits, lk_error *err)
{
    lk_zip *z = xcalloc(1, sizeof(*z));
    z->path = path;
    z->limits = *limits;
    z->uf = unzOpen64(path);
    if (!z->uf) {
        zip_fail(z, err, LK_ERR_INPUT,
                 _("not a valid XLSX file (the zip archive is truncated or damaged)"));
        lk_zip_free(z);
        return NULL;
    }
    if (check_directory(z, err) < 0) {
        lk_zip_free(z);
        return NULL;
    }
    return z;
}

void lk_zip_free(lk_zip *z)
{
    if (!z)
        return;
    if (z->uf) {
        lk_zip_part_close(z);
        unzClose(z->uf);
    }
    free(z);
}

int lk_zip_has(lk_zip *z, const char *name)
{
    lk_zip_part_close(z);
    return unzLocateFile(z->uf, name, 2) == UNZ_OK;
}

int lk_zip_part_open(lk_zip *z, const char *name, lk_error *err)
{
    unz_file_info64 info;
    lk_zip_part_close(z);
    if (unzLocateFile(z->uf, name, 2) != UNZ_OK)
        return zip_fail(z, err, LK_ERR_INPUT, _("the workbook has no part %s"), name);
    if (unzGetCurrentFileInfo64(z->uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return zip_fail(z, err, LK_ERR_INPUT, _("damaged zip entry %s"), name);
    if (info.flag & 1)
        return zip_fail(z, err, LK_ERR_INPUT, _("part %s is encrypted: save the workbook without "
                        "a password"), name);
    if (info.compression_method != 0 && info.compression_method != 8)
        return zip_fail(z, err, LK_ERR_INPUT, _("part %s uses zip compression method %lu, which "
                        "only deflate (8) and stored (0) workbooks avoid"), name,
                        (unsigned long)info.compression_method);
    if (unzOpenCurrentFile(z->uf) != UNZ_OK)
        return zip_fail(z, err, LK_ERR_INPUT, _("cannot read part %s: damaged zip entry"), name);
    z->part_open = 1;
    snprintf(z->part, sizeof z->part, "%s", name);
    z->part_declared = info.uncompressed_size;
    z->part_compressed = info.compressed_size;
    z->part_read = 0;
    return 0;
}

ssize_t lk_zip_part_read(lk_zip *z, void *buf, size_t len, lk_error *err)
{
    if (!z->part_open)
        return 0;
    if (len > (1u << 30))
        len = 1u << 30;
    int n = unzReadCurrentFile(z->uf, buf, (unsigned)len);
    if (n < 0)
        return zip_fail(z, err, LK_ERR_INPUT, _("cannot read part %s: damaged or truncated data "
                        "(zip error %d)"), z->part, n);
    if (n == 0) {
        /* the end: minizip checks the CRC only when the whole part was read */
        int rc = unzCloseCurrentFile(z->uf);
        z->part_open = 0;
        if (rc == UNZ_CRCERROR)
            return zip_fail(z, err, LK_ERR_INPUT, _("part %s is damaged (CRC mismatch)"), z->part);
        if (rc != UNZ_OK)
            return zip_fail(z, err, LK_ERR_INPUT, _("cannot read part %s (zip error %d)"), z->part,
                            rc);
        if (z->part_read != z->part_declared)
            return zip_fail(z, err, LK_ERR_INPUT, _("part %s is shorter than its zip header "
                            "says"), z->part);
        return 0;
    }
    z->part_read += (unsigned)n;
    z->inflated += (unsigned)n;
    if (z->part_read > z->part_declared)
        return zip_fail(z, err, LK_ERR_LIMIT, _("part %s inflates to more than its declared %llu "
                        "bytes (possible zip bomb)"), z->part, z->part_declared);
    if (z->inflated > z->limits.max_uncompressed)
        return zip_fail(z, err, LK_ERR_LIMIT, _("the workbook unpacks to more than %llu bytes "
                        "(possible zip bomb)"), z->limits.max_uncompressed);
    if (ratio_exceeded(z, z->part_read, z->part_compressed))
        return zip_fail(z, err, LK_ERR_LIMIT, _("part %s is compressed more than %u:1 (possible "
                        "zip bomb)"), z->part, z->limits.max_ratio);
    return n;
}

void lk_zip_part_close(lk_zip *z)
{
    if (z->part_open) {
        unzCloseCurrentFile(z->uf);
        z->part_open = 0;
    }
}
