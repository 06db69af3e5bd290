/*
 * fuzz_sim_request.c: libFuzzer target for loket-sim's request handling: whatever a client sends
 * must be answered (never a crash, leak or undefined behaviour). The first byte picks the
 * endpoint (the payroll period data writes, the collective PATCH, a list with the rest as
 * `filter` or `orderBy`, /token with the rest as the form's refresh token); the rest is the body.
 * The simulator is created once and reset every 512 inputs so its records stay few. Its fixture
 * is $LOKET_FIXTURE, else samples/loket-fixture.json of the repository the binary was built in
 * (found from the binary's own place, build-fuzz/..), so it runs from any working folder.
 */
#include "sim/internal.h"

#include "common/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixture beside the binary's build folder: BUILD/fuzz_sim_request -> BUILD/../samples/. */
static const char *fixture_path(void)
{
    static char path[4096];
    char exe[4096];
    ssize_t n;
    if (getenv("LOKET_FIXTURE"))
        return getenv("LOKET_FIXTURE");
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/../samples/loket-fixture.json", exe);
            if (access(path, R_OK) == 0)
                return path;
        }
    }
    return "samples/loket-fixture.json";
}

static sim *fuzz_sim(void)
{
    static sim *s; /* one simulator for the whole run: creating it per input would dominate */
    if (!s) {
        sim_config cfg;
        char err[256];
        sim_config_defaults(&cfg);
        cfg.fixture_path = fixture_path();
        s = sim_new(&cfg, err, sizeof err);
        if (!s) {
            fprintf(stderr, "fuzz_sim_request: %s\n", err);
            abort();
        }
    }
    return s;
}

static void issue_token(sim *s, char *out, size_t size)
{
    sim_access_token *t;
    lk_grow(&s->auth->access, sizeof *s->auth->access, s->auth->naccess + 1, &s->auth->access_alloc);
    t = &s->auth->access[s->auth->naccess++];
    memset(t, 0, sizeof *t);
    snprintf(t->value, sizeof t->value, "sim-at-fuzz");
    t->expires_at = 1e18;
    snprintf(out, size, "Bearer %s", t->value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned long runs;
    sim *s = fuzz_sim();
    sim_request req;
    sim_response resp;
    sim_kv kv[2];
    char auth[64], path[256], *text;
    const sim_store *st;
    if (size < 1)
        return 0;
    if (runs++ % 512 == 0) {
        char err[256];
        if (!sim_load_world(s, err, sizeof err))
            abort();
    }
    st = s->store;
    issue_token(s, auth, sizeof auth);
    text = xstrndup((const char *)data + 1, size - 1);
    memset(&req, 0, sizeof req);
    req.authorization = auth;
    req.accept = "application/json;version=2019-12-16";
    req.content_type = "application/json;version=2018-01-01";
    req.body = (const char *)data + 1;
    req.body_len = size - 1;
    switch (data[0] % 8) {
    case 0:
    case 1:
        req.method = data[0] % 8 ? "POST" : "PATCH";
        snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
                 st->employments[data[0] / 8 % st->nemployments].id);
        break;
    case 2:
        req.method = "PUT";
        snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/payrollperioddata/%s",
                 st->nrecords ? st->records[data[0] / 8 % st->nrecords]->id : "x");
        break;
    case 3:
        req.method = "PATCH";
        snprintf(path, sizeof path, "/v2/providers/employers/%s/payrollperioddata", st->employers[0].id);
        break;
    case 4:
    case 5:
        req.method = "GET";
        snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments", st->employers[0].id);
        kv[0].key = data[0] % 8 == 4 ? "filter" : "orderBy";
        kv[0].value = text;
        req.query = kv;
        req.nquery = 1;
        req.body = NULL;
        req.body_len = 0;
        break;
    case 6:
        req.method = "GET";
        snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/payrollperioddata",
                 st->admins[0].id);
        kv[0].key = "payslipType";
        kv[0].value = "1";
        kv[1].key = data[0] & 8 ? "payrollComponentSet" : "payrollComponentCategory";
        kv[1].value = text;
        req.query = kv;
        req.nquery = 2;
        break;
    default:
        req.method = "POST";
        snprintf(path, sizeof path, "/token");
        kv[0].key = "grant_type";
        kv[0].value = "refresh_token";
        kv[1].key = "refresh_token";
        kv[1].value = text;
        req.form = kv;
        req.nform = 2;
        req.content_type = "application/x-www-form-urlencoded";
        req.authorization = NULL;
        break;
    }
    req.path = path;
    sim_handle(s, &req, &resp);
    if (resp.status < 200 || resp.status > 599 || (!resp.body && !resp.drop))
        abort();
    sim_response_clear(&resp);
    free(text);
    return 0;
}
