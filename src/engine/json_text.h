/*
 * json_text.h: JSON text written straight into a strbuf, byte for byte as cJSON_PrintUnformatted
 * would print the same values. The plan writes one PATCH body per record (thousands a run);
 * building a cJSON tree for each only to print it cost more than the rest of finishing a record.
 * The journal keeps each body's SHA-256, so the text must not change with this shortcut: the
 * tests compare it with cJSON's output.
 */
#ifndef LK_JSON_TEXT_H
#define LK_JSON_TEXT_H

#include "common/strbuf.h"

#include <stdbool.h>

/* A JSON string: "s" with cJSON's escapes; NULL prints "" as cJSON does. */
void lk_json_text_string(strbuf *sb, const char *s);
/* A JSON number of an integer value, as cJSON prints a number created from (double)v. */
void lk_json_text_long(strbuf *sb, long v);
/* "name": (a member name and its colon). */
void lk_json_text_name(strbuf *sb, const char *name);

#endif
