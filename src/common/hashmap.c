/*
 * hashmap.c: open addressing with linear probing, FNV-1a hashes, load factor <= 1/2.
 * No deletion: every use in the importer builds a map once per run and reads it.
 */
#include "common/hashmap.h"
#include "common/util.h"

#include <stdint.h>
#include <string.h>

struct slot {
    char *key;
    void *value;
    uint64_t hash;
};

struct lk_hashmap {
    struct slot *slots;
    size_t cap;   /* power of two */
    size_t count;
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

lk_hashmap *lk_hashmap_new(size_t hint)
{
    lk_hashmap *m = xcalloc(1, sizeof(*m));
    m->cap = 16;
    while (m->cap < hint * 2)
        m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    return m;
}

void lk_hashmap_free(lk_hashmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static struct slot *find_slot(struct slot *slots, size_t cap, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(lk_hashmap *m)
{
    size_t ncap = m->cap * 2;
    struct slot *ns = xcalloc(ncap, sizeof(*ns));
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        *find_slot(ns, ncap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

void *lk_hashmap_put(lk_hashmap *m, const char *key, void *value)
{
    uint64_t h = hash_key(key);
    struct slot *s;
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    s = find_slot(m->slots, m->cap, key, h);
    if (s->key) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    s->key = xstrdup(key);
    s->hash = h;
    s->value = value;
    m->count++;
    return NULL;
}

void *lk_hashmap_get(const lk_hashmap *m, const char *key)
{
    struct slot *s = find_slot(m->slots, m->cap, key, hash_key(key));
    return s->key ? s->value : NULL;
}

size_t lk_hashmap_count(const lk_hashmap *m)
{
    return m->count;
}

int lk_hashmap_next(const lk_hashmap *m, size_t *pos, const char **key, void **value)
{
    while (*pos < m->cap) {
        struct slot *s = &m->slots[(*pos)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (value)
                *value = s->value;
            return 1;
        }
    }
    return 0;
}
