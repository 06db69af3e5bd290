/*
 * watch.c: 'loket-import watch DIR': drop-folder processing (src/watch/). This file only reads
 * the command line and the folder config; docs/watch.md is the operations guide.
 */
#include "cmd/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/util.h"
#include "watch/watch.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
    N_("usage: loket-import watch DIR [--once] [--folder-config FILE] [--settle SECONDS]\n"
    "                          [--rescan SECONDS] [--log-priority] [common options]\n"
    "   or: loket-import watch DIR --forget SHA256|FILE-NAME\n"
    "   or: loket-import watch status DIR [--json]\n"
    "\n"
    "Imports every file dropped in DIR/inbox/ once, with the rule of DIR/loket-watch.json that\n"
    "matches its name, and files it in done/ or failed/ with its report in reports/; a file in\n"
    "failed/ gets NAME.error.txt with the cause. A transient failure (no connection, Loket\n"
    "answering 5xx/429, maintenance) keeps the file in processing/ and it is tried again after\n"
    "\"retry_seconds\" (default 1, 5, 15, 30, then every 60 minutes) for at most\n"
    "\"retry_max_age_seconds\" (a day). \"onFailure\"/\"onSuccess\" in the folder config run a\n"
    "command with LOKET_WATCH_FILE, _OUTCOME, _CAUSE, _REPORT, ... in its environment.\n"
    "\n"
    "  --once                 process what is in the inbox (and resume interrupted files), exit\n"
    "  --folder-config FILE   the folder config (default DIR/loket-watch.json)\n"
    "  --settle SECONDS       how long a file must stay unchanged before it is taken\n"
    "  --rescan SECONDS       rescan interval besides inotify\n"
    "  --log-priority         prefix log lines with <N> syslog priorities (journald; the\n"
    "                         default when stderr is the journal)\n"
    "  --forget SHA|NAME      let content already imported (or superseded) be imported again\n"
    "  status DIR [--json]    what the folder is doing: the login, the inbox, each file in\n"
    "                         processing/ (waiting and why, held behind which file), failures\n"
    "Common options passed to every import: --config F, --api-url U, --token-url U, --cacert F,\n"
    "  --concurrency N\n"
    "\n"
    "Exit codes (--once): 0 every file done (or waiting to be retried), 1 some file went to\n"
    "failed/ (so systemd's OnFailure= fires), 3 the folder or its config cannot be used (or its\n"
    "registry, see the log), 5 stopped by a signal (interrupted files resume on the next run).\n");

enum {
    OPT_FOLDER_CONFIG = 256,
    OPT_SETTLE,
    OPT_RESCAN,
    OPT_LOG_PRIORITY,
    OPT_FORGET,
    OPT_JSON,
    OPT_PASS, /* common options: passed on to each import unchanged */
};

static const struct option watch_options[] = {
    { "once", no_argument, NULL, 'o' },
    { "folder-config", required_argument, NULL, OPT_FOLDER_CONFIG },
    { "settle", required_argument, NULL, OPT_SETTLE },
    { "rescan", required_argument, NULL, OPT_RESCAN },
    { "log-priority", no_argument, NULL, OPT_LOG_PRIORITY },
    { "forget", required_argument, NULL, OPT_FORGET },
    { "json", no_argument, NULL, OPT_JSON },
    { "config", required_argument, NULL, OPT_PASS },
    { "api-url", required_argument, NULL, OPT_PASS },
    { "token-url", required_argument, NULL, OPT_PASS },
    { "cacert", required_argument, NULL, OPT_PASS },
    { "concurrency", required_argument, NULL, OPT_PASS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr goes to the journal: then the priority
 * prefixes are wanted without being asked for. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static int parse_seconds(const char *s, const char *opt, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0 || v > 86400) {
        lk_errorf(_("%s: \"%s\" is not a number of seconds (0 to 86400)"), opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_watch(int argc, char **argv)
{
    lk_watch_options opts;
    lk_watch_config *cfg = NULL;
    const char *folder_config = NULL, *forget = NULL;
    char *default_config = NULL;
    double settle = -1, rescan = -1;
    char **pass = xcalloc((size_t)argc * 2 + 1, sizeof(char *));
    size_t n_pass = 0;
    lk_error err;
    int c, index, rc, json = 0;
    memset(&opts, 0, sizeof opts);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", watch_options, &index)) != -1) {
        switch (c) {
        case 'o':
            opts.once = 1;
            break;
        case OPT_FOLDER_CONFIG:
            folder_config = optarg;
            break;
        case OPT_SETTLE:
            if (parse_seconds(optarg, "--settle", &settle))
                goto usage_error;
            break;
        case OPT_RESCAN:
            if (parse_seconds(optarg, "--rescan", &rescan) || rescan < 0.1)
                goto usage_error;
            break;
        case OPT_LOG_PRIORITY:
            opts.log_priority = 1;
            break;
        case OPT_FORGET:
            forget = optarg;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_PASS: {
            size_t len = strlen(watch_options[index].name) + 3;
            char *flag = xmalloc(len);
            snprintf(flag, len, "--%s", watch_options[index].name);
            pass[n_pass++] = flag;
            pass[n_pass++] = xstrdup(optarg);
            break;
        }
        case 'h':
            fputs(_(usage_text), stdout);
            rc = LK_EXIT_OK;
            goto out;
        default:
            goto usage_error;
        }
    }
    if (optind == argc - 2 && !strcmp(argv[optind], "status")) {
        rc = lk_watch_status(argv[optind + 1], json);
        goto out;
    }
    if (optind != argc - 1) {
        lk_errorf(_("watch takes exactly one folder"));
        goto usage_error;
    }
    opts.dir = argv[optind];
    if (stderr_is_journal())
        opts.log_priority = 1;
    if (forget) {
        rc = lk_watch_forget(opts.dir, forget);
        goto out;
    }
    if (!folder_config) {
        size_t len = strlen(opts.dir) + sizeof("/loket-watch.json");
        default_config = xmalloc(len);
        snprintf(default_config, len, "%s/loket-watch.json", opts.dir);
        folder_config = default_config;
    }
    lk_error_clear(&err);
    if (lk_watch_config_load(folder_config, &cfg, &err)) {
        lk_errorf("%s", err.message);
        rc = LK_EXIT_CONFIG;
        goto out;
    }
    if (settle >= 0)
        cfg->settle_seconds = settle;
    if (rescan >= 0)
        cfg->rescan_seconds = rescan;
    opts.cfg = cfg;
    /* For tests only: a stand-in for 'loket-import apply/plan' (see tests/e2e/watch/). */
    opts.importer = getenv("LOKET_WATCH_IMPORTER");
    if (opts.importer && !*opts.importer)
        opts.importer = NULL;
    opts.pass_args = pass;
    opts.n_pass_args = n_pass;
    rc = lk_watch_run(&opts);
    goto out;
usage_error:
    fputs(_(usage_text), stderr);
    rc = LK_EXIT_USAGE;
out:
    for (size_t i = 0; i < n_pass; i++)
        free(pass[i]);
    free(pass);
    free(default_config);
    lk_watch_config_free(cfg);
    return rc;
}
