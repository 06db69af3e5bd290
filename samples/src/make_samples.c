/*
 * make_samples.c: writes samples/uren-dagelijks-40201-2026-11.xlsx, the daily time entries of
 * Hoveniersbedrijf De Linde (weekly administration 40201) for November 2026, with
 * libxlsxwriter: real date cells, number cells, a second sheet, and the fixture's
 * formula-looking name of employee 2020 written as plain text.
 *
 * Deterministic (fixed document dates), so the committed file can be regenerated and compared:
 *   make -f Makefile samples        (mk/mapping.mk)
 * Prints the component totals the end-to-end tests assert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

static const char *const names[20] = {
    "Jansen, J.", "Vries, F. de", "Berg, S. van den", "Bakker, L.", "Dijk, T. van",
    "Visser, A.", "Smit, S.", "Meijer, A.", "Boer, L. de", "Mulder, S.", "Groot, J. de",
    "Bos, W.", "Vos, D.", "Peters, I.", "Hendriks, K.", "Leeuwen, M. van", "Dekker, B.",
    "Brouwer, Y.", "Wit, B. de", "=HYPERLINK(\"x\")"
};

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "samples/uren-dagelijks-40201-2026-11.xlsx";
    lxw_workbook_options opts = { .constant_memory = LXW_FALSE, .tmpdir = NULL };
    lxw_workbook *wb = workbook_new_opt(out, &opts);
    if (!wb) {
        fprintf(stderr, "make_samples: cannot create %s\n", out);
        return 1;
    }
    lxw_doc_properties props = { .title = "Urenregistratie november 2026",
                                 .author = "Hoveniersbedrijf De Linde",
                                 .created = 1795000000 };
    workbook_set_properties(wb, &props);

    lxw_worksheet *info = workbook_add_worksheet(wb, "Toelichting");
    worksheet_write_string(info, 0, 0, "Urenregistratie per dag, november 2026", NULL);
    worksheet_write_string(info, 1, 0, "Klantnummer 40201 (De Linde weekloon)", NULL);

    lxw_worksheet *ws = workbook_add_worksheet(wb, "Urenregistratie");
    lxw_format *datefmt = workbook_add_format(wb);
    format_set_num_format(datefmt, "dd-mm-yyyy");
    lxw_format *hours = workbook_add_format(wb);
    format_set_num_format(hours, "0.00");
    const char *hdr[] = { "Datum", "Medewerker", "Naam", "Project", "Uren", "Overuren", "Km" };
    for (int c = 0; c < 7; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, hdr[c], NULL);

    /* Totals in hundredths, so the printout is exact. */
    long long t_hours = 0, t_over = 0, t_km = 0;
    int row = 1, rows = 0;
    for (int day = 1; day <= 30; day++) {
        int weekday = (day + 6) % 7; /* 2026-11-01 is a Sunday: 0 = Sunday */
        if (weekday == 0 || weekday == 6)
            continue;
        for (int e = 0; e < 20; e++) {
            int number = 2001 + e;
            /* two entries on Wednesdays for every fourth employee: they add up per day */
            int parts = (weekday == 3 && e % 4 == 0) ? 2 : 1;
            for (int p = 0; p < parts; p++) {
                lxw_datetime dt = { 2026, 11, day, 0, 0, 0 };
                long long h = (e + day) % 5 ? 800 : 750; /* hundredths of hours */
                if (parts == 2)
                    h = p == 0 ? 450 : h - 450;
                worksheet_write_datetime(ws, (lxw_row_t)row, 0, &dt, datefmt);
                worksheet_write_number(ws, (lxw_row_t)row, 1, number, NULL);
                worksheet_write_string(ws, (lxw_row_t)row, 2, names[e], NULL);
                worksheet_write_string(ws, (lxw_row_t)row, 3, p ? "Onderhoud" : "Aanleg", NULL);
                worksheet_write_number(ws, (lxw_row_t)row, 4, (double)h / 100.0, hours);
                t_hours += h;
                if (p == 0 && (e * day) % 7 == 0) {
                    worksheet_write_number(ws, (lxw_row_t)row, 5, 1.25, hours);
                    t_over += 125;
                }
                if (p == 0) {
                    int km = 2 * (5 + e);
                    worksheet_write_number(ws, (lxw_row_t)row, 6, km, NULL);
                    t_km += km * 100;
                }
                row++;
                rows++;
            }
        }
    }
    lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR) {
        fprintf(stderr, "make_samples: %s: %s\n", out, lxw_strerror(rc));
        return 1;
    }
    printf("%s: %d rows; totals 10=%lld.%02lld 11=%lld.%02lld 20=%lld\n", out, rows,
           t_hours / 100, t_hours % 100, t_over / 100, t_over % 100, t_km / 100);
    return 0;
}
