/*
 * fuzz_mapping.c: libFuzzer target for the mapping loader, and for the value parsers that read
 * what a mapping points at. Any input must give a mapping or a clean error, never a crash, and a
 * loaded mapping must be usable by the aggregator on a few rows built from the same bytes.
 */
#include "mapping/aggregate.h"
#include "mapping/mapping.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void exercise_values(const char *text)
{
    static const lk_number_style styles[] = { { ',', '.' }, { '.', ',' }, { ',', 0 }, { ',', ' ' } };
    char msg[400];
    lk_decimal v;
    for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
        for (int f = LK_FORMAT_NUMBER; f <= LK_FORMAT_PERCENT; f++)
            lk_parse_number_text(text, (lk_value_format)f, &styles[i], &v, msg, sizeof(msg));
    lk_parse_machine_number(text, &v);
    lk_number_evidence(text);
    lk_period_ref p;
    lk_parse_period(text, &p);
    lk_cell c = { LK_CELL_STRING, text, strlen(text), 0, 0, 0, 0, 0, 0, 0 };
    int y, m, d;
    long w;
    lk_parse_date(&c, &y, &m, &d, msg, sizeof(msg));
    lk_parse_whole(&c, 999999999, &w, msg, sizeof(msg));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    /* input: mapping JSON, then optionally "\n--\n" and rows of comma-separated cells */
    char *rows = strstr(text, "\n--\n");
    size_t json_len = size;
    if (rows) {
        json_len = (size_t)(rows - text);
        rows += 4;
    } else {
        rows = text + size;
    }
    lk_mapping *m = NULL;
    lk_error err;
    lk_error_clear(&err);
    if (lk_mapping_parse("fuzz.json", text, json_len, &m, &err) == LK_OK) {
        /* feed rows cut from the input through the loaded mapping */
        lk_entry_set set;
        lk_entry_set_init(&set);
        lk_aggregator *a = lk_aggregator_new(m, NULL, &set, &err);
        if (a) {
            lk_number_style st = { ',', '.' };
            lk_aggregator_begin_file(a, "fuzz.csv", &st);
            lk_cell cells[8];
            char *line = rows, *save = NULL;
            unsigned long row = 1;
            /* row numbers with gaps, so the row logs see runs and jumps */
            for (char *tok = strtok_r(line, "\n", &save); tok && row < 256;
                 row += 1 + (unsigned long)(tok[0] & 3), tok = strtok_r(NULL, "\n", &save)) {
                size_t n = 0;
                char *p = tok;
                while (n < 8) {
                    char *sep = strchr(p, ',');
                    if (sep)
                        *sep = '\0';
                    cells[n].type = *p ? LK_CELL_STRING : LK_CELL_EMPTY;
                    cells[n].text = p;
                    cells[n].len = strlen(p);
                    n++;
                    if (!sep)
                        break;
                    p = sep + 1;
                }
                lk_row r = { "fuzz.csv", NULL, row, n, cells, 0, 0, false };
                for (size_t i = 0; i < n; i++)
                    exercise_values(cells[i].text);
                lk_aggregator_add_row(a, &r);
            }
            lk_aggregator_end_file(a);
            lk_aggregator_free(a);
            /* every entry's row log gives back exactly the rows that fed it */
            for (size_t i = 0; i < set.nentries; i++) {
                lk_row_walk w;
                lk_row_span sp;
                unsigned long rows_walked = 0;
                lk_row_walk_init(&w, &set, &set.entries[i], 0);
                while (lk_row_walk_next(&w, &sp))
                    rows_walked += sp.last - sp.first + 1;
                if (rows_walked != set.entries[i].nrows)
                    abort();
            }
        }
        lk_entry_set_free(&set);
        lk_mapping_free(m);
    } else {
        exercise_values(text);
    }
    free(text);
    return 0;
}
