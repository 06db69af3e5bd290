/*
 * seal.c: the installation key beside the token store and HMAC seals made with it (seal.h).
 */
#include "engine/seal.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_NAME "installation.key"

char *lk_seal_key_path(const char *token_store)
{
    strbuf sb;
    strbuf_init(&sb, 256);
    const char *slash = strrchr(token_store, '/');
    if (!slash)
        strbuf_addstr(&sb, ".");
    else if (slash == token_store)
        strbuf_addstr(&sb, "");
    else
        strbuf_add(&sb, token_store, (size_t)(slash - token_store));
    strbuf_addstr(&sb, "/" KEY_NAME);
    return strbuf_detach(&sb, NULL);
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void set_id(lk_seal_key *k)
{
    char full[65];
    strbuf sb;
    strbuf_init(&sb, 128);
    strbuf_addstr(&sb, "loket-import installation key id\n");
    strbuf_add(&sb, (const char *)k->key, sizeof k->key);
    lk_sha256_hex(sb.buf, sb.len, full);
    strbuf_free(&sb);
    memcpy(k->id, full, 16);
    k->id[16] = '\0';
}

/* Makes the key file (and its folder); EEXIST from a concurrent maker is fine. */
static lk_code make_key(const char *path, lk_error *err)
{
    unsigned char raw[32];
    char text[66];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return lk_error_set(err, LK_ERR_CONFIG, _("cannot make the installation key %s: %s"),
                            path, strerror(errno));
    hex(raw, sizeof raw, text);
    text[64] = '\n';
    text[65] = '\0';
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
        mkdir(dir, 0700);
    }
    free(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return LK_OK;
        return lk_error_set(err, LK_ERR_CONFIG, _("cannot make the installation key %s: %s"),
                            path, strerror(errno));
    }
    ssize_t w = write(fd, text, 65);
    int e = errno;
    if (w != 65 || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return lk_error_set(err, LK_ERR_CONFIG, _("cannot write the installation key %s: %s"),
                            path, strerror(w < 0 ? e : EIO));
    }
    close(fd);
    return LK_OK;
}

lk_code lk_seal_key_load(const char *token_store, bool create, lk_seal_key *k, lk_error *err)
{
    memset(k, 0, sizeof *k);
    k->path = lk_seal_key_path(token_store);
    struct stat st;
    if (create && lstat(k->path, &st) != 0 && errno == ENOENT &&
        make_key(k->path, err) != LK_OK) {
        lk_seal_key_free(k);
        return err->code;
    }
    /* no symlink, a regular file, ours, made 0600 again if something widened it */
    int fd = lk_safe_open(k->path, O_RDONLY, 0600, err);
    if (fd < 0) {
        err->code = LK_ERR_CONFIG;
        lk_seal_key_free(k);
        return LK_ERR_CONFIG;
    }
    char text[80];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    bool ok = n >= 64;
    for (size_t i = 0; ok && i < 32; i++) {
        int hi = unhex(text[2 * i]), lo = unhex(text[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        if (ok)
            k->key[i] = (unsigned char)(hi << 4 | lo);
    }
    if (!ok) {
        lk_error_set(err, LK_ERR_CONFIG,
                     _("the installation key %s is damaged (expected 64 hexadecimal digits); "
                       "plans and runs sealed with it can no longer be checked"),
                     k->path);
        lk_seal_key_free(k);
        return LK_ERR_CONFIG;
    }
    set_id(k);
    return LK_OK;
}

void lk_seal_key_free(lk_seal_key *k)
{
    if (!k)
        return;
    OPENSSL_cleanse(k->key, sizeof k->key);
    free(k->path);
    k->path = NULL;
}

void lk_seal_mac(const lk_seal_key *k, const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), k->key, (int)sizeof k->key, data, len, md, &mdlen))
        lk_die(_("out of memory"));
    hex(md, mdlen, out);
}

bool lk_seal_equal(const char *a, const char *b)
{
    return a && b && strlen(a) == 64 && strlen(b) == 64 && CRYPTO_memcmp(a, b, 64) == 0;
}
