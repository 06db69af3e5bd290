#!/usr/bin/env python3
"""xlsx_cells.py FILE.xlsx [SHEET-INDEX]: prints the cells of one worksheet (default the first)
as a spreadsheet program stored them, one row per line, cells separated by TABs, each cell
"n:VALUE" (a number: dates and times too), "s:TEXT" (text), "b:VALUE" (boolean), "e:VALUE"
(error) or "" (empty). The end-to-end tests use it to see whether LibreOffice took a value as
a number or as text after opening a report. Standard library only."""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def main():
    path = sys.argv[1]
    sheet = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % sheet))
    for row in root.find("m:sheetData", NS).findall("m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            t = c.get("t", "n")
            v = c.find("m:v", NS)
            text = v.text if v is not None else None
            if t == "s":
                cells[col_index(c.get("r"))] = "s:" + shared[int(text)]
            elif t in ("str", "inlineStr"):
                if t == "inlineStr":
                    text = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                cells[col_index(c.get("r"))] = "s:" + (text or "")
            elif text is not None:
                cells[col_index(c.get("r"))] = t + ":" + text
        width = max(cells) + 1 if cells else 0
        print("\t".join(cells.get(i, "") for i in range(width)))


main()
