/*
 * fuzz_watch_config.c: libFuzzer target for the drop folder's config (loket-watch.json) and
 * rule matching: any bytes give a config or a clear error, never a crash or leak; every file
 * name the fuzzer makes up goes through the name filters and the rules without trouble.
 */
#include "watch/watch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *name;
    lk_watch_config *cfg = lk_watch_config_new();
    lk_error err;
    size_t cut;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* the part after the first NUL (if any) is a file name to classify */
    cut = strlen(text);
    name = cut < size ? text + cut + 1 : "uren.csv";
    lk_error_clear(&err);
    if (lk_watch_config_parse(cfg, text, "/etc/loket", "fuzz.json", &err) == LK_OK) {
        char safe[64];
        lk_watch_rule_find(cfg, name);
        lk_watch_name_ignored(name, cfg->ignore, cfg->n_ignore);
        lk_watch_name_unsafe(name);
        lk_watch_name_sanitize(name, safe, sizeof safe);
    }
    lk_watch_config_free(cfg);
    free(text);
    return 0;
}
