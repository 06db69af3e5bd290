/*
 * runs.c: run folders of the audit trail: made, found again, written into, listed (see runs.h).
 *
 * Every file access inside a run folder goes through the folder's descriptor (openat with
 * O_NOFOLLOW, O_EXCL temporaries, renameat), so a symlink planted in it is never followed.
 */
#include "engine/runs.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/seal.h"

#include <openssl/evp.h>

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
    lk_seal_key key; /* seals run.json on every save when keyed (a copy, without path) */
    bool keyed;
};

/* The files of a run folder whose SHA-256 run.json records (and the seal covers). */
static const char *const covered[] = { "plan.json",   "journal",     "mapping.json",
                                       "inputs.sha256", "report.json", "report.csv",
                                       "report.xlsx", "revert.json" };
#define NCOVERED (sizeof covered / sizeof covered[0])

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

/* A folder of the audit trail (the runs folder, or one run's folder) is ours alone: owned by
 * this user and writable by nobody else, as the token store's folder. Someone who could write
 * in it could choose what revert sends. */
static lk_code check_private_dir(int fd, const char *path, bool runs_dir, lk_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return lk_error_set(err, LK_ERR_CONFIG, _("cannot check %s: %s"), path, strerror(errno));
    if (st.st_uid != geteuid())
        return lk_error_set(err, LK_ERR_CONFIG,
                            runs_dir ? _("the runs folder %s belongs to another user (uid %ld), "
                                         "who could change what revert sends: set runsDir to a "
                                         "folder of your own")
                                     : _("run folder %s belongs to another user (uid %ld), who "
                                         "could change what revert sends: it is not used; "
                                         "remove it"),
                            path, (long)st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("%s can be written by other users (mode %04o), who could change "
                              "what revert sends: make it private with: chmod 700 %s"),
                            path, (unsigned)(st.st_mode & 07777), path);
    return LK_OK;
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
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP || e == ENOTDIR)
            lk_error_set(err, LK_ERR_CONFIG,
                         _("the runs folder %s is a symbolic link or not a folder: set runsDir "
                           "to a real folder of your own"),
                         path);
        else
            lk_error_set(err, e == ENOENT ? LK_ERR_NOT_FOUND : LK_ERR_CONFIG,
                         _("cannot open the runs folder %s: %s"), path, strerror(e));
        return -1;
    }
    if (check_private_dir(fd, path, true, err) != LK_OK ||
        lk_dir_check_private(path, _("the runs folder"), err) != LK_OK) {
        err->code = LK_ERR_CONFIG;
        close(fd);
        return -1;
    }
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
    /* a run's files are ours and nobody else's to change, like its folder */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max ||
        st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
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

/* SHA-256 of a file of the run folder; false when it is absent or not ours. */
static bool sum_in(int dirfd, const char *name, char out[65])
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        close(fd);
        return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!ctx)
        lk_die(_("out of memory"));
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    close(fd);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < mdlen; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * mdlen] = '\0';
    return true;
}

static bool running(const cJSON *info)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(info, "status");
    return cJSON_IsString(st) && !strcmp(st->valuestring, "running");
}

/* The MAC of run.json without its "seal": the whole record, sums included. */
static void info_mac(const lk_seal_key *k, cJSON *info, char out[65])
{
    cJSON *seal = cJSON_DetachItemFromObjectCaseSensitive(info, "seal");
    char *text = cJSON_PrintUnformatted(info);
    if (!text)
        lk_die(_("out of memory"));
    strbuf sb;
    strbuf_init(&sb, strlen(text) + 32);
    strbuf_addstr(&sb, "loket-import run v1\n");
    strbuf_addstr(&sb, text);
    lk_seal_mac(k, sb.buf, sb.len, out);
    strbuf_free(&sb);
    free(text);
    if (seal)
        cJSON_AddItemToObject(info, "seal", seal);
}

/* Records the SHA-256 of the run's files and seals run.json with the installation key. The
 * journal of a run still running is appended to: it is summed once the run ends. */
static void seal_info(lk_run *run)
{
    cJSON *info = lk_run_info(run);
    cJSON *sums = cJSON_CreateObject();
    char hex[65];
    for (size_t i = 0; i < NCOVERED; i++) {
        if (!strcmp(covered[i], "journal") && running(info))
            continue;
        if (sum_in(run->fd, covered[i], hex))
            cJSON_AddStringToObject(sums, covered[i], hex);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(info, "sha256");
    cJSON_AddItemToObject(info, "sha256", sums);
    cJSON_DeleteItemFromObjectCaseSensitive(info, "seal");
    info_mac(&run->key, info, hex);
    cJSON *seal = cJSON_AddObjectToObject(info, "seal");
    cJSON_AddStringToObject(seal, "installation", run->key.id);
    cJSON_AddStringToObject(seal, "hmacSha256", hex);
}

void lk_run_set_key(lk_run *run, const lk_seal_key *k)
{
    memcpy(run->key.key, k->key, sizeof run->key.key);
    memcpy(run->key.id, k->id, sizeof run->key.id);
    run->key.path = NULL;
    run->keyed = true;
}

lk_code lk_run_check(lk_run *run, const lk_seal_key *k, lk_error *err)
{
    cJSON *info = lk_run_info(run);
    const cJSON *seal = cJSON_GetObjectItemCaseSensitive(info, "seal");
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(seal, "installation");
    const cJSON *mac = cJSON_GetObjectItemCaseSensitive(seal, "hmacSha256");
    const cJSON *sums = cJSON_GetObjectItemCaseSensitive(info, "sha256");
    char hex[65];
    if (!cJSON_IsString(inst) || !cJSON_IsString(mac) || !cJSON_IsObject(sums))
        return lk_error_set(err, LK_ERR_INPUT,
                            _("run %s has no seal in its run.json (an older loket-import made it, "
                              "or it was rewritten): its files cannot be checked, so it is not "
                              "used"),
                            run->id);
    if (strcmp(inst->valuestring, k->id))
        return lk_error_set(err, LK_ERR_INPUT,
                            _("run %s was sealed by another installation (key %s; this one's "
                              "is %s in %s): it is not used"),
                            run->id, inst->valuestring, k->id, k->path);
    info_mac(k, info, hex);
    if (!lk_seal_equal(hex, mac->valuestring))
        return lk_error_set(err, LK_ERR_INPUT,
                            _("run %s: its run.json was changed after the run wrote it (the seal "
                              "does not match): the run is not used"),
                            run->id);
    for (size_t i = 0; i < NCOVERED; i++) {
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(sums, covered[i]);
        bool have = sum_in(run->fd, covered[i], hex);
        if (cJSON_IsString(want) && (!have || strcmp(hex, want->valuestring)))
            return lk_error_set(err, LK_ERR_INPUT,
                                have ? _("run %s: %s was changed after the run wrote it "
                                         "(SHA-256 %.12s..., recorded %.12s...): the run is not "
                                         "used")
                                     : _("run %s: %s is missing or not this user's file "
                                         "(recorded SHA-256 %.12s...%s): the run is not used"),
                                run->id, covered[i], have ? hex : want->valuestring,
                                have ? want->valuestring : "");
        /* a file the record does not name was put there later; only the journal of a run
         * that was stopped hard (still "running") is legitimately unsummed */
        if (!cJSON_IsString(want) && (have || lk_run_has(run, covered[i])) &&
            !(!strcmp(covered[i], "journal") && running(info)))
            return lk_error_set(err, LK_ERR_INPUT,
                                _("run %s: %s was put into the run folder after the run wrote "
                                  "it: the run is not used"),
                                run->id, covered[i]);
    }
    return LK_OK;
}

lk_code lk_run_read(const lk_run *run, const char *name, size_t max, char **out, size_t *len,
                    lk_error *err)
{
    *out = NULL;
    if (!lk_run_has(run, name))
        return lk_error_set(err, LK_ERR_NOT_FOUND, _("%s/%s does not exist"), run->path, name);
    if (read_in(run->fd, name, max, out, len) != LK_OK)
        return lk_error_set(err, LK_ERR_INPUT,
                            _("%s/%s cannot be read, or is not this user's regular file"),
                            run->path, name);
    return LK_OK;
}

lk_code lk_run_save_info(lk_run *run, lk_error *err)
{
    if (run->keyed)
        seal_info(run);
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
    lk_seal_key_free(&run->key);
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
    if (check_private_dir(fd, run->path, false, err) != LK_OK) {
        lk_run_free(run);
        return err->code;
    }
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
    lk_error ignored;
    if (fd < 0)
        return NULL;
    if (check_private_dir(fd, name, false, &ignored) != LK_OK) {
        close(fd); /* listed as unreadable; opening it says why */
        return NULL;
    }
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
