/*
 * prefetch.c: a reader thread that fills a ring of row batches (see prefetch.h).
 *
 * A batch holds its rows, their cells and their texts in three arrays that grow as needed and
 * are kept for the next use of the batch, so a steady run allocates nothing. While a batch is
 * being filled its cells and texts are addressed by offset (the arrays may move); the pointers
 * are set just before the batch is handed over.
 */
#include "input/prefetch.h"

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
    size_t *row_cells;             /* offset of each row's first cell while filling */
    size_t row_cells_alloc;
    lk_cell *cells; size_t ncells, cells_alloc;
    size_t *text_offs; size_t text_offs_alloc;
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

/*
 * Copies one row. Readers usually keep a row's texts back to back, each with its NUL (the CSV
 * reader does): then they go over in one block. Otherwise each text is copied on its own.
 */
static void batch_add_row(batch *b, const lk_row *row)
{
    size_t n = row->ncells, text = 0;
    const char *base = NULL, *expect = NULL;
    bool block = true;
    for (size_t i = 0; i < n; i++) {
        const lk_cell *c = &row->cells[i];
        size_t len = c->text ? c->len : 0;
        if (block && c->text) {
            if (!base)
                base = expect = c->text;
            block = c->text == expect && c->text[len] == '\0';
            expect = c->text + len + 1;
        } else if (!c->text) {
            block = false;
        }
        text += len + 1;
    }
    if (block && base && (size_t)(expect - base) != text)
        block = false;
    lk_grow(&b->rows, sizeof(lk_row), b->nrows + 1, &b->rows_alloc);
    lk_grow(&b->row_cells, sizeof(size_t), b->nrows + 1, &b->row_cells_alloc);
    lk_grow(&b->cells, sizeof(lk_cell), b->ncells + n, &b->cells_alloc);
    lk_grow(&b->text_offs, sizeof(size_t), b->ncells + n, &b->text_offs_alloc);
    lk_grow(&b->text, 1, b->tlen + text, &b->talloc);
    b->rows[b->nrows] = *row;
    b->row_cells[b->nrows] = b->ncells;
    b->nrows++;
    if (n)
        memcpy(b->cells + b->ncells, row->cells, n * sizeof(lk_cell));
    if (block && base) {
        memcpy(b->text + b->tlen, base, text);
        for (size_t i = 0; i < n; i++)
            b->text_offs[b->ncells++] = b->tlen + (size_t)(row->cells[i].text - base);
        b->tlen += text;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const lk_cell *c = &row->cells[i];
        size_t len = c->text ? c->len : 0;
        if (len)
            memcpy(b->text + b->tlen, c->text, len);
        b->text[b->tlen + len] = '\0';
        b->text_offs[b->ncells++] = b->tlen;
        b->tlen += len + 1;
    }
}

static void batch_seal(batch *b)
{
    for (size_t i = 0; i < b->ncells; i++)
        b->cells[i].text = b->text + b->text_offs[i];
    for (size_t i = 0; i < b->nrows; i++)
        b->rows[i].cells = b->cells + b->row_cells[i];
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
        lk_error_set(err, LK_ERR_INTERNAL, "cannot start the reading thread");
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
        free(b->row_cells);
        free(b->cells);
        free(b->text_offs);
        free(b->text);
    }
    pthread_cond_destroy(&p->filled);
    pthread_cond_destroy(&p->emptied);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
