/*
 * journal.c: durable, append-only JSON-lines journal of confirmed results (see journal.h).
 */
#include "common/i18n.h"
#include "engine/journal.h"
#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/safefile.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_VERSION 1
#define JOURNAL_MAX_BYTES (1024UL * 1024 * 1024)

struct stored {
    lk_journal_entry pub;
    char *key;
    char *sha;
    cJSON *result;
};

struct lk_journal {
    char *path;
    int fd;
    bool dirty;
    lk_hashmap *by_key;
    struct stored **entries;
    size_t nentries, alloc;
};

/* ---------------------------------------------------------------- entries */

static void store_entry(lk_journal *j, const char *key, const char *sha, cJSON *result)
{
    struct stored *s = xcalloc(1, sizeof(*s));
    s->key = xstrdup(key);
    s->sha = xstrdup(sha);
    s->result = result;
    s->pub.key = s->key;
    s->pub.body_sha256 = s->sha;
    s->pub.result = s->result;
    lk_grow(&j->entries, sizeof(*j->entries), j->nentries + 1, &j->alloc);
    j->entries[j->nentries++] = s;
    /* A later line for the same key wins: it is the newer confirmation. */
    lk_hashmap_put(j->by_key, key, s);
}

static lk_code write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return LK_ERR_IO;
        }
        buf += w;
        len -= (size_t)w;
    }
    return LK_OK;
}

/* ---------------------------------------------------------------- loading */

static lk_code check_header(lk_journal *j, cJSON *o, const char *fingerprint, lk_error *err)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "loketImportJournal");
    cJSON *fp = cJSON_GetObjectItemCaseSensitive(o, "fingerprint");
    if (!cJSON_IsNumber(v) || v->valuedouble != JOURNAL_VERSION || !cJSON_IsString(fp))
        return lk_error_set(err, LK_ERR_INPUT, _("%s is not a loket-import journal"), j->path);
    if (strcmp(fp->valuestring, fingerprint) != 0)
        return lk_error_set(err, LK_ERR_CONFLICT,
                            _("journal %s belongs to another run (other input files, mapping or "
                            "options); refusing to resume from it"),
                            j->path);
    return LK_OK;
}

static lk_code parse_line(lk_journal *j, const char *line, unsigned long lineno,
                          const char *fingerprint, lk_error *err)
{
    cJSON *o = cJSON_Parse(line);
    lk_code rc = LK_OK;
    if (!cJSON_IsObject(o)) {
        rc = lk_error_set(err, LK_ERR_INPUT, _("journal %s line %lu is damaged"), j->path, lineno);
    } else if (lineno == 1) {
        rc = check_header(j, o, fingerprint, err);
    } else {
        cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
        cJSON *sha = cJSON_GetObjectItemCaseSensitive(o, "bodySha256");
        cJSON *result = cJSON_GetObjectItemCaseSensitive(o, "result");
        if (!cJSON_IsString(key) || !cJSON_IsString(sha) || !cJSON_IsObject(result))
            rc = lk_error_set(err, LK_ERR_INPUT,
                              _("journal %s line %lu lacks key, bodySha256 or result"), j->path,
                              lineno);
        else
            store_entry(j, key->valuestring, sha->valuestring,
                        cJSON_DetachItemViaPointer(o, result));
    }
    cJSON_Delete(o);
    return rc;
}

/* Loads every complete line; a torn last line (no newline) is cut off so appends start clean. */
static lk_code load(lk_journal *j, const char *fingerprint, lk_error *err)
{
    char *data = NULL;
    size_t len = 0, good = 0;
    unsigned long lineno = 0;
    lk_code rc = lk_read_file(j->path, JOURNAL_MAX_BYTES, &data, &len, err);
    if (rc == LK_ERR_IO)
        err->code = rc = LK_ERR_ENV; /* the journal is ours, not the input's */
    if (rc != LK_OK)
        return rc;
    while (good < len) {
        char *nl = memchr(data + good, '\n', len - good);
        if (!nl)
            break;
        *nl = '\0';
        rc = parse_line(j, data + good, ++lineno, fingerprint, err);
        if (rc != LK_OK) {
            free(data);
            return rc;
        }
        good = (size_t)(nl - data) + 1;
    }
    free(data);
    if (lineno == 0)
        return LK_ERR_NOT_FOUND; /* not even a header: treat as a new journal */
    if (good < len && truncate(j->path, (off_t)good) != 0)
        return lk_error_set(err, LK_ERR_ENV, _("cannot repair journal %s: %s"), j->path,
                            strerror(errno));
    return LK_OK;
}

/* ---------------------------------------------------------------- opening */

static lk_code create(lk_journal *j, const char *fingerprint, lk_error *err)
{
    char created[32];
    strbuf sb = STRBUF_INIT;
    lk_code rc;
    strbuf_init(&sb, 128);
    strbuf_addf(&sb, "{\"loketImportJournal\":%d,\"fingerprint\":\"%s\",\"created\":\"%s\"}\n",
                JOURNAL_VERSION, fingerprint, lk_iso8601((long long)time(NULL), created));
    /* Temp file, fsync, rename, fsync of the folder: the header is durable before any entry. */
    rc = lk_write_file_atomic(j->path, sb.buf, sb.len, 0600, err);
    strbuf_free(&sb);
    if (rc == LK_ERR_IO)
        err->code = rc = LK_ERR_ENV;
    return rc;
}

/* True when the file holds more than its header line. */
static bool holds_results(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    lk_error ignored;
    bool more = false;
    if (lk_read_file(path, JOURNAL_MAX_BYTES, &data, &len, &ignored) != LK_OK)
        return true; /* unreadable: do not overwrite it */
    char *nl = memchr(data, '\n', len);
    more = nl && (size_t)(nl - data) + 1 < len;
    free(data);
    return more;
}

lk_journal *lk_journal_open(const char *path, const char *fingerprint, bool resume, lk_error *err)
{
    lk_journal *j = xcalloc(1, sizeof(*j));
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    lk_code rc;
    j->path = xstrdup(path);
    j->fd = -1;
    j->by_key = lk_hashmap_new(256);

    if (!fingerprint[0] || strpbrk(fingerprint, "\"\\\n")) {
        lk_error_set(err, LK_ERR_INTERNAL, _("bad journal fingerprint"));
        goto fail;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        lk_error_set(err, LK_ERR_ENV, _("journal %s is not a regular file (a symbolic link is refused)"),
                     path);
        goto fail;
    }
    if (resume && exists) {
        rc = load(j, fingerprint, err);
        if (rc == LK_ERR_NOT_FOUND)
            rc = create(j, fingerprint, err);
        if (rc != LK_OK)
            goto fail;
    } else {
        if (exists && holds_results(path)) {
            lk_error_set(err, LK_ERR_CONFLICT,
                         _("journal %s already holds results of a run; use --resume to finish that "
                         "run, or move the journal away to start over"),
                         path);
            goto fail;
        }
        if (create(j, fingerprint, err) != LK_OK)
            goto fail;
    }
    j->fd = lk_safe_open(path, O_WRONLY | O_APPEND, 0600, err);
    if (j->fd < 0)
        goto fail;
    return j;
fail:
    lk_journal_free(j);
    return NULL;
}

/* ---------------------------------------------------------------- use */

const lk_journal_entry *lk_journal_find(const lk_journal *j, const char *key)
{
    struct stored *s = lk_hashmap_get(j->by_key, key);
    return s ? &s->pub : NULL;
}

size_t lk_journal_count(const lk_journal *j)
{
    return lk_hashmap_count(j->by_key);
}

lk_code lk_journal_append(lk_journal *j, const char *key, const char *body_sha256,
                          const cJSON *result, lk_error *err)
{
    cJSON *line = cJSON_CreateObject();
    strbuf sb = STRBUF_INIT;
    char *text;
    lk_code rc;
    if (!line)
        lk_die(_("out of memory"));
    cJSON_AddStringToObject(line, "key", key);
    cJSON_AddStringToObject(line, "bodySha256", body_sha256);
    /* a reference: printed as the result itself, not copied, and not freed with the line */
    cJSON_AddItemReferenceToObject(line, "result", (cJSON *)result);
    text = cJSON_PrintUnformatted(line);
    cJSON_Delete(line);
    if (!text)
        lk_die(_("out of memory"));
    /* One write() per line, so a crash tears at most the last line. */
    strbuf_init(&sb, strlen(text) + 2);
    strbuf_addstr(&sb, text);
    strbuf_addch(&sb, '\n');
    free(text);
    rc = write_all(j->fd, sb.buf, sb.len);
    strbuf_free(&sb);
    if (rc != LK_OK)
        return lk_error_set(err, LK_ERR_ENV, _("cannot write journal %s: %s"), j->path,
                            strerror(errno));
    store_entry(j, key, body_sha256, cJSON_Duplicate(result, 1));
    j->dirty = true;
    return LK_OK;
}

lk_code lk_journal_sync(lk_journal *j, lk_error *err)
{
    if (!j->dirty)
        return LK_OK;
    if (fdatasync(j->fd) != 0)
        return lk_error_set(err, LK_ERR_ENV, _("cannot sync journal %s: %s"), j->path,
                            strerror(errno));
    j->dirty = false;
    return LK_OK;
}

void lk_journal_free(lk_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0) {
        if (j->dirty)
            fdatasync(j->fd);
        close(j->fd);
    }
    for (size_t i = 0; i < j->nentries; i++) {
        cJSON_Delete(j->entries[i]->result);
        free(j->entries[i]->key);
        free(j->entries[i]->sha);
        free(j->entries[i]);
    }
    free(j->entries);
    lk_hashmap_free(j->by_key);
    free(j->path);
    free(j);
}
