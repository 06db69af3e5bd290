#!/usr/bin/env python3
"""make-xlsx.py: writes the XLSX exports of the mapping assistant's test corpus
(tests/data/assistant/exports/*.xlsx), with the standard library only: a workbook with one or
more sheets of inline strings and numbers, as Excel saves them. Run it from the repository's
top folder after changing it; the files it writes are committed.
"""
import zipfile
from xml.sax.saxutils import escape

OUT = "tests/data/assistant/exports"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def col_letter(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           f'<worksheet xmlns="{MAIN}"><sheetData>']
    for r, row in enumerate(rows, 1):
        if not row:
            continue
        out.append(f'<row r="{r}">')
        for c, v in enumerate(row):
            ref = f"{col_letter(c)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(path, sheets):
    n = len(sheets)
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
          '<Default Extension="xml" ContentType="application/xml"/>',
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    for i in range(1, n + 1):
        ct.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType='
                  '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    ct.append("</Types>")
    rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>")
    wb = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" '
          f'xmlns:r="{REL}"><sheets>']
    wbrels = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG}">']
    for i, (name, _) in enumerate(sheets, 1):
        wb.append(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>')
        wbrels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>')
    wb.append("</sheets></workbook>")
    wbrels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", "".join(ct)), ("_rels/.rels", rels),
                           ("xl/workbook.xml", "".join(wb)),
                           ("xl/_rels/workbook.xml.rels", "".join(wbrels))]:
            info = zipfile.ZipInfo(name, (2026, 11, 30, 17, 0, 0))
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
        for i, (_, rows) in enumerate(sheets, 1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{i}.xml", (2026, 11, 30, 17, 0, 0))
            z.writestr(info, sheet_xml(rows), zipfile.ZIP_DEFLATED)


# Loket's import template as Excel saves it, for the 4-weekly administration 40102.
workbook(f"{OUT}/05-loket-template-4weken.xlsx", [("Variabele gegevens", [
    ["Template voor importeren variabele gegevens"],
    ["Werkgever", "Bakkerij Van den Berg B.V.", None, "Loonheffingennummer", 40102],
    ["Periode", "periode 12 2026"],
    [None, None, None, "Uren gewerkt", "Overuren 125%", "Reiskostenverg"],
    ["Personeelsnummer", "Naam", "Dienstverband", 10, 11, 21],
    [1101, "Jacobs, N.", 1, 152, None, 38.4],
    [1102, "Haan, W. de", 1, 144, 3.5, None],
    [1103, "Vermeulen, R.", 1, 160, None, 51.2],
    [1104, "Heuvel, R. van den", 1, 136, 2, None],
    [1105, "Veen, L. van der", 1, 152, None, 19.2],
])])

# A workbook of a client's own: a title, number cells, a totals row, a short notes sheet.
people = [(1001, "Jansen, J.", 160, 2.5, 420), (1002, "Vries, F. de", 152, None, 880),
          (1004, "Bakker, L.", 168, 4, None), (1006, "Visser, A.", 144.5, None, 312),
          (1009, "Boer, L. de", 160, 1.25, 96), (1012, "Bos, W.", 120, None, None)]
rows = [["Werkbonnen november 2026 - Bakkerij Van den Berg"], [],
        ["Medewerkernr", "Naam", "Uren", "Overuren 125%", "Kilometers"]]
for p in people:
    rows.append(list(p))
rows.append([None, "Totaal", sum(p[2] for p in people), sum(p[3] or 0 for p in people),
             sum(p[4] or 0 for p in people)])
workbook(f"{OUT}/12-werkbonnen.xlsx", [
    ("Uren november", rows),
    ("Toelichting", [["Ingevuld door de planning; km zijn woon-werk."]]),
])
