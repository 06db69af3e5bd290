/*
 * prefetch.c: a reader thread that fills a ring of row batches (see prefetch.h).
 *
 * A batch holds its rows, their cells and their texts in three arrays that grow as needed and
 * are kept for the next use of the batch, so a steady run allocates nothing. While a batch is
 * being filled its cells and texts are addressed by offset (the arrays may move); the pointers
 * are set just before the batch is handed over.
 */
#include "input/prefetch.h"

#include "common/i18n.h"
#include "common/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NBATCHES 3
#define BATCH_ROWS 256
#define BATCH_TEXT (256 * 1024)   /* a batch of long cells is handed over early */

typedef struct batch {
    lk_row *rows; size_t nrows, rows_alloc;
    lk_cell *cells; size_t ncells, cells_alloc;
    char *text; size_t tlen, talloc;
    bool last;                     /* the file ends after these rows */
    int status;                    /* with last: 0 end of file, -1 error */
    lk_error err;
} batch;

struct lk_prefetch {
    lk_reader *r;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled, emptied;
    batch b[NBATCHES];
    unsigned long head, tail;      /* batches handed over / given back */
    bool stop;
    batch *cur;                    /* the consumer's batch */
    size_t pos;
};

/* ---------------------------------------------------------------- the reader's side */

/* Room for `more` elements in a batch array; the common case is one compare. */
#define ROOM(arr, n, more, alloc) \
    do { \
        if ((n) + (more) > (alloc)) \
            lk_grow(&(arr), sizeof(*(arr)), (n) + (more), &(alloc)); \
    } while (0)

/*
 * Copies one row. Readers usually keep a row's texts back to back, each with its NUL (the CSV
 * reader does): then they go over in one block. Otherwise each text is copied on its own.
 * Until the batch is sealed, a cell's text holds its offset in the batch's text, and a row's
 * cells the offset of its first cell: the arrays may still move.
 */
static void batch_add_row(batch *b, const lk_row *row)
{
    size_t n = row->ncells, text = 0;
    const char *base = n ? row->cells[0].text : NULL, *expect = base;
    bool block = base != NULL;
    for (size_t i = 0; i < n; i++) {
        const lk_cell *c = &row->cells[i];
        size_t len = c->text ? c->len : 0;
        block = block && c->text == expect && c->text[len] == '\0';
        if (block)
            expect = c->text + len + 1;
        text += len + 1;
    }
    ROOM(b->rows, b->nrows, 1, b->rows_alloc);
    ROOM(b->cells, b->ncells, n, b->cells_alloc);
    ROOM(b->text, b->tlen, text, b->talloc);
    lk_row *r = &b->rows[b->nrows++];
    *r = *row;
    r->cells = (const lk_cell *)(uintptr_t)b->ncells;
    lk_cell *cells = b->cells + b->ncells;
    if (n)
        memcpy(cells, row->cells, n * sizeof(lk_cell));
    b->ncells += n;
    if (block) {
        memcpy(b->text + b->tlen, base, text);
        for (size_t i = 0; i < n; i++)
            cells[i].text = (const char *)(uintptr_t)(b->tlen + (size_t)(row->cells[i].text - base));
        b->tlen += text;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const lk_cell *c = &row->cells[i];
        size_t len = c->text ? c->len : 0;
        if (len)
            memcpy(b->text + b->tlen, c->text, len);
        b->text[b->tlen + len] = '\0';
        cells[i].text = (const char *)(uintptr_t)b->tlen;
        b->tlen += len + 1;
    }
}

static void batch_seal(batch *b)
{
    for (size_t i = 0; i < b->ncells; i++)
        b->cells[i].text = b->text + (uintptr_t)b->cells[i].text;
    for (size_t i = 0; i < b->nrows; i++)
        b->rows[i].cells = b->cells + (uintptr_t)b->rows[i].cells;
}

static void *read_ahead(void *arg)
{
    lk_prefetch *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->head - p->tail >= NBATCHES)
            pthread_cond_wait(&p->emptied, &p->mu);
        bool stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;

        batch *b = &p->b[p->head % NBATCHES];
        b->nrows = b->ncells = b->tlen = 0;
        b->last = false;
        lk_error_clear(&b->err);
        while (b->nrows < BATCH_ROWS && b->tlen < BATCH_TEXT) {
            const lk_row *row;
            int rc = lk_reader_next(p->r, &row, &b->err);
            if (rc != 1) {
                b->last = true;
                b->status = rc < 0 ? -1 : 0;
                break;
            }
            batch_add_row(b, row);
        }
        batch_seal(b);

        pthread_mutex_lock(&p->mu);
        p->head++;
        pthread_cond_signal(&p->filled);
        pthread_mutex_unlock(&p->mu);
        if (b->last)
            return NULL;
    }
}

/* ---------------------------------------------------------------- the caller's side */

lk_prefetch *lk_prefetch_start(lk_reader *r, lk_error *err)
{
    lk_prefetch *p = xcalloc(1, sizeof(*p));
    p->r = r;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->filled, NULL);
    pthread_cond_init(&p->emptied, NULL);
    if (pthread_create(&p->thread, NULL, read_ahead, p) != 0) {
        pthread_cond_destroy(&p->filled);
        pthread_cond_destroy(&p->emptied);
        pthread_mutex_destroy(&p->mu);
        free(p);
        lk_error_set(err, LK_ERR_INTERNAL, _("cannot start the reading thread"));
        return NULL;
    }
    return p;
}

int lk_prefetch_next(lk_prefetch *p, const lk_row **row, lk_error *err)
{
    for (;;) {
        if (p->cur) {
            if (p->pos < p->cur->nrows) {
                *row = &p->cur->rows[p->pos++];
                return 1;
            }
            if (p->cur->last) {
                if (p->cur->status < 0)
                    *err = p->cur->err;
                return p->cur->status;
            }
            pthread_mutex_lock(&p->mu);
            p->tail++;
            p->cur = NULL;
            pthread_cond_signal(&p->emptied);
            pthread_mutex_unlock(&p->mu);
        }
        pthread_mutex_lock(&p->mu);
        while (p->head == p->tail)
            pthread_cond_wait(&p->filled, &p->mu);
        p->cur = &p->b[p->tail % NBATCHES];
        p->pos = 0;
        pthread_mutex_unlock(&p->mu);
    }
}

void lk_prefetch_stop(lk_prefetch *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->emptied);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    for (int i = 0; i < NBATCHES; i++) {
        batch *b = &p->b[i];
        free(b->rows);
        free(b->cells);
        free(b->text);
    }
    pthread_cond_destroy(&p->filled);
    pthread_cond_destroy(&p->emptied);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
