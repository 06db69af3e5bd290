/*
 * fuzz_suggest.c: libFuzzer target for the mapping assistant (mapping/suggest.h): any bytes as
 * an export must give a suggestion or a clear error, never a crash, leak or hang; and whenever
 * the assistant has no open question, the mapping it writes must load (a mapping written with
 * --yes that the loader refuses would be a bug of the writer).
 */
#include "mapping/suggest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static lk_synonyms *syn;
static lk_catalog *catalog;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_error err;
    lk_error_clear(&err);
    if (!syn) {
        /* run from the top folder, as scripts/run-tests.sh does */
        if (lk_synonyms_load("data/synonyms-nl.json", &syn, &err) != LK_OK)
            abort();
        catalog = lk_catalog_new("fuzz");
        static const char *const names[] = { "Uren gewerkt", "Overuren 125%", "Overuren 150%",
                                             "Ziekte-uren", "Verlofuren", "Reiskm",
                                             "Reiskostenverg", "Onkostenverg", "Bonus" };
        static const long keys[] = { 10, 11, 12, 13, 14, 20, 21, 22, 30 };
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            lk_catalog_add(catalog, keys[i], names[i], i < 5 ? "Uren" : NULL, i >= 6);
    }
    int fd = memfd_create("fuzz-export", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    lk_sample *s = NULL;
    if (lk_sample_read(path, NULL, &s, &err) == LK_OK) {
        lk_suggestion *g = lk_suggest_shape(s, syn, NULL);
        g->employer = strdup("40101");
        lk_suggest_components(g, syn, NULL, catalog);
        if (lk_suggest_count_open(g) == 0) {
            char *text = lk_suggest_write(g, catalog, "fuzz", "fuzz");
            lk_mapping *m = NULL;
            if (lk_mapping_parse("fuzz.json", text, strlen(text), &m, &err) != LK_OK) {
                fprintf(stderr, "written mapping does not load: %s\n%s\n", err.message, text);
                abort();
            }
            lk_mapping_free(m);
            free(text);
        }
        lk_suggestion_free(g);
        lk_sample_free(s);
    }
    close(fd);
    return 0;
}
