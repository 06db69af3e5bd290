/*
 * csv.c: CSV exports (Dutch Excel, web tools) into rows, on libcsv.
 *
 * What it works out by itself: the character set (valid UTF-8, with or without BOM, else
 * Windows-1252 converted through an iconv-built table; UTF-16 with a BOM, as Excel's "Unicode
 * text", converted with iconv chunk by chunk), the delimiter (an Excel "sep=;" first
 * line, else the most consistent of ; , TAB | over the first lines, counted outside quotes) and
 * the line endings (CRLF, LF, CR, mixed).
 *
 * Line numbers: libcsv does not report positions, so the input is fed to it one physical line
 * at a time; a record that libcsv completes was started on the line where its first byte was
 * fed. That is the number a person sees in a text editor, also for records that span lines
 * inside quotes.
 *
 * Memory: one read chunk, one record and libcsv's field buffer, whatever the file's length.
 */
#include "common/i18n.h"
#include "input/reader_int.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* How many lines the delimiter detection looks at. */
#define SNIFF_LINES 50

struct lk_csv {
    const char *path;            /* borrowed from lk_reader */
    int fd;
    lk_reader_limits limits;
    struct csv_parser parser;
    int parser_live;
    char delimiter, quote;
    lk_encoding encoding;
    const char *encoding_name;
    /* Windows-1252 / Latin-1 byte -> UTF-8 (1 to 3 bytes), built with iconv at open. */
    unsigned char to_utf8[256][4];
    /* UTF-16: the converter and the bytes of a character cut by the chunk's end */
    iconv_t utf16;
    unsigned char carry[4];
    size_t ncarry;

    /* The chunk being fed: raw bytes, or their UTF-8 conversion. */
    unsigned char *raw;
    size_t raw_len;
    strbuf converted;
    const unsigned char *buf;
    size_t len, pos;
    int eof, finished;

    unsigned long line;          /* line of the next byte fed (1-based) */
    unsigned long last_line;     /* the last line that holds a byte (blank lines too), 0 = none */
    int last_was_cr;             /* so that the LF of a CRLF does not count twice */
    int in_record;
    unsigned long record_line;

    /* The record being built: texts NUL-separated in text, field i at offs[i]. */
    strbuf text;
    size_t *offs, *lens;
    size_t nfields, fields_alloc;
    size_t overflow_col;         /* column past the limit, or (size_t)-1 */
    size_t long_col;             /* column of a too long cell, or (size_t)-1 */
    int row_ready;

    lk_cell *cells;
    size_t cells_alloc;
    lk_row row;
    unsigned long rows_delivered;
};


/* ---------------------------------------------------------------------------------------------
 * Errors: the file and the line; reader.c adds the header name of the column.
 */

static int csv_fail(lk_csv *c, lk_error *err, lk_code code, unsigned long line, size_t col,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int csv_fail(lk_csv *c, lk_error *err, lk_code code, unsigned long line, size_t col,
                    const char *fmt, ...)
{
    va_list ap;
    lk_error_at(err, c->path, NULL, line, col, NULL);
    va_start(ap, fmt);
    lk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Character sets
 */

/* Length of the longest prefix of s that is valid UTF-8 ending on a character boundary.
 * *bad is set when the rest starts with an invalid sequence (not merely a cut-off one). */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n, int *bad)
{
    size_t i = 0;
    *bad = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (b >= 0xC2 && b <= 0xDF) {
            k = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            k = 2;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            k = 3;
            cp = b & 0x07;
        } else {
            *bad = 1;
            return i;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n)
                return i; /* cut off by the end of the chunk */
            if ((s[i + j] & 0xC0) != 0x80) {
                *bad = 1;
                return i;
            }
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
            *bad = 1;
            return i;
        }
        i += k + 1;
    }
    return i;
}

/* Line number (1-based) of byte offset off, for the error about an invalid UTF-8 byte. */
static unsigned long line_of_offset(int fd, off_t off)
{
    unsigned char buf[8192];
    unsigned long line = 1;
    int prev_cr = 0;
    off_t at = 0;
    while (at < off) {
        size_t want = (size_t)(off - at) < sizeof buf ? (size_t)(off - at) : sizeof buf;
        ssize_t n = pread(fd, buf, want, at);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\r' || (buf[i] == '\n' && !prev_cr))
                line++;
            prev_cr = buf[i] == '\r';
        }
        at += n;
    }
    return line;
}

/* Reads as much as fits (short reads of pipes and slow disks are not the end). */
static ssize_t read_full(int fd, unsigned char *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Whether the whole file from offset start is valid UTF-8; on invalid input *bad_at is the
 * offset of the first bad byte. Reads the file once more, in chunks: memory stays flat. */
static int file_is_utf8(lk_csv *c, off_t start, off_t *bad_at, lk_error *err)
{
    unsigned char *buf = xmalloc(LK_READ_CHUNK + 4);
    size_t carry = 0;
    off_t at = start; /* file offset of buf[0] */
    int ok = 1;
    for (;;) {
        ssize_t n = pread(c->fd, buf + carry, LK_READ_CHUNK, at + (off_t)carry);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return csv_fail(c, err, LK_ERR_IO, 0, (size_t)-1, _("cannot read: %s"), strerror(errno));
        }
        size_t have = carry + (size_t)n;
        int bad;
        size_t good = utf8_valid_prefix(buf, have, &bad);
        if (bad || (n == 0 && good < have)) {
            *bad_at = at + (off_t)good;
            ok = 0;
            break;
        }
        if (n == 0)
            break;
        carry = have - good; /* at most 3 bytes of a cut-off character */
        memmove(buf, buf + good, carry);
        at += (off_t)good;
    }
    free(buf);
    return ok;
}

/* Builds the byte -> UTF-8 table of a single-byte character set with iconv. Bytes the set
 * leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D in Windows-1252) keep their Latin-1 meaning,
 * as Windows itself does, so that no byte is ever dropped. */
static int build_table(lk_csv *c, const char *charset, lk_error *err)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return csv_fail(c, err, LK_ERR_INTERNAL, 0, (size_t)-1,
                        _("iconv cannot convert from %s: %s"), charset, strerror(errno));
    for (int b = 0; b < 256; b++) {
        char in = (char)b, *inp = &in;
        char *outp = (char *)c->to_utf8[b];
        size_t inleft = 1, outleft = 3;
        memset(c->to_utf8[b], 0, 4);
        iconv(cd, NULL, NULL, NULL, NULL);
        if (b < 0x80 || iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1 || inleft) {
            memset(c->to_utf8[b], 0, 4);
            if (b < 0x80) {
                c->to_utf8[b][0] = (unsigned char)b;
            } else {
                c->to_utf8[b][0] = (unsigned char)(0xC0 | b >> 6);
                c->to_utf8[b][1] = (unsigned char)(0x80 | (b & 0x3F));
            }
        }
    }
    iconv_close(cd);
    return 0;
}

static void convert_chunk(lk_csv *c, const unsigned char *s, size_t n)
{
    strbuf_reset(&c->converted);
    strbuf_grow(&c->converted, n * 3);
    unsigned char *out = (unsigned char *)c->converted.buf;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *u = c->to_utf8[s[i]];
        out[o++] = u[0];
        if (u[1]) {
            out[o++] = u[1];
            if (u[2])
                out[o++] = u[2];
        }
    }
    c->converted.len = o;
    out[o] = '\0';
}

/* "UTF-16LE"/"UTF-16BE" when the first bytes have the shape of ASCII-range UTF-16 without a
 * byte order mark (every other byte NUL), else NULL. */
static const char *utf16_without_bom(const lk_csv *c)
{
    size_t n = c->raw_len < 256 ? c->raw_len & ~(size_t)1 : 256, even0 = 0, odd0 = 0;
    if (n < 4)
        return NULL;
    for (size_t i = 0; i < n; i += 2) {
        even0 += c->raw[i] == 0;
        odd0 += c->raw[i + 1] == 0;
    }
    /* mostly ASCII text: one byte of each pair NUL, the other not */
    if (odd0 * 10 >= n / 2 * 9 && even0 * 10 <= n / 2)
        return "UTF-16LE";
    if (even0 * 10 >= n / 2 * 9 && odd0 * 10 <= n / 2)
        return "UTF-16BE";
    return NULL;
}

/* UTF-16 to UTF-8 with iconv; a character cut by the chunk's end waits in carry. */
static int convert_utf16(lk_csv *c, const unsigned char *s, size_t n, lk_error *err)
{
    unsigned char *in = xmalloc(n + c->ncarry + 1);
    memcpy(in, c->carry, c->ncarry);
    memcpy(in + c->ncarry, s, n);
    size_t inleft = n + c->ncarry;
    char *inp = (char *)in;
    strbuf_reset(&c->converted);
    strbuf_grow(&c->converted, inleft * 2 + 4);
    char *outp = c->converted.buf;
    size_t outleft = c->converted.alloc - 1;
    int rc = 0;
    if (iconv(c->utf16, &inp, &inleft, &outp, &outleft) == (size_t)-1 && errno != EINVAL) {
        /* EINVAL: a cut-off character at the end, completed by the next chunk */
        rc = csv_fail(c, err, LK_ERR_INPUT, c->line, (size_t)-1,
                      _("invalid UTF-16 (an unpaired surrogate) near this line"));
    }
    c->converted.len = (size_t)(outp - c->converted.buf);
    c->converted.buf[c->converted.len] = '\0';
    c->ncarry = rc == 0 && inleft <= sizeof c->carry ? inleft : 0;
    memcpy(c->carry, inp, c->ncarry);
    if (rc == 0 && n == 0 && inleft)
        rc = csv_fail(c, err, LK_ERR_INPUT, 0, (size_t)-1,
                      _("the file ends in the middle of a UTF-16 character"));
    free(in);
    return rc;
}

/* Line number of offset off in the chunk about to be fed. */
static unsigned long line_in_chunk(const lk_csv *c, size_t off)
{
    unsigned long line = c->line;
    for (size_t i = 0; i < off; i++)
        if (c->buf[i] == '\r' || (c->buf[i] == '\n' && (i ? c->buf[i - 1] != '\r'
                                                             : !c->last_was_cr)))
            line++;
    return line;
}

/* Points buf at the chunk's bytes from raw offset start, converted when the file is not UTF-8.
 * A NUL anywhere (after conversion) is binary data, not text: cells could not hold it. */
static int set_chunk(lk_csv *c, size_t start, lk_error *err)
{
    if (c->encoding == LK_ENC_UTF8) {
        c->buf = c->raw + start;
        c->len = c->raw_len - start;
    } else if (c->encoding == LK_ENC_UTF16LE || c->encoding == LK_ENC_UTF16BE) {
        if (convert_utf16(c, c->raw + start, c->raw_len - start, err) < 0)
            return -1;
        c->buf = (const unsigned char *)c->converted.buf;
        c->len = c->converted.len;
    } else {
        convert_chunk(c, c->raw + start, c->raw_len - start);
        c->buf = (const unsigned char *)c->converted.buf;
        c->len = c->converted.len;
    }
    c->pos = 0;
    const unsigned char *nul = memchr(c->buf, '\0', c->len);
    if (nul)
        return csv_fail(c, err, LK_ERR_INPUT, line_in_chunk(c, (size_t)(nul - c->buf)),
                        (size_t)-1, _("binary data (a NUL character): not a CSV text file"));
    return 0;
}

static int load_chunk(lk_csv *c, lk_error *err)
{
    ssize_t n = read_full(c->fd, c->raw, LK_READ_CHUNK);
    if (n < 0)
        return csv_fail(c, err, LK_ERR_IO, c->line, (size_t)-1, _("cannot read: %s"),
                        strerror(errno));
    c->raw_len = (size_t)n;
    if (n == 0)
        c->eof = 1;
    return set_chunk(c, 0, err);
}

/* ---------------------------------------------------------------------------------------------
 * Delimiter detection
 */

static int is_sniff_boundary(unsigned char b)
{
    return b == ';' || b == ',' || b == '\t' || b == '|' || b == '\n' || b == '\r' || b == ' ';
}

/* Among ; TAB | , the delimiter that splits the first lines into the same number of fields
 * most consistently. Comma comes last on a tie: in Dutch exports it is the decimal separator,
 * so "8,5;1,5" must split on the semicolon. */
static char sniff_delimiter(const unsigned char *s, size_t n, char quote, int at_eof)
{
    static const char candidates[] = { ';', '\t', '|', ',' };
    unsigned counts[LK_ARRAY_SIZE(candidates)][SNIFF_LINES];
    unsigned cur[LK_ARRAY_SIZE(candidates)] = { 0 };
    size_t nlines = 0, i = 0;
    int in_quote = 0, nonblank = 0;

    while (i <= n && nlines < SNIFF_LINES) {
        int end = i == n;
        unsigned char b = end ? '\n' : s[i];
        if (end && !at_eof && nlines > 0)
            break; /* the last line may be cut off by the chunk */
        if (b == (unsigned char)quote && (in_quote || i == 0 || is_sniff_boundary(s[i - 1]))) {
            /* a quote opens a field only at its start, as in libcsv */
            in_quote = !in_quote;
            nonblank = 1;
        } else if ((b == '\n' || b == '\r') && (!in_quote || end)) {
            if (nonblank) {
                for (size_t k = 0; k < LK_ARRAY_SIZE(candidates); k++)
                    counts[k][nlines] = cur[k];
                nlines++;
            }
            /* a blank line (only tabs or spaces) counts for nothing, and its tabs must not
               be added to the next line's */
            memset(cur, 0, sizeof cur);
            nonblank = 0;
            in_quote = 0;
        } else if (!in_quote) {
            for (size_t k = 0; k < LK_ARRAY_SIZE(candidates); k++)
                if (b == (unsigned char)candidates[k])
                    cur[k]++;
            if (b != ' ' && b != '\t')
                nonblank = 1;
        }
        if (end)
            break;
        i++;
    }

    char best = 0;
    double best_consistency = 0;
    for (size_t k = 0; k < LK_ARRAY_SIZE(candidates); k++) {
        unsigned mode = 0, mode_freq = 0;
        for (size_t a = 0; a < nlines; a++) {
            unsigned freq = 0;
            for (size_t b = 0; b < nlines; b++)
                freq += counts[k][b] == counts[k][a];
            if (freq > mode_freq || (freq == mode_freq && counts[k][a] > mode)) {
                mode = counts[k][a];
                mode_freq = freq;
            }
        }
        if (mode == 0)
            continue;
        double consistency = (double)mode_freq / (double)nlines;
        if (consistency > best_consistency + 1e-9) {
            best = candidates[k];
            best_consistency = consistency;
        }
    }
    return best ? best : ',';
}

/* ---------------------------------------------------------------------------------------------
 * libcsv callbacks: collect the fields of one record
 */

static int never_space(unsigned char ch)
{
    /* keep every byte of a field: "read exactly" includes spaces, and libcsv would otherwise
     * also eat tab delimiters as leading white space */
    (void)ch;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    lk_csv *c = data;
    size_t col = c->nfields;
    if (col >= c->limits.max_columns) {
        if (c->overflow_col == (size_t)-1)
            c->overflow_col = col;
        return;
    }
    if (len > c->limits.max_cell) {
        if (c->long_col == (size_t)-1)
            c->long_col = col;
        len = 0;
    }
    if (col >= c->fields_alloc) {
        size_t a = c->fields_alloc;
        lk_grow(&c->offs, sizeof(*c->offs), col + 1, &a);
        a = c->fields_alloc;
        lk_grow(&c->lens, sizeof(*c->lens), col + 1, &a);
        c->fields_alloc = a;
    }
    c->offs[col] = c->text.len;
    c->lens[col] = len;
    /* the hot path: one capacity check, then the bytes and their NUL */
    if (c->text.len + len + 2 > c->text.alloc)
        strbuf_grow(&c->text, len + 1);
    memcpy(c->text.buf + c->text.len, s, len);
    c->text.len += len;
    c->text.buf[c->text.len++] = '\0';
    c->text.buf[c->text.len] = '\0';
    c->nfields++;
}

static int is_blank_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

static void on_record(int term, void *data)
{
    lk_csv *c = data;
    size_t n = c->nfields;
    c->in_record = 0;
    while (n > 0 && c->lens[n - 1] == 0)
        n--;
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = is_blank_text(c->text.buf + c->offs[i], c->lens[i]);
    if (blank && c->overflow_col == (size_t)-1 && c->long_col == (size_t)-1) {
        strbuf_reset(&c->text);
        c->nfields = 0;
        return;
    }
    if (n > c->cells_alloc)
        lk_grow(&c->cells, sizeof(*c->cells), n, &c->cells_alloc);
    for (size_t i = 0; i < n; i++) {
        lk_cell *cell = &c->cells[i];
        memset(cell, 0, sizeof(*cell));
        cell->type = c->lens[i] ? LK_CELL_STRING : LK_CELL_EMPTY;
        cell->len = c->lens[i];
    }
    c->row.ncells = n;
    c->row.number = c->record_line;
    c->row.last_line = c->line;
    c->row.nfields = c->nfields;
    c->row.unterminated = term == -1;   /* csv_fini ended it: no line break after it */
    c->row_ready = 1;
}

/* ---------------------------------------------------------------------------------------------
 * Open, next, free
 */

lk_csv *lk_csv_open(const char *path, const lk_reader_opts *opts, lk_error *err)
{
    lk_csv *c = xcalloc(1, sizeof(*c));
    c->path = path;
    c->fd = -1;
    c->limits = lk_reader_limits_resolve(&opts->limits);
    c->quote = opts->quote ? opts->quote : '"';
    c->line = 1;
    c->overflow_col = c->long_col = (size_t)-1;
    c->row.file = path;
    strbuf_init(&c->converted, 0);
    strbuf_init(&c->text, 256);
    c->raw = xmalloc(LK_READ_CHUNK);
    c->utf16 = (iconv_t)-1;

    lk_error oe;
    lk_error_clear(&oe);
    c->fd = lk_open_regular(path, &oe); /* a device or FIFO is refused by name */
    if (c->fd < 0) {
        if (oe.code == LK_ERR_IO)
            csv_fail(c, err, LK_ERR_IO, 0, (size_t)-1, _("cannot open: %s"), strerror(errno));
        else
            csv_fail(c, err, oe.code, 0, (size_t)-1, "%s", oe.message);
        goto fail;
    }
    ssize_t n = read_full(c->fd, c->raw, LK_READ_CHUNK);
    if (n < 0) {
        csv_fail(c, err, LK_ERR_IO, 0, (size_t)-1, _("cannot read: %s"), strerror(errno));
        goto fail;
    }
    c->raw_len = (size_t)n;
    c->eof = n == 0;

    size_t start = 0;
    c->encoding = opts->encoding;
    if (c->raw_len >= 2 && c->raw[0] == 0xFF && c->raw[1] == 0xFE &&
        (c->encoding == LK_ENC_AUTO || c->encoding == LK_ENC_UTF16LE)) {
        c->encoding = LK_ENC_UTF16LE;
        start = 2;
    } else if (c->raw_len >= 2 && c->raw[0] == 0xFE && c->raw[1] == 0xFF &&
               (c->encoding == LK_ENC_AUTO || c->encoding == LK_ENC_UTF16BE)) {
        c->encoding = LK_ENC_UTF16BE;
        start = 2;
    }
    const unsigned char *nul = memchr(c->raw, '\0', c->raw_len);
    const char *utf16 = nul && c->encoding == LK_ENC_AUTO ? utf16_without_bom(c) : NULL;
    if (utf16) {
        csv_fail(c, err, LK_ERR_INPUT, 0, (size_t)-1,
                 _("looks like %s text without a byte order mark, which cannot be told apart "
                 "from binary data for sure: save it as UTF-8, or as Excel's \"Unicode text\" "
                 "(UTF-16 with the mark)"),
                 utf16);
        goto fail;
    }
    if (nul && c->encoding != LK_ENC_UTF16LE && c->encoding != LK_ENC_UTF16BE) {
        csv_fail(c, err, LK_ERR_INPUT, line_of_offset(c->fd, nul - c->raw), (size_t)-1,
                 _("binary data (a NUL byte at offset %zu): not a CSV text file"),
                 (size_t)(nul - c->raw));
        goto fail;
    }
    int bom = c->raw_len >= 3 && c->raw[0] == 0xEF && c->raw[1] == 0xBB && c->raw[2] == 0xBF;
    if (bom && c->encoding != LK_ENC_UTF16LE && c->encoding != LK_ENC_UTF16BE)
        start = 3;

    if (bom && c->encoding == LK_ENC_AUTO)
        c->encoding = LK_ENC_UTF8;
    if (c->encoding == LK_ENC_AUTO || c->encoding == LK_ENC_UTF8) {
        off_t bad_at = 0;
        int ok = file_is_utf8(c, (off_t)start, &bad_at, err);
        if (ok < 0)
            goto fail;
        if (!ok && c->encoding == LK_ENC_UTF8) {
            csv_fail(c, err, LK_ERR_INPUT, line_of_offset(c->fd, bad_at), (size_t)-1,
                     _("invalid UTF-8 (byte offset %lld)%s"), (long long)bad_at,
                     bom ? " although the file starts with a UTF-8 byte order mark" : "");
            goto fail;
        }
        c->encoding = ok ? LK_ENC_UTF8 : LK_ENC_CP1252;
    }
    if (c->encoding == LK_ENC_CP1252) {
        c->encoding_name = "Windows-1252";
        if (build_table(c, "WINDOWS-1252", err) < 0)
            goto fail;
    } else if (c->encoding == LK_ENC_LATIN1) {
        c->encoding_name = "ISO-8859-1";
        if (build_table(c, "ISO-8859-1", err) < 0)
            goto fail;
    } else if (c->encoding == LK_ENC_UTF16LE || c->encoding == LK_ENC_UTF16BE) {
        c->encoding_name = c->encoding == LK_ENC_UTF16LE ? "UTF-16LE" : "UTF-16BE";
        c->utf16 = iconv_open("UTF-8", c->encoding_name);
        if (c->utf16 == (iconv_t)-1) {
            csv_fail(c, err, LK_ERR_INTERNAL, 0, (size_t)-1, _("iconv cannot convert from %s"),
                     c->encoding_name);
            goto fail;
        }
    } else {
        c->encoding_name = "UTF-8";
    }
    if (set_chunk(c, start, err) < 0)
        goto fail;

    /* Excel's "sep=;" first line names the delimiter and is not data. Both it and the
     * detection look at the converted text: the delimiters are ASCII in every set. */
    const unsigned char *s = c->buf;
    size_t avail = c->len;
    if (avail >= 5 && strncasecmp((const char *)s, "sep=", 4) == 0 && s[4] != '\r' &&
        s[4] != '\n' && (avail == 5 || s[5] == '\r' || s[5] == '\n')) {
        c->delimiter = (char)s[4];
        c->pos = 5;
        if (c->pos < c->len && c->buf[c->pos] == '\r')
            c->pos++;
        if (c->pos < c->len && c->buf[c->pos] == '\n')
            c->pos++;
        c->line = 2;
        c->last_line = 1;
    }
    if (opts->delimiter)
        c->delimiter = opts->delimiter;
    if (!c->delimiter)
        c->delimiter = sniff_delimiter(c->buf + c->pos, c->len - c->pos, c->quote,
                                       c->raw_len < LK_READ_CHUNK);
    if (c->delimiter == c->quote || c->delimiter == '\r' || c->delimiter == '\n') {
        csv_fail(c, err, LK_ERR_CONFIG, 0, (size_t)-1,
                 _("the delimiter cannot be the quote character or a line break"));
        goto fail;
    }

    if (csv_init(&c->parser, 0) != 0) {
        csv_fail(c, err, LK_ERR_NOMEM, 0, (size_t)-1, _("cannot start the CSV parser"));
        goto fail;
    }
    c->parser_live = 1;
    csv_set_delim(&c->parser, (unsigned char)c->delimiter);
    csv_set_quote(&c->parser, (unsigned char)c->quote);
    csv_set_space_func(&c->parser, never_space);
    return c;

fail:
    lk_csv_free(c);
    return NULL;
}

/* Checks the limits that the callbacks flagged; -1 with err set when one was passed. */
static int check_record_limits(lk_csv *c, lk_error *err)
{
    if (c->overflow_col != (size_t)-1)
        return csv_fail(c, err, LK_ERR_LIMIT, c->record_line, c->overflow_col,
                        _("more than %zu columns"), c->limits.max_columns);
    if (c->long_col != (size_t)-1)
        return csv_fail(c, err, LK_ERR_LIMIT, c->record_line, c->long_col,
                        _("cell longer than %zu bytes"), c->limits.max_cell);
    if (c->parser.entry_pos > c->limits.max_cell)
        return csv_fail(c, err, LK_ERR_LIMIT, c->record_line, c->nfields,
                        _("cell longer than %zu bytes"), c->limits.max_cell);
    return 0;
}

/* Feeds the next physical line (or the rest of the chunk) to libcsv. */
static int feed_segment(lk_csv *c, lk_error *err)
{
    const unsigned char *seg = c->buf + c->pos;
    size_t avail = c->len - c->pos, n;
    int crlf_tail = 0;

    if (c->last_was_cr && seg[0] == '\n') {
        n = 1;
        crlf_tail = 1;
    } else {
        const unsigned char *nl = memchr(seg, '\n', avail);
        size_t upto = nl ? (size_t)(nl - seg) : avail;
        const unsigned char *cr = memchr(seg, '\r', upto);
        if (cr)
            n = (size_t)(cr - seg) + 1;
        else
            n = nl ? upto + 1 : avail;
        int only_terminator = n == 1 && (seg[0] == '\n' || seg[0] == '\r');
        if (!c->in_record && !only_terminator) {
            c->in_record = 1;
            c->record_line = c->line;
        }
    }
    if (csv_parse(&c->parser, seg, n, on_field, on_record, c) != n)
        return csv_fail(c, err, LK_ERR_NOMEM, c->record_line, (size_t)-1, _("CSV parser: %s"),
                        csv_strerror(csv_error(&c->parser)));
    unsigned char last = seg[n - 1];
    if (!crlf_tail)
        c->last_line = c->line;
    if (last == '\r') {
        c->line++;
        c->last_was_cr = 1;
    } else {
        if (last == '\n' && !crlf_tail)
            c->line++;
        c->last_was_cr = 0;
    }
    c->pos += n;
    return check_record_limits(c, err);
}

int lk_csv_next(lk_csv *c, const lk_row **row, lk_error *err)
{
    strbuf_reset(&c->text);
    c->nfields = 0;
    c->row_ready = 0;
    while (!c->row_ready) {
        if (c->pos < c->len) {
            if (feed_segment(c, err) < 0)
                return -1;
            continue;
        }
        if (c->finished)
            return 0;
        if (!c->eof) {
            if (load_chunk(c, err) < 0)
                return -1;
            continue;
        }
        c->finished = 1;
        /* libcsv reports an open quote at the end only in its strict mode, which would also
         * refuse the stray quotes Excel writes unquoted ("5\" buis"); its state tells us:
         * a quoted field begun (state 2) and not yet closed */
        if ((c->parser.pstate == 2 && c->parser.quoted) ||
            csv_fini(&c->parser, on_field, on_record, c) != 0)
            return csv_fail(c, err, LK_ERR_INPUT, c->record_line, (size_t)-1,
                            _("a quoted field is not closed before the end of the file"));
        if (check_record_limits(c, err) < 0)
            return -1;
        if (!c->row_ready)
            return 0;
    }
    if (++c->rows_delivered > c->limits.max_rows)
        return csv_fail(c, err, LK_ERR_LIMIT, c->row.number, (size_t)-1, _("more than %lu rows"),
                        c->limits.max_rows);
    for (size_t i = 0; i < c->row.ncells; i++)
        c->cells[i].text = c->text.buf + c->offs[i];
    c->row.cells = c->cells;
    *row = &c->row;
    return 1;
}

unsigned long lk_csv_last_line(const lk_csv *c)
{
    return c->last_line;
}

char lk_csv_delimiter(const lk_csv *c)
{
    return c->delimiter;
}

const char *lk_csv_encoding(const lk_csv *c)
{
    return c->encoding_name;
}

void lk_csv_free(lk_csv *c)
{
    if (!c)
        return;
    if (c->parser_live)
        csv_free(&c->parser);
    if (c->utf16 != (iconv_t)-1)
        iconv_close(c->utf16);
    if (c->fd >= 0)
        close(c->fd);
    free(c->raw);
    free(c->offs);
    free(c->lens);
    free(c->cells);
    strbuf_free(&c->converted);
    strbuf_free(&c->text);
    free(c);
}
