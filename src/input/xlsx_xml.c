/*
 * xlsx_xml.c: expat for XLSX parts, with the protections a file from outside needs.
 *
 * SpreadsheetML never needs a DTD: any DOCTYPE or entity declaration is refused outright, and
 * expat's own billion-laughs protection stays on as a second wall.
 */
#include "common/i18n.h"
#include "input/xlsx_xml.h"
#include "input/reader_int.h"

#include <stdio.h>
#include <string.h>

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    lk_xml_fail(ud, LK_ERR_LIMIT, _("a DOCTYPE declaration, which workbooks never have "
                "(possible entity expansion attack)"));
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
                              const XML_Char *value, int value_length, const XML_Char *base,
                              const XML_Char *sysid, const XML_Char *pubid,
                              const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_length, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    lk_xml_fail(ud, LK_ERR_LIMIT, _("an entity declaration (possible entity expansion attack)"));
}

int lk_xml_enter(lk_xml_ctx *ctx)
{
    ctx->since_event = 0;
    if (++ctx->depth > LK_XML_MAX_DEPTH) {
        lk_xml_fail(ctx, LK_ERR_LIMIT, _("XML nested more than %d levels deep"), LK_XML_MAX_DEPTH);
        return -1;
    }
    return 0;
}

void lk_xml_leave(lk_xml_ctx *ctx)
{
    ctx->since_event = 0;
    if (ctx->depth)
        ctx->depth--;
}

int lk_xml_fed(lk_xml_ctx *ctx, size_t n, const char *part, lk_error *err)
{
    ctx->since_event += n;
    if (ctx->since_event <= LK_XML_MAX_TOKEN)
        return 0;
    lk_error_set(err, LK_ERR_LIMIT, _("an XML token longer than %u bytes in %s"), LK_XML_MAX_TOKEN,
                 part);
    return -1;
}

int lk_xml_init(lk_xml_ctx *ctx, lk_error *err)
{
    ctx->rejected = 0;
    ctx->depth = 0;
    ctx->since_event = 0;
    /* Not namespace-aware on purpose: names are matched by their local part anyway, and
     * expat's namespace processing (building "uri name" strings for every tag) cost a third
     * of the sheet's parse time. */
    ctx->parser = XML_ParserCreate(NULL);
    if (!ctx->parser)
        return lk_error_set(err, LK_ERR_NOMEM, _("cannot create an XML parser")), -1;
    XML_SetUserData(ctx->parser, ctx);
    XML_SetStartDoctypeDeclHandler(ctx->parser, on_doctype);
    XML_SetEntityDeclHandler(ctx->parser, on_entity);
    XML_SetParamEntityParsing(ctx->parser, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
    XML_SetBillionLaughsAttackProtectionMaximumAmplification(ctx->parser, 20.0f);
    XML_SetBillionLaughsAttackProtectionActivationThreshold(ctx->parser, 1u << 20);
#endif
    return 0;
}

void lk_xml_free(lk_xml_ctx *ctx)
{
    if (ctx->parser)
        XML_ParserFree(ctx->parser);
    ctx->parser = NULL;
}

void lk_xml_fail(lk_xml_ctx *ctx, lk_code code, const char *fmt, ...)
{
    va_list ap;
    if (ctx->rejected)
        return;
    ctx->rejected = 1;
    ctx->code = code;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    XML_StopParser(ctx->parser, XML_FALSE);
}

void lk_xml_error(lk_xml_ctx *ctx, const char *part, lk_error *err)
{
    if (ctx->rejected) {
        lk_error_set(err, ctx->code, "%s", ctx->msg);
        return;
    }
    enum XML_Error e = XML_GetErrorCode(ctx->parser);
    lk_error_set(err, e == XML_ERROR_NO_MEMORY ? LK_ERR_NOMEM : LK_ERR_INPUT,
                 _("malformed XML in %s (line %lu, column %lu): %s"), part,
                 (unsigned long)XML_GetCurrentLineNumber(ctx->parser),
                 (unsigned long)XML_GetCurrentColumnNumber(ctx->parser), XML_ErrorString(e));
}

int lk_xml_parse_part(lk_xml_ctx *ctx, lk_zip *z, const char *path, const char *part,
                      lk_error *err)
{
    if (lk_zip_part_open(z, part, err) < 0)
        return -1;
    for (;;) {
        void *buf = XML_GetBuffer(ctx->parser, LK_READ_CHUNK);
        if (!buf) {
            lk_xml_error(ctx, part, err);
            break;
        }
        ssize_t n = lk_zip_part_read(z, buf, LK_READ_CHUNK, err);
        if (n < 0 || lk_xml_fed(ctx, (size_t)n, part, err) < 0)
            break;
        if (XML_ParseBuffer(ctx->parser, (int)n, n == 0) != XML_STATUS_OK) {
            lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
            lk_xml_error(ctx, part, err);
            break;
        }
        if (n == 0) {
            lk_zip_part_close(z);
            return 0;
        }
    }
    lk_zip_part_close(z);
    return -1;
}

const char *lk_xml_attr(const char **atts, const char *local)
{
    for (; atts && atts[0]; atts += 2)
        if (strcmp(lk_xml_local(atts[0]), local) == 0)
            return atts[1];
    return NULL;
}
