/*
 * config.h: the importer's connection settings, from a JSON file, the environment and the
 * command line (in that order, later ones winning).
 *
 * The file lives at $XDG_CONFIG_HOME/loket-import/config.json (or ~/.config/loket-import/...)
 * unless --config names another. It says which Loket environment to talk to (acceptance,
 * production, or custom URLs such as loket-sim's), the OAuth client, where tokens are kept,
 * and how hard to push (concurrency, retries, timeouts). docs/configuration.md lists every key.
 * The client secret may come from a file instead (clientSecretFile, LOKET_CLIENT_SECRET_FILE,
 * or the systemd credential loket-client-secret in $CREDENTIALS_DIRECTORY) or from
 * LOKET_CLIENT_SECRET; never from the command line, and it is never printed.
 * Under systemd, $CONFIGURATION_DIRECTORY and $STATE_DIRECTORY (ConfigurationDirectory=,
 * StateDirectory=) give the default config file and token store.
 */
#ifndef LK_CONFIG_H
#define LK_CONFIG_H

#include "common/error.h"

#include <stdbool.h>

/* Resources with their own pinned Accept version date (see API-NOTES "Environments and auth"). */
typedef enum lk_resource {
    LK_RES_USER = 0,
    LK_RES_EMPLOYERS,
    LK_RES_ADMINISTRATIONS,
    LK_RES_EMPLOYMENTS,
    LK_RES_PERIODS,
    LK_RES_COMPONENTS,
    LK_RES_PERIOD_DATA,
    LK_RES_COUNT
} lk_resource;

/* The config key of a resource under "versions" ("employments", "payrollPeriodData", ...). */
const char *lk_resource_name(lk_resource r);

typedef struct lk_config {
    char *path;               /* the file read; NULL when none existed */
    char *environment;        /* "acceptance", "production" or "custom" */
    char *api_url;            /* base URL without trailing slash, e.g. https://api.loket.nl/v2 */
    char *token_url;          /* OAuth token endpoint */
    char *client_id;
    char *client_secret;      /* secret: never print; may be NULL */
    char *client_secret_file; /* "clientSecretFile": where the secret was read from, or NULL */
    char *token_store;        /* path of the token store file */
    char *runs_dir;           /* the audit trail's run folders; NULL = beside the token store */
    char *employer;           /* default employer (id, number or name); may be NULL */
    char *cacert;             /* private CA bundle; NULL = system store */
    int concurrency;          /* requests in flight (default 8) */
    int page_size;            /* pageSize of every list request (default 250) */
    long max_pages_per_list;  /* a list claiming more pages is refused (default 400) */
    int pages_in_flight;      /* page requests of one list in flight at once (default 4) */
    int max_attempts;         /* attempts per request including the first (default 5) */
    long retry_base_ms;       /* first backoff delay (default 500) */
    long retry_max_ms;        /* backoff ceiling (default 30000) */
    long retry_after_max_s;   /* longest Retry-After honoured (default 300) */
    long connect_timeout_ms;  /* default 10000 */
    long timeout_ms;          /* one attempt, default 120000 */
    long low_speed_s;         /* an attempt that carries nothing this long fails (default 30) */
    long request_deadline_ms; /* one request with all its retries and waits (default 300000) */
    long refresh_margin_s;    /* refresh this long before the access token expires (default 60) */
    char versions[LK_RES_COUNT][11]; /* Accept version date per resource, YYYY-MM-DD */
    struct cJSON *checks;     /* "checks": plausibility thresholds (mapping/checks.h checks them,
                               * a mapping's own "checks" win); NULL = none */
} lk_config;

/* Command-line overrides; NULL / 0 fields leave the configuration alone. */
typedef struct lk_config_overrides {
    const char *config_path;  /* --config: must exist when given */
    const char *api_url;      /* --api-url */
    const char *token_url;    /* --token-url */
    const char *employer;     /* --employer */
    const char *cacert;       /* --cacert */
    int concurrency;          /* --concurrency */
} lk_config_overrides;

/* The default config file path ($CONFIGURATION_DIRECTORY/config.json under systemd, else XDG
 * rules); caller frees. */
char *lk_config_default_path(void);
/* The default token store path ($STATE_DIRECTORY/tokens.json under systemd, else
 * $XDG_STATE_HOME/loket-import/tokens.json); caller frees. */
char *lk_config_default_token_store(void);
/* The folder of the program's own state: $STATE_DIRECTORY under systemd (StateDirectory=),
 * else $XDG_STATE_HOME/loket-import or ~/.local/state/loket-import; caller frees. */
char *lk_config_state_dir(void);

/*
 * Loads defaults, then the file (the default path when ov->config_path is NULL; a missing
 * default file is fine), then the secret's other sources (the credential, LOKET_CLIENT_SECRET_FILE,
 * LOKET_CLIENT_SECRET: the last one set wins), then the overrides; validates the result
 * (URLs: https, or http to a loopback host only). On error *out is NULL and err says why,
 * naming the file and key.
 */
lk_code lk_config_load(const lk_config_overrides *ov, lk_config **out, lk_error *err);
/* Parses a config from JSON text (no file, no environment); for tests and the loader. */
lk_code lk_config_parse(const char *json, const char *origin, lk_config *cfg, lk_error *err);
/* A config holding only the defaults. */
lk_config *lk_config_new_defaults(void);
/* Checks URLs and ranges; called by lk_config_load. */
lk_code lk_config_validate(const lk_config *cfg, lk_error *err);
void lk_config_free(lk_config *cfg);

/*
 * URL policy: https always; http only when the host is loopback (127.0.0.0/8, ::1, localhost).
 * `what` names the setting in the error ("apiUrl").
 */
lk_code lk_url_check(const char *url, const char *what, lk_error *err);
bool lk_host_is_loopback(const char *host);

#endif
