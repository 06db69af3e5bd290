/*
 * xlsx_xml.h: expat set up for the parts of an XLSX package: namespace-aware (so "x:row" and
 * "row" are the same element), entity declarations and DOCTYPE refused, billion-laughs
 * protection on, parts streamed in chunks.
 */
#ifndef LK_XLSX_XML_H
#define LK_XLSX_XML_H

#include "input/xlsx_zip.h"

#ifndef XML_DTD
#define XML_DTD 1 /* Debian's expat is built with it; the billion-laughs calls need it */
#endif
#include <expat.h>

/* The first member of every handler context, so that the shared handlers can reach it. */
typedef struct lk_xml_ctx {
    XML_Parser parser;
    int rejected;                /* a handler stopped the parse: code and msg say why */
    lk_code code;
    char msg[300];
} lk_xml_ctx;

/* Creates ctx->parser with ctx as user data. 0 or -1 (out of memory, err set). */
int lk_xml_init(lk_xml_ctx *ctx, lk_error *err);
void lk_xml_free(lk_xml_ctx *ctx);
/* Stops the parse from a handler with a reason. */
void lk_xml_fail(lk_xml_ctx *ctx, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets err's code and message after a failed parse of part (the caller sets the place). */
void lk_xml_error(lk_xml_ctx *ctx, const char *part, lk_error *err);
/* Streams a whole part through ctx's parser. 0 or -1 with err set (file and part named). */
int lk_xml_parse_part(lk_xml_ctx *ctx, lk_zip *z, const char *path, const char *part,
                      lk_error *err);

/* Local name of an element or attribute ("uri\001row" -> "row"). */
const char *lk_xml_local(const char *name);
/* Value of the attribute with that local name, or NULL. */
const char *lk_xml_attr(const char **atts, const char *local);

#define LK_XML_NS_SEP '\001'

#endif
