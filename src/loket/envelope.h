/*
 * envelope.h: Loket's response envelope, parsed tolerantly.
 *
 *   { "version": {"resourceVersion", "obsoleteDate"},
 *     "messages": [ {"code", "type", "description", "id", "properties"} ],
 *     "content": {...}            detail endpoints
 *     "_embedded": [...], "totalSize", "pageSize", "totalPages", "currentPage"   lists }
 *
 * A 400 for an API-level problem (bad Accept header, malformed filter) comes as text/plain; it
 * becomes one message of type Exception so callers and reports handle both alike.
 * Nothing here trusts the server: non-JSON, truncated or wrongly typed answers give
 * LK_ERR_PROTOCOL with a message that says what was wrong, never a crash.
 *
 * Also here: the small tolerant readers for the "metadata" objects every resource uses
 * ({key, value} / {key, code, description}), shared by api.c and the fuzz target.
 */
#ifndef LK_ENVELOPE_H
#define LK_ENVELOPE_H

#include "common/error.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum lk_message_type {
    LK_MSG_BROKEN_BUSINESS_RULE,
    LK_MSG_WARNING,
    LK_MSG_EXCEPTION,
    LK_MSG_CONCURRENCY_VIOLATION,
    LK_MSG_NOT_FOUND,
    LK_MSG_OTHER          /* a type Loket may add later; type_text keeps its name */
} lk_message_type;

typedef struct lk_message {
    lk_message_type type;
    char *type_text;      /* as sent ("BrokenBusinessRule"), never NULL */
    long code;            /* 0 when absent */
    bool has_code;
    char *description;    /* never NULL ("" when absent) */
    char *id;             /* entity the message is about (collective PATCH); may be NULL */
    char **properties;    /* additional strings */
    size_t nproperties;
} lk_message;

typedef struct lk_envelope {
    cJSON *root;              /* the parsed document (NULL for text/plain or empty bodies) */
    char *resource_version;   /* may be NULL */
    char *obsolete_date;      /* may be NULL */
    lk_message *messages;
    size_t nmessages;
    const cJSON *content;     /* points into root; NULL when absent or null; the root itself
                               * when the answer is a bare JSON list */
    const cJSON *embedded;    /* points into root; an array, or NULL */
    bool has_paging;          /* all four paging numbers were present */
    long total_size, page_size, total_pages, current_page;
} lk_envelope;

/*
 * Parses a response body. status and content_type (may be NULL) decide how an empty or
 * text/plain body is read. Only an answer that cannot be understood is an error; a 400 with
 * messages parses fine (the caller looks at the status and the messages).
 */
lk_code lk_envelope_parse(const char *body, size_t len, const char *content_type, long status,
                          lk_envelope **out, lk_error *err);
void lk_envelope_free(lk_envelope *env);

const char *lk_message_type_name(lk_message_type t);
/* Messages of one type. */
size_t lk_envelope_count(const lk_envelope *env, lk_message_type t);
/* "BrokenBusinessRule 83: description; Warning 12: ..." into buf (truncated), for errors. */
char *lk_envelope_summary(const lk_envelope *env, char *buf, size_t size);
/* Copies the message list (for callers that keep messages after freeing the envelope). */
void lk_messages_copy(const lk_envelope *env, lk_message **out, size_t *n);
void lk_messages_free(lk_message *msgs, size_t n);

/* ---- tolerant field readers (never fail; absent or wrongly typed -> default) ---- */

/* A string member, or NULL. Numbers are not turned into strings here. */
const char *lk_json_str(const cJSON *obj, const char *key);
/* A member that must be an integer number; false when absent, not a number or not whole. */
bool lk_json_long(const cJSON *obj, const char *key, long *out);
/* A boolean member; def when absent or not a boolean. */
bool lk_json_bool(const cJSON *obj, const char *key, bool def);
/* Duplicates a string member (or NULL). Caller frees. */
char *lk_json_strdup(const cJSON *obj, const char *key);

/*
 * A reference to a metadata value, as it appears in records, defaults and metadata lists:
 * {key: 2} or {key: "uuid"} or {shiftNumber: 1}, plus optional code (string or number) and
 * description (or "value"). present is false for null or absent members.
 */
typedef struct lk_meta_ref {
    bool present;
    bool key_is_int;
    long key;             /* when key_is_int */
    char *key_text;       /* the key as text ("2" or the uuid); NULL when !present */
    char *code;           /* NULL when absent; numbers are rendered as text */
    char *description;    /* "description", else "value"; NULL when absent */
} lk_meta_ref;

/* Reads obj[member] (or obj itself when member is NULL) as a reference. */
void lk_meta_ref_parse(const cJSON *obj, const char *member, lk_meta_ref *out);
void lk_meta_ref_copy(const lk_meta_ref *src, lk_meta_ref *dst);
void lk_meta_ref_free(lk_meta_ref *r);

#endif
