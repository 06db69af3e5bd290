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
    unsigned depth;              /* open elements */
    size_t since_event;          /* bytes fed since the last handler call */
} lk_xml_ctx;

/* SpreadsheetML nests a handful of levels; deeper is an attack on expat's tag stack. */
#define LK_XML_MAX_DEPTH 100
/* No legitimate token (tag, attribute value, comment) comes near this; expat would buffer it
 * whole. Character data does not count: expat hands it over in pieces. */
#define LK_XML_MAX_TOKEN (16u << 20)

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

/* Every start handler calls enter (and returns when it fails), every end handler leave,
 * every character data handler lk_xml_saw_event. */
int lk_xml_enter(lk_xml_ctx *ctx);
void lk_xml_leave(lk_xml_ctx *ctx);
static inline void lk_xml_saw_event(lk_xml_ctx *ctx)
{
    ctx->since_event = 0;
}
/* Called with the bytes about to be fed: -1 (err set) when no event came for too long. */
int lk_xml_fed(lk_xml_ctx *ctx, size_t n, const char *part, lk_error *err);

/* Local name of an element or attribute ("x:row" -> "row"). Inline: called for every tag. */
static inline const char *lk_xml_local(const char *name)
{
    for (const char *p = name; *p; p++)
        if (*p == ':')
            return p + 1;
    return name;
}
/* Value of the attribute with that local name, or NULL. */
const char *lk_xml_attr(const char **atts, const char *local);

#endif
