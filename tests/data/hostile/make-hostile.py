#!/usr/bin/python3
"""make-hostile.py OUTDIR: writes the generated part of the hostile-input corpus.

The small text cases are committed next to this script (readable, reviewable); what is binary
or large (zip bombs, crafted zip archives, XLSX with entity attacks, huge cells, too many rows or
columns, binary junk) is written here at test time, from fixed seeds, so the repository carries
no opaque blobs and every case is reproducible. tests/e2e/hostile_validate.sh runs it; cases.txt
says what each file must produce.
"""
import io
import os
import random
import struct
import sys
import zipfile
import zlib

OUT = sys.argv[1]
HEADER = ["Personeelsnr", "Dienstverband", "Naam", "Uren gewerkt", "Overuren 125%"]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Uren" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rows, prolog=""):
    """rows: lists of str (inline strings) or numbers."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', prolog,
           '<worksheet %s><sheetData>' % NS]
    for r, cells in enumerate(rows, 1):
        out.append('<row r="%d">' % r)
        for c, v in enumerate(cells):
            ref = "%s%d" % (col(c), r)
            if isinstance(v, (int, float)):
                out.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif v != "":
                out.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
        out.append('</row>')
    out.append('</sheetData></worksheet>')
    return "".join(out)


def good_rows():
    return [HEADER, [1001, 1, "Jos\u00e9 Jansen", 166, 1.75], [1002, 1, "Fr\u00e9d\u00e9rique", 164, 3.5]]


def parts(sheet=None, sst=None):
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WB_RELS,
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(good_rows()),
        "xl/sharedStrings.xml": sst if sst is not None else '<sst %s count="0" uniqueCount="0"/>' % NS,
    }


def xlsx_bytes(p):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(name, data if isinstance(data, bytes) else data.encode("utf-8"))
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def sst_sheet():
    """A sheet whose header cells are shared strings 0..4, for the sharedStrings attacks."""
    rows = ['<row r="1">' + "".join('<c r="%s1" t="s"><v>%d</v></c>' % (col(i), i) for i in range(5)) + '</row>',
            '<row r="2"><c r="A2"><v>1001</v></c><c r="B2"><v>1</v></c><c r="D2"><v>160</v></c></row>']
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s</sheetData></worksheet>'
            % (NS, "".join(rows)))


def sst_xml(prolog="", first="Personeelsnr"):
    items = [first] + HEADER[1:]
    return ('<?xml version="1.0" encoding="UTF-8"?>%s<sst %s count="5" uniqueCount="5">%s</sst>'
            % (prolog, NS, "".join("<si><t>%s</t></si>" % t for t in items)))


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
                    for i in range(1, 10))
          + ']>')
XXE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(20261128)

    # --- valid workbook, then broken variants of it
    good = xlsx_bytes(parts())
    write("good.xlsx", good)  # control: must validate cleanly
    write("truncated.xlsx", good[: len(good) // 2])
    write("truncated-tail.xlsx", good[:-10])
    write("junk.xlsx", bytes(rnd.getrandbits(8) for _ in range(4096)))
    write("junk.csv", bytes(rnd.getrandbits(8) for _ in range(4096)))
    write("csv-named.xlsx", "Personeelsnr;Uren gewerkt\n1001;7,5\n")
    write("xlsx-named.csv", good)
    write("zip-without-workbook.xlsx", xlsx_bytes({"hello.txt": "not a workbook"}))
    # XML attacks in the sheet and in sharedStrings
    write("billion-laughs-sheet.xlsx", xlsx_bytes(parts(sheet=sheet_xml(
        [HEADER, [1001, 1, "&lol9;", 1, 1]], prolog=LAUGHS).replace("&amp;lol9;", "&lol9;"))))
    write("billion-laughs-sst.xlsx", xlsx_bytes(parts(sheet=sst_sheet(), sst=sst_xml(LAUGHS, "&lol9;"))))
    write("xxe-sheet.xlsx", xlsx_bytes(parts(sheet=sheet_xml(
        [HEADER, [1001, 1, "&xxe;", 1, 1]], prolog=XXE).replace("&amp;xxe;", "&xxe;"))))
    write("xxe-sst.xlsx", xlsx_bytes(parts(sheet=sst_sheet(), sst=sst_xml(XXE, "&xxe;"))))
    write("malformed-xml.xlsx", xlsx_bytes(parts(sheet='<worksheet %s><sheetData><row r="1"><c r="A1"' % NS)))
    deep = "<x>" * 100000 + "</x>" * 100000
    write("deep-xml.xlsx", xlsx_bytes(parts(sheet='<worksheet %s><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row></sheetData></worksheet>' % (NS, deep))))
    # zip bombs: a high ratio (real), and a huge declared size (lying headers)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = z.compress(b'<?xml version="1.0"?><worksheet ' + NS.encode() + b'><sheetData>')
    chunk = b"<row/>" * (1 << 16)
    packed = [body]
    n = 0
    for _ in range(2048):  # 768 MiB of <row/> unpacked, ~800 KiB packed
        packed.append(z.compress(chunk))
        n += len(chunk)
    packed.append(z.compress(b"</sheetData></worksheet>"))
    packed.append(z.flush())
    write("zipbomb-ratio.xlsx", raw_zip(parts(), "xl/worksheets/sheet1.xml", b"".join(packed),
                                         n + 70))
    # the same stream under a small declared size: only the bytes actually inflated stop it
    write("zipbomb-lying.xlsx", raw_zip(parts(), "xl/worksheets/sheet1.xml", b"".join(packed), 4096))
    # 100 MiB at ~1000:1, under the total limit: the per-part ratio stops it
    packed2, n2 = bomb_stream(chunk, 256)
    write("zipbomb-ratio-part.xlsx", raw_zip(parts(), "xl/worksheets/sheet1.xml", packed2, n2))
    write("zipbomb-declared.xlsx", lie_about_size(xlsx_bytes(parts()), "xl/worksheets/sheet1.xml",
                                                  0xFFFFFFF0))
    write("zip-overlap.xlsx", overlapping(xlsx_bytes(parts())))
    write("zip-nested.xlsx", xlsx_bytes(parts(sheet=xlsx_bytes(parts()))))
    write("zip-too-many-parts.xlsx", xlsx_bytes(dict(parts(), **{"xl/media/p%05d.bin" % i: "x" for i in range(5000)})))
    write("zip-encrypted-flag.xlsx", encrypted_flag(xlsx_bytes(parts())))
    # sizes: a huge cell, too many columns, too many rows
    write("huge-cell.xlsx", xlsx_bytes(parts(sheet=sheet_xml([HEADER, [1001, 1, "x" * 40000, 1, 1]]))))
    write("too-many-columns.xlsx", xlsx_bytes(parts(sheet='<worksheet %s><sheetData><row r="1"><c r="XFE1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>' % NS)))
    write("huge-row-number.xlsx", xlsx_bytes(parts(sheet='<worksheet %s><sheetData><row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData></worksheet>' % NS)))
    write("absurd-numbers.xlsx", xlsx_bytes(parts(sheet=sheet_xml(
        [HEADER, [1001, 1, "a", "1e308", 1], [1002, 1, "b", 99999999999999, 1]]).replace(
            '<c r="D2" t="inlineStr"><is><t>1e308</t></is></c>', '<c r="D2"><v>1e308</v></c>'))))
    hdr = ";".join(HEADER) + "\n"
    write("huge-cell.csv", hdr + "1001;1;" + "x" * 100000 + ";8;1\n")
    write("too-many-columns.csv", hdr + ";".join(["1"] * 20000) + "\n")
    with open(os.path.join(OUT, "too-many-rows.csv"), "w") as f:
        f.write(hdr)
        line = "1001;1;;;\n"
        f.write(line * (1048576 + 10))
    write("nul-only.csv", b"\0" * 65536)
    write("utf16-bom.csv", ("\ufeff" + hdr + "1001;1;Jos\u00e9;166;1,75\n").encode("utf-16-le"))
    write("utf16be-bom.csv", ("\ufeff" + hdr + "1001;1;Jos\u00e9;166;1,75\n").encode("utf-16-be"))
    bad = json_nest(200000)
    write("bad-mapping-deep.json", bad)
    write("bad-mapping-huge.json", '{"name": "' + "x" * (8 * 1024 * 1024) + '"}')


def bomb_stream(chunk, count):
    """A raw deflate stream of a sheet with `count` chunks of empty rows; (stream, size)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = b'<?xml version="1.0"?><worksheet ' + NS.encode() + b'><sheetData>'
    tail = b"</sheetData></worksheet>"
    out = [z.compress(head)] + [z.compress(chunk) for _ in range(count)]
    out += [z.compress(tail), z.flush()]
    return b"".join(out), len(head) + count * len(chunk) + len(tail)


def json_nest(n):
    return "[" * n + "]" * n


def raw_zip(p, name, packed, size):
    """A zip of parts p where `name` is stored with the given deflate stream and declared size."""
    buf = io.BytesIO()
    central = []
    for pname, data in p.items():
        if pname == name:
            comp, method, crc, usize = packed, 8, 0, size
        else:
            raw = data.encode()
            z = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp, method, crc, usize = z.compress(raw) + z.flush(), 8, zlib.crc32(raw), len(raw)
        off = buf.tell()
        nb = pname.encode()
        buf.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, method, 0, 0, crc, len(comp),
                              usize & 0xFFFFFFFF, len(nb), 0) + nb + comp)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, method, 0, 0,
                                   crc, len(comp), usize & 0xFFFFFFFF, len(nb), 0, 0, 0, 0, 0,
                                   off) + nb)
    cd = buf.tell()
    for c in central:
        buf.write(c)
    buf.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(central), len(central),
                          buf.tell() - cd, cd, 0))
    return buf.getvalue()


def central_entries(data):
    eocd = data.rfind(b"PK\x05\x06")
    n, = struct.unpack_from("<H", data, eocd + 10)
    cd, = struct.unpack_from("<I", data, eocd + 16)
    pos, out = cd, []
    for _ in range(n):
        nlen, xlen, clen = struct.unpack_from("<HHH", data, pos + 28)
        out.append((pos, data[pos + 46: pos + 46 + nlen].decode()))
        pos += 46 + nlen + xlen + clen
    return eocd, out


def lie_about_size(data, name, size):
    data = bytearray(data)
    _, entries = central_entries(bytes(data))
    for pos, n in entries:
        if n == name:
            struct.pack_into("<I", data, pos + 24, size)
            off, = struct.unpack_from("<I", data, pos + 42)
            struct.pack_into("<I", data, off + 22, size)
    return bytes(data)


def overlapping(data):
    """Every central directory entry points at the sheet's local header (overlapping files)."""
    data = bytearray(data)
    _, entries = central_entries(bytes(data))
    target = [p for p, n in entries if n == "xl/worksheets/sheet1.xml"][0]
    off, = struct.unpack_from("<I", data, target + 42)
    for pos, n in entries:
        if n.startswith("xl/"):
            struct.pack_into("<I", data, pos + 42, off)
    return bytes(data)


def encrypted_flag(data):
    data = bytearray(data)
    _, entries = central_entries(bytes(data))
    for pos, n in entries:
        flags, = struct.unpack_from("<H", data, pos + 8)
        struct.pack_into("<H", data, pos + 8, flags | 1)
        off, = struct.unpack_from("<I", data, pos + 42)
        struct.pack_into("<H", data, off + 6, flags | 1)
    return bytes(data)


if __name__ == "__main__":
    main()
