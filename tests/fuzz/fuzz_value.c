/*
 * fuzz_value.c: libFuzzer target for the value parsers every payroll number goes through:
 * numbers in each decimal/thousands convention and format (number, duration, percent), machine
 * numbers as XLSX stores them, dates, periods, whole numbers and the evidence guesser. Absurd
 * input (1e308, NaN, 99999999999999, 1,2,3) must give a value or a message, never overflow.
 * The first byte picks the style and format; the rest is the cell text.
 */
#include "mapping/mapping.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const lk_number_style styles[] = {
        { ',', '.' }, { '.', ',' }, { ',', ' ' }, { '.', 0 }, { ',', 0 }, { '.', ' ' },
    };
    if (size < 1 || size > 4096)
        return 0;
    const lk_number_style *style = &styles[(data[0] & 7) % 6];
    lk_value_format format = (lk_value_format)((data[0] >> 3) % 3);
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;

    char msg[256], trimmed[256];
    lk_decimal v;
    long whole;
    int y, mo, d;
    lk_period_ref period;
    lk_cell cell;
    memset(&cell, 0, sizeof cell);
    cell.text = text;
    cell.len = strlen(text);
    /* bits 6-7: the cell as a CSV string, an XLSX number (its double from the text), a boolean
     * or an error cell */
    static const lk_cell_type types[] = { LK_CELL_STRING, LK_CELL_NUMBER, LK_CELL_BOOL,
                                          LK_CELL_ERROR };
    cell.type = types[data[0] >> 6];
    if (cell.type != LK_CELL_STRING)
        cell.number = strtod(text, NULL);

    lk_parse_number_text(text, format, style, &v, msg, sizeof msg);
    lk_parse_value(&cell, format, style, &v, msg, sizeof msg);
    lk_parse_machine_number(text, &v);
    lk_parse_date(&cell, &y, &mo, &d, msg, sizeof msg);
    lk_parse_period(text, &period);
    lk_parse_whole(&cell, 999999999, &whole, msg, sizeof msg);
    lk_number_evidence(text);
    lk_cell_trim(text, trimmed, sizeof trimmed);
    free(text);
    return 0;
}
