/*
 * safefile.c: temporaries with unpredictable names created O_EXCL|O_NOFOLLOW in the target's
 * folder, renames within that folder, opens that refuse symlinks and other users' files, and
 * the ownership and mode checks of folders and files that hold secrets or configuration.
 */
#include "common/safefile.h"

#include "common/i18n.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_TRIES 64

/* Splits path into its folder (opened O_DIRECTORY) and its last component. */
static int open_parent(const char *path, char **base, lk_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd;
    if (slash && slash[1] == '\0') {
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: it names a folder"), path);
        return -1;
    }
    if (!slash) {
        dir = xstrdup(".");
        *base = xstrdup(path);
    } else {
        dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
        *base = xstrdup(slash + 1);
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: cannot open its folder %s: %s"), path, dir,
                     strerror(errno));
        free(*base);
        *base = NULL;
    }
    free(dir);
    return fd;
}

/* ".base.tmp.<12 hex>": unpredictable, so nobody can plant a symlink under it beforehand. */
static char *random_name(const char *base, const char *kind)
{
    unsigned char r[6];
    char hex[13];
    size_t n = strlen(base) + strlen(kind) + 24;
    char *name = xmalloc(n);
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* getrandom cannot fail for 6 bytes once the pool is ready; O_EXCL still protects */
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(rand() ^ getpid());
    }
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    snprintf(name, n, "%s.%s.%s", base, kind, hex);
    return name;
}

/* ---------------------------------------------------------------------------------------------
 * Whole files
 * ------------------------------------------------------------------------------------------- */

lk_code lk_safe_file_begin(lk_safe_file *f, const char *path, int mode, lk_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->dir_fd = open_parent(path, &f->base, err);
    if (f->dir_fd < 0)
        return err->code;
    f->path = xstrdup(path);
    f->mode = mode;
    for (int i = 0; i < NAME_TRIES; i++) {
        f->tmp_name = random_name(f->base, "tmp");
        f->fd = openat(f->dir_fd, f->tmp_name,
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f->fd >= 0 || errno != EEXIST)
            break;
        free(f->tmp_name);
        f->tmp_name = NULL;
    }
    if (f->fd < 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot create a temporary file for %s: %s"), path,
                     strerror(errno));
        free(f->tmp_name);
        f->tmp_name = NULL; /* nothing of ours to remove */
        lk_safe_file_abort(f);
        return LK_ERR_ENV;
    }
    /* open() honours the umask; the mode must be exact for private files */
    if (fchmod(f->fd, (mode_t)mode) != 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: %s"), path, strerror(errno));
        lk_safe_file_abort(f);
        return LK_ERR_ENV;
    }
    return LK_OK;
}

lk_code lk_safe_file_write(lk_safe_file *f, const void *data, size_t len, lk_error *err)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = write(f->fd, (const char *)data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return lk_error_set(err, LK_ERR_ENV, _("cannot write %s: %s"), f->path, strerror(errno));
        }
        off += (size_t)w;
    }
    return LK_OK;
}

static void release(lk_safe_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->dir_fd >= 0)
        close(f->dir_fd);
    free(f->tmp_name);
    free(f->base);
    free(f->path);
    memset(f, 0, sizeof *f);
    f->fd = f->dir_fd = -1;
}

lk_code lk_safe_file_commit(lk_safe_file *f, int *keep_fd, lk_error *err)
{
    if (fsync(f->fd) != 0 || renameat(f->dir_fd, f->tmp_name, f->dir_fd, f->base) != 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: %s"), f->path, strerror(errno));
        lk_safe_file_abort(f);
        return LK_ERR_ENV;
    }
    free(f->tmp_name);
    f->tmp_name = NULL;
    fsync(f->dir_fd);
    if (keep_fd) {
        *keep_fd = f->fd;
        f->fd = -1;
    } else if (close(f->fd) != 0) {
        f->fd = -1;
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: %s"), f->path, strerror(errno));
        release(f);
        return LK_ERR_ENV;
    }
    f->fd = -1;
    release(f);
    return LK_OK;
}

void lk_safe_file_abort(lk_safe_file *f)
{
    if (f->dir_fd >= 0 && f->tmp_name)
        unlinkat(f->dir_fd, f->tmp_name, 0);
    if (f->base || f->path || f->tmp_name || f->fd > 0 || f->dir_fd > 0)
        release(f);
}

/* ---------------------------------------------------------------------------------------------
 * Scratch folders for writers that take a file name
 * ------------------------------------------------------------------------------------------- */

static void scratch_release(lk_safe_scratch *s)
{
    if (s->scratch_fd >= 0)
        close(s->scratch_fd);
    if (s->dir_fd >= 0)
        close(s->dir_fd);
    free(s->scratch_name);
    free(s->file_path);
    free(s->base);
    free(s->path);
    memset(s, 0, sizeof *s);
    s->scratch_fd = s->dir_fd = -1;
}

lk_code lk_safe_scratch_begin(lk_safe_scratch *s, const char *path, int mode, lk_error *err)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    memset(s, 0, sizeof *s);
    s->scratch_fd = -1;
    s->dir_fd = open_parent(path, &s->base, err);
    if (s->dir_fd < 0)
        return err->code;
    s->path = xstrdup(path);
    s->mode = mode;
    for (int i = 0; i < NAME_TRIES; i++) {
        s->scratch_name = random_name(s->base, "dir");
        if (mkdirat(s->dir_fd, s->scratch_name, 0700) == 0)
            break;
        int e = errno;
        free(s->scratch_name);
        s->scratch_name = NULL;
        if (e != EEXIST) {
            errno = e;
            break;
        }
    }
    if (s->scratch_name)
        s->scratch_fd = openat(s->dir_fd, s->scratch_name,
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s->scratch_fd < 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot create a temporary folder for %s: %s"), path,
                     strerror(errno));
        lk_safe_scratch_abort(s);
        return LK_ERR_ENV;
    }
    /* The folder is 0700 and ours: nobody else can put a name into it. */
    size_t n = dlen + strlen(s->scratch_name) + strlen(s->base) + 2;
    s->file_path = xmalloc(n);
    snprintf(s->file_path, n, "%.*s%s/%s", (int)dlen, path, s->scratch_name, s->base);
    return LK_OK;
}

lk_code lk_safe_scratch_commit(lk_safe_scratch *s, lk_error *err)
{
    int fd = openat(s->scratch_fd, s->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int e;
    if (fd < 0 || fchmod(fd, (mode_t)s->mode) != 0 || fsync(fd) != 0 ||
        renameat(s->scratch_fd, s->base, s->dir_fd, s->base) != 0) {
        e = errno;
        if (fd >= 0)
            close(fd);
        lk_error_set(err, LK_ERR_ENV, _("cannot write %s: %s"), s->path, strerror(e));
        lk_safe_scratch_abort(s);
        return LK_ERR_ENV;
    }
    close(fd);
    unlinkat(s->dir_fd, s->scratch_name, AT_REMOVEDIR);
    fsync(s->dir_fd);
    scratch_release(s);
    return LK_OK;
}

void lk_safe_scratch_abort(lk_safe_scratch *s)
{
    if (s->scratch_fd >= 0 && s->base)
        unlinkat(s->scratch_fd, s->base, 0);
    if (s->dir_fd >= 0 && s->scratch_name)
        unlinkat(s->dir_fd, s->scratch_name, AT_REMOVEDIR);
    if (s->base || s->path || s->scratch_name || s->scratch_fd > 0 || s->dir_fd > 0)
        scratch_release(s);
}

int lk_mode_under_umask(int mode)
{
    mode_t u = umask(077); /* umask can only be read by setting it */
    umask(u);
    return mode & ~(int)u;
}

/* ---------------------------------------------------------------------------------------------
 * Opening files appended to or locked
 * ------------------------------------------------------------------------------------------- */

int lk_safe_open(const char *path, int flags, int mode, lk_error *err)
{
    struct stat st;
    int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode >= 0 ? mode : 0600);
    if (fd < 0) {
        struct stat lst;
        int open_errno = errno; /* the lstat below sets errno too (ENOENT for a file to create) */
        /* O_CREAT on another user's link in a sticky folder fails with EACCES, not ELOOP */
        if (open_errno == ELOOP || (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)))
            lk_error_set(err, LK_ERR_ENV, _("refusing to open %s: it is a symbolic link"), path);
        else
            lk_error_set(err, LK_ERR_ENV, _("cannot open %s: %s"), path, strerror(open_errno));
        return -1;
    }
    /* O_NONBLOCK only so that a planted FIFO cannot hang the open; regular files ignore it */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        lk_error_set(err, LK_ERR_ENV, _("refusing to open %s: it is not a regular file"), path);
        close(fd);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        lk_error_set(err, LK_ERR_ENV, _("refusing to open %s: it belongs to another user (uid %ld)"),
                     path, (long)st.st_uid);
        close(fd);
        return -1;
    }
    if (mode >= 0 && (st.st_mode & 07777) != (mode_t)mode && fchmod(fd, (mode_t)mode) != 0) {
        lk_error_set(err, LK_ERR_ENV, _("cannot set the mode of %s: %s"), path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* ---------------------------------------------------------------------------------------------
 * Trusted folders and files
 * ------------------------------------------------------------------------------------------- */

static bool owner_ok(uid_t uid)
{
    return uid == geteuid() || uid == 0;
}

lk_code lk_dir_check_private(const char *dir, const char *what, lk_error *err)
{
    struct stat st;
    char *copy;
    if (lstat(dir, &st) != 0)
        return lk_error_set(err, LK_ERR_ENV, _("cannot check %s %s: %s"), what, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return lk_error_set(err, LK_ERR_ENV, _("%s %s is not a folder (a symbolic link is refused)"),
                            what, dir);
    if (!owner_ok(st.st_uid))
        return lk_error_set(err, LK_ERR_ENV,
                            _("%s %s belongs to another user (uid %ld); it must be yours"), what, dir,
                            (long)st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return lk_error_set(err, LK_ERR_ENV,
                            _("%s %s can be written by other users (mode %04o); make it private "
                            "(chmod 700)"),
                            what, dir, (unsigned)(st.st_mode & 07777));
    /* The folders above: someone who can rename one of them can swap the whole tree. */
    copy = realpath(dir, NULL);
    if (!copy)
        return lk_error_set(err, LK_ERR_ENV, _("cannot check %s %s: %s"), what, dir, strerror(errno));
    for (char *slash = strrchr(copy, '/'); slash; slash = strrchr(copy, '/')) {
        if (slash == copy)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (stat(copy, &st) != 0)
            break;
        if (!owner_ok(st.st_uid) ||
            ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
            lk_error_set(err, LK_ERR_ENV,
                         _("%s %s lies in %s, which other users can change (owner uid %ld, mode "
                         "%04o)"),
                         what, dir, copy, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
            free(copy);
            return LK_ERR_ENV;
        }
        if (slash == copy)
            break;
    }
    free(copy);
    return LK_OK;
}

lk_code lk_file_check_trusted(int fd, const char *path, const char *what, lk_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return lk_error_set(err, LK_ERR_ENV, _("cannot check %s %s: %s"), what, path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return lk_error_set(err, LK_ERR_ENV, _("%s %s is not a regular file"), what, path);
    if (!owner_ok(st.st_uid))
        return lk_error_set(err, LK_ERR_ENV,
                            _("%s %s belongs to another user (uid %ld); it must be yours or root's"),
                            what, path, (long)st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return lk_error_set(err, LK_ERR_ENV,
                            _("%s %s can be written by other users (mode %04o); chmod go-w it"), what,
                            path, (unsigned)(st.st_mode & 07777));
    return LK_OK;
}

lk_code lk_read_trusted_file(const char *path, size_t max, const char *what, char **out,
                             size_t *len, lk_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    size_t n = 0, alloc = 8192;
    char *buf;
    lk_code rc;
    if (fd < 0)
        return lk_error_set(err, LK_ERR_ENV, _("cannot open %s: %s"), path, strerror(errno));
    rc = lk_file_check_trusted(fd, path, what, err);
    if (rc != LK_OK) {
        close(fd);
        err->code = LK_ERR_CONFIG;
        return LK_ERR_CONFIG;
    }
    buf = xmalloc(alloc);
    for (;;) {
        if (n + 1 >= alloc)
            buf = xrealloc(buf, alloc *= 2);
        ssize_t r = read(fd, buf + n, alloc - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = lk_error_set(err, LK_ERR_ENV, _("cannot read %s: %s"), path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            rc = lk_error_set(err, LK_ERR_LIMIT, _("%s is larger than %zu bytes"), path, max);
            break;
        }
    }
    close(fd);
    if (rc != LK_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return LK_OK;
}
