/*
 * xlsx.c: XLSX workbooks into rows, on minizip (xlsx_zip.c) and expat (xlsx_xml.c).
 *
 * Opening follows the package's relationships as Excel does: _rels/.rels names the workbook,
 * the workbook's rels name its sheets, shared strings and styles (relative or absolute
 * targets). Shared strings and the date styles are held in memory (bounded by the package
 * limits); the chosen sheet is streamed: expat is fed chunks as minizip inflates them and is
 * suspended at the end of every row, so memory does not grow with the number of rows.
 *
 * Names are matched by their local part, so "x:row" (some producers prefix SpreadsheetML) and
 * "row" are the same element, whatever the namespace URI (transitional or strict).
 */
#include "common/i18n.h"
#include "input/reader_int.h"
#include "input/xlsx_styles.h"
#include "input/xlsx_xml.h"
#include "input/xlsx_zip.h"
#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_OFFSET ((size_t)-1)
/* Each costs an index entry (16 bytes) even when empty ("<si/>", 5 bytes in the part), so the
 * count needs its own bound: more than a full 1048576 x 16 sheet of unique texts, far less
 * than what 512 MiB of "<si/>" would take. */
#define MAX_SHARED_STRINGS (16u << 20)

/* The t attribute of a cell. */
typedef enum cell_kind {
    KIND_NUMBER,                 /* "n" or none */
    KIND_SHARED,                 /* "s": v indexes the shared strings */
    KIND_FORMULA_STRING,         /* "str": a formula's text result in v */
    KIND_INLINE,                 /* "inlineStr": the text in is/t */
    KIND_BOOL,                   /* "b" */
    KIND_ERROR,                  /* "e": #DIV/0! etc. */
    KIND_DATE,                   /* "d": ISO 8601 text */
    KIND_UNKNOWN
} cell_kind;

static cell_kind cell_kind_of(const char *t)
{
    if (!t)
        return KIND_NUMBER;
    switch (t[0]) {
    case 'n': return t[1] ? KIND_UNKNOWN : KIND_NUMBER;
    case 's': return !t[1] ? KIND_SHARED : strcmp(t, "str") == 0 ? KIND_FORMULA_STRING
                                                                   : KIND_UNKNOWN;
    case 'i': return strcmp(t, "inlineStr") == 0 ? KIND_INLINE : KIND_UNKNOWN;
    case 'b': return t[1] ? KIND_UNKNOWN : KIND_BOOL;
    case 'e': return t[1] ? KIND_UNKNOWN : KIND_ERROR;
    case 'd': return t[1] ? KIND_UNKNOWN : KIND_DATE;
    }
    return KIND_UNKNOWN;
}

/* The parse state of the sheet being streamed. */
typedef struct sheet_ctx {
    lk_xml_ctx xml;              /* first: the shared handlers reach it */
    struct lk_xlsx *x;
    int in_sheet_data;
    unsigned long row_number;    /* of the row being read */
    unsigned long last_row;      /* the highest row the sheet holds so far (blank ones too) */
    size_t next_col;             /* for cells without an r attribute */
    long last_col;               /* of the previous cell in this row, -1 at its start */
    int nvalues;                 /* <v> and <is> elements of the cell being read */
    /* the cell being read */
    int in_cell, in_v, in_is, in_t, in_rph;
    size_t col;
    size_t fail_col;             /* column of the error that stopped the parse, or -1 */
    cell_kind kind;
    char type[12];               /* the t attribute as written, for errors */
    size_t style;
    strbuf value;
    int value_too_long;
    /* the row being built */
    lk_cell *cells;
    size_t *offs;                /* text offset in row_text, or NO_OFFSET (text set directly) */
    size_t cells_alloc, ncells;
    strbuf row_text;
    int row_ready;
    /* streaming */
    int suspended, final_fed, done;
} sheet_ctx;

struct lk_xlsx {
    const char *path;            /* borrowed from lk_reader */
    lk_reader_limits limits;
    lk_zip *zip;
    int date1904;
    char **sheet_names;          /* NULL-terminated, workbook order */
    char **sheet_targets;        /* resolved part names (NULL when the rel is missing) */
    size_t nsheets;
    const char *sheet;           /* the chosen sheet's name */
    const char *sheet_part;      /* and its part */
    lk_styles styles;
    /* shared strings: NUL-terminated texts in sst, string i at sst_off[i] */
    strbuf sst;
    size_t *sst_off, *sst_len;
    size_t nsst, sst_alloc;
    sheet_ctx sc;
    lk_row row;
};

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static int xlsx_fail(lk_xlsx *x, lk_error *err, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int xlsx_fail(lk_xlsx *x, lk_error *err, lk_code code, const char *fmt, ...)
{
    va_list ap;
    lk_error_at(err, x->path, x->sheet, 0, (size_t)-1, NULL);
    va_start(ap, fmt);
    lk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

/* OOXML writes control characters as _xHHHH_ (and a literal "_x" as _x005F_x); decodes them in
 * place, returns the new length. */
static size_t decode_ooxml_escapes(char *s, size_t len)
{
    if (!memchr(s, '_', len))
        return len;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp = 0;
        int ok = s[i] == '_' && i + 7 <= len && s[i + 1] == 'x' && s[i + 6] == '_';
        for (int k = 2; ok && k < 6; k++) {
            char h = s[i + k];
            int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                  : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (v < 0)
                ok = 0;
            cp = cp << 4 | (unsigned)(v < 0 ? 0 : v);
        }
        if (ok && (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = 0; /* a NUL or half a surrogate pair would not be text: keep it literal */
        if (!ok) {
            s[o++] = s[i++];
            continue;
        }
        if (cp < 0x80) {
            s[o++] = (char)cp;
        } else if (cp < 0x800) {
            s[o++] = (char)(0xC0 | cp >> 6);
            s[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            s[o++] = (char)(0xE0 | cp >> 12);
            s[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        }
        i += 7;
    }
    s[o] = '\0';
    return o;
}

/* A relationship target resolved against the folder of the part that owns it: "worksheets/
 * sheet1.xml" from "xl/" is "xl/worksheets/sheet1.xml"; "/xl/x.xml" is absolute. */
static char *resolve_target(const char *base_dir, const char *target)
{
    strbuf joined = STRBUF_INIT, out = STRBUF_INIT;
    strbuf_init(&joined, 0);
    strbuf_init(&out, 0);
    if (target[0] == '/')
        strbuf_addstr(&joined, target + 1);
    else
        strbuf_addf(&joined, "%s%s", base_dir, target);
    /* drop "." segments, let ".." remove the segment before it */
    char *save = NULL;
    size_t *starts = NULL, nstarts = 0, alloc = 0;
    for (char *seg = strtok_r(joined.buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (strcmp(seg, ".") == 0)
            continue;
        if (strcmp(seg, "..") == 0) {
            if (nstarts) {
                out.len = starts[--nstarts];
                out.buf[out.len] = '\0';
            }
            continue;
        }
        lk_grow(&starts, sizeof(*starts), nstarts + 1, &alloc);
        starts[nstarts++] = out.len;
        if (out.len)
            strbuf_addch(&out, '/');
        strbuf_addstr(&out, seg);
    }
    free(starts);
    strbuf_free(&joined);
    return strbuf_detach(&out, NULL);
}

/* "xl/_rels/workbook.xml.rels" for "xl/workbook.xml". */
static char *rels_part_of(const char *part)
{
    strbuf sb;
    const char *slash = strrchr(part, '/');
    strbuf_init(&sb, 0);
    if (slash)
        strbuf_addf(&sb, "%.*s/_rels/%s.rels", (int)(slash - part), part, slash + 1);
    else
        strbuf_addf(&sb, "_rels/%s.rels", part);
    return strbuf_detach(&sb, NULL);
}

static char *folder_of(const char *part)
{
    const char *slash = strrchr(part, '/');
    return slash ? xstrndup(part, (size_t)(slash - part + 1)) : xstrdup("");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---------------------------------------------------------------------------------------------
 * Relationships
 */

typedef struct rels_ctx {
    lk_xml_ctx xml;
    char **ids, **types, **targets;
    size_t n, alloc;
    const char *base_dir;
    lk_hashmap *by_id;           /* Id -> index + 1, the first of an Id (built after parsing) */
} rels_ctx;

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    rels_ctx *c = ud;
    if (lk_xml_enter(&c->xml) < 0 || strcmp(lk_xml_local(name), "Relationship") != 0)
        return;
    const char *id = lk_xml_attr(atts, "Id"), *type = lk_xml_attr(atts, "Type");
    const char *target = lk_xml_attr(atts, "Target"), *mode = lk_xml_attr(atts, "TargetMode");
    if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
        return;
    size_t a = c->alloc;
    lk_grow(&c->ids, sizeof(char *), c->n + 1, &a);
    a = c->alloc;
    lk_grow(&c->types, sizeof(char *), c->n + 1, &a);
    a = c->alloc;
    lk_grow(&c->targets, sizeof(char *), c->n + 1, &a);
    c->alloc = a;
    c->ids[c->n] = xstrdup(id);
    c->types[c->n] = xstrdup(type);
    c->targets[c->n] = resolve_target(c->base_dir, target);
    c->n++;
}

/* For the parts read with only a start handler: the depth and token guards need the ends. */
static void XMLCALL leave_element(void *ud, const XML_Char *name)
{
    (void)name;
    lk_xml_leave(ud);
}

static void rels_free(rels_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->ids[i]);
        free(c->types[i]);
        free(c->targets[i]);
    }
    free(c->ids);
    free(c->types);
    free(c->targets);
    lk_hashmap_free(c->by_id);
    lk_xml_free(&c->xml);
}

/* Reads the rels of part; a package without them leaves c empty (hand-made files). */
static int rels_load(lk_xlsx *x, rels_ctx *c, const char *part, lk_error *err)
{
    char *rels = rels_part_of(part);
    char *base = folder_of(part);
    int rc = 0;
    memset(c, 0, sizeof(*c));
    c->base_dir = base;
    if (lk_xml_init(&c->xml, err) < 0) {
        rc = -1;
    } else if (lk_zip_has(x->zip, rels)) {
        XML_SetElementHandler(c->xml.parser, rels_start, leave_element);
        rc = lk_xml_parse_part(&c->xml, x->zip, x->path, rels, err);
    }
    c->base_dir = NULL;
    free(base);
    free(rels);
    /* one look-up per sheet: a linear search was sheets x relationships (38 s for 100k each) */
    c->by_id = lk_hashmap_new(c->n);
    for (size_t i = 0; rc == 0 && i < c->n; i++)
        if (!lk_hashmap_get(c->by_id, c->ids[i]))
            lk_hashmap_put(c->by_id, c->ids[i], (void *)(uintptr_t)(i + 1));
    return rc;
}

static const char *rels_find_type(const rels_ctx *c, const char *suffix)
{
    for (size_t i = 0; i < c->n; i++)
        if (ends_with(c->types[i], suffix))
            return c->targets[i];
    return NULL;
}

static const char *rels_find_id(const rels_ctx *c, const char *id, const char **type)
{
    uintptr_t at = c->by_id ? (uintptr_t)lk_hashmap_get(c->by_id, id) : 0;
    if (!at)
        return NULL;
    *type = c->types[at - 1];
    return c->targets[at - 1];
}

/* ---------------------------------------------------------------------------------------------
 * Workbook
 */

typedef struct workbook_ctx {
    lk_xml_ctx xml;
    lk_xlsx *x;
    char **rids;
    size_t alloc;
} workbook_ctx;

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    workbook_ctx *c = ud;
    lk_xlsx *x = c->x;
    const char *local = lk_xml_local(name);
    if (lk_xml_enter(&c->xml) < 0)
        return;
    if (strcmp(local, "workbookPr") == 0) {
        const char *v = lk_xml_attr(atts, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(local, "sheet") == 0) {
        const char *sheet_name = lk_xml_attr(atts, "name"), *rid = lk_xml_attr(atts, "id");
        if (!sheet_name || !rid)
            return;
        size_t a = c->alloc;
        lk_grow(&x->sheet_names, sizeof(char *), x->nsheets + 2, &a);
        a = c->alloc;
        lk_grow(&c->rids, sizeof(char *), x->nsheets + 2, &a);
        c->alloc = a;
        x->sheet_names[x->nsheets] = xstrdup(sheet_name);
        c->rids[x->nsheets] = xstrdup(rid);
        x->nsheets++;
        x->sheet_names[x->nsheets] = NULL;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Shared strings
 */

typedef struct sst_ctx {
    lk_xml_ctx xml;
    lk_xlsx *x;
    int in_si, in_t, in_rph;
    strbuf cur;
    int too_long;
} sst_ctx;

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sst_ctx *c = ud;
    const char *local = lk_xml_local(name);
    (void)atts;
    if (lk_xml_enter(&c->xml) < 0)
        return;
    if (strcmp(local, "si") == 0) {
        c->in_si = 1;
        c->too_long = 0;
        strbuf_reset(&c->cur);
    } else if (strcmp(local, "t") == 0) {
        c->in_t = 1;
    } else if (strcmp(local, "rPh") == 0) {
        c->in_rph = 1; /* phonetic reading of East Asian text: not part of the value */
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    sst_ctx *c = ud;
    lk_xlsx *x = c->x;
    const char *local = lk_xml_local(name);
    lk_xml_leave(&c->xml);
    if (strcmp(local, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(local, "rPh") == 0) {
        c->in_rph = 0;
    } else if (strcmp(local, "si") == 0) {
        c->in_si = 0;
        if (x->nsst >= MAX_SHARED_STRINGS) {
            lk_xml_fail(&c->xml, LK_ERR_LIMIT, _("more than %u shared strings"), MAX_SHARED_STRINGS);
            return;
        }
        size_t len = decode_ooxml_escapes(c->cur.buf, c->cur.len);
        size_t a = x->sst_alloc;
        lk_grow(&x->sst_off, sizeof(size_t), x->nsst + 1, &a);
        a = x->sst_alloc;
        lk_grow(&x->sst_len, sizeof(size_t), x->nsst + 1, &a);
        x->sst_alloc = a;
        x->sst_off[x->nsst] = x->sst.len;
        /* a string past the cell limit is kept as a marker: an error if a cell uses it */
        x->sst_len[x->nsst] = c->too_long ? NO_OFFSET : len;
        strbuf_add(&x->sst, c->cur.buf, c->too_long ? 0 : len);
        strbuf_addch(&x->sst, '\0');
        x->nsst++;
    }
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
    sst_ctx *c = ud;
    lk_xml_saw_event(&c->xml);
    if (!c->in_si || !c->in_t || c->in_rph || c->too_long)
        return;
    if (c->cur.len + (size_t)len > c->x->limits.max_cell * 7) {
        /* 7: an _xHHHH_ escape shrinks to one byte; the exact check follows at the reference */
        c->too_long = 1;
        return;
    }
    strbuf_add(&c->cur, s, (size_t)len);
}

static int sst_load(lk_xlsx *x, const char *part, lk_error *err)
{
    sst_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    strbuf_init(&c.cur, 0);
    if (lk_xml_init(&c.xml, err) < 0)
        return -1;
    XML_SetElementHandler(c.xml.parser, sst_start, sst_end);
    XML_SetCharacterDataHandler(c.xml.parser, sst_text);
    int rc = lk_xml_parse_part(&c.xml, x->zip, x->path, part, err);
    lk_xml_free(&c.xml);
    strbuf_free(&c.cur);
    /* strings longer than the cell limit after decoding are marked too */
    for (size_t i = 0; rc == 0 && i < x->nsst; i++)
        if (x->sst_len[i] != NO_OFFSET && x->sst_len[i] > x->limits.max_cell)
            x->sst_len[i] = NO_OFFSET;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The sheet: cells and rows
 */

static void sheet_fail(sheet_ctx *c, size_t col, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void sheet_fail(sheet_ctx *c, size_t col, lk_code code, const char *fmt, ...)
{
    char msg[300];
    if (!c->xml.rejected)
        c->fail_col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lk_xml_fail(&c->xml, code, "%s", msg);
}

/* "AB12" -> column 27; -1 when it does not start with column letters. Rows are trusted from
 * the row element. */
static long parse_column(const char *ref)
{
    long col = 0;
    const char *p = ref;
    while (*p >= 'A' && *p <= 'Z') {
        col = col * 26 + (*p - 'A' + 1);
        if (col > 1000000)
            return 1000000;
        p++;
    }
    if (p == ref || (*p && (*p < '0' || *p > '9')))
        return -1;
    return col - 1;
}

/* The common "-123.45" shapes without strtod: with at most 15 digits the digits are exact in a
 * double and so is 10^k (k <= 15), so the one division rounds correctly (Clinger's fast path),
 * giving the same double as strtod. Anything else (exponents, more digits) returns 0. */
static int parse_simple_decimal(const char *s, size_t len, double *out)
{
    static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
    size_t i = 0, digits = 0, frac = 0;
    int negative = 0, seen_dot = 0;
    unsigned long long m = 0;
    if (len && s[0] == '-') {
        negative = 1;
        i = 1;
    }
    for (; i < len; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (++digits > 15)
                return 0;
            m = m * 10 + (unsigned)(ch - '0');
            frac += seen_dot;
        } else if (ch == '.' && !seen_dot) {
            seen_dot = 1;
        } else {
            return 0;
        }
    }
    if (!digits)
        return 0;
    double v = (double)m / pow10[frac];
    *out = negative ? -v : v;
    return 1;
}

static lk_cell *cell_slot(sheet_ctx *c, size_t col)
{
    if (col >= c->cells_alloc) {
        size_t a = c->cells_alloc;
        lk_grow(&c->cells, sizeof(*c->cells), col + 1, &a);
        a = c->cells_alloc;
        lk_grow(&c->offs, sizeof(*c->offs), col + 1, &a);
        c->cells_alloc = a;
    }
    while (c->ncells <= col) {
        memset(&c->cells[c->ncells], 0, sizeof(lk_cell));
        c->cells[c->ncells].text = "";
        c->offs[c->ncells] = NO_OFFSET;
        c->ncells++;
    }
    lk_cell *cell = &c->cells[col];
    memset(cell, 0, sizeof(*cell));
    cell->text = "";
    c->offs[col] = NO_OFFSET;
    return cell;
}

static void cell_set_text(sheet_ctx *c, lk_cell *cell, size_t col, const char *s, size_t len)
{
    c->offs[col] = c->row_text.len;
    strbuf_add(&c->row_text, s, len);
    strbuf_addch(&c->row_text, '\0');
    cell->len = len;
}

static void finish_cell(sheet_ctx *c)
{
    lk_xlsx *x = c->x;
    size_t col = c->col;
    cell_kind kind = c->kind;
    char *v = c->value.buf;
    size_t vlen = c->value.len;

    if (c->value_too_long) {
        sheet_fail(c, col, LK_ERR_LIMIT, _("cell longer than %zu bytes"), x->limits.max_cell);
        return;
    }
    if (kind == KIND_SHARED) {
        char *end;
        errno = 0;
        unsigned long idx = strtoul(v, &end, 10);
        if (vlen == 0)
            return; /* no value: an empty cell */
        if (errno || *end || end == v || idx >= x->nsst) {
            sheet_fail(c, col, LK_ERR_INPUT, _("shared string index \"%.40s\" out of range (the "
                       "workbook has %zu)"), v, x->nsst);
            return;
        }
        if (x->sst_len[idx] == NO_OFFSET) {
            sheet_fail(c, col, LK_ERR_LIMIT, _("cell longer than %zu bytes"), x->limits.max_cell);
            return;
        }
        if (x->sst_len[idx] == 0)
            return;
        lk_cell *cell = cell_slot(c, col);
        cell->type = LK_CELL_STRING;
        cell->text = x->sst.buf + x->sst_off[idx];
        cell->len = x->sst_len[idx];
        return;
    }
    if (kind == KIND_INLINE || kind == KIND_FORMULA_STRING) {
        vlen = decode_ooxml_escapes(v, vlen);
        if (vlen > x->limits.max_cell) {
            sheet_fail(c, col, LK_ERR_LIMIT, _("cell longer than %zu bytes"), x->limits.max_cell);
            return;
        }
        if (vlen == 0)
            return;
        lk_cell *cell = cell_slot(c, col);
        cell->type = LK_CELL_STRING;
        cell_set_text(c, cell, col, v, vlen);
        return;
    }
    if (vlen == 0)
        return; /* a styled cell without a value, or a formula never calculated */
    if (kind == KIND_BOOL) {
        int truth = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
        if (!truth && strcmp(v, "0") != 0 && strcmp(v, "false") != 0) {
            sheet_fail(c, col, LK_ERR_INPUT, _("\"%.40s\" is not a boolean value"), v);
            return;
        }
        lk_cell *cell = cell_slot(c, col);
        cell->type = LK_CELL_BOOL;
        cell->number = truth;
        cell_set_text(c, cell, col, truth ? "TRUE" : "FALSE", truth ? 4 : 5);
        return;
    }
    if (kind == KIND_ERROR) {
        lk_cell *cell = cell_slot(c, col);
        cell->type = LK_CELL_ERROR;
        cell_set_text(c, cell, col, v, vlen);
        return;
    }
    double serial;
    char text[40];
    if (kind == KIND_DATE) {
        lk_cell probe;
        memset(&probe, 0, sizeof probe);
        if (lk_iso_to_serial(v, &serial) < 0 ||
            lk_serial_to_date(serial, &probe, text, sizeof text) < 0) {
            sheet_fail(c, col, LK_ERR_INPUT, _("\"%.40s\" is not an ISO 8601 date"), v);
            return;
        }
        lk_cell *cell = cell_slot(c, col);
        *cell = probe;
        cell->type = LK_CELL_DATE;
        cell->number = serial;
        cell_set_text(c, cell, col, text, strlen(text));
        return;
    }
    if (kind != KIND_NUMBER) {
        sheet_fail(c, col, LK_ERR_INPUT, _("unknown cell type \"%s\""), c->type);
        return;
    }
    /* a number: v is its shortest round-trip text, kept as the cell's text */
    char *end;
    size_t lead = 0;
    while (lead < vlen && (v[lead] == ' ' || v[lead] == '\t' || v[lead] == '\n'))
        lead++;
    while (vlen > lead && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\n'))
        v[--vlen] = '\0';
    v += lead;
    vlen -= lead;
    double number;
    if (!parse_simple_decimal(v, vlen, &number))
        number = strtod(v, &end);
    else
        end = v + vlen;
    if (vlen == 0 || *end || !isfinite(number)) {
        sheet_fail(c, col, LK_ERR_INPUT, _("\"%.40s\" is not a number"), v);
        return;
    }
    lk_cell *cell = cell_slot(c, col);
    cell->type = LK_CELL_NUMBER;
    cell->number = number;
    int numfmt = lk_styles_kind(&x->styles, c->style);
    if (numfmt == LK_NUMFMT_DURATION &&
        lk_days_to_duration(number, cell, text, sizeof text) == 0) {
        /* elapsed time counts days from nothing: the date system does not apply */
        cell->type = LK_CELL_DATE;
        cell_set_text(c, cell, col, text, strlen(text));
        return;
    }
    if (numfmt == LK_NUMFMT_DATE) {
        /* below 1 is a time of day, the same in both date systems */
        serial = x->date1904 && number >= 1 ? number + LK_DATE1904_OFFSET : number;
        if (lk_serial_to_date(serial, cell, text, sizeof text) == 0) {
            cell->type = LK_CELL_DATE;
            cell->number = serial;
            cell_set_text(c, cell, col, text, strlen(text));
            return;
        }
        /* out of Excel's date range: Excel shows ####; keep the plain number */
    }
    cell_set_text(c, cell, col, v, vlen);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sheet_ctx *c = ud;
    lk_xlsx *x = c->x;
    const char *local = lk_xml_local(name);

    if (lk_xml_enter(&c->xml) < 0)
        return;
    switch (local[0]) {
    case 'c':
        if (local[1] || !c->in_sheet_data)
            return;
        {
            const char *ref = NULL, *type = NULL, *style = NULL;
            for (const char **a = atts; a[0]; a += 2) {
                const char *an = lk_xml_local(a[0]);
                if (an[0] == 'r' && !an[1])
                    ref = a[1];
                else if (an[0] == 't' && !an[1])
                    type = a[1];
                else if (an[0] == 's' && !an[1])
                    style = a[1];
            }
            long col = ref ? parse_column(ref) : (long)c->next_col;
            if (col < 0) {
                sheet_fail(c, (size_t)-1, LK_ERR_INPUT, _("bad cell reference \"%.20s\""), ref);
                return;
            }
            c->col = (size_t)col;
            if (c->col >= x->limits.max_columns) {
                sheet_fail(c, c->col, LK_ERR_LIMIT, _("more than %zu columns"), x->limits.max_columns);
                return;
            }
            /* Excel writes the cells of a row once each, left to right; a second B2 would
             * silently replace the first */
            if (col <= c->last_col) {
                char letters[8];
                sheet_fail(c, c->col, LK_ERR_INPUT,
                           _("cell %s%lu appears twice in the sheet (or after a cell to its right)"),
                           lk_column_letter(c->col, letters), c->row_number);
                return;
            }
            c->last_col = col;
            c->nvalues = 0;
            c->next_col = c->col + 1;
            c->kind = cell_kind_of(type);
            if (c->kind == KIND_UNKNOWN) {
                size_t tl = strlen(type);
                tl = tl < sizeof c->type - 1 ? tl : sizeof c->type - 1;
                memcpy(c->type, type, tl);
                c->type[tl] = '\0';
            }
            c->style = style ? strtoul(style, NULL, 10) : 0;
            c->in_cell = 1;
            c->value_too_long = 0;
            strbuf_reset(&c->value);
        }
        return;
    case 'v':
        if (!local[1] && c->in_cell) {
            if (++c->nvalues > 1)
                goto second_value;
            c->in_v = 1;
        }
        return;
    case 'i':
        if (strcmp(local, "is") == 0 && c->in_cell) {
            if (++c->nvalues > 1)
                goto second_value;
            c->in_is = 1;
        }
        return;
    case 't':
        if (!local[1] && c->in_is)
            c->in_t = 1;
        return;
    case 'r':
        if (strcmp(local, "row") == 0 && c->in_sheet_data) {
            const char *r = lk_xml_attr(atts, "r");
            unsigned long n = c->row_number + 1;
            if (r) {
                char *end;
                errno = 0;
                n = strtoul(r, &end, 10);
                if (errno || *end || end == r || n == 0) {
                    sheet_fail(c, (size_t)-1, LK_ERR_INPUT, _("bad row number \"%.20s\""), r);
                    return;
                }
            }
            /* rows come once each, top to bottom; a repeated row 5 would be summed with the
             * first one further on */
            if (n <= c->row_number) {
                c->row_number = n;
                sheet_fail(c, (size_t)-1, LK_ERR_INPUT,
                           _("row %lu appears twice in the sheet (or after a row below it)"), n);
                return;
            }
            c->row_number = n;
            if (n > c->last_row)
                c->last_row = n;
            if (n > x->limits.max_rows) {
                sheet_fail(c, (size_t)-1, LK_ERR_LIMIT, _("more than %lu rows"), x->limits.max_rows);
                return;
            }
            c->next_col = 0;
            c->last_col = -1;
            c->ncells = 0;
            strbuf_reset(&c->row_text);
        } else if (strcmp(local, "rPh") == 0) {
            c->in_rph = 1;
        }
        return;
    case 's':
        if (strcmp(local, "sheetData") == 0)
            c->in_sheet_data = 1;
        return;
    }
    return;
second_value: {
        /* <v>7</v><v>99</v> would read as 799, <is>7</is><v>5</v> as 75 */
        char letters[8];
        sheet_fail(c, c->col, LK_ERR_INPUT, _("cell %s%lu holds more than one value"),
                   lk_column_letter(c->col, letters), c->row_number);
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    sheet_ctx *c = ud;
    const char *local = lk_xml_local(name);

    lk_xml_leave(&c->xml);
    switch (local[0]) {
    case 'c':
        if (!local[1] && c->in_cell) {
            c->in_cell = c->in_v = c->in_is = c->in_t = c->in_rph = 0;
            finish_cell(c);
        }
        return;
    case 'v':
        if (!local[1])
            c->in_v = 0;
        return;
    case 'i':
        if (strcmp(local, "is") == 0)
            c->in_is = 0;
        return;
    case 't':
        if (!local[1])
            c->in_t = 0;
        return;
    case 'r':
        if (strcmp(local, "row") == 0 && c->in_sheet_data) {
            /* trailing empty cells do not count; a row with none left is blank */
            while (c->ncells > 0 && c->cells[c->ncells - 1].type == LK_CELL_EMPTY)
                c->ncells--;
            if (c->ncells > 0 && !c->xml.rejected) {
                c->row_ready = 1;
                XML_StopParser(c->xml.parser, XML_TRUE);
            }
        } else if (strcmp(local, "rPh") == 0) {
            c->in_rph = 0;
        }
        return;
    case 's':
        if (strcmp(local, "sheetData") == 0)
            c->in_sheet_data = 0;
        return;
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
    sheet_ctx *c = ud;
    lk_xml_saw_event(&c->xml);
    if (!(c->in_v || (c->in_t && !c->in_rph)) || c->value_too_long)
        return;
    /* 7: _xHHHH_ escapes shrink when decoded; the exact check is in finish_cell */
    if (c->value.len + (size_t)len > c->x->limits.max_cell * 7) {
        c->value_too_long = 1;
        return;
    }
    strbuf_add(&c->value, s, (size_t)len);
}

/* ---------------------------------------------------------------------------------------------
 * Open, next, free
 */

static int choose_sheet(lk_xlsx *x, const lk_reader_opts *opts, lk_error *err)
{
    size_t pick = 0;
    if (x->nsheets == 0)
        return xlsx_fail(x, err, LK_ERR_INPUT, _("the workbook has no sheets"));
    if (opts->sheet_name && *opts->sheet_name) {
        strbuf names;
        for (pick = 0; pick < x->nsheets; pick++)
            if (strcasecmp(x->sheet_names[pick], opts->sheet_name) == 0)
                break;
        if (pick < x->nsheets)
            goto found;
        strbuf_init(&names, 0);
        for (size_t i = 0; i < x->nsheets; i++)
            strbuf_addf(&names, "%s\"%s\"", i ? ", " : "", x->sheet_names[i]);
        xlsx_fail(x, err, LK_ERR_INPUT, _("no sheet named \"%s\" (the sheets are %s)"),
                  opts->sheet_name, names.buf);
        strbuf_free(&names);
        return -1;
    }
    if (opts->sheet_index > 0) {
        if ((size_t)opts->sheet_index > x->nsheets)
            return xlsx_fail(x, err, LK_ERR_INPUT, _("no sheet number %d (the workbook has %zu)"),
                             opts->sheet_index, x->nsheets);
        pick = (size_t)opts->sheet_index - 1;
    }
found:
    x->sheet = x->sheet_names[pick];
    if (!x->sheet_targets[pick])
        return xlsx_fail(x, err, LK_ERR_INPUT, _("not a worksheet with cells (a chart sheet, or "
                         "a sheet the workbook's relationships do not name)"));
    return (int)pick;
}

static int load_workbook(lk_xlsx *x, const lk_reader_opts *opts, lk_error *err)
{
    rels_ctx root, wb_rels;
    workbook_ctx wb;
    char *workbook = NULL;
    int rc = -1;

    memset(&wb, 0, sizeof wb);
    memset(&wb_rels, 0, sizeof wb_rels);
    if (rels_load(x, &root, "", err) < 0)
        goto out_root;
    /* _rels/.rels names the workbook; Excel's own place is the fallback */
    const char *office = rels_find_type(&root, "/officeDocument");
    workbook = xstrdup(office ? office : "xl/workbook.xml");
    if (!lk_zip_has(x->zip, workbook)) {
        xlsx_fail(x, err, LK_ERR_INPUT, _("not an XLSX workbook: no %s in the package"), workbook);
        goto out_root;
    }

    wb.x = x;
    if (lk_xml_init(&wb.xml, err) < 0)
        goto out_root;
    XML_SetElementHandler(wb.xml.parser, workbook_start, leave_element);
    if (lk_xml_parse_part(&wb.xml, x->zip, x->path, workbook, err) < 0)
        goto out;
    if (rels_load(x, &wb_rels, workbook, err) < 0)
        goto out;

    x->sheet_targets = xcalloc(x->nsheets + 1, sizeof(char *));
    for (size_t i = 0; i < x->nsheets; i++) {
        const char *type = NULL, *target = rels_find_id(&wb_rels, wb.rids[i], &type);
        if (target && (ends_with(type, "/worksheet") || ends_with(type, "/sheet")))
            x->sheet_targets[i] = xstrdup(target);
    }
    int pick = choose_sheet(x, opts, err);
    if (pick < 0)
        goto out;
    if (!lk_zip_has(x->zip, x->sheet_targets[pick])) {
        xlsx_fail(x, err, LK_ERR_INPUT, _("the workbook has no part %s"), x->sheet_targets[pick]);
        goto out;
    }

    /* styles and shared strings by relationship, else where Excel puts them */
    const char *styles = rels_find_type(&wb_rels, "/styles");
    const char *sst = rels_find_type(&wb_rels, "/sharedStrings");
    if (!styles && lk_zip_has(x->zip, "xl/styles.xml"))
        styles = "xl/styles.xml";
    if (!sst && lk_zip_has(x->zip, "xl/sharedStrings.xml"))
        sst = "xl/sharedStrings.xml";
    if (styles && lk_styles_load(&x->styles, x->zip, x->path, styles, err) < 0)
        goto out;
    if (sst && sst_load(x, sst, err) < 0)
        goto out;
    rc = pick;
out:
    for (size_t i = 0; i < x->nsheets; i++)
        free(wb.rids[i]);
    free(wb.rids);
    lk_xml_free(&wb.xml);
    rels_free(&wb_rels);
out_root:
    rels_free(&root);
    free(workbook);
    if (rc < 0 && err && !err->file[0])
        lk_error_at(err, x->path, NULL, 0, (size_t)-1, NULL);
    return rc;
}

lk_xlsx *lk_xlsx_open(const char *path, const lk_reader_opts *opts, lk_error *err)
{
    lk_xlsx *x = xcalloc(1, sizeof(*x));
    x->path = path;
    x->limits = lk_reader_limits_resolve(&opts->limits);
    strbuf_init(&x->sst, 0);
    strbuf_init(&x->sc.value, 64);
    strbuf_init(&x->sc.row_text, 256);
    x->sc.x = x;
    x->sc.fail_col = (size_t)-1;
    x->sc.last_col = -1;
    x->row.file = path;

    x->zip = lk_zip_open(path, &x->limits, err);
    if (!x->zip)
        goto fail;
    int pick = load_workbook(x, opts, err);
    if (pick < 0)
        goto fail;
    x->row.sheet = x->sheet;
    x->sheet_part = x->sheet_targets[pick];
    if (lk_xml_init(&x->sc.xml, err) < 0)
        goto fail;
    XML_SetElementHandler(x->sc.xml.parser, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(x->sc.xml.parser, sheet_text);
    if (lk_zip_part_open(x->zip, x->sheet_targets[pick], err) < 0)
        goto fail;
    return x;

fail:
    lk_xlsx_free(x);
    return NULL;
}

int lk_xlsx_next(lk_xlsx *x, const lk_row **row, lk_error *err)
{
    sheet_ctx *c = &x->sc;
    enum XML_Status st;

    c->row_ready = 0;
    while (!c->done) {
        if (c->suspended) {
            c->suspended = 0;
            st = XML_ResumeParser(c->xml.parser);
        } else if (c->final_fed) {
            c->done = 1;
            break;
        } else {
            void *buf = XML_GetBuffer(c->xml.parser, LK_READ_CHUNK);
            if (!buf) {
                lk_xml_error(&c->xml, x->sheet_part, err);
                lk_error_at(err, x->path, x->sheet, c->row_number, (size_t)-1, NULL);
                return -1;
            }
            ssize_t n = lk_zip_part_read(x->zip, buf, LK_READ_CHUNK, err);
            if (n < 0 || lk_xml_fed(&c->xml, (size_t)n, x->sheet_part, err) < 0) {
                lk_error_at(err, x->path, x->sheet, c->row_number, (size_t)-1, NULL);
                c->done = 1;
                return -1;
            }
            c->final_fed = n == 0;
            st = XML_ParseBuffer(c->xml.parser, (int)n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            lk_xml_error(&c->xml, x->sheet_part, err);
            lk_error_at(err, x->path, x->sheet, c->row_number,
                        c->xml.rejected ? c->fail_col : (size_t)-1, NULL);
            c->done = 1;
            return -1;
        }
        if (st == XML_STATUS_SUSPENDED) {
            c->suspended = 1;
            if (c->row_ready)
                break;
        }
    }
    if (!c->row_ready)
        return 0;
    for (size_t i = 0; i < c->ncells; i++)
        if (c->offs[i] != NO_OFFSET)
            c->cells[i].text = c->row_text.buf + c->offs[i];
    x->row.number = c->row_number;
    x->row.ncells = c->ncells;
    x->row.cells = c->cells;
    *row = &x->row;
    return 1;
}

unsigned long lk_xlsx_last_row(const lk_xlsx *x)
{
    return x->sc.last_row;
}

const char *const *lk_xlsx_sheets(const lk_xlsx *x)
{
    return (const char *const *)x->sheet_names;
}

void lk_xlsx_free(lk_xlsx *x)
{
    if (!x)
        return;
    lk_xml_free(&x->sc.xml);
    lk_zip_free(x->zip);
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheet_names[i]);
        if (x->sheet_targets)
            free(x->sheet_targets[i]);
    }
    free(x->sheet_names);
    free(x->sheet_targets);
    lk_styles_free(&x->styles);
    strbuf_free(&x->sst);
    free(x->sst_off);
    free(x->sst_len);
    free(x->sc.cells);
    free(x->sc.offs);
    strbuf_free(&x->sc.value);
    strbuf_free(&x->sc.row_text);
    free(x);
}
