/*
 * runs.c: run folders of the audit trail: made, found again, written into, listed (see runs.h).
 *
 * Every file access inside a run folder goes through the folder's descriptor (openat with
 * O_NOFOLLOW, O_EXCL temporaries, renameat), so a symlink planted in it is never followed.
 */
#include "engine/runs.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUN_INFO "run.json"
#define RUN_INFO_MAX (16UL * 1024 * 1024)
#define RUN_COPY_MAX (1024UL * 1024 * 1024)

struct lk_run {
    char *id;
    char *path;
    int fd;
    cJSON *info;
};

/* ---------------------------------------------------------------- the runs folder */

char *lk_runs_dir(const lk_config *cfg)
{
    if (cfg->runs_dir && *cfg->runs_dir)
        return xstrdup(cfg->runs_dir);
    strbuf sb;
    strbuf_init(&sb, 256);
    const char *slash = strrchr(cfg->token_store, '/');
    if (!slash)
        strbuf_addstr(&sb, ".");
    else if (slash == cfg->token_store)
        strbuf_addstr(&sb, "/");
    else
        strbuf_add(&sb, cfg->token_store, (size_t)(slash - cfg->token_store));
    strbuf_addstr(&sb, "/runs");
    return strbuf_detach(&sb, NULL);
}

/* Makes path's missing folders (0700), then opens it as a folder that is not a symlink. */
static int open_runs_dir(const char *path, bool create, lk_error *err)
{
    if (create) {
        char *copy = xstrdup(path);
        for (char *p = copy + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
                lk_error_set(err, LK_ERR_CONFIG, _("cannot make the runs folder %s: %s"), copy,
                             strerror(errno));
                free(copy);
                return -1;
            }
            *p = '/';
        }
        free(copy);
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            lk_error_set(err, LK_ERR_CONFIG, _("cannot make the runs folder %s: %s"), path,
                         strerror(errno));
            return -1;
        }
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        lk_error_set(err, errno == ENOENT ? LK_ERR_NOT_FOUND : LK_ERR_CONFIG,
                     _("cannot open the runs folder %s: %s%s"), path, strerror(errno),
                     errno == ELOOP || errno == ENOTDIR ? " (it must be a real folder, not a "
                                                          "symbolic link)"
                                                        : "");
    return fd;
}

static bool plain_name(const char *id)
{
    if (!id[0] || id[0] == '.' || strlen(id) > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static lk_run *run_new(const char *dir, const char *id, int fd)
{
    lk_run *run = xcalloc(1, sizeof *run);
    strbuf sb;
    strbuf_init(&sb, 256);
    strbuf_addf(&sb, "%s/%s", dir, id);
    run->id = xstrdup(id);
    run->path = strbuf_detach(&sb, NULL);
    run->fd = fd;
    return run;
}

/* ---------------------------------------------------------------- files in a run folder */

static lk_code read_in(int dirfd, const char *name, size_t max, char **out, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return LK_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        return LK_ERR_IO;
    }
    char *buf = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return LK_OK;
}

static cJSON *read_info(int dirfd)
{
    char *text = NULL;
    size_t len = 0;
    if (read_in(dirfd, RUN_INFO, RUN_INFO_MAX, &text, &len) != LK_OK)
        return NULL;
    cJSON *o = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

lk_code lk_run_write(lk_run *run, const char *name, const void *data, size_t len, lk_error *err)
{
    char tmp[128];
    unsigned char rnd[6];
    int fd = -1;
    for (int attempt = 0; attempt < 20 && fd < 0; attempt++) {
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
            memset(rnd, attempt, sizeof rnd);
        snprintf(tmp, sizeof tmp, ".%.60s.tmp-%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1],
                 rnd[2], rnd[3], rnd[4], rnd[5]);
        fd = openat(run->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return lk_error_set(err, LK_ERR_IO, _("cannot write %s/%s: %s"), run->path, name,
                            strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    if (left > 0 || fsync(fd) != 0 || close(fd) != 0 ||
        renameat(run->fd, tmp, run->fd, name) != 0) {
        int e = errno;
        if (left > 0)
            close(fd);
        unlinkat(run->fd, tmp, 0);
        return lk_error_set(err, LK_ERR_IO, _("cannot write %s/%s: %s"), run->path, name,
                            strerror(e));
    }
    fsync(run->fd);
    return LK_OK;
}

lk_code lk_run_copy_in(lk_run *run, const char *name, const char *src, lk_error *err)
{
    char *data = NULL;
    size_t len = 0;
    if (lk_read_file(src, RUN_COPY_MAX, &data, &len, err) != LK_OK)
        return err->code;
    lk_code rc = lk_run_write(run, name, data, len, err);
    free(data);
    return rc;
}

int lk_run_has(const lk_run *run, const char *name)
{
    struct stat st;
    return fstatat(run->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

char *lk_run_file(const lk_run *run, const char *name)
{
    strbuf sb;
    strbuf_init(&sb, 256);
    strbuf_addf(&sb, "%s/%s", run->path, name);
    return strbuf_detach(&sb, NULL);
}

cJSON *lk_run_info(lk_run *run)
{
    if (!run->info)
        run->info = cJSON_CreateObject();
    return run->info;
}

lk_code lk_run_save_info(lk_run *run, lk_error *err)
{
    char *text = cJSON_Print(lk_run_info(run));
    if (!text)
        lk_die(_("out of memory"));
    strbuf sb;
    strbuf_init(&sb, strlen(text) + 2);
    strbuf_addstr(&sb, text);
    strbuf_addch(&sb, '\n');
    free(text);
    lk_code rc = lk_run_write(run, RUN_INFO, sb.buf, sb.len, err);
    strbuf_free(&sb);
    return rc;
}

const char *lk_run_id(const lk_run *run)
{
    return run->id;
}

const char *lk_run_path(const lk_run *run)
{
    return run->path;
}

lk_code lk_run_lock(lk_run *run, lk_error *err)
{
    if (flock(run->fd, LOCK_EX | LOCK_NB) == 0)
        return LK_OK;
    return lk_error_set(err, LK_ERR_CONFLICT, _("run %s is in use by another loket-import (%s)"),
                        run->id, strerror(errno));
}

void lk_run_free(lk_run *run)
{
    if (!run)
        return;
    if (run->fd >= 0)
        close(run->fd);
    cJSON_Delete(run->info);
    free(run->id);
    free(run->path);
    free(run);
}

/* ---------------------------------------------------------------- making and finding */

lk_code lk_run_create(const char *runs_dir, lk_run **out, lk_error *err)
{
    *out = NULL;
    int dfd = open_runs_dir(runs_dir, true, err);
    if (dfd < 0)
        return err->code;
    char id[64], stamp[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int attempt = 0; attempt < 50; attempt++) {
        unsigned char rnd[2];
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
            rnd[0] = (unsigned char)getpid();
            rnd[1] = (unsigned char)attempt;
        }
        /* microseconds next: names sort in the order the runs started */
        snprintf(id, sizeof id, "%s-%06ld-%02x%02x", stamp, ts.tv_nsec / 1000, rnd[0], rnd[1]);
        /* mkdir fails on anything already there, a symlink included: the folder is ours */
        if (mkdirat(dfd, id, 0700) != 0) {
            if (errno == EEXIST)
                continue;
            break;
        }
        int fd = openat(dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            break;
        close(dfd);
        *out = run_new(runs_dir, id, fd);
        return LK_OK;
    }
    int e = errno;
    close(dfd);
    return lk_error_set(err, LK_ERR_CONFIG, _("cannot make a run folder in %s: %s"), runs_dir,
                        strerror(e));
}

lk_code lk_run_open(const char *runs_dir, const char *id, lk_run **out, lk_error *err)
{
    *out = NULL;
    if (!plain_name(id))
        return lk_error_set(err, LK_ERR_NOT_FOUND, _("'%s' is not the id of a run"), id);
    int dfd = open_runs_dir(runs_dir, false, err);
    if (dfd < 0)
        return err->code == LK_ERR_NOT_FOUND
                   ? lk_error_set(err, LK_ERR_NOT_FOUND, _("no run %s: %s holds no runs"), id,
                                  runs_dir)
                   : err->code;
    int fd = openat(dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(dfd);
    if (fd < 0)
        return lk_error_set(err, e == ENOENT ? LK_ERR_NOT_FOUND : LK_ERR_IO,
                            _("no run %s in %s: %s"), id, runs_dir, strerror(e));
    lk_run *run = run_new(runs_dir, id, fd);
    run->info = read_info(fd);
    if (!run->info) {
        lk_run_free(run);
        return lk_error_set(err, LK_ERR_IO, _("%s/%s/%s cannot be read"), runs_dir, id, RUN_INFO);
    }
    *out = run;
    return LK_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The run folder names of runs_dir, sorted (oldest first: the names start with the time). */
static char **run_names(int dfd, size_t *n)
{
    char **names = NULL;
    size_t alloc = 0;
    *n = 0;
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!plain_name(de->d_name))
            continue;
        lk_grow(&names, sizeof *names, *n + 1, &alloc);
        names[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static cJSON *info_of(int dfd, const char *name, bool *active)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    cJSON *o = read_info(fd);
    if (active) {
        *active = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
        if (!*active)
            flock(fd, LOCK_UN);
    }
    close(fd);
    return o;
}

lk_code lk_run_find_unfinished(const char *runs_dir, const char *fingerprint,
                               const char *journal, lk_run **out, lk_error *err)
{
    *out = NULL;
    int dfd = open_runs_dir(runs_dir, false, err);
    if (dfd < 0)
        return err->code;
    size_t n = 0;
    char **names = run_names(dfd, &n);
    const char *found = NULL;
    for (size_t i = n; i-- > 0 && !found;) {
        cJSON *o = info_of(dfd, names[i], NULL);
        const cJSON *fp = cJSON_GetObjectItemCaseSensitive(o, "fingerprint");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
        const cJSON *jp = cJSON_GetObjectItemCaseSensitive(o, "journal");
        if (cJSON_IsString(fp) && !strcmp(fp->valuestring, fingerprint) &&
            cJSON_IsString(st) &&
            (!strcmp(st->valuestring, "running") || !strcmp(st->valuestring, "unfinished")) &&
            (!journal || (cJSON_IsString(jp) && !strcmp(jp->valuestring, journal))))
            found = names[i];
        cJSON_Delete(o);
    }
    close(dfd);
    lk_code rc = found ? lk_run_open(runs_dir, found, out, err)
                       : lk_error_set(err, LK_ERR_NOT_FOUND, _("no unfinished run of these inputs"));
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

lk_code lk_runs_list(const char *runs_dir, cJSON **out, lk_error *err)
{
    *out = cJSON_CreateArray();
    int dfd = open_runs_dir(runs_dir, false, err);
    if (dfd < 0) {
        if (err->code == LK_ERR_NOT_FOUND) {
            lk_error_clear(err);
            return LK_OK; /* no run yet */
        }
        cJSON_Delete(*out);
        *out = NULL;
        return err->code;
    }
    size_t n = 0;
    char **names = run_names(dfd, &n);
    for (size_t i = 0; i < n; i++) {
        bool active = false;
        cJSON *o = info_of(dfd, names[i], &active);
        if (!o) {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "status", "unreadable");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
        cJSON_AddStringToObject(o, "id", names[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "active");
        cJSON_AddBoolToObject(o, "active", active);
        cJSON_AddItemToArray(*out, o);
        free(names[i]);
    }
    free(names);
    close(dfd);
    return LK_OK;
}
