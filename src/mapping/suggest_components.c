/*
 * suggest_components.c: which payroll component each value column (wide) or code (long) holds.
 * Candidates come from the header or code being a component number, from what the bureau's
 * mappings chose for the same words, from the administration's component names (normalised),
 * from the synonym list, and, never sure, from names that only look alike. A column is decided
 * only when one candidate is sure (LK_SURE) and no other is; two columns on one component, or
 * a component the list does not have, stay open questions.
 */
#include "mapping/suggest_int.h"

#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void consider(lk_comp_guess *cg, long key, int score, lk_match_why why, const char *from)
{
    for (size_t i = 0; i < cg->ncand; i++) {
        if (cg->cand[i].key != key)
            continue;
        if (cg->cand[i].score >= score)
            return;
        /* a better reason for the same key: take it out, insert again below */
        memmove(&cg->cand[i], &cg->cand[i + 1], (cg->ncand - i - 1) * sizeof(lk_candidate));
        cg->ncand--;
        break;
    }
    size_t at = cg->ncand;
    while (at > 0 && cg->cand[at - 1].score < score)
        at--;
    if (at >= LK_MAX_CANDIDATES)
        return;
    size_t keep = cg->ncand < LK_MAX_CANDIDATES ? cg->ncand : LK_MAX_CANDIDATES - 1;
    memmove(&cg->cand[at + 1], &cg->cand[at], (keep - at) * sizeof(lk_candidate));
    lk_candidate *c = &cg->cand[at];
    memset(c, 0, sizeof *c);
    c->key = key;
    c->score = score;
    c->why = why;
    snprintf(c->from, sizeof c->from, "%s", from ? from : "");
    cg->ncand = keep + 1;
}

/* Words in common (Jaccard over the normalised words), 0..100. */
static int words_in_common(const char *a, const char *b)
{
    char x[256], y[256];
    snprintf(x, sizeof x, "%s", a);
    snprintf(y, sizeof y, "%s", b);
    size_t na = 0, nb = 0, both = 0;
    char *wa[32], *wb[32], *save;
    for (char *w = strtok_r(x, " ", &save); w && na < 32; w = strtok_r(NULL, " ", &save))
        wa[na++] = w;
    for (char *w = strtok_r(y, " ", &save); w && nb < 32; w = strtok_r(NULL, " ", &save))
        wb[nb++] = w;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (!strcmp(wa[i], wb[j])) {
                both++;
                break;
            }
    size_t all = na + nb - both;
    return all ? (int)(both * 100 / all) : 0;
}

/* One word of the name is a synonym of the group ("km" of "Reiskosten km"): never sure. */
static bool word_synonym(const lk_synonyms *syn, const char *norm, long group)
{
    char copy[256], *save;
    if (group < 0)
        return false;
    snprintf(copy, sizeof copy, "%s", norm);
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (strlen(w) > 1 && lk_synonym_group(syn, w) == group)
            return true;
    return false;
}

static bool whole_text(const char *t, long *v)
{
    char *end;
    while (*t == ' ')
        t++;
    if (!*t)
        return false;
    *v = strtol(t, &end, 10);
    while (*end == ' ')
        end++;
    return !*end && *v >= 1 && *v <= 99999;
}

/* "gewerkte minuten": minutes of a component counted in hours. */
static bool strip_minutes(char *norm)
{
    static const char *const words[] = { "min", "minuten", "minutes", "minuut", "mins", NULL };
    char out[256] = "", copy[256], *save;
    bool found = false;
    snprintf(copy, sizeof copy, "%s", norm);
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        bool minute = false;
        for (size_t i = 0; words[i]; i++)
            minute |= !strcmp(w, words[i]);
        if (minute) {
            found = true;
            continue;
        }
        if (*out)
            strncat(out, " ", sizeof out - strlen(out) - 1);
        strncat(out, w, sizeof out - strlen(out) - 1);
    }
    if (found) {
        /* "Minuten" alone are the hours worked, in minutes */
        char again[256];
        lk_norm_name(*out ? out : "uren", again, sizeof again);
        snprintf(norm, 256, "%s", again);
    }
    return found;
}

static void match(lk_comp_guess *cg, const lk_synonyms *syn, const lk_learned *learned,
                  const lk_catalog *catalog)
{
    char norm[256];
    long number;
    cg->ncand = 0;
    if (whole_text(cg->text, &number)) {
        if (!catalog)
            consider(cg, number, LK_SURE, LK_WHY_NUMBER_UNCHECKED, NULL);
        else if (lk_catalog_find(catalog, number))
            consider(cg, number, 99, LK_WHY_NUMBER, NULL);
        return;
    }
    lk_norm_name(cg->text, norm, sizeof norm);
    cg->minutes = strip_minutes(norm);
    if (!*norm)
        return;
    for (size_t i = 0; learned && i < learned->n; i++) {
        const lk_learned_item *it = &learned->items[i];
        if (it->key > 0 && !strcmp(it->norm, norm) &&
            (!catalog || lk_catalog_find(catalog, it->key)))
            consider(cg, it->key, 97, LK_WHY_LEARNED, it->from);
    }
    long group = lk_synonym_group(syn, norm);
    for (size_t i = 0; catalog && i < catalog->n; i++) {
        char dn[256];
        lk_norm_name(catalog->items[i].description, dn, sizeof dn);
        if (!*dn)
            continue;
        if (!strcmp(dn, norm)) {
            consider(cg, catalog->items[i].key, 96, LK_WHY_NAME, NULL);
        } else if (group >= 0 && lk_synonym_group(syn, dn) == group) {
            consider(cg, catalog->items[i].key, 93, LK_WHY_SYNONYM, NULL);
        } else {
            int score = words_in_common(norm, dn) * 8 / 10;
            size_t len = strlen(dn);
            if (len > 5 && lk_edit_distance(norm, dn) <= 2 && score < 85)
                score = 85;
            if (score < 60 && word_synonym(syn, norm, lk_synonym_group(syn, dn)))
                score = 60;
            if (score >= 30)
                consider(cg, catalog->items[i].key, score, LK_WHY_LIKE, NULL);
        }
    }
}

/* Decides from the candidates: sure only with one sure candidate. */
static void decide(lk_comp_guess *cg, const lk_catalog *catalog)
{
    if (cg->answered)
        return;
    cg->key = 0;
    cg->confidence = 0;
    cg->empty_unknown = !cg->values && (!cg->ncand || cg->cand[0].score < 60);
    if (cg->empty_unknown) {
        cg->confidence = 95;
        return;
    }
    if (!cg->ncand)
        return;
    const lk_candidate *best = &cg->cand[0];
    cg->key = best->key;
    cg->confidence = best->score;
    /* a second sure candidate for another component: both cannot be right */
    if (cg->ncand > 1 && cg->cand[1].score >= LK_SURE)
        cg->confidence = LK_SURE - 1 < best->score ? LK_SURE - 1 : best->score;
    const lk_catalog_item *it = lk_catalog_find(catalog, cg->key);
    cg->divide_by = cg->minutes && (!catalog || (it && it->hours)) ? 60 : 1;
}

void lk_suggest_components(lk_suggestion *g, const lk_synonyms *syn, const lk_learned *learned,
                           const lk_catalog *catalog)
{
    for (size_t i = 0; i < g->ncomps; i++) {
        lk_comp_guess *cg = &g->comps[i];
        if (cg->answered)
            continue;
        match(cg, syn, learned, catalog);
        decide(cg, catalog);
    }
    lk_check_totals(g);
}

size_t lk_suggest_count_open(lk_suggestion *g)
{
    bool mapped = false;
    for (size_t i = 0; i < g->ncomps; i++)
        mapped |= g->comps[i].key != 0;
    /* a mapping without a single component would not load, and would import nothing */
    if (!mapped)
        lk_suggestion_add_open(g, "novalues");
    size_t open = g->nopen;
    for (size_t i = 0; i < g->ncomps; i++) {
        lk_comp_guess *cg = &g->comps[i];
        cg->also_col = -1;
        for (size_t j = 0; j < g->ncomps && cg->key; j++)
            if (j != i && g->comps[j].key == cg->key)
                cg->also_col = (long)j;
        if (cg->empty_unknown)
            cg->open = false;
        else if (cg->answered)
            cg->open = cg->key && cg->negatives && !cg->allow_negative;
        else
            cg->open = !cg->key || cg->confidence < LK_SURE || cg->also_col >= 0 ||
                       (cg->negatives && !cg->allow_negative);
        open += cg->open;
    }
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_guess *col = &g->cols[c];
        if (col->role != LK_ROLE_COMPONENT && col->confidence < LK_SURE)
            open++;
    }
    return open;
}
