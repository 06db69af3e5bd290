/*
 * util.c: allocation, whole-file I/O, durable writes and hashing shared by every stage.
 */
#include "common/util.h"

#include "common/i18n.h"
#include "common/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        lk_die(_("out of memory (%zu bytes)"), size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        lk_die(_("out of memory (%zu x %zu bytes)"), n, size);
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        lk_die(_("out of memory (%zu bytes)"), size);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void lk_grow(void *arr, size_t elem, size_t need, size_t *alloc)
{
    void **p = arr;
    if (need <= *alloc)
        return;
    size_t n = *alloc ? *alloc : 8;
    while (n < need) {
        if (n > ((size_t)-1) / 2 / elem)
            lk_die(_("array size overflow"));
        n *= 2;
    }
    *p = xrealloc(*p, n * elem);
    *alloc = n;
}

const char *lk_file_kind(unsigned mode)
{
    if (S_ISDIR(mode))
        return _("a folder");
    if (S_ISCHR(mode))
        return _("a character device");
    if (S_ISBLK(mode))
        return _("a block device");
    if (S_ISFIFO(mode))
        return _("a FIFO (named pipe)");
    if (S_ISSOCK(mode))
        return _("a socket");
    return _("not a regular file");
}

int lk_open_regular(const char *path, lk_error *err)
{
    struct stat st;
    /* O_NONBLOCK: opening a FIFO nobody writes to would wait forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) { /* a socket cannot be opened */
            lk_error_set(err, LK_ERR_IO, _("cannot open %s: %s"), path, strerror(e));
            errno = e; /* for callers that word the message themselves */
            return -1;
        }
    }
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        lk_error_set(err, LK_ERR_INPUT,
                     _("%s is %s: only regular files are read (inputs, mappings, plans, "
                       "configurations)"),
                     path, lk_file_kind(st.st_mode));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

lk_code lk_read_file(const char *path, size_t max, char **out, size_t *len, lk_error *err)
{
    int fd = lk_open_regular(path, err);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    char *buf = NULL;
    size_t n = 0, alloc = 0;
    if (fd < 0)
        return err->code;
    if (!f) {
        close(fd);
        return lk_error_set(err, LK_ERR_IO, _("cannot open %s: %s"), path, strerror(errno));
    }
    for (;;) {
        if (n + 65536 + 1 > alloc) {
            alloc = alloc ? alloc * 2 : 65536 * 2;
            buf = xrealloc(buf, alloc);
        }
        size_t r = fread(buf + n, 1, alloc - n - 1, f);
        n += r;
        if (n > max) {
            fclose(f);
            free(buf);
            return lk_error_set(err, LK_ERR_LIMIT, _("%s is larger than %zu bytes"), path, max);
        }
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return lk_error_set(err, LK_ERR_IO, _("cannot read %s"), path);
    }
    fclose(f);
    if (!buf)
        buf = xmalloc(1);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return LK_OK;
}

lk_code lk_write_file_atomic(const char *path, const void *data, size_t len, int mode,
                             lk_error *err)
{
    lk_safe_file f;
    if (lk_safe_file_begin(&f, path, mode, err) != LK_OK)
        return err->code;
    if (lk_safe_file_write(&f, data, len, err) != LK_OK) {
        lk_safe_file_abort(&f);
        return err->code;
    }
    return lk_safe_file_commit(&f, NULL, err);
}

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
}

lk_code lk_sha256_file(const char *path, char *out, lk_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned char buf[65536];
    size_t r;
    int fd = lk_open_regular(path, err);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    EVP_MD_CTX *ctx;
    if (fd < 0)
        return err->code;
    if (!f) {
        close(fd);
        return lk_error_set(err, LK_ERR_IO, _("cannot open %s: %s"), path, strerror(errno));
    }
    ctx = EVP_MD_CTX_new();
    if (!ctx)
        lk_die(_("out of memory"));
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
        EVP_DigestUpdate(ctx, buf, r);
    if (ferror(f)) {
        EVP_MD_CTX_free(ctx);
        fclose(f);
        return lk_error_set(err, LK_ERR_IO, _("cannot read %s"), path);
    }
    fclose(f);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    to_hex(md, mdlen, out);
    return LK_OK;
}

void lk_sha256_hex(const void *data, size_t len, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    to_hex(md, mdlen, out);
}

double lk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double lk_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

char *lk_iso8601(long long t, char *out)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}
