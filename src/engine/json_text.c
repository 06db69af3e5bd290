/*
 * json_text.c: JSON text as cJSON prints it (see json_text.h).
 */
#include "engine/json_text.h"

#include "common/error.h"
#include "common/i18n.h"

#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

void lk_json_text_string(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_addch(sb, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': strbuf_add(sb, "\\\"", 2); break;
        case '\\': strbuf_add(sb, "\\\\", 2); break;
        case '\b': strbuf_add(sb, "\\b", 2); break;
        case '\f': strbuf_add(sb, "\\f", 2); break;
        case '\n': strbuf_add(sb, "\\n", 2); break;
        case '\r': strbuf_add(sb, "\\r", 2); break;
        case '\t': strbuf_add(sb, "\\t", 2); break;
        default:
            if (*p < 32) {
                char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
                strbuf_add(sb, u, sizeof u);
            } else {
                strbuf_addch(sb, (char)*p);
            }
        }
    }
    strbuf_addch(sb, '"');
}

void lk_json_text_long(strbuf *sb, long v)
{
    if (v >= INT_MIN && v <= INT_MAX) {
        strbuf_addf(sb, "%ld", v); /* cJSON: a double equal to its int prints as %d */
        return;
    }
    /* beyond int, cJSON prints the double with %1.15g or %1.17g: let it */
    cJSON *n = cJSON_CreateNumber((double)v);
    char *text = n ? cJSON_PrintUnformatted(n) : NULL;
    if (!text)
        lk_die(_("out of memory"));
    strbuf_addstr(sb, text);
    free(text);
    cJSON_Delete(n);
}

void lk_json_text_name(strbuf *sb, const char *name)
{
    lk_json_text_string(sb, name);
    strbuf_addch(sb, ':');
}
