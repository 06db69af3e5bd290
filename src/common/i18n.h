/*
 * i18n.h: the language people read loket-import in (Dutch or English), through GNU gettext.
 *
 * Text a person reads is written as _("English text") and translated from the catalog
 * po/nl.po (compiled to loket-import.mo); text a machine reads (JSON, log keys, the journal)
 * is written without _() and never changes with the language. N_() marks text that is
 * translated later, where it is used (tables of labels). Plurals go through ngettext().
 *
 * The language comes from --lang, else from the environment as gettext reads it (LANGUAGE,
 * unless the locale is C; then LC_ALL, LC_MESSAGES, LANG). It needs no Dutch system locale:
 * only LC_MESSAGES is set, so numbers printed with printf and parsed with strtod keep the
 * C library's decimal point; lk_localefmt.h formats numbers and dates for people.
 */
#ifndef LK_I18N_H
#define LK_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define LK_TEXT_DOMAIN "loket-import"

#define _(s) gettext(s)
#define N_(s) (s)

typedef enum lk_lang {
    LK_LANG_EN = 0,
    LK_LANG_NL
} lk_lang;

/* "nl", "nl_NL.UTF-8", "nl-BE", "dutch", "en", "en_GB", "C" ...: true with *out set. */
bool lk_lang_parse(const char *text, lk_lang *out);
/* The language the environment asks for (see above); English when it names neither. */
lk_lang lk_lang_from_env(void);
/*
 * Sets the language of this process: gettext's catalog folder (localedir; NULL: found next to
 * the program, see lk_i18n_localedir) and LC_MESSAGES. Call once, before any text is printed.
 */
void lk_i18n_init(lk_lang lang, const char *localedir);
/* The language set by lk_i18n_init (English before). */
lk_lang lk_lang_current(void);
/*
 * Where the catalogs are: LOKET_LOCALEDIR when set, else BINDIR/locale (the build tree:
 * build/loket-import beside build/locale), else BINDIR/../share/locale (an installed prefix).
 * buf >= 4096 bytes; NULL when none of them holds a catalog.
 */
const char *lk_i18n_localedir(char *buf, unsigned size);
/*
 * Takes --lang out of argv (before a "--"): "--lang nl", "--lang=nl". Returns 1 and sets *lang
 * when given, 0 when not, -1 for a missing value (*bad NULL) or one that is no language (*bad
 * points at it); the caller words the error, in the language already chosen. argc is updated.
 */
int lk_lang_option(int *argc, char **argv, lk_lang *lang, const char **bad);

/*
 * What a program's main() calls first: takes --lang out of argv, sets the language from it or
 * from the environment (lk_i18n_init). False after printing an error for a bad --lang.
 */
bool lk_i18n_setup(int *argc, char **argv);

#endif
