/*
 * sim.h (tests): start and drive loket-sim from CUnit tests. Each test starts its own simulator
 * on a free port (--port 0), so test programs can run in parallel.
 *
 *   lk_sim sim;
 *   const char *args[] = { "--token-ttl", "2", NULL };
 *   CU_ASSERT_EQUAL_FATAL(lk_sim_start(&sim, args), 0);
 *   char *token = lk_sim_token(&sim);
 *   ... sim.url is "http://127.0.0.1:PORT/v2", sim.root "http://127.0.0.1:PORT" ...
 *   lk_sim_stop(&sim);
 */
#ifndef LK_TEST_SIM_H
#define LK_TEST_SIM_H

#include <sys/types.h>

typedef struct lk_sim {
    pid_t pid;
    char url[128];  /* API base: http://127.0.0.1:PORT/v2 */
    char root[128]; /* http://127.0.0.1:PORT (token URL: root + "/token") */
    char refresh[128];
    char client_id[128];
    char client_secret[128];
} lk_sim;

/* The fixture the simulator loads: $LOKET_FIXTURE or samples/loket-fixture.json. */
const char *lk_sim_fixture(void);
/* Starts lk_test_build_dir()/loket-sim with extra arguments (NULL-terminated list, or NULL).
 * 0 on success; on failure prints why and returns -1. */
int lk_sim_start(lk_sim *s, const char *const *extra_args);
void lk_sim_stop(lk_sim *s);
/* GET /__sim/state as JSON text (malloc'd), NULL on failure. */
char *lk_sim_state(const lk_sim *s);
/* POST /__sim/reset; 0 on success. */
int lk_sim_reset(lk_sim *s);
/* A fresh access token through the refresh_token grant (the rotated refresh token is kept). */
char *lk_sim_token(lk_sim *s);
/* One HTTP call: path relative to the API base ("/user") or absolute ("http://..."). version
 * NULL = no Accept header; token NULL = no Authorization; body NULL = none (sent as
 * application/json;version=<version>). Returns the status (-1 on transport failure); *out gets
 * the body (malloc'd) when out is not NULL. */
int lk_sim_call(const lk_sim *s, const char *method, const char *path, const char *version, const char *token,
                const char *body, char **out);

#endif
