/*
 * envelope.c: tolerant parsing of Loket's response envelope and metadata references.
 */
#include "loket/envelope.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Text bodies are copied into one message; a runaway HTML error page is cut here. */
#define TEXT_MESSAGE_MAX 2000

static const char *const type_names[] = {
    [LK_MSG_BROKEN_BUSINESS_RULE] = "BrokenBusinessRule",
    [LK_MSG_WARNING] = "Warning",
    [LK_MSG_EXCEPTION] = "Exception",
    [LK_MSG_CONCURRENCY_VIOLATION] = "ConcurrencyViolation",
    [LK_MSG_NOT_FOUND] = "NotFound",
    [LK_MSG_OTHER] = "Other",
};

const char *lk_message_type_name(lk_message_type t)
{
    return (unsigned)t <= LK_MSG_OTHER ? type_names[t] : "Other";
}

static lk_message_type message_type_from(const char *s)
{
    for (int t = 0; t < LK_MSG_OTHER; t++)
        if (s && !strcasecmp(s, type_names[t]))
            return (lk_message_type)t;
    return LK_MSG_OTHER;
}

/* ---------------------------------------------------------------- field readers */

const char *lk_json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

char *lk_json_strdup(const cJSON *obj, const char *key)
{
    const char *s = lk_json_str(obj, key);
    return s ? xstrdup(s) : NULL;
}

static bool number_is_long(const cJSON *it, long *out)
{
    double d;
    if (!cJSON_IsNumber(it))
        return false;
    d = it->valuedouble;
    /* cJSON keeps every number as a double; only whole numbers in range are ids and keys */
    if (!isfinite(d) || d != floor(d) || d < -9.0e15 || d > 9.0e15)
        return false;
    *out = (long)d;
    return true;
}

bool lk_json_long(const cJSON *obj, const char *key, long *out)
{
    const cJSON *it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return number_is_long(it, out);
}

bool lk_json_bool(const cJSON *obj, const char *key, bool def)
{
    const cJSON *it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsBool(it) ? cJSON_IsTrue(it) : def;
}

/* ---------------------------------------------------------------- references */

static char *scalar_text(const cJSON *it)
{
    char buf[32];
    long v;
    if (cJSON_IsString(it))
        return xstrdup(it->valuestring);
    if (number_is_long(it, &v)) {
        snprintf(buf, sizeof buf, "%ld", v);
        return xstrdup(buf);
    }
    return NULL;
}

void lk_meta_ref_parse(const cJSON *obj, const char *member, lk_meta_ref *out)
{
    const cJSON *ref = member ? (cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, member)
                                                     : NULL)
                              : obj;
    const cJSON *key;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(ref))
        return;
    key = cJSON_GetObjectItemCaseSensitive(ref, "key");
    if (!key || cJSON_IsNull(key))
        key = cJSON_GetObjectItemCaseSensitive(ref, "shiftNumber");
    if (number_is_long(key, &out->key))
        out->key_is_int = true;
    out->key_text = scalar_text(key);
    out->present = out->key_text != NULL;
    out->code = scalar_text(cJSON_GetObjectItemCaseSensitive(ref, "code"));
    out->description = lk_json_strdup(ref, "description");
    if (!out->description)
        out->description = lk_json_strdup(ref, "value");
    if (!out->present) {
        lk_meta_ref_free(out);
        memset(out, 0, sizeof *out);
    }
}

void lk_meta_ref_copy(const lk_meta_ref *src, lk_meta_ref *dst)
{
    *dst = *src;
    dst->key_text = src->key_text ? xstrdup(src->key_text) : NULL;
    dst->code = src->code ? xstrdup(src->code) : NULL;
    dst->description = src->description ? xstrdup(src->description) : NULL;
}

void lk_meta_ref_free(lk_meta_ref *r)
{
    if (!r)
        return;
    free(r->key_text);
    free(r->code);
    free(r->description);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- messages */

static void message_parse(const cJSON *m, lk_message *out)
{
    const cJSON *props;
    memset(out, 0, sizeof *out);
    out->type_text = lk_json_strdup(m, "type");
    if (!out->type_text)
        out->type_text = xstrdup("Other");
    out->type = message_type_from(out->type_text);
    out->has_code = lk_json_long(m, "code", &out->code);
    out->description = lk_json_strdup(m, "description");
    if (!out->description)
        out->description = xstrdup("");
    out->id = scalar_text(cJSON_GetObjectItemCaseSensitive(m, "id"));
    props = cJSON_GetObjectItemCaseSensitive(m, "properties");
    if (cJSON_IsArray(props)) {
        const cJSON *p;
        size_t n = (size_t)cJSON_GetArraySize(props), i = 0;
        out->properties = n ? xcalloc(n, sizeof(char *)) : NULL;
        cJSON_ArrayForEach(p, props) {
            char *s = scalar_text(p);
            if (s && i < n)
                out->properties[i++] = s;
            else
                free(s);
        }
        out->nproperties = i;
    }
}

static void message_free(lk_message *m)
{
    free(m->type_text);
    free(m->description);
    free(m->id);
    for (size_t i = 0; i < m->nproperties; i++)
        free(m->properties[i]);
    free(m->properties);
}

void lk_messages_free(lk_message *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        message_free(&msgs[i]);
    free(msgs);
}

void lk_messages_copy(const lk_envelope *env, lk_message **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!env || !env->nmessages)
        return;
    *out = xcalloc(env->nmessages, sizeof **out);
    for (size_t i = 0; i < env->nmessages; i++) {
        const lk_message *s = &env->messages[i];
        lk_message *d = &(*out)[i];
        *d = *s;
        d->type_text = xstrdup(s->type_text);
        d->description = xstrdup(s->description);
        d->id = s->id ? xstrdup(s->id) : NULL;
        d->properties = s->nproperties ? xcalloc(s->nproperties, sizeof(char *)) : NULL;
        for (size_t j = 0; j < s->nproperties; j++)
            d->properties[j] = xstrdup(s->properties[j]);
    }
    *n = env->nmessages;
}

size_t lk_envelope_count(const lk_envelope *env, lk_message_type t)
{
    size_t n = 0;
    for (size_t i = 0; env && i < env->nmessages; i++)
        n += env->messages[i].type == t;
    return n;
}

char *lk_envelope_summary(const lk_envelope *env, char *buf, size_t size)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 128);
    for (size_t i = 0; env && i < env->nmessages; i++) {
        const lk_message *m = &env->messages[i];
        if (i)
            strbuf_addstr(&sb, "; ");
        strbuf_addstr(&sb, m->type_text);
        if (m->has_code)
            strbuf_addf(&sb, " %ld", m->code);
        strbuf_addf(&sb, ": %s", m->description);
    }
    if (size) {
        size_t n = sb.len < size - 1 ? sb.len : size - 1;
        memcpy(buf, sb.buf, n);
        buf[n] = '\0';
    }
    strbuf_free(&sb);
    return buf;
}

/* ---------------------------------------------------------------- the envelope */

static bool is_text_plain(const char *content_type)
{
    return content_type && !strncasecmp(content_type, "text/", 5);
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return false;
    return true;
}

/* One printable line of a text body: control bytes become spaces, length is bounded. */
static char *text_message(const char *body, size_t len)
{
    size_t n = len < TEXT_MESSAGE_MAX ? len : TEXT_MESSAGE_MAX;
    char *s = xmalloc(n + 1);
    size_t i, start = 0, end;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        s[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    s[n] = '\0';
    while (s[start] == ' ')
        start++;
    end = strlen(s);
    while (end > start && s[end - 1] == ' ')
        s[--end] = '\0';
    if (start)
        memmove(s, s + start, end - start + 1);
    return s;
}

static void add_text_message(lk_envelope *env, const char *body, size_t len)
{
    lk_message *m;
    env->messages = xcalloc(1, sizeof *env->messages);
    env->nmessages = 1;
    m = &env->messages[0];
    m->type = LK_MSG_EXCEPTION;
    m->type_text = xstrdup("Exception");
    m->description = text_message(body, len);
}

static lk_code parse_json(lk_envelope *env, const char *body, size_t len, lk_error *err)
{
    const char *end = NULL;
    const cJSON *version, *messages, *content, *embedded;
    long n;
    int paging = 0;
    env->root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!env->root) {
        size_t at = end && end >= body ? (size_t)(end - body) : 0;
        return lk_error_set(err, LK_ERR_PROTOCOL,
                            _("the server's answer is not valid JSON (at byte %zu of %zu)"), at, len);
    }
    if (end && !blank(end, len - (size_t)(end - body)))
        return lk_error_set(err, LK_ERR_PROTOCOL,
                            _("the server's answer has data after its JSON (at byte %zu of %zu)"),
                            (size_t)(end - body), len);
    if (cJSON_IsArray(env->root)) {
        /* not Loket's envelope, but metadata answers are undocumented: let the caller look */
        env->content = env->root;
        return LK_OK;
    }
    if (!cJSON_IsObject(env->root))
        return lk_error_set(err, LK_ERR_PROTOCOL,
                            _("the server's answer is JSON but neither an object nor a list"));

    version = cJSON_GetObjectItemCaseSensitive(env->root, "version");
    if (cJSON_IsObject(version)) {
        env->resource_version = lk_json_strdup(version, "resourceVersion");
        env->obsolete_date = lk_json_strdup(version, "obsoleteDate");
    }
    messages = cJSON_GetObjectItemCaseSensitive(env->root, "messages");
    if (messages && !cJSON_IsNull(messages)) {
        const cJSON *m;
        size_t i = 0, cap;
        if (!cJSON_IsArray(messages))
            return lk_error_set(err, LK_ERR_PROTOCOL, _("the answer's \"messages\" is not a list"));
        cap = (size_t)cJSON_GetArraySize(messages);
        env->messages = cap ? xcalloc(cap, sizeof *env->messages) : NULL;
        cJSON_ArrayForEach(m, messages) {
            if (!cJSON_IsObject(m) || i >= cap)
                continue; /* a stray scalar in the list says nothing we could report */
            message_parse(m, &env->messages[i++]);
        }
        env->nmessages = i;
    }
    content = cJSON_GetObjectItemCaseSensitive(env->root, "content");
    if (content && !cJSON_IsNull(content))
        env->content = content;
    embedded = cJSON_GetObjectItemCaseSensitive(env->root, "_embedded");
    if (embedded && !cJSON_IsNull(embedded)) {
        if (!cJSON_IsArray(embedded))
            return lk_error_set(err, LK_ERR_PROTOCOL, _("the answer's \"_embedded\" is not a list"));
        env->embedded = embedded;
    }
    paging += lk_json_long(env->root, "totalSize", &n) ? (env->total_size = n, 1) : 0;
    paging += lk_json_long(env->root, "pageSize", &n) ? (env->page_size = n, 1) : 0;
    paging += lk_json_long(env->root, "totalPages", &n) ? (env->total_pages = n, 1) : 0;
    paging += lk_json_long(env->root, "currentPage", &n) ? (env->current_page = n, 1) : 0;
    env->has_paging = paging == 4;
    if (env->has_paging && (env->total_size < 0 || env->page_size < 0 || env->total_pages < 0 ||
                            env->current_page < 0))
        return lk_error_set(err, LK_ERR_PROTOCOL, _("the answer's paging numbers are negative"));
    return LK_OK;
}

/* An error answer in another shape than the envelope (a problem document: title, detail,
 * errors; or {"message"} / {"error"}): its reason as one message, the whole body when no known
 * field has it, so a refusal never reaches the report without Loket's words. */
static void add_problem_message(lk_envelope *env)
{
    static const char *const fields[] = { "title", "detail", "message", "error",
                                          "error_description", "errors", NULL };
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 128);
    for (int i = 0; fields[i]; i++) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(env->root, fields[i]);
        if (!f || cJSON_IsNull(f))
            continue;
        if (sb.len)
            strbuf_addstr(&sb, ": ");
        if (cJSON_IsString(f) && f->valuestring) {
            strbuf_addstr(&sb, f->valuestring);
        } else {
            char *t = cJSON_PrintUnformatted(f);
            strbuf_addstr(&sb, t ? t : "");
            free(t);
        }
    }
    if (!sb.len) {
        char *t = cJSON_PrintUnformatted(env->root);
        strbuf_addstr(&sb, t ? t : "");
        free(t);
    }
    add_text_message(env, sb.buf, sb.len);
    strbuf_free(&sb);
}

lk_code lk_envelope_parse(const char *body, size_t len, const char *content_type, long status,
                          lk_envelope **out, lk_error *err)
{
    lk_envelope *env = xcalloc(1, sizeof *env);
    *out = NULL;
    if (!body)
        len = 0;
    if (len == 0 || blank(body, len)) {
        /* 404, 500 and some 200s of PATCH come without a body: nothing to read, not an error */
        *out = env;
        return LK_OK;
    }
    if (is_text_plain(content_type) && !(body[0] == '{' || body[0] == '[')) {
        add_text_message(env, body, len);
        *out = env;
        return LK_OK;
    }
    if (parse_json(env, body, len, err) == LK_OK) {
        if (status >= 400 && cJSON_IsObject(env->root) &&
            !cJSON_GetObjectItemCaseSensitive(env->root, "messages"))
            add_problem_message(env);
    } else {
        /* An error status with an unreadable body still has a story to tell: keep the text. */
        if (status >= 400) {
            cJSON_Delete(env->root);
            lk_messages_free(env->messages, env->nmessages);
            free(env->resource_version);
            free(env->obsolete_date);
            memset(env, 0, sizeof *env);
            add_text_message(env, body, len);
            *out = env;
            return LK_OK;
        }
        lk_envelope_free(env);
        return err->code;
    }
    *out = env;
    return LK_OK;
}

void lk_envelope_free(lk_envelope *env)
{
    if (!env)
        return;
    cJSON_Delete(env->root);
    lk_messages_free(env->messages, env->nmessages);
    free(env->resource_version);
    free(env->obsolete_date);
    free(env);
}
