/*
 * registry.c: the durable list of what was imported (DIR/.loket-watch/imported.jsonl).
 *
 * One JSON object a line, appended and fsync'ed under an exclusive flock, so several watchers
 * on one folder agree. The latest line of a SHA-256 is the state of that content: "started"
 * (a run is underway or will be resumed), "imported" and "partial" (sent to Loket) refuse a
 * second import; "not-sent", "failed" and "forgotten" allow one. A line torn by a crash is
 * skipped: it is always the last one, and the run it described is resumed from processing/.
 */
#include "watch/watch.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REGISTRY_MAX_BYTES ((size_t)256 * 1024 * 1024)

void lk_watch_record_init(lk_watch_record *rec, const char *sha256, const char *name,
                          const char *run, const char *status, int exit_code)
{
    memset(rec, 0, sizeof(*rec));
    snprintf(rec->sha256, sizeof rec->sha256, "%s", sha256 ? sha256 : "");
    snprintf(rec->name, sizeof rec->name, "%s", name ? name : "");
    snprintf(rec->run, sizeof rec->run, "%s", run ? run : "");
    snprintf(rec->status, sizeof rec->status, "%s", status ? status : "");
    lk_iso8601((long long)time(NULL), rec->time);
    rec->exit_code = exit_code;
}

int lk_watch_status_blocks_duplicate(const char *status)
{
    return !strcmp(status, "started") || !strcmp(status, "imported") ||
           !strcmp(status, "partial");
}

static lk_code open_locked(const char *path, int *fd_out, lk_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0)
        return lk_error_set(err, LK_ERR_IO, _("cannot open the registry %s: %s"), path,
                            strerror(errno));
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            lk_error_set(err, LK_ERR_IO, _("cannot lock the registry %s: %s"), path,
                         strerror(errno));
            close(fd);
            return LK_ERR_IO;
        }
    }
    *fd_out = fd;
    return LK_OK;
}

static lk_code read_all(int fd, const char *path, strbuf *sb, lk_error *err)
{
    char buf[65536];
    off_t off = 0;
    for (;;) {
        ssize_t r = pread(fd, buf, sizeof buf, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return lk_error_set(err, LK_ERR_IO, _("cannot read the registry %s: %s"), path,
                                strerror(errno));
        if (r == 0)
            return LK_OK;
        if (sb->len + (size_t)r > REGISTRY_MAX_BYTES)
            return lk_error_set(err, LK_ERR_LIMIT, _("the registry %s is too large"), path);
        strbuf_add(sb, buf, (size_t)r);
        off += r;
    }
}

static void copy_field(const cJSON *obj, const char *key, char *out, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v))
        snprintf(out, size, "%s", v->valuestring);
}

static void record_from_json(const cJSON *obj, lk_watch_record *rec)
{
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(obj, "exit_code");
    lk_watch_record_init(rec, NULL, NULL, NULL, NULL, -1);
    copy_field(obj, "sha256", rec->sha256, sizeof rec->sha256);
    copy_field(obj, "name", rec->name, sizeof rec->name);
    copy_field(obj, "run", rec->run, sizeof rec->run);
    copy_field(obj, "status", rec->status, sizeof rec->status);
    copy_field(obj, "time", rec->time, sizeof rec->time);
    rec->exit_code = cJSON_IsNumber(ex) ? ex->valueint : -1;
}

/* The latest well-formed record whose sha256 (or name) equals key. */
static int find_latest(const char *text, const char *key, int by_name, lk_watch_record *latest)
{
    int found = 0;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        cJSON *obj = cJSON_ParseWithLength(line, len);
        if (cJSON_IsObject(obj)) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(obj, by_name ? "name" : "sha256");
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
            if (cJSON_IsString(k) && cJSON_IsString(st) && !strcmp(k->valuestring, key)) {
                record_from_json(obj, latest);
                found = 1;
            }
        }
        cJSON_Delete(obj);
        line += len;
        if (*line == '\n')
            line++;
    }
    return found;
}

static lk_code append_locked(int fd, const char *path, const strbuf *existing,
                             const lk_watch_record *rec, lk_error *err)
{
    cJSON *obj = cJSON_CreateObject();
    char *json;
    strbuf line = STRBUF_INIT;
    lk_code rc = LK_OK;
    cJSON_AddStringToObject(obj, "sha256", rec->sha256);
    cJSON_AddStringToObject(obj, "name", rec->name);
    cJSON_AddStringToObject(obj, "run", rec->run);
    cJSON_AddStringToObject(obj, "status", rec->status);
    cJSON_AddStringToObject(obj, "time", rec->time);
    if (rec->exit_code >= 0)
        cJSON_AddNumberToObject(obj, "exit_code", rec->exit_code);
    json = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!json)
        lk_die(_("out of memory"));
    strbuf_init(&line, 0);
    /* a line torn by a crash is closed off so this record stays parseable */
    if (existing && existing->len && existing->buf[existing->len - 1] != '\n')
        strbuf_addch(&line, '\n');
    strbuf_addstr(&line, json);
    strbuf_addch(&line, '\n');
    free(json);
    for (size_t off = 0; off < line.len;) {
        ssize_t w = write(fd, line.buf + off, line.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = lk_error_set(err, LK_ERR_IO, _("cannot write the registry %s: %s"), path,
                              strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    if (!rc && fsync(fd) != 0)
        rc = lk_error_set(err, LK_ERR_IO, _("cannot sync the registry %s: %s"), path,
                          strerror(errno));
    strbuf_free(&line);
    return rc;
}

lk_code lk_watch_registry_claim(const char *path, const lk_watch_record *rec, int allow_duplicate,
                                int *is_duplicate, lk_watch_record *prior, int *found,
                                lk_error *err)
{
    strbuf text = STRBUF_INIT;
    lk_watch_record latest;
    int fd, have;
    lk_code rc = open_locked(path, &fd, err);
    if (rc)
        return rc;
    strbuf_init(&text, 0);
    if ((rc = read_all(fd, path, &text, err)))
        goto out;
    have = find_latest(text.buf, rec->sha256, 0, &latest);
    if (found)
        *found = have;
    if (prior && have)
        *prior = latest;
    /* the run itself, claimed before a crash: neither a duplicate nor to be claimed twice */
    if (have && rec->run[0] && !strcmp(latest.run, rec->run) &&
        !strcmp(latest.status, rec->status)) {
        *is_duplicate = 0;
        goto out;
    }
    *is_duplicate = have && lk_watch_status_blocks_duplicate(latest.status) && !allow_duplicate;
    if (!*is_duplicate)
        rc = append_locked(fd, path, &text, rec, err);
out:
    strbuf_free(&text);
    close(fd); /* releases the lock */
    return rc;
}

lk_code lk_watch_registry_append(const char *path, const lk_watch_record *rec, lk_error *err)
{
    strbuf text = STRBUF_INIT;
    int fd;
    lk_code rc = open_locked(path, &fd, err);
    if (rc)
        return rc;
    strbuf_init(&text, 0);
    /* only the last byte matters, to close a torn line */
    {
        struct stat st;
        char last;
        if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1)
            strbuf_addch(&text, last);
    }
    rc = append_locked(fd, path, &text, rec, err);
    strbuf_free(&text);
    close(fd);
    return rc;
}

lk_code lk_watch_registry_find(const char *path, const char *key, int by_name,
                               lk_watch_record *latest, int *found, lk_error *err)
{
    strbuf text = STRBUF_INIT;
    int fd;
    lk_code rc = open_locked(path, &fd, err);
    if (rc)
        return rc;
    strbuf_init(&text, 0);
    if (!(rc = read_all(fd, path, &text, err)))
        *found = find_latest(text.buf, key, by_name, latest);
    strbuf_free(&text);
    close(fd);
    return rc;
}

lk_code lk_watch_registry_load(const char *path, lk_watch_record **recs, size_t *n,
                               lk_error *err)
{
    strbuf text = STRBUF_INIT;
    size_t alloc = 0;
    const char *line;
    int fd;
    lk_code rc = open_locked(path, &fd, err);
    *recs = NULL;
    *n = 0;
    if (rc)
        return rc;
    strbuf_init(&text, 0);
    rc = read_all(fd, path, &text, err);
    close(fd);
    for (line = text.buf; !rc && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        cJSON *obj = cJSON_ParseWithLength(line, len);
        if (cJSON_IsObject(obj) &&
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, "sha256")) &&
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, "status"))) {
            lk_grow(recs, sizeof(lk_watch_record), *n + 1, &alloc);
            record_from_json(obj, &(*recs)[(*n)++]);
        }
        cJSON_Delete(obj);
        line += len;
        if (*line == '\n')
            line++;
    }
    strbuf_free(&text);
    return rc;
}
