/*
 * fuzz_mapping.c: libFuzzer target for the mapping loader. Any bytes as a mapping file must load
 * or give an error naming the key, never crash, leak or hang. A mapping that loads is then applied
 * to a small fixed CSV with the period 2026-11, so every combination of keys the loader accepts
 * is also exercised by the aggregator (the loader promises a loaded mapping needs no more checks).
 */
#include "mapping/aggregate.h"
#include "mapping/mapping.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample_csv[] =
    "Personeelsnr;Dienstverband;Naam;Uren gewerkt;Overuren 125%;Reiskm;Datum;Periode;Code;Waarde\n"
    "1001;1;Jos\xc3\xa9 Jansen;166;1,75;160;02-11-2026;2026-11;10;7,5\n"
    "1007;2;Piet;8:30;;12;2026-11-03;2026-P11;OVER;1.234,50\n"
    "1002;1;Totaal;;;;;;;\n"
    "x;;=HYPERLINK(\"x\");1e308;-0;NaN;31-02-2026;2026-13;99;1,2,3\n"
    "1003;1;Ann;;;;;;;\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_mapping *m = NULL;
    lk_error err;
    lk_error_clear(&err);
    if (lk_mapping_parse("fuzz-mapping.json", (const char *)data, size, &m, &err) != LK_OK) {
        char buf[900];
        lk_error_format(&err, buf, sizeof buf);
        return 0;
    }
    int fd = memfd_create("fuzz-csv", MFD_CLOEXEC);
    if (fd >= 0 && write(fd, sample_csv, sizeof sample_csv - 1) == (ssize_t)(sizeof sample_csv - 1)) {
        char path[64];
        lk_period_ref period;
        lk_entry_set set;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        lk_parse_period("2026-11", &period);
        lk_entry_set_init(&set);
        lk_aggregator *a = lk_aggregator_new(m, &period, &set, &err);
        if (a) {
            lk_aggregator_add_file(a, path, &err);
            lk_aggregator_finish(a);
            lk_aggregator_free(a);
        }
        lk_entry_set_free(&set);
    }
    if (fd >= 0)
        close(fd);
    lk_mapping_free(m);
    return 0;
}
