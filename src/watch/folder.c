/*
 * folder.c: the watched folder on disk: opening the layout without following symlinks,
 * per-name locks, moves that never overwrite, the SHA-256 of an open file.
 *
 * Every operation goes through directory file descriptors opened with O_NOFOLLOW, so a
 * symlink dropped in (or swapped for) a folder is never followed out of DIR.
 */
#include "watch/watch_internal.h"

#include "common/i18n.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens (creating when asked) a relative folder path one component at a time. */
int lk_watch_open_subdir(int root_fd, const char *rel, int create)
{
    return lk_watch_open_subdir_mode(root_fd, rel, create, 0750);
}

int lk_watch_open_subdir_mode(int root_fd, const char *rel, int create, mode_t last_mode)
{
    char *copy = xstrdup(rel), *save = NULL, *part;
    int fd = dup(root_fd);
    if (fd < 0) {
        free(copy);
        return -1;
    }
    for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        int next;
        int made = 0;
        if (create) {
            const char *after = rel + (part - copy) + strlen(part);
            int last = strspn(after, "/") == strlen(after);
            if (last && last_mode != 0750) {
                /* the mode as asked, not as the umask leaves it (a unit's UMask=0027 would
                 * take the group's write permission from inbox/); setgid comes from the parent */
                mode_t old_mask = umask(0);
                made = mkdirat(fd, part, last_mode) == 0;
                umask(old_mask);
            } else {
                made = mkdirat(fd, part, 0750) == 0;
            }
        }
        if (create && !made && errno != EEXIST) {
            int e = errno;
            close(fd);
            free(copy);
            errno = e;
            return -1;
        }
        next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        if (next < 0) {
            free(copy);
            return -1;
        }
        fd = next;
    }
    free(copy);
    return fd;
}

void lk_watch_name_hash(const char *name, char out[33])
{
    char hex[65];
    lk_sha256_hex(name, strlen(name), hex);
    memcpy(out, hex, 32);
    out[32] = '\0';
}

int lk_watch_lock_name(int runs_fd, const char *hash)
{
    char lockname[48];
    snprintf(lockname, sizeof lockname, "%s.lock", hash);
    /* A lock file is removed by its holder when done; one opened just before that removal
     * is a dead inode, so the lock is only ours when the path still names what we locked. */
    for (int tries = 0; tries < 5; tries++) {
        struct stat a, b;
        int fd = openat(runs_fd, lockname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0)
            return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            errno = e == EWOULDBLOCK ? EBUSY : e;
            return -1;
        }
        if (fstat(fd, &a) == 0 && fstatat(runs_fd, lockname, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return fd;
        close(fd);
    }
    errno = EBUSY;
    return -1;
}

void lk_watch_unlock_name(int runs_fd, const char *hash, int fd)
{
    char lockname[48];
    snprintf(lockname, sizeof lockname, "%s.lock", hash);
    unlinkat(runs_fd, lockname, 0);
    close(fd);
}

/* "uren.csv" + 2 -> "uren.2.csv"; a name without extension gets ".2" at the end. */
static void numbered_name(const char *name, int n, char *out, size_t size)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        snprintf(out, size, "%s.%d", name, n);
    else
        snprintf(out, size, "%.*s.%d%s", (int)(dot - name), name, n, dot);
}

int lk_watch_move_noreplace(int from_fd, const char *name, int to_fd, char *dest, size_t size)
{
    for (int n = 1; n < 1000; n++) {
        if (n == 1)
            snprintf(dest, size, "%s", name);
        else
            numbered_name(name, n, dest, size);
        if (renameat2(from_fd, name, to_fd, dest, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EINVAL) {
            /* a file system without RENAME_NOREPLACE: check, then rename */
            struct stat st;
            if (fstatat(to_fd, dest, &st, AT_SYMLINK_NOFOLLOW) == 0)
                continue;
            if (renameat(from_fd, name, to_fd, dest) == 0)
                return 0;
            return -1;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

lk_code lk_watch_sha256_fd(int fd, char out[65], long long *size, lk_error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    long long total = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        lk_die(_("out of memory"));
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            EVP_MD_CTX_free(ctx);
            return lk_error_set(err, LK_ERR_IO, _("cannot read the file: %s"), strerror(errno));
        }
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
        total += r;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    if (size)
        *size = total;
    return LK_OK;
}

const char *lk_watch_file_type(mode_t mode)
{
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a named pipe (FIFO)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISREG(mode))
        return "a regular file";
    return "not a regular file";
}
