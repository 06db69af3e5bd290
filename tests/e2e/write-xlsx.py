#!/usr/bin/python3
"""write-xlsx.py OUT.xlsx SHEET < ROWS: a minimal workbook of one sheet, for the e2e tests.

ROWS are lines of ';'-separated cells; a cell that reads as a number is a number cell, any other
non-empty cell an inline string (dates as text, 2026-11-02, which the reader takes in a date
column). Standard library only, so a test needs no spreadsheet package.
"""
import sys
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def is_number(t):
    try:
        float(t)
        return t.strip() == t and t != ""
    except ValueError:
        return False


def sheet(rows):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet %s><sheetData>' % NS]
    for r, cells in enumerate(rows, 1):
        out.append('<row r="%d">' % r)
        for c, v in enumerate(cells):
            ref = "%s%d" % (col(c), r)
            if is_number(v):
                out.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif v != "":
                out.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def main():
    out, name = sys.argv[1], sys.argv[2]
    rows = [line.rstrip("\r\n").split(";") for line in sys.stdin if line.strip()]
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="%s.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="%s.worksheet+xml"/>'
            '</Types>' % (CT, CT),
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="%s">'
            '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>' % (PKG, REL),
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook %s xmlns:r="%s">'
            '<sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>' % (NS, REL, esc(name)),
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="%s">'
            '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>' % (PKG, REL),
        "xl/worksheets/sheet1.xml": sheet(rows),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data.encode("utf-8"))


main()
