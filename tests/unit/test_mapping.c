/*
 * test_mapping.c: the mapping loader: a complete mapping read into every field, and every
 * mapping error with its key path and did-you-mean.
 */
#include "common/util.h"
#include "mapping/mapping.h"
#include "support/cunit_main.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static lk_mapping *parse(const char *json, lk_error *err)
{
    lk_mapping *m = NULL;
    lk_error_clear(err);
    lk_mapping_parse("m.json", json, strlen(json), &m, err);
    return m;
}

/* The mapping must fail with a message containing every fragment (NULL-terminated). */
static void expect_error(const char *json, const char *fragment, const char *fragment2)
{
    lk_error err;
    lk_mapping *m = parse(json, &err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(err.code, LK_ERR_MAPPING);
    CU_ASSERT_STRING_EQUAL(err.file, "m.json");
    bool ok = strstr(err.message, fragment) && (!fragment2 || strstr(err.message, fragment2));
    CU_ASSERT(ok);
    if (!ok || m)
        fprintf(stderr, "\n  mapping %s\n  gave \"%s\", wanted \"%s\" / \"%s\"\n", json,
                err.message, fragment, fragment2 ? fragment2 : "");
    lk_mapping_free(m);
}

#define BASE "\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"}, "
#define COMP "\"components\": [{\"column\": \"Uren\", \"component\": 10}]"

static void test_full_mapping(void)
{
    const char *json =
        "{\"name\": \"x\", \"description\": \"d\", \"$comment\": \"ok\","
        " \"input\": {\"type\": \"csv\", \"delimiter\": \"tab\", \"quote\": \"'\","
        "   \"encoding\": \"windows-1252\", \"decimalSeparator\": \",\", \"thousandsSeparator\": \"none\","
        "   \"headerRow\": 2, \"firstDataRow\": 4, \"sheet\": \"Blad1\","
        "   \"skipRows\": [{\"column\": \"Naam\", \"matches\": \"Totaal*\", \"reason\": \"totals\"},"
        "                 {\"letter\": \"A\", \"blank\": true}]},"
        " \"layout\": \"wide\","
        " \"employee\": {\"employeeNumber\": {\"letter\": \"a\"}, \"payrollId\": \"Dv\","
        "   \"incomeRelationshipNumber\": {\"column\": \"Ir\"}},"
        " \"employer\": {\"column\": \"Klant\"},"
        " \"period\": {\"source\": \"date\", \"column\": \"Datum\"},"
        " \"defaults\": {\"blank\": \"zero\", \"round\": 2},"
        " \"components\": [{\"column\": \"Uren\", \"component\": 10, \"name\": \"Uren gewerkt\"},"
        "   {\"letter\": \"AB\", \"component\": 11, \"divideBy\": 60, \"scale\": \"1.5\", \"round\": 0,"
        "    \"format\": \"duration\", \"isSupplement\": true, \"blank\": \"null\"}],"
        " \"recordKey\": {\"costCenter\": {\"column\": \"Kpl\", \"by\": \"code\"},"
        "   \"costUnit\": \"Kdr\", \"shift\": {\"key\": 2}, \"payslipType\": {\"code\": \"Normaal\"},"
        "   \"distributionUnit\": {\"letter\": \"Z\", \"by\": \"key\"}},"
        " \"payslipText\": {\"value\": \"November\"},"
        " \"aggregate\": \"reject\"}";
    lk_error err;
    lk_mapping *m = parse(json, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->name, "x");
    CU_ASSERT_EQUAL(m->reader.type, LK_FILE_CSV);
    CU_ASSERT_EQUAL(m->reader.delimiter, '\t');
    CU_ASSERT_EQUAL(m->reader.quote, '\'');
    CU_ASSERT_EQUAL(m->reader.encoding, LK_ENC_CP1252);
    CU_ASSERT_EQUAL(m->reader.header_row, 2);
    CU_ASSERT_STRING_EQUAL(m->reader.sheet_name, "Blad1");
    CU_ASSERT_EQUAL(m->decimal_sep, ',');
    CU_ASSERT_EQUAL(m->thousands_sep, 'n');
    CU_ASSERT_EQUAL(m->header_row, 2);
    CU_ASSERT_EQUAL(m->first_data_row, 4);
    CU_ASSERT_EQUAL(m->nskips, 2);
    CU_ASSERT_EQUAL(m->skips[0].test, LK_SKIP_MATCHES);
    CU_ASSERT_STRING_EQUAL(m->skips[0].pattern, "Totaal*");
    CU_ASSERT_EQUAL(m->skips[1].test, LK_SKIP_BLANK);
    CU_ASSERT_EQUAL(m->skips[1].column.letter, 0);
    CU_ASSERT_EQUAL(m->employee_number.letter, 0);
    CU_ASSERT_STRING_EQUAL(m->payroll_id.name, "Dv");
    CU_ASSERT_STRING_EQUAL(m->income_relationship.name, "Ir");
    CU_ASSERT_STRING_EQUAL(m->employer_column.name, "Klant");
    CU_ASSERT_EQUAL(m->period_source, LK_PSRC_DATE);
    CU_ASSERT_EQUAL(m->ncomponents, 2);
    CU_ASSERT_EQUAL(m->components[0].blank, LK_BLANK_ZERO);   /* from defaults */
    CU_ASSERT_EQUAL(m->components[0].round, 2);
    CU_ASSERT_STRING_EQUAL(m->components[0].name, "Uren gewerkt");
    CU_ASSERT_EQUAL(m->components[1].column.letter, 27);
    CU_ASSERT_EQUAL(m->components[1].divide_by, 60 * LK_DECIMAL_SCALE);
    CU_ASSERT_EQUAL(m->components[1].scale, 1500000);
    CU_ASSERT_EQUAL(m->components[1].round, 0);
    CU_ASSERT_EQUAL(m->components[1].format, LK_FORMAT_DURATION);
    CU_ASSERT(m->components[1].is_supplement);
    CU_ASSERT_EQUAL(m->components[1].blank, LK_BLANK_NULL);
    CU_ASSERT_EQUAL(m->record_key[LK_RK_COST_CENTER].source, LK_SRC_COLUMN);
    CU_ASSERT_EQUAL(m->record_key[LK_RK_COST_CENTER].by, LK_REF_CODE);
    CU_ASSERT_STRING_EQUAL(m->record_key[LK_RK_COST_UNIT].column.name, "Kdr");
    CU_ASSERT_EQUAL(m->record_key[LK_RK_SHIFT].source, LK_SRC_CONSTANT);
    CU_ASSERT_EQUAL(m->record_key[LK_RK_SHIFT].key, 2);
    CU_ASSERT_STRING_EQUAL(m->record_key[LK_RK_PAYSLIP_TYPE].code, "Normaal");
    CU_ASSERT_EQUAL(m->record_key[LK_RK_DISTRIBUTION_UNIT].by, LK_REF_KEY);
    CU_ASSERT_STRING_EQUAL(m->payslip_text_fixed, "November");
    CU_ASSERT_EQUAL(m->aggregate, LK_AGG_REJECT);
    lk_mapping_free(m);
}

static void test_defaults_and_layouts(void)
{
    lk_error err;
    lk_mapping *m = parse("{" BASE COMP "}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->header_row, 1);
    CU_ASSERT_EQUAL(m->first_data_row, 2);
    CU_ASSERT_EQUAL(m->decimal_sep, 0);
    CU_ASSERT_EQUAL(m->period_source, LK_PSRC_COMMAND_LINE);
    CU_ASSERT_EQUAL(m->aggregate, LK_AGG_SUM);
    CU_ASSERT_EQUAL(m->components[0].blank, LK_BLANK_SKIP);
    CU_ASSERT_EQUAL(m->components[0].round, -1);
    CU_ASSERT_EQUAL(m->components[0].scale, LK_DECIMAL_SCALE);
    lk_mapping_free(m);

    m = parse("{\"layout\": \"componentRow\", \"componentRow\": {\"row\": 5, \"nameRow\": 4,"
              " \"firstColumn\": \"D\", \"lastColumn\": \"K\"},"
              " \"employee\": {\"employeeNumber\": {\"letter\": \"A\"}},"
              " \"components\": [{\"component\": 21, \"isSupplement\": true}]}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->layout, LK_LAYOUT_COMPONENT_ROW);
    CU_ASSERT_EQUAL(m->component_row, 5);
    CU_ASSERT_EQUAL(m->header_row, 5);        /* the template names its columns in row 5 */
    CU_ASSERT_EQUAL(m->first_data_row, 6);
    CU_ASSERT_EQUAL(m->first_value_column, 3);
    CU_ASSERT_EQUAL(m->last_value_column, 10);
    lk_mapping_free(m);

    m = parse("{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"long\": {\"componentColumn\": \"C\", \"valueColumn\": {\"letter\": \"D\"},"
              "   \"acceptKeys\": false},"
              " \"components\": [{\"code\": \"UREN\", \"component\": 10}, {\"component\": 11}]}",
              &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->layout, LK_LAYOUT_LONG);
    CU_ASSERT_FALSE(m->long_accept_keys);
    CU_ASSERT_STRING_EQUAL(m->components[0].code, "UREN");
    lk_mapping_free(m);

    m = parse("{" BASE COMP ", \"period\": {\"source\": \"fixed\", \"value\": \"2026-P05\"},"
              " \"employer\": {\"clientNumber\": 40101}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->period_fixed.kind, LK_PERIOD_NUMBER);
    CU_ASSERT_EQUAL(m->period_fixed.number, 5);
    CU_ASSERT_STRING_EQUAL(m->employer_fixed, "40101");
    lk_mapping_free(m);
}

static void test_syntax_errors(void)
{
    lk_error err;
    lk_mapping *m = parse("{\n  \"layout\": \"wide\",\n  \"employee\": {\n}", &err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(err.code, LK_ERR_MAPPING);
    CU_ASSERT_EQUAL(err.row, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not valid JSON"));
    expect_error("[1, 2]", "must be a JSON object", NULL);
    m = parse("{\"layout\": \"wide\"}\n\n  }", &err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(err.row, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unexpected text after"));
    expect_error("", "not valid JSON", NULL);
    /* a NUL escape would cut the string short: "Uren\u0000 extra" read as "Uren" */
    m = parse("{\n  \"layout\": \"wide\",\n  \"employee\": {\"column\": \"Nr\\u0000 x\"}}", &err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(err.code, LK_ERR_MAPPING);
    CU_ASSERT_EQUAL(err.row, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NUL character"));
    /* an escaped backslash before u0000 is text, not a NUL */
    m = parse("{\"layout\": \"wide\", \"employee\": {\"column\": \"a\\\\u0000\"}}", &err);
    CU_ASSERT(m == NULL || !strstr(err.message, "NUL character"));
    if (m == NULL)
        CU_ASSERT_PTR_NULL(strstr(err.message, "NUL character"));
    lk_mapping_free(m);
}

static void test_unknown_keys(void)
{
    expect_error("{\"layot\": \"wide\"}", "layot: unknown key", "did you mean \"layout\"");
    expect_error("{" BASE COMP ", \"input\": {\"delimter\": \";\"}}", "input.delimter",
                 "did you mean \"delimiter\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10},"
                 " {\"column\": \"V\", \"component\": 11, \"scael\": 2}]}",
                 "components[1].scael", "did you mean \"scale\"");
    expect_error("{" BASE COMP ", \"recordKey\": {\"costCentre\": {\"key\": 1}}}",
                 "recordKey.costCentre", "did you mean \"costCenter\"");
    expect_error("{" BASE COMP ", \"components2\": []}", "components2: unknown key", NULL);
    expect_error("{" BASE COMP ", \"frobnicate\": 1}", "frobnicate: unknown key", NULL);
    expect_error("{" BASE COMP ", \"aggregate\": \"sum\", \"aggregate\": \"reject\"}",
                 "aggregate: key given twice", NULL);
    expect_error("{" BASE COMP ", \"defaults\": {\"isSuplement\": true}}",
                 "defaults.isSuplement", "did you mean \"isSupplement\"");
}

static void test_type_errors(void)
{
    expect_error("{" BASE COMP ", \"input\": {\"headerRow\": \"1\"}}", "input.headerRow",
                 "whole number");
    expect_error("{" BASE COMP ", \"input\": {\"headerRow\": 1.5}}", "input.headerRow",
                 "whole number");
    expect_error("{" BASE COMP ", \"input\": {\"headerRow\": 2.2e34}}", "input.headerRow",
                 "from 0 to");      /* found by fuzz_mapping: no overflowing cast */
    expect_error("{" BASE COMP ", \"input\": {\"headerRow\": -1e300}}", "input.headerRow",
                 "from 0 to");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 1e20}]}",
                 "components[0].component", "from 1 to");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"isSupplement\": \"yes\"}]}", "components[0].isSupplement", "true or false");
    expect_error("{" BASE "\"components\": {}}", "components: expected an array", NULL);
    expect_error("{" BASE "\"components\": [7]}", "components[0]: expected an object", NULL);
    expect_error("{" BASE COMP ", \"name\": 3}", "name: expected a string", NULL);
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"scale\": \"x\"}]}", "components[0].scale", "expected a number");
}

static void test_value_errors(void)
{
    expect_error("{\"employee\": {\"employeeNumber\": \"Nr\"}, " COMP "}", "layout: missing",
                 NULL);
    expect_error("{\"layout\": \"wid\", \"employee\": {\"employeeNumber\": \"Nr\"}, " COMP "}",
                 "layout: \"wid\" is not one of", "did you mean \"wide\"");
    expect_error("{" BASE "\"components\": []}", "components", "one component column or more");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\"}]}", "components[0]",
                 "\"component\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 0}]}",
                 "components[0].component", "from 1 to");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"round\": 7}]}",
                 "components[0].round", "from 0 to 6");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"blank\": \"nul\"}]}", "components[0].blank", "did you mean \"null\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"format\": \"time\"}]}", "components[0].format", "not one of");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"scale\": 0}]}",
                 "components[0].scale", "not be 0");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"divideBy\": -60}]}", "components[0].divideBy", "greater than 0");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"letter\": \"B\","
                 " \"component\": 10}]}", "components[0]", "not both");
    expect_error("{" BASE "\"components\": [{\"letter\": \"AAAA\", \"component\": 10}]}",
                 "components[0].letter", "not a column letter");
    expect_error("{" BASE "\"components\": [{\"letter\": \"B2\", \"component\": 10}]}",
                 "components[0].letter", "not a column letter");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10},"
                 " {\"column\": \"u\", \"component\": 11}]}", "components[1]",
                 "same column as components[0]");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"code\": \"X\"}]}", "components[0]", "long layout");
    expect_error("{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": {\"letter\": \"A\"}}, "
                 COMP ", \"input\": {\"headerRow\": 0}}", "components[0]", "input.headerRow");
    expect_error("{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"components\": [{\"letter\": \"B\", \"component\": 10}],"
                 " \"input\": {\"headerRow\": 0}}", "employee.employeeNumber", "input.headerRow");
    expect_error("{" BASE COMP ", \"input\": {\"headerRow\": 3, \"firstDataRow\": 2}}",
                 "input.firstDataRow", "after the header rows");
    expect_error("{" BASE COMP ", \"input\": {\"delimiter\": \"ab\"}}", "input.delimiter",
                 "not a delimiter");
    expect_error("{" BASE COMP ", \"input\": {\"quote\": \"x\"}}", "input.quote", NULL);
    expect_error("{" BASE COMP ", \"input\": {\"encoding\": \"ebcdic\"}}", "input.encoding",
                 "not one of");
    expect_error("{" BASE COMP ", \"input\": {\"decimalSeparator\": \";\"}}",
                 "input.decimalSeparator", NULL);
    expect_error("{" BASE COMP ", \"input\": {\"decimalSeparator\": \",\","
                 " \"thousandsSeparator\": \",\"}}", "input.thousandsSeparator", "differ");
    expect_error("{" BASE COMP ", \"input\": {\"sheet\": 0}}", "input.sheet", NULL);
    expect_error("{" BASE COMP ", \"input\": {\"type\": \"ods\"}}", "input.type", "not one of");
}

static void test_section_errors(void)
{
    expect_error("{\"layout\": \"wide\", " COMP "}", "employee: missing", NULL);
    expect_error("{\"layout\": \"wide\", \"employee\": {}, " COMP "}", "employee",
                 "\"employeeNumber\" or \"employmentId\"");
    expect_error("{\"layout\": \"wide\", \"employee\": {\"employmentId\": \"Id\","
                 " \"payrollId\": \"P\"}, " COMP "}", "employee", "give \"employeeNumber\" too");
    expect_error("{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": 5}, " COMP "}",
                 "employee.employeeNumber", "header text");
    expect_error("{" BASE COMP ", \"employer\": {}}", "employer", "either");
    expect_error("{" BASE COMP ", \"employer\": {\"clientNumber\": 1, \"column\": \"K\"}}",
                 "employer", "either");
    expect_error("{" BASE COMP ", \"employer\": {\"clientNumber\": -3}}",
                 "employer.clientNumber", NULL);
    expect_error("{" BASE COMP ", \"period\": {\"column\": \"P\"}}", "period.source: missing",
                 NULL);
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"fixed\"}}", "period.value: missing",
                 NULL);
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"fixed\", \"value\": \"2026-13\"}}",
                 "period.value", "not a period");
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"date\"}}", "period",
                 "needs the \"column\"");
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"commandLine\", \"column\": \"P\"}}",
                 "period", "takes no");
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"month\"}}", "period.source",
                 "not one of");
    expect_error("{" BASE COMP ", \"recordKey\": {\"costCenter\": {\"key\": 1, \"code\": \"A\"}}}",
                 "recordKey.costCenter", "exactly one");
    expect_error("{" BASE COMP ", \"recordKey\": {\"shift\": {}}}", "recordKey.shift",
                 "exactly one");
    expect_error("{" BASE COMP ", \"recordKey\": {\"shift\": {\"key\": 1, \"by\": \"key\"}}}",
                 "recordKey.shift", "only applies to a column");
    expect_error("{" BASE COMP ", \"recordKey\": {\"shift\": {\"key\": 0}}}",
                 "recordKey.shift.key", "from 1");
    expect_error("{" BASE COMP ", \"recordKey\": {\"costUnit\": {\"column\": \"K\","
                 " \"by\": \"id\"}}}", "recordKey.costUnit.by", "not one of");
    expect_error("{" BASE COMP ", \"payslipText\": {}}", "payslipText", "either");
    expect_error("{" BASE COMP ", \"aggregate\": \"add\"}", "aggregate", "not one of");
    expect_error("{" BASE COMP ", \"input\": {\"skipRows\": [{\"column\": \"N\"}]}}",
                 "input.skipRows[0]", "\"matches\"");
    expect_error("{" BASE COMP ", \"input\": {\"skipRows\": [{\"matches\": \"T*\"}]}}",
                 "input.skipRows[0]", "\"column\"");
    expect_error("{" BASE COMP ", \"input\": {\"skipRows\": [{\"column\": \"N\","
                 " \"matches\": \"T*\", \"blank\": true}]}}", "input.skipRows[0]", "either");
    expect_error("{" BASE COMP ", \"input\": {\"skipRows\": {}}}", "input.skipRows",
                 "expected an array");
    expect_error("{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"}}",
                 "long: missing", NULL);
    expect_error("{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"long\": {\"componentColumn\": \"C\"}}", "long.valueColumn: missing", NULL);
    expect_error("{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"long\": {\"componentColumn\": \"C\", \"valueColumn\": \"V\"},"
                 " \"components\": [{\"column\": \"X\", \"component\": 10}]}", "components[0]",
                 "not by column");
    expect_error("{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"long\": {\"componentColumn\": \"C\", \"valueColumn\": \"V\"},"
                 " \"components\": [{\"code\": \"U\", \"component\": 10},"
                 " {\"code\": \"u\", \"component\": 11}]}", "components[1]", "same cells");
    expect_error("{" BASE COMP ", \"long\": {}}", "long", "only with layout");
    expect_error("{\"layout\": \"componentRow\", \"employee\": {\"employeeNumber\": \"Nr\"}}",
                 "componentRow: missing", NULL);
    expect_error("{\"layout\": \"componentRow\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"componentRow\": {\"nameRow\": 4}}", "componentRow.row: missing", NULL);
    expect_error("{\"layout\": \"componentRow\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"componentRow\": {\"row\": 5, \"firstColumn\": \"E\", \"lastColumn\": \"C\"}}",
                 "componentRow.lastColumn", "before");
    expect_error("{\"layout\": \"componentRow\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"componentRow\": {\"row\": 5}, \"components\": [{\"column\": \"X\","
                 " \"component\": 10}]}", "components[0]", "file names the columns");
    expect_error("{\"layout\": \"componentRow\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                 " \"componentRow\": {\"row\": 5}, \"components\": [{\"component\": 10},"
                 " {\"component\": 10}]}", "components[1]", "listed twice");
    expect_error("{" BASE COMP ", \"componentRow\": {\"row\": 5}}", "componentRow",
                 "only with layout");
}

/* "min", "max" and "allowNegative": the range a record's value must lie in, and the opt-in for
 * negative values (corrections). */
static void test_value_limits(void)
{
    lk_error err;
    lk_mapping *m = parse("{" BASE "\"defaults\": {\"max\": 744},"
                          " \"components\": [{\"column\": \"Uren\", \"component\": 10},"
                          " {\"column\": \"Corr\", \"component\": 40, \"allowNegative\": true,"
                          " \"min\": -100, \"max\": \"0\"}]}",
                          &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(m->components[0].has_max && !m->components[0].has_min);
    CU_ASSERT_EQUAL(m->components[0].max, 744 * LK_DECIMAL_SCALE);
    CU_ASSERT(!m->components[0].allow_negative);
    CU_ASSERT(m->components[1].allow_negative);
    CU_ASSERT(m->components[1].has_min && m->components[1].has_max);
    CU_ASSERT_EQUAL(m->components[1].min, -100 * LK_DECIMAL_SCALE);
    CU_ASSERT_EQUAL(m->components[1].max, 0);
    lk_mapping_free(m);
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"alowNegative\": true}]}",
                 "components[0].alowNegative", "did you mean \"allowNegative\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"maxx\": 5}]}",
                 "components[0].maxx", "did you mean \"max\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10,"
                 " \"allowNegative\": \"yes\"}]}",
                 "components[0].allowNegative", "true or false");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"max\": \"veel\"}]}",
                 "components[0].max", "expected a number");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"min\": 5,"
                 " \"max\": 4}]}",
                 "components[0].min", "greater than \"max\"");
    expect_error("{" BASE "\"components\": [{\"column\": \"U\", \"component\": 10, \"min\": -5}]}",
                 "components[0].min", "allowNegative");
    expect_error("{" BASE COMP ", \"defaults\": {\"alowNegative\": true}}",
                 "defaults.alowNegative", "did you mean \"allowNegative\"");
}

/* "calendar": "month" on a date source: the periods are calendar months. */
static void test_period_calendar(void)
{
    lk_error err;
    lk_mapping *m = parse("{" BASE COMP ", \"period\": {\"source\": \"date\", \"column\": \"D\","
                          " \"calendar\": \"month\"}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(m->period_calendar_month);
    lk_mapping_free(m);
    m = parse("{" BASE COMP ", \"period\": {\"source\": \"date\", \"column\": \"D\"}}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(!m->period_calendar_month);
    lk_mapping_free(m);
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"date\", \"column\": \"D\","
                 " \"calendar\": \"week\"}}", "period.calendar", "month");
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"column\", \"column\": \"D\","
                 " \"calendar\": \"month\"}}", "period.calendar", "only with source \"date\"");
    expect_error("{" BASE COMP ", \"period\": {\"source\": \"date\", \"column\": \"D\","
                 " \"calender\": \"month\"}}", "period.calender", "did you mean \"calendar\"");
}

static void test_edit_distance(void)
{
    CU_ASSERT_EQUAL(lk_edit_distance("scale", "scale"), 0);
    CU_ASSERT_EQUAL(lk_edit_distance("scael", "scale"), 2);
    CU_ASSERT_EQUAL(lk_edit_distance("Layout", "layout"), 0);
    CU_ASSERT_EQUAL(lk_edit_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(lk_edit_distance("kitten", "sitting"), 3);
}

static void test_load_files(void)
{
    lk_error err;
    lk_mapping *m = NULL;
    CU_ASSERT_EQUAL(lk_mapping_load("/nonexistent/m.json", &m, &err), LK_ERR_IO);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.file, "m.json"));
    /* every shipped mapping loads */
    DIR *d = opendir("mappings");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        char path[512];
        snprintf(path, sizeof(path), "mappings/%s", de->d_name);
        lk_code rc = lk_mapping_load(path, &m, &err);
        CU_ASSERT_EQUAL(rc, LK_OK);
        if (rc != LK_OK)
            fprintf(stderr, "\n  %s: %s\n", path, err.message);
        lk_mapping_free(m);
        n++;
    }
    closedir(d);
    CU_ASSERT(n >= 7);
}

static const lk_test tests[] = {
    { "a complete mapping", test_full_mapping },
    { "defaults and layouts", test_defaults_and_layouts },
    { "JSON syntax errors", test_syntax_errors },
    { "unknown keys with did-you-mean", test_unknown_keys },
    { "type errors", test_type_errors },
    { "value errors", test_value_errors },
    { "section errors", test_section_errors },
    { "min, max and allowNegative", test_value_limits },
    { "period calendar", test_period_calendar },
    { "edit distance", test_edit_distance },
    { "mapping files", test_load_files },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("mapping", tests);
}
