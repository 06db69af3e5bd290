/*
 * status.c: 'loket-import watch status DIR': what the drop folder is doing, read from its
 * folders and state without changing anything: whether the login is refused, how many files
 * wait in inbox/, each file in processing/ (waiting after an outage and why, since when and the
 * next try; held behind which earlier file; being imported; interrupted), and the most recent
 * failures. For a person, or with --json for a machine.
 */
#include "watch/watch_internal.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECENT_FAILURES 5

static char *read_small(int dir_fd, const char *name, size_t max)
{
    char *buf;
    ssize_t r;
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    buf = xmalloc(max + 1);
    r = read(fd, buf, max);
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    return buf;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* True while a process holds the file's lock: its import is running. */
static int being_imported(int runs_fd, const char *hash)
{
    char name[48];
    int fd, busy;
    snprintf(name, sizeof name, "%s.lock", hash);
    fd = openat(runs_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return busy;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a folder but dotfiles, sorted. */
static char **names_in(int dir_fd, size_t *n)
{
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;
    char **v = NULL;
    size_t alloc = 0;
    *n = 0;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        lk_grow(&v, sizeof(char *), *n + 1, &alloc);
        v[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof(char *), cmp_names);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static cJSON *processing_json(int processing_fd, int runs_fd)
{
    cJSON *arr = cJSON_CreateArray();
    size_t n;
    char **names = names_in(processing_fd, &n);
    for (size_t i = 0; i < n; i++) {
        char hash[33], sname[48];
        char *text;
        cJSON *st, *o = cJSON_CreateObject();
        const char *state;
        lk_watch_name_hash(names[i], hash);
        snprintf(sname, sizeof sname, "%s.json", hash);
        text = read_small(runs_fd, sname, 64 * 1024);
        st = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (st && strcmp(str_of(st, "name"), names[i])) {
            cJSON_Delete(st);
            st = NULL;
        }
        cJSON_AddStringToObject(o, "name", names[i]);
        if (being_imported(runs_fd, hash))
            state = "importing";
        else if (st && *str_of(st, "held_behind"))
            state = "held";
        else if (st && num_of(st, "transient") > 0)
            state = "waiting";
        else
            state = "interrupted";
        cJSON_AddStringToObject(o, "state", state);
        if (st) {
            char when[24];
            cJSON_AddStringToObject(o, "run", str_of(st, "run"));
            cJSON_AddStringToObject(o, "taken", str_of(st, "started"));
            if (*str_of(st, "held_behind"))
                cJSON_AddStringToObject(o, "held_behind", str_of(st, "held_behind"));
            if (num_of(st, "transient") > 0) {
                cJSON_AddNumberToObject(o, "transient_failures", num_of(st, "transient"));
                cJSON_AddStringToObject(o, "waiting_since",
                                        lk_iso8601((long long)num_of(st, "first_transient"), when));
                cJSON_AddStringToObject(o, "next_try",
                                        lk_iso8601((long long)num_of(st, "next_attempt"), when));
                cJSON_AddStringToObject(o, "cause", str_of(st, "cause"));
            }
        }
        cJSON_AddItemToArray(arr, o);
        cJSON_Delete(st);
    }
    free_list(names, n);
    return arr;
}

typedef struct note {
    char *name;
    long long mtime;
} note;

static int cmp_notes(const void *a, const void *b)
{
    const note *x = a, *y = b;
    return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : strcmp(x->name, y->name);
}

/* The newest notes of failed/: "NAME went to failed/ as OUTCOME (TIME)." */
static cJSON *failures_json(int failed_fd)
{
    cJSON *arr = cJSON_CreateArray();
    size_t n, k = 0;
    char **names = names_in(failed_fd, &n);
    note *notes = xcalloc(n ? n : 1, sizeof *notes);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        size_t len = strlen(names[i]);
        if (len <= 10 || strcmp(names[i] + len - 10, ".error.txt") ||
            fstatat(failed_fd, names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        notes[k].name = names[i];
        notes[k++].mtime = (long long)sb.st_mtime;
    }
    qsort(notes, k, sizeof *notes, cmp_notes);
    for (size_t i = 0; i < k && i < RECENT_FAILURES; i++) {
        char *text = read_small(failed_fd, notes[i].name, 4096);
        cJSON *o = cJSON_CreateObject();
        const char *as = text ? strstr(text, " as ") : NULL;
        char outcome[64] = "", when[32] = "";
        if (as)
            sscanf(as, " as %63s (%31[^)])", outcome, when);
        {
            char name[NAME_MAX + 1];
            snprintf(name, sizeof name, "%.*s", (int)(strlen(notes[i].name) - 10), notes[i].name);
            cJSON_AddStringToObject(o, "name", name);
        }
        cJSON_AddStringToObject(o, "outcome", outcome);
        cJSON_AddStringToObject(o, "time", when);
        cJSON_AddItemToArray(arr, o);
        free(text);
    }
    free(notes);
    free_list(names, n);
    return arr;
}

/* The folder names of the layout, from the folder config when it can be read. */
static void layout_names(const char *dir, lk_watch_config **cfg_out)
{
    char *path = xmalloc(strlen(dir) + sizeof "/loket-watch.json");
    lk_error err;
    sprintf(path, "%s/loket-watch.json", dir);
    lk_error_clear(&err);
    if (lk_watch_config_load(path, cfg_out, &err) != LK_OK)
        *cfg_out = NULL;
    free(path);
}

static int inbox_count(int inbox_fd, const lk_watch_config *cfg)
{
    size_t n;
    int count = 0;
    char **names = names_in(inbox_fd, &n);
    for (size_t i = 0; i < n; i++)
        if (!lk_watch_name_ignored(names[i], cfg ? cfg->ignore : NULL, cfg ? cfg->n_ignore : 0))
            count++;
    free_list(names, n);
    return count;
}

static void print_human(const cJSON *doc)
{
    const cJSON *login = cJSON_GetObjectItemCaseSensitive(doc, "login"), *it;
    const cJSON *proc = cJSON_GetObjectItemCaseSensitive(doc, "processing");
    const cJSON *fails = cJSON_GetObjectItemCaseSensitive(doc, "recent_failures");
    int inbox = (int)num_of(doc, "inbox");
    printf(_("Drop folder %s\n"), str_of(doc, "dir"));
    if (!strcmp(str_of(login, "state"), "refused"))
        printf(_("Login:      REFUSED since %s: %s\n"
                 "            sign in again (loket-import auth); no file is taken until then\n"),
               str_of(login, "since"), str_of(login, "cause"));
    else
        printf(_("Login:      no refusal seen\n"));
    printf(ngettext("Inbox:      %d file to be taken\n", "Inbox:      %d files to be taken\n",
                    (unsigned long)inbox),
           inbox);
    if (!cJSON_GetArraySize(proc))
        printf(_("Processing: nothing\n"));
    else
        printf(_("Processing:\n"));
    cJSON_ArrayForEach(it, proc) {
        const char *state = str_of(it, "state");
        printf("  %s: ", str_of(it, "name"));
        if (!strcmp(state, "importing"))
            printf(_("being imported now\n"));
        else if (!strcmp(state, "held"))
            printf(_("held behind %s (taken earlier, same employees and periods)\n"),
                   str_of(it, "held_behind"));
        else if (!strcmp(state, "waiting"))
            printf(_("waiting since %s (%d failed tries), next try %s: %s\n"),
                   str_of(it, "waiting_since"), (int)num_of(it, "transient_failures"),
                   str_of(it, "next_try"), str_of(it, "cause"));
        else
            printf(_("interrupted; resumed by the next run of the watcher\n"));
    }
    if (cJSON_GetArraySize(fails)) {
        printf(_("Recent failures (failed/):\n"));
        cJSON_ArrayForEach(it, fails)
            printf("  %s: %s (%s)\n", str_of(it, "name"), str_of(it, "outcome"),
                   str_of(it, "time"));
    }
}

int lk_watch_status(const char *dir, int json)
{
    char *root = realpath(dir, NULL);
    lk_watch_config *cfg = NULL;
    int root_fd, state_fd, runs_fd, inbox_fd, processing_fd, failed_fd;
    cJSON *doc, *login;
    char *text;
    if (!root) {
        lk_errorf("%s: %s", dir, strerror(errno));
        return LK_EXIT_CONFIG;
    }
    layout_names(root, &cfg);
    root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    state_fd = root_fd >= 0 ? lk_watch_open_subdir(root_fd, ".loket-watch", 0) : -1;
    if (state_fd < 0) {
        lk_errorf(_("%s is not a drop folder the watcher has used (no .loket-watch/)"), root);
        if (root_fd >= 0)
            close(root_fd);
        lk_watch_config_free(cfg);
        free(root);
        return LK_EXIT_CONFIG;
    }
    runs_fd = lk_watch_open_subdir(state_fd, "runs", 0);
    inbox_fd = lk_watch_open_subdir(root_fd, cfg ? cfg->inbox : "inbox", 0);
    processing_fd = lk_watch_open_subdir(root_fd, cfg ? cfg->processing : "processing", 0);
    failed_fd = lk_watch_open_subdir(root_fd, cfg ? cfg->failed : "failed", 0);
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "dir", root);
    login = cJSON_AddObjectToObject(doc, "login");
    text = read_small(state_fd, "login-refused.json", 8192);
    if (text) {
        cJSON *m = cJSON_Parse(text);
        cJSON_AddStringToObject(login, "state", "refused");
        cJSON_AddStringToObject(login, "since", str_of(m, "since"));
        cJSON_AddStringToObject(login, "cause", str_of(m, "cause"));
        cJSON_AddStringToObject(login, "file", str_of(m, "file"));
        cJSON_Delete(m);
        free(text);
    } else {
        cJSON_AddStringToObject(login, "state", "ok");
    }
    cJSON_AddNumberToObject(doc, "inbox", inbox_fd >= 0 ? inbox_count(inbox_fd, cfg) : 0);
    cJSON_AddItemToObject(doc, "processing",
                          processing_fd >= 0 && runs_fd >= 0 ? processing_json(processing_fd, runs_fd)
                                                             : cJSON_CreateArray());
    cJSON_AddItemToObject(doc, "recent_failures",
                          failed_fd >= 0 ? failures_json(failed_fd) : cJSON_CreateArray());
    if (json) {
        char *out = cJSON_Print(doc);
        puts(out);
        free(out);
    } else {
        print_human(doc);
    }
    cJSON_Delete(doc);
    for (int *fd = (int[]){ root_fd, state_fd, runs_fd, inbox_fd, processing_fd, failed_fd, -2 };
         *fd != -2; fd++)
        if (*fd >= 0)
            close(*fd);
    lk_watch_config_free(cfg);
    free(root);
    return LK_EXIT_OK;
}
