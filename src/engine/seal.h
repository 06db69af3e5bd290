/*
 * seal.h: the installation key, and the seals made with it, that bind a saved plan and a run
 * folder's files to the installation that wrote them.
 *
 * The key is 32 random bytes (hex) in "installation.key" beside the token store (mode 0600,
 * owned by this user, never a symlink), made the first time a plan or a run needs it. A seal
 * is HMAC-SHA256 with that key; its key id (the first 16 hex digits of a SHA-256 over the
 * key) says which installation made it. Nobody without the key (it is as private as the
 * tokens) can write a plan or a run record that passes as ours.
 */
#ifndef LK_SEAL_H
#define LK_SEAL_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_seal_key {
    unsigned char key[32];
    char id[17];        /* names the installation in plans and run records */
    char *path;         /* where it is kept (for messages) */
} lk_seal_key;

/* The key file's path for a token store path; caller frees. */
char *lk_seal_key_path(const char *token_store);
/* Reads the installation key kept beside token_store; with create, makes it when it is
 * missing (and its folder, 0700). Errors are LK_ERR_CONFIG (exit 3): a key file that is a
 * link, not a regular file, another user's, or malformed. */
lk_code lk_seal_key_load(const char *token_store, bool create, lk_seal_key *k, lk_error *err);
void lk_seal_key_free(lk_seal_key *k);

/* HMAC-SHA256 of data under k, as 64 hex digits. */
void lk_seal_mac(const lk_seal_key *k, const void *data, size_t len, char out[65]);
/* Compares two hex MACs in constant time. */
bool lk_seal_equal(const char *a, const char *b);

#endif
