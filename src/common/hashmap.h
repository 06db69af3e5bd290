/*
 * hashmap.h: string-keyed hash map with open addressing (in the spirit of redis' dict, smaller).
 * The map copies keys; values are borrowed pointers owned by the caller.
 */
#ifndef LK_HASHMAP_H
#define LK_HASHMAP_H

#include <stddef.h>

typedef struct lk_hashmap lk_hashmap;

lk_hashmap *lk_hashmap_new(size_t hint);
void lk_hashmap_free(lk_hashmap *m);
/* Inserts or replaces; returns the previous value or NULL. */
void *lk_hashmap_put(lk_hashmap *m, const char *key, void *value);
void *lk_hashmap_get(const lk_hashmap *m, const char *key);
size_t lk_hashmap_count(const lk_hashmap *m);
/* Iteration: start with *pos = 0; returns 0 at the end. Order is unspecified. */
int lk_hashmap_next(const lk_hashmap *m, size_t *pos, const char **key, void **value);

#endif
