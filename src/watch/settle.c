/*
 * settle.c: has a file stopped changing? A file is taken only after its size, mtime, ctime
 * and inode were seen unchanged for the settle time on our own monotonic clock. The file's
 * own times are compared only for equality, never against our clock: a share's server clock
 * may be off, and copies that keep the original mtime (cp -p, scp -p) set it at the end.
 * Where inotify reports writes, a file written and not yet closed after writing (an upload
 * that paused, its writer still holding it open) is never settled, whatever the time.
 */
#include "watch/watch.h"

#include "common/util.h"

#include <string.h>

struct settle_entry {
    char *name;
    lk_watch_filestat st;
    double since_ms;  /* when st was first seen */
    int seen;         /* observed since the last prune */
    int writing;      /* inotify saw it written and not yet closed after writing */
};

struct lk_watch_settle {
    double settle_ms;
    struct settle_entry *v;
    size_t n, alloc;
};

lk_watch_settle *lk_watch_settle_new(double settle_ms)
{
    lk_watch_settle *s = xcalloc(1, sizeof(*s));
    s->settle_ms = settle_ms;
    return s;
}

void lk_watch_settle_free(lk_watch_settle *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    free(s);
}

static struct settle_entry *find(lk_watch_settle *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, name))
            return &s->v[i];
    return NULL;
}

int lk_watch_settle_observe(lk_watch_settle *s, const char *name, const lk_watch_filestat *st,
                            double now_ms, double *remaining_ms)
{
    struct settle_entry *e = find(s, name);
    double waited;
    if (e && e->writing) {
        /* still open for writing (an upload that paused): not complete, however long */
        e->st = *st;
        e->since_ms = now_ms;
        e->seen = 1;
        if (remaining_ms)
            *remaining_ms = s->settle_ms;
        return 0;
    }
    if (!e) {
        lk_grow(&s->v, sizeof(*s->v), s->n + 1, &s->alloc);
        e = &s->v[s->n++];
        memset(e, 0, sizeof *e);
        e->name = xstrdup(name);
        e->st = *st;
        e->since_ms = now_ms;
    } else if (memcmp(&e->st, st, sizeof(*st)) != 0) {
        e->st = *st;
        e->since_ms = now_ms;
    }
    e->seen = 1;
    waited = now_ms - e->since_ms;
    if (waited >= s->settle_ms)
        return 1;
    if (remaining_ms)
        *remaining_ms = s->settle_ms - waited;
    return 0;
}

void lk_watch_settle_writing(lk_watch_settle *s, const char *name, int writing)
{
    struct settle_entry *e;
    if (!name) { /* events were lost: back to the settle time alone */
        for (size_t i = 0; i < s->n; i++)
            s->v[i].writing = 0;
        return;
    }
    e = find(s, name);
    if (!e) {
        if (!writing)
            return;
        lk_grow(&s->v, sizeof(*s->v), s->n + 1, &s->alloc);
        e = &s->v[s->n++];
        memset(e, 0, sizeof *e);
        e->name = xstrdup(name);
        e->seen = 1; /* kept until a scan has looked at it */
    }
    e->writing = writing;
    if (!writing)
        memset(&e->st, 0, sizeof e->st); /* the settle time counts from the close */
}

void lk_watch_settle_forget(lk_watch_settle *s, const char *name)
{
    struct settle_entry *e = find(s, name);
    if (!e)
        return;
    free(e->name);
    *e = s->v[--s->n];
}

void lk_watch_settle_prune(lk_watch_settle *s)
{
    for (size_t i = 0; i < s->n;) {
        if (!s->v[i].seen) {
            free(s->v[i].name);
            s->v[i] = s->v[--s->n];
            continue;
        }
        s->v[i++].seen = 0;
    }
}

size_t lk_watch_settle_count(const lk_watch_settle *s)
{
    return s->n;
}
