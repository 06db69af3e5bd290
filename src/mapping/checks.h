/*
 * checks.h: the plausibility checks' settings (a mapping's or the configuration's "checks"):
 * which signals are looked for, which of them stop apply, and their thresholds. The defaults
 * and why they are what they are: docs/mappings.md, "checks".
 */
#ifndef LK_CHECKS_H
#define LK_CHECKS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum lk_signal_kind {
    LK_SIGNAL_REPEAT = 0,       /* "repeat-of-previous": the file is an earlier period's again */
    LK_SIGNAL_OUTLIER,          /* "outlier": far from the employment's own median */
    LK_SIGNAL_OVER_CONTRACT,    /* "over-contract": more hours than the contract allows */
    LK_SIGNAL_NEW_COMPONENT,    /* "new-component": never had this component before */
    LK_SIGNAL_KIND_COUNT
} lk_signal_kind;

/* "repeat-of-previous", ...: the stable name (JSON, --accept-signals, "checks"). */
const char *lk_signal_kind_name(lk_signal_kind k);
bool lk_signal_kind_parse(const char *s, lk_signal_kind *out);

#define LK_CHECKS_MAX_COMPONENTS 32

typedef struct lk_checks {
    bool enabled[LK_SIGNAL_KIND_COUNT];   /* looked for */
    bool blocking[LK_SIGNAL_KIND_COUNT];  /* stops apply unless accepted */
    int history_periods;        /* earlier periods read (default 6) */
    int min_history;            /* values a median needs (default 3) */
    double outlier_factor;      /* >= this x the median, or <= 1/this (default 3) */
    double min_difference;      /* and at least this far from it (default 20) */
    int repeat_min;             /* repeat-of-previous: at least this many employments (5) */
    double repeat_share;        /* and more than this share of them (0.5) */
    double contract_margin;     /* over-contract: above contract hours x (1 + this) (0.15) */
    long contract_components[LK_CHECKS_MAX_COMPONENTS]; /* counted against the contract; */
    size_t ncontract_components;                        /* 0: category "Uren" */
} lk_checks;

/* The documented defaults. */
void lk_checks_default(lk_checks *c);
/*
 * Applies a "checks" object onto c (what it leaves out stays). On a bad key or value returns
 * false with the key's path below "checks" (e.g. "outlierFactor") in path and the reason in msg;
 * c may then be partly changed.
 */
bool lk_checks_apply_json(lk_checks *c, const cJSON *o, char *path, size_t pathlen, char *msg,
                          size_t msglen);

#endif
