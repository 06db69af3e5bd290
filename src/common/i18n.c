/*
 * i18n.c: choosing the language and pointing gettext at its catalog (see i18n.h).
 */
#include "common/i18n.h"

#include "common/error.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static lk_lang current = LK_LANG_EN;

bool lk_lang_parse(const char *text, lk_lang *out)
{
    if (!text)
        return false;
    size_t n = strcspn(text, "_-.@");
    if ((n == 2 && !strncasecmp(text, "nl", 2)) || !strcasecmp(text, "dutch") ||
        !strcasecmp(text, "nederlands")) {
        *out = LK_LANG_NL;
        return true;
    }
    if ((n == 2 && !strncasecmp(text, "en", 2)) || !strcasecmp(text, "english") ||
        !strcmp(text, "C") || !strncmp(text, "C.", 2) || !strcmp(text, "POSIX")) {
        *out = LK_LANG_EN;
        return true;
    }
    return false;
}

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

lk_lang lk_lang_from_env(void)
{
    const char *locale = env_nonempty("LC_ALL");
    if (!locale)
        locale = env_nonempty("LC_MESSAGES");
    if (!locale)
        locale = env_nonempty("LANG");
    /* gettext ignores LANGUAGE in the C locale, so that scripts run there read English */
    bool c_locale = !locale || !strcmp(locale, "C") || !strcmp(locale, "POSIX");
    const char *language = env_nonempty("LANGUAGE");
    lk_lang lang;
    if (language && !c_locale) {
        /* a list in order of preference, "fr:nl:en": the first one we speak */
        char item[64];
        const char *p = language;
        while (*p) {
            size_t n = strcspn(p, ":");
            if (n < sizeof(item)) {
                memcpy(item, p, n);
                item[n] = '\0';
                if (lk_lang_parse(item, &lang))
                    return lang;
            }
            p += n;
            if (*p == ':')
                p++;
        }
    }
    if (locale && lk_lang_parse(locale, &lang))
        return lang;
    return LK_LANG_EN;
}

static bool has_catalog(const char *dir)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof(path), "%s/nl/LC_MESSAGES/%s.mo", dir, LK_TEXT_DOMAIN);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *lk_i18n_localedir(char *buf, unsigned size)
{
    const char *env = env_nonempty("LOKET_LOCALEDIR");
    if (env) {
        snprintf(buf, size, "%s", env);
        return buf;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    static const char *const below[] = { "/locale", "/../locale", "/../share/locale" };
    for (size_t i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
        snprintf(buf, size, "%s%s", exe, below[i]);
        if (has_catalog(buf))
            return buf;
    }
    return NULL;
}

void lk_i18n_init(lk_lang lang, const char *localedir)
{
    char dir[4096];
    if (!localedir)
        localedir = lk_i18n_localedir(dir, sizeof(dir));
    current = lang;
    if (lang == LK_LANG_EN) {
        /* the program's own words are English: no catalog, whatever the environment says */
        setlocale(LC_MESSAGES, "C");
        return;
    }
    /*
     * gettext reads LANGUAGE whenever LC_MESSAGES is not "C"; C.UTF-8 is built into the C
     * library, so Dutch works on a machine that has no nl_NL locale generated.
     */
    if (!setlocale(LC_MESSAGES, "C.UTF-8"))
        setlocale(LC_MESSAGES, "");
    setenv("LANGUAGE", "nl", 1);
    if (localedir)
        bindtextdomain(LK_TEXT_DOMAIN, localedir);
    bind_textdomain_codeset(LK_TEXT_DOMAIN, "UTF-8");
    textdomain(LK_TEXT_DOMAIN);
}

lk_lang lk_lang_current(void)
{
    return current;
}

bool lk_i18n_setup(int *argc, char **argv)
{
    lk_lang lang = LK_LANG_EN;
    const char *bad;
    int given = lk_lang_option(argc, argv, &lang, &bad);
    lk_i18n_init(given == 1 ? lang : lk_lang_from_env(), NULL);
    if (given < 0) {
        if (bad)
            lk_errorf(_("--lang: \"%s\" is not a language; use nl or en"), bad);
        else
            lk_errorf(_("--lang needs a language: nl or en"));
        return false;
    }
    return true;
}

int lk_lang_option(int *argc, char **argv, lk_lang *lang, const char **bad)
{
    *bad = NULL;
    int found = 0;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i], *value = NULL;
        int take = 0;
        if (!strcmp(a, "--"))
            break;
        if (!strcmp(a, "--lang")) {
            if (i + 1 >= *argc)
                return -1;
            value = argv[i + 1];
            take = 2;
        } else if (!strncmp(a, "--lang=", 7)) {
            value = a + 7;
            take = 1;
        } else {
            continue;
        }
        if (!lk_lang_parse(value, lang)) {
            *bad = value;
            return -1;
        }
        found = 1;
        memmove(&argv[i], &argv[i + take], (size_t)(*argc - i - take + 1) * sizeof(*argv));
        *argc -= take;
        i--;
    }
    return found;
}
