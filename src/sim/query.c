/*
 * query.c: Loket's `filter` and `orderBy` list parameters, evaluated over the JSON items a list
 * endpoint would return. The grammar (from the developer portal):
 *   expr    := and_expr ("or" and_expr)*
 *   and_expr:= primary ("and" primary)*
 *   primary := "(" expr ")" | path op literal
 *   op      := eq | ne | lk | gt | ge | lt | le        (lk: case-insensitive "contains")
 *   literal := 'text' | "text" | number | true | false | null | bare-word
 * A malformed expression is a 400 for the caller; a path an item does not have matches nothing.
 */
#include "sim/query.h"

#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum node_kind { NODE_AND, NODE_OR, NODE_CMP } node_kind;
typedef enum cmp_op { OP_EQ, OP_NE, OP_LK, OP_GT, OP_GE, OP_LT, OP_LE } cmp_op;

struct sim_filter {
    node_kind kind;
    sim_filter *left, *right; /* AND, OR */
    char *path;               /* CMP */
    cmp_op op;
    char *literal;
    bool quoted;
};

typedef struct lexer {
    const char *p;
    char tok[512];
    bool quoted;
    char *err;
    size_t errlen;
    int depth;
} lexer;

/* The next token into lx->tok; false at the end of input. */
static bool next_token(lexer *lx)
{
    size_t n = 0;
    lx->quoted = false;
    while (isspace((unsigned char)*lx->p))
        lx->p++;
    if (!*lx->p)
        return false;
    if (*lx->p == '(' || *lx->p == ')') {
        lx->tok[0] = *lx->p++;
        lx->tok[1] = '\0';
        return true;
    }
    if (*lx->p == '\'' || *lx->p == '"') {
        char q = *lx->p++;
        lx->quoted = true;
        while (*lx->p && *lx->p != q && n + 1 < sizeof lx->tok)
            lx->tok[n++] = *lx->p++;
        if (*lx->p != q) {
            snprintf(lx->err, lx->errlen, "unterminated or too long string");
            lx->tok[0] = '\0';
            lx->p += strlen(lx->p);
            return true;
        }
        lx->p++;
        lx->tok[n] = '\0';
        return true;
    }
    while (*lx->p && !isspace((unsigned char)*lx->p) && *lx->p != '(' && *lx->p != ')' &&
           n + 1 < sizeof lx->tok)
        lx->tok[n++] = *lx->p++;
    lx->tok[n] = '\0';
    return true;
}

static bool peek_word(lexer *lx, const char *word)
{
    lexer save = *lx;
    bool yes = next_token(&save) && !save.quoted && !strcasecmp(save.tok, word);
    if (yes)
        *lx = save;
    return yes;
}

static sim_filter *parse_or(lexer *lx);

static bool valid_path(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
            return false;
    return true;
}

static sim_filter *parse_primary(lexer *lx)
{
    static const char *const ops[] = { "eq", "ne", "lk", "gt", "ge", "lt", "le" };
    sim_filter *f;
    if (++lx->depth > 64) {
        snprintf(lx->err, lx->errlen, "nested too deeply");
        return NULL;
    }
    if (!next_token(lx)) {
        snprintf(lx->err, lx->errlen, "expression expected");
        return NULL;
    }
    if (!lx->quoted && !strcmp(lx->tok, "(")) {
        f = parse_or(lx);
        if (!f)
            return NULL;
        if (!next_token(lx) || strcmp(lx->tok, ")")) {
            snprintf(lx->err, lx->errlen, "')' expected");
            sim_filter_free(f);
            return NULL;
        }
        lx->depth--;
        return f;
    }
    if (lx->quoted || !valid_path(lx->tok)) {
        snprintf(lx->err, lx->errlen, "field name expected at '%.40s'", lx->tok);
        return NULL;
    }
    f = xcalloc(1, sizeof *f);
    f->kind = NODE_CMP;
    f->path = xstrdup(lx->tok);
    if (!next_token(lx) || lx->quoted) {
        snprintf(lx->err, lx->errlen, "operator expected after '%.40s'", f->path);
        sim_filter_free(f);
        return NULL;
    }
    f->op = (cmp_op)-1;
    for (size_t i = 0; i < LK_ARRAY_SIZE(ops); i++)
        if (!strcasecmp(lx->tok, ops[i]))
            f->op = (cmp_op)i;
    if ((int)f->op < 0) {
        snprintf(lx->err, lx->errlen, "unknown operator '%.40s'", lx->tok);
        sim_filter_free(f);
        return NULL;
    }
    if (!next_token(lx) || (!lx->quoted && (!strcmp(lx->tok, "(") || !strcmp(lx->tok, ")"))) ||
        lx->err[0]) {
        if (!lx->err[0])
            snprintf(lx->err, lx->errlen, "value expected after '%s'", ops[f->op]);
        sim_filter_free(f);
        return NULL;
    }
    f->literal = xstrdup(lx->tok);
    f->quoted = lx->quoted;
    lx->depth--;
    return f;
}

static sim_filter *join(node_kind kind, sim_filter *l, sim_filter *r)
{
    sim_filter *f = xcalloc(1, sizeof *f);
    f->kind = kind;
    f->left = l;
    f->right = r;
    return f;
}

static sim_filter *parse_and(lexer *lx)
{
    sim_filter *f = parse_primary(lx);
    while (f && peek_word(lx, "and")) {
        sim_filter *r = parse_primary(lx);
        if (!r) {
            sim_filter_free(f);
            return NULL;
        }
        f = join(NODE_AND, f, r);
    }
    return f;
}

static sim_filter *parse_or(lexer *lx)
{
    sim_filter *f = parse_and(lx);
    while (f && peek_word(lx, "or")) {
        sim_filter *r = parse_and(lx);
        if (!r) {
            sim_filter_free(f);
            return NULL;
        }
        f = join(NODE_OR, f, r);
    }
    return f;
}

sim_filter *sim_filter_parse(const char *text, char *err, size_t errlen)
{
    lexer lx = { text, "", false, err, errlen, 0 };
    sim_filter *f;
    err[0] = '\0';
    f = parse_or(&lx);
    if (f && next_token(&lx)) {
        snprintf(err, errlen, "unexpected '%.40s'", lx.tok);
        sim_filter_free(f);
        return NULL;
    }
    if (!f && !err[0])
        snprintf(err, errlen, "malformed filter");
    return f;
}

void sim_filter_free(sim_filter *f)
{
    if (!f)
        return;
    sim_filter_free(f->left);
    sim_filter_free(f->right);
    free(f->path);
    free(f->literal);
    free(f);
}

const cJSON *sim_json_path(const cJSON *item, const char *path)
{
    char name[128];
    while (item && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof name)
            return NULL;
        memcpy(name, path, n);
        name[n] = '\0';
        item = cJSON_IsObject(item) ? cJSON_GetObjectItem(item, name) : NULL; /* case-insensitive */
        path += n + (dot ? 1 : 0);
    }
    return item;
}

/* A JSON number (plain or an exact decimal written raw) as a double. */
static bool json_number(const cJSON *v, double *out)
{
    char *end;
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (cJSON_IsRaw(v) && v->valuestring) {
        *out = strtod(v->valuestring, &end);
        return end != v->valuestring && !*end;
    }
    return false;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return !n;
}

static bool compare(const sim_filter *f, const cJSON *v)
{
    int cmp;
    double dv, dl;
    char *end;
    if (!v)
        return false;
    if (!f->quoted && !strcasecmp(f->literal, "null"))
        cmp = cJSON_IsNull(v) ? 0 : 1;
    else if (cJSON_IsNull(v))
        cmp = -1;
    else if (cJSON_IsBool(v) && !f->quoted &&
             (!strcasecmp(f->literal, "true") || !strcasecmp(f->literal, "false")))
        cmp = (cJSON_IsTrue(v) ? 1 : 0) - (!strcasecmp(f->literal, "true") ? 1 : 0);
    else if (json_number(v, &dv) && (dl = strtod(f->literal, &end), end != f->literal && !*end))
        cmp = dv < dl ? -1 : dv > dl;
    else if (cJSON_IsString(v)) {
        if (f->op == OP_LK)
            return contains_nocase(v->valuestring, f->literal);
        cmp = strcasecmp(v->valuestring, f->literal);
    } else
        return false;
    switch (f->op) {
    case OP_EQ:
    case OP_LK:
        return cmp == 0;
    case OP_NE:
        return cmp != 0;
    case OP_GT:
        return cmp > 0;
    case OP_GE:
        return cmp >= 0;
    case OP_LT:
        return cmp < 0;
    case OP_LE:
        return cmp <= 0;
    }
    return false;
}

bool sim_filter_match(const sim_filter *f, const cJSON *item)
{
    switch (f->kind) {
    case NODE_AND:
        return sim_filter_match(f->left, item) && sim_filter_match(f->right, item);
    case NODE_OR:
        return sim_filter_match(f->left, item) || sim_filter_match(f->right, item);
    case NODE_CMP:
        return compare(f, sim_json_path(item, f->path));
    }
    return false;
}

void sim_filter_apply(const sim_filter *f, cJSON *array)
{
    cJSON *item = array->child;
    while (item) {
        cJSON *next = item->next;
        if (!sim_filter_match(f, item))
            cJSON_Delete(cJSON_DetachItemViaPointer(array, item));
        item = next;
    }
}

/* ---------------------------------------------------------------- orderBy */

typedef struct sort_key {
    char path[128];
    bool descending;
} sort_key;

typedef struct sort_item {
    cJSON *item;
    size_t index;
} sort_item;

static int compare_values(const cJSON *a, const cJSON *b)
{
    double da, db;
    bool an = !a || cJSON_IsNull(a), bn = !b || cJSON_IsNull(b);
    if (an || bn) /* nulls first */
        return an && bn ? 0 : (an ? -1 : 1);
    if (json_number(a, &da) && json_number(b, &db))
        return da < db ? -1 : da > db;
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcasecmp(a->valuestring, b->valuestring);
    if (cJSON_IsBool(a) && cJSON_IsBool(b))
        return cJSON_IsTrue(a) - cJSON_IsTrue(b);
    return 0;
}

static int compare_items(const sort_item *a, const sort_item *b, const sort_key *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        int c = compare_values(sim_json_path(a->item, keys[i].path), sim_json_path(b->item, keys[i].path));
        if (c)
            return keys[i].descending ? -c : c;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Insertion-merge sort without globals: lists are small (hundreds). */
static void sort_items(sort_item *items, size_t n, const sort_key *keys, size_t nkeys)
{
    sort_item *tmp;
    if (n < 2)
        return;
    tmp = xmalloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = compare_items(&items[j], &items[i], keys, nkeys) < 0 ? items[j++] : items[i++];
            while (i < mid)
                tmp[k++] = items[i++];
            while (j < hi)
                tmp[k++] = items[j++];
        }
        memcpy(items, tmp, n * sizeof *tmp);
    }
    free(tmp);
}

bool sim_order_apply(const char *order_by, cJSON *array, char *err, size_t errlen)
{
    sort_key keys[16];
    size_t nkeys = 0, n = 0;
    const char *p = order_by;
    sort_item *items;
    cJSON *item;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        sort_key *k = &keys[nkeys];
        if (nkeys == LK_ARRAY_SIZE(keys)) {
            snprintf(err, errlen, "too many orderBy fields");
            return false;
        }
        k->descending = *p == '-';
        if (k->descending) {
            p++;
            len--;
        }
        if (len == 0 || len >= sizeof k->path) {
            snprintf(err, errlen, "empty or too long orderBy field");
            return false;
        }
        memcpy(k->path, p, len);
        k->path[len] = '\0';
        if (!valid_path(k->path)) {
            snprintf(err, errlen, "invalid orderBy field '%.40s'", k->path);
            return false;
        }
        nkeys++;
        p += len + (comma ? 1 : 0);
        if (comma && !*p) {
            snprintf(err, errlen, "orderBy ends with ','");
            return false;
        }
    }
    if (!nkeys) {
        snprintf(err, errlen, "empty orderBy");
        return false;
    }
    items = xmalloc(((size_t)cJSON_GetArraySize(array) + 1) * sizeof *items);
    cJSON_ArrayForEach(item, array) {
        items[n].item = item;
        items[n].index = n;
        n++;
    }
    sort_items(items, n, keys, nkeys);
    for (size_t i = 0; i < n; i++)
        cJSON_DetachItemViaPointer(array, items[i].item);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(array, items[i].item);
    free(items);
    return true;
}
