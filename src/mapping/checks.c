/*
 * checks.c: a "checks" object (mapping or configuration) -> lk_checks, every key and value
 * checked; the defaults and their reasons are in docs/mappings.md ("checks").
 */
#include "mapping/checks.h"

#include "common/i18n.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[LK_SIGNAL_KIND_COUNT] = {
    [LK_SIGNAL_REPEAT] = "repeat-of-previous",
    [LK_SIGNAL_OUTLIER] = "outlier",
    [LK_SIGNAL_OVER_CONTRACT] = "over-contract",
    [LK_SIGNAL_NEW_COMPONENT] = "new-component",
};

const char *lk_signal_kind_name(lk_signal_kind k)
{
    return (unsigned)k < LK_SIGNAL_KIND_COUNT ? kind_names[k] : "?";
}

bool lk_signal_kind_parse(const char *s, lk_signal_kind *out)
{
    for (int k = 0; k < LK_SIGNAL_KIND_COUNT; k++)
        if (!strcmp(s, kind_names[k])) {
            *out = (lk_signal_kind)k;
            return true;
        }
    return false;
}

void lk_checks_default(lk_checks *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < LK_SIGNAL_KIND_COUNT; k++)
        c->enabled[k] = true;
    c->blocking[LK_SIGNAL_REPEAT] = true;
    c->blocking[LK_SIGNAL_OUTLIER] = true;
    c->blocking[LK_SIGNAL_OVER_CONTRACT] = true;
    c->history_periods = 6;
    c->min_history = 3;
    c->outlier_factor = 3.0;
    c->min_difference = 20.0;
    c->repeat_min = 5;
    c->repeat_share = 0.5;
    c->contract_margin = 0.15;
}

__attribute__((format(printf, 6, 7)))
static bool bad(char *path, size_t pathlen, const char *key, char *msg, size_t msglen,
                const char *fmt, ...)
{
    va_list ap;
    snprintf(path, pathlen, "%s", key);
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return false;
}

/* A number in [min, max]; whole when whole. */
static bool number_at(const cJSON *it, double min, double max, bool whole, double *out)
{
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < min ||
        it->valuedouble > max || (whole && it->valuedouble != floor(it->valuedouble)))
        return false;
    *out = it->valuedouble;
    return true;
}

/* ["outlier", ...] -> set[kind] = true for those listed, false for the others. */
static bool kinds_at(const cJSON *it, bool *set)
{
    bool seen[LK_SIGNAL_KIND_COUNT] = { false };
    const cJSON *k;
    if (!cJSON_IsArray(it))
        return false;
    cJSON_ArrayForEach(k, it) {
        lk_signal_kind kind;
        if (!cJSON_IsString(k) || !lk_signal_kind_parse(k->valuestring, &kind))
            return false;
        seen[kind] = true;
    }
    memcpy(set, seen, sizeof seen);
    return true;
}

bool lk_checks_apply_json(lk_checks *c, const cJSON *o, char *path, size_t pathlen, char *msg,
                          size_t msglen)
{
    static const char *const kinds_hint =
        "\"repeat-of-previous\", \"outlier\", \"over-contract\", \"new-component\"";
    const cJSON *it;
    double v;
    if (!cJSON_IsObject(o))
        return bad(path, pathlen, "", msg, msglen, "%s", _("expected an object"));
    for (it = o->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        for (const cJSON *d = o->child; d != it; d = d->next)
            if (d->string && !strcmp(d->string, k))
                return bad(path, pathlen, k, msg, msglen, "%s", _("key given twice"));
        if (!strcmp(k, "$comment")) {
            continue;
        } else if (!strcmp(k, "historyPeriods")) {
            if (!number_at(it, 3, 26, true, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a whole number of periods from 3 to 26"));
            c->history_periods = (int)v;
        } else if (!strcmp(k, "minHistory")) {
            if (!number_at(it, 2, 26, true, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a whole number of periods from 2 to 26"));
            c->min_history = (int)v;
        } else if (!strcmp(k, "outlierFactor")) {
            if (!number_at(it, 1.5, 1000, false, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a factor from 1.5 to 1000"));
            c->outlier_factor = v;
        } else if (!strcmp(k, "minDifference")) {
            if (!number_at(it, 0, 1e9, false, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a number of 0 or more"));
            c->min_difference = v;
        } else if (!strcmp(k, "repeatMinEmployments")) {
            if (!number_at(it, 1, 1e6, true, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a whole number of employments, 1 or more"));
            c->repeat_min = (int)v;
        } else if (!strcmp(k, "repeatShare")) {
            if (!number_at(it, 0, 0.99, false, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a share from 0 to 0.99 (0.5: more than half)"));
            c->repeat_share = v;
        } else if (!strcmp(k, "contractMargin")) {
            if (!number_at(it, 0, 10, false, &v))
                return bad(path, pathlen, k, msg, msglen, "%s",
                           _("expected a share from 0 to 10 (0.15: 15 percent above the contract)"));
            c->contract_margin = v;
        } else if (!strcmp(k, "contractComponents")) {
            const cJSON *e;
            size_t n = 0;
            if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) > LK_CHECKS_MAX_COMPONENTS)
                return bad(path, pathlen, k, msg, msglen, _("expected a list of at most %d "
                           "payroll component keys"), LK_CHECKS_MAX_COMPONENTS);
            cJSON_ArrayForEach(e, it) {
                if (!number_at(e, 1, 2147483647.0, true, &v))
                    return bad(path, pathlen, k, msg, msglen, "%s",
                               _("expected payroll component keys (whole numbers)"));
                c->contract_components[n++] = (long)v;
            }
            c->ncontract_components = n;
        } else if (!strcmp(k, "blocking")) {
            if (!kinds_at(it, c->blocking))
                return bad(path, pathlen, k, msg, msglen, _("expected a list of signal kinds: %s"),
                           kinds_hint);
        } else if (!strcmp(k, "off")) {
            bool off[LK_SIGNAL_KIND_COUNT];
            if (!kinds_at(it, off))
                return bad(path, pathlen, k, msg, msglen, _("expected a list of signal kinds: %s"),
                           kinds_hint);
            for (int i = 0; i < LK_SIGNAL_KIND_COUNT; i++)
                c->enabled[i] = !off[i];
        } else {
            return bad(path, pathlen, k, msg, msglen, "%s",
                       _("unknown key (known: historyPeriods, minHistory, outlierFactor, "
                       "minDifference, repeatMinEmployments, repeatShare, contractMargin, "
                       "contractComponents, blocking, off)"));
        }
    }
    if (c->min_history > c->history_periods)
        return bad(path, pathlen, "minHistory", msg, msglen, "%s",
                   _("more than historyPeriods: no median could ever be taken"));
    return true;
}
