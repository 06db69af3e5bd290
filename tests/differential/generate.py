"""generate.py: one seed -> one random export, its mapping and its command line (a "case").

A case is a plain dict (JSON-able): what the export means (the model the oracle reads) and how it
is written (the rendering the importer reads). The model never goes through the importer's rules:
values are exact decimal strings, durations are "H:MM[:SS]" texts, dates ISO dates. render()
turns the model into the file's bytes: Dutch or international CSV (delimiter, decimal and
thousands separators, quoting), or a minimal XLSX; and into the mapping JSON.

What a case can hold: wide, long and componentRow (Loket's template) layouts; periods from the
command line, a period column or a date column (dates across period boundaries in the monthly,
4-weekly and weekly administrations); scale, divideBy (minutes, fractions of minutes), round,
duration format, isSupplement; a cost center column (by code or key, blanks = the employment's
default), a fixed shift; the second employment of an employee; leavers and starters in the
middle of a period; blank cells, blank lines and delimiter-only lines, rows without values;
duplicate rows summed (or, with aggregate "reject", refused); blank cells sent as 0 or as null
(the removal); a totals row skipped by skipRows or checked by totalsRow; a missing final line break;
and, in some seeds, one mistake of a known kind (see ERRORS) with or without --allow-partial;
--collective in some seeds.
"""
import datetime as dt
import json
import random
from decimal import Decimal

# open periods per administration (client number) that cases write into
OPEN = {
    40101: [(2026, 11), (2026, 12)],
    40102: [(2026, 11), (2026, 12), (2026, 13)],
    40201: [(2026, n) for n in range(44, 54)],
}
CLOSED = {40101: (2026, 10), 40102: (2026, 10), 40201: (2026, 43)}

COMPONENT_HEADERS = {10: "Uren gewerkt", 11: "Overuren 125%", 12: "Overuren 150%", 13: "Ziekte-uren",
                     14: "Verlofuren", 20: "Reiskm", 21: "Reiskostenverg", 22: "Onkostenverg",
                     30: "Bonus", 31: "Ploegentoeslag", 40: "Inhouding"}
LONG_CODES = {10: "UREN", 11: "OVER125", 12: "OVER150", 13: "ZIEKTE", 14: "VERLOF", 20: "KM",
              21: "REISKOSTEN", 22: "ONKOSTEN", 30: "BONUS", 31: "PLOEG", 40: "INHOUDING"}
SUPPLEMENTABLE = {21, 22, 30}

# mistakes a case may hold; the oracle knows what each must do
ERRORS = ["bad_number", "unknown_employee", "closed_period", "repeat_rejected", "not_active",
          "negative", "too_large", "too_many_decimals", "text_too_long", "totals_mismatch",
          "cut_off", "empty_file", "typo_component"]


def _dec_str(d):
    """A Decimal as plain text without exponent or trailing zeros beyond the integer."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


class Gen:
    def __init__(self, seed, world):
        self.r = random.Random(seed)
        self.seed = seed
        self.w = world

    def chance(self, p):
        return self.r.random() < p

    # ---- values
    def amount(self, lo, hi, decimals):
        q = Decimal(1).scaleb(-decimals)
        v = Decimal(self.r.randint(int(lo / q), int(hi / q))) * q
        return v

    def value_for(self, comp):
        """A model cell for the component: {"n": exact decimal} or {"d": duration text}."""
        k, c = comp["key"], comp
        if c.get("format") == "duration":
            h = self.r.randint(0, 11)
            m = self.r.choice([0, 15, 20, 30, 40, 45, 50, 59, 1])
            if self.chance(0.2):
                return {"d": "%d:%02d:%02d" % (h, m, self.r.choice([30, 20, 1, 59]))}
            return {"d": "%d:%02d" % (h, m)}
        if c.get("divideBy") == 60:                 # minutes, sometimes with fractions of a minute
            return {"n": _dec_str(self.amount(Decimal(0), Decimal(720), self.r.choice([0, 0, 1, 2])))}
        if k in (10, 11, 12, 13, 14):
            v = self.amount(Decimal(0), Decimal(12), self.r.choice([0, 1, 2, 2]))
        elif k == 20:
            v = self.amount(Decimal(0), Decimal(1500) if self.chance(0.3) else Decimal(120), self.r.choice([0, 1, 1, 2]))
        elif k == 30:
            v = self.amount(Decimal(0), Decimal(25000), 2)
        else:
            v = self.amount(Decimal(0), Decimal(400), self.r.choice([0, 2]))
        if c.get("allowNegative") and self.chance(0.3):
            v = -v
        if c.get("three_decimals"):
            v = v + Decimal("0.005")
        return {"n": _dec_str(v)}

    # ---- the case
    def case(self):
        r = self.r
        client = r.choice([40101, 40101, 40102, 40201])
        layout = r.choice(["wide", "wide", "long", "componentRow"])
        kind = "xlsx" if (layout != "componentRow" and self.chance(0.25)) else "csv"
        dutch = self.chance(0.6)
        fmt = {"kind": kind, "dutch": dutch,
               "delimiter": (r.choice([";", ";", ";", "\t", "|", ","]) if dutch else r.choice([",", ",", ";", "\t"])),
               "thousands": self.chance(0.4), "crlf": self.chance(0.5), "bom": self.chance(0.2),
               "final_newline": True, "explicit_delimiter": self.chance(0.5),
               "explicit_decimal": self.chance(0.3), "xlsx_dates": self.chance(0.5),
               "sheet": r.choice(["Blad1", "Urenregistratie"])}
        if kind == "csv" and (dutch != (fmt["delimiter"] == ";")):
            fmt["explicit_decimal"] = True          # no telling value need exist: say it

        if layout == "componentRow":
            psource = "commandLine"
        else:
            psource = r.choice(["commandLine", "column", "date", "date"])
        open_periods = OPEN[client]
        if psource == "commandLine":
            periods = [r.choice(open_periods)]
        elif psource == "column":
            periods = r.sample(open_periods, min(len(open_periods), r.choice([1, 2])))
        else:
            i = r.randrange(len(open_periods))
            n = r.choice([1, 2, 2, 3])
            periods = open_periods[i:i + n]
            if client == 40102 and periods[0] == (2026, 11):
                periods = periods[1:] or [(2026, 12)]   # P11 starts in October: dates stay in the open part

        allowed = sorted(self.w.admins[client]["allowed"][2026])
        keys = r.sample(allowed, r.choice([1, 2, 3, 3, 4]))
        comps = []
        for k in sorted(keys):
            c = {"key": k, "header": COMPONENT_HEADERS[k], "code": LONG_CODES[k] if self.chance(0.7) else None}
            if k in (10, 11, 12, 13, 14) and self.chance(0.25) and layout != "componentRow":
                c["format"] = "duration"
                c["round"] = 2
            elif k in (10, 11, 12, 13, 14) and self.chance(0.2):
                c["divideBy"] = 60
                c["round"] = r.choice([2, 2, 1])
            elif k == 20 and self.chance(0.3):
                c["round"] = 0
            elif self.chance(0.1):
                c["scale"] = r.choice(["0.5", "1.5", "0.125"])
                c["round"] = 2
            elif self.chance(0.3):
                c["round"] = r.choice([2, 2, 1])
            if k in SUPPLEMENTABLE and self.chance(0.4):
                c["isSupplement"] = True
            comps.append(c)

        errors = []
        if self.chance(0.22):
            errors.append(r.choice(ERRORS))
        if self.chance(0.05) and "negative" not in errors:
            r.choice(comps)["allowNegative"] = True

        if kind == "xlsx" and errors and errors[0] == "cut_off":
            errors = ["bad_number"]                 # a workbook is not cut off in a row
        if layout != "componentRow" and errors and errors[0] == "typo_component":
            errors = ["unknown_employee"]
        fmt["final_newline"] = not self.chance(0.15)
        case = {"seed": self.seed, "client": client, "layout": layout, "fmt": fmt,
                "period_source": psource, "periods": periods, "components": comps,
                "cost_center": None, "shift": None, "payslip_text": None,
                "aggregate": "reject" if self.chance(0.15) else "sum",
                "totals_row": self.chance(0.35), "errors": errors,
                "options": {"allow_partial": bool(errors) and self.chance(0.5),
                            "collective": r.choice([None, None, None, 1, 3, 50]),
                            "rerun": self.chance(0.1)}}
        # blank cells sent as 0 or as null (the removal of Loket's value) in one component: in
        # a wide or template file with one row per employment, so that a blank never meets a
        # value of the same record
        case["blank_modes"] = layout != "long" and psource == "commandLine" and not errors and self.chance(0.3)
        if case["blank_modes"]:
            self.r.choice(comps)["blank"] = self.r.choice(["zero", "null"])
        # the business rules left to Loket (test hook LOKET_IMPORT_SKIP_PRECHECKS=1): its own
        # rejections of single records must land on the right records, collective or not, in
        # both simulator modes
        if errors and errors[0] in ("closed_period", "not_active") and self.chance(0.5):
            case["options"]["skip_prechecks"] = True
            case["options"]["allow_partial"] = False
        if "repeat_rejected" in errors:
            case["aggregate"] = "reject"
        # the export's own totals checked (input.totalsRow) rather than skipped, where the rows
        # above are all taken (a row with an error of its own would change the sums)
        case["totals_checked"] = case["totals_row"] and (not errors or errors == ["totals_mismatch"]) \
            and self.chance(0.6)
        if "totals_mismatch" in errors:
            case["totals_row"] = case["totals_checked"] = True
            case["options"]["allow_partial"] = False
        if "cut_off" in errors:
            case["totals_row"] = case["totals_checked"] = False
        if "empty_file" in errors:
            case["totals_row"] = case["totals_checked"] = False
            case["options"]["allow_empty"] = self.chance(0.4)
        if self.chance(0.4):
            case["cost_center"] = {"by": "key" if self.chance(0.2) else "code"}
        if self.chance(0.15) and layout != "componentRow":
            case["shift"] = r.choice(["Avond", "Nacht", "Dag"])
        if "text_too_long" in errors or (self.chance(0.1) and not case["options"]["rerun"]):
            case["payslip_text"] = {"column": layout != "componentRow"}
        if "too_many_decimals" in errors:
            c = r.choice(comps)
            c.pop("round", None)
            c.pop("divideBy", None)
            c.pop("scale", None)
            c.pop("format", None)
            c["three_decimals"] = True
        case["rows"] = self.rows(case)
        # drawn after the rows, so that the rows of a seed stay those of earlier versions
        case["options"]["verify"] = self.chance(0.3)
        case["fixed_period"] = psource == "commandLine" and layout != "componentRow" and self.chance(0.2)
        case["by_income_relationship"] = self.chance(0.2)
        fmt["encoding"] = "windows-1252" if kind == "csv" and self.chance(0.15) else "utf-8"
        return case

    def date_in(self, client, period):
        p = self.w.period(client, *period)
        days = (p["end"] - p["start"]).days
        # the first and last days of a period are the interesting ones
        off = self.r.choice([0, days, self.r.randint(0, days)])
        return p["start"] + dt.timedelta(days=off)

    def rows(self, case):
        r, w, client = self.r, self.w, case["client"]
        comps = case["components"]
        pool = []
        for e in w.employments:
            if e["client"] != client:
                continue
            act = [p for p in case["periods"] if w.active(e, w.period(client, *p))]
            if act:
                pool.append((e, act))
        chosen = r.sample(pool, min(len(pool), r.choice([2, 3, 5, 8])))
        # the interesting employments more often
        for e, act in pool:
            if e["number"] in (1001, 1002, 1007, 1023, 1024, 1105, 1114, 1115, 2001, 2005, 2019, 2020) \
                    and (e, act) not in chosen and self.chance(0.3):
                chosen.append((e, act))
        rows, used = [], set()
        for e, act in chosen:
            nrows = 1 if case["period_source"] == "commandLine" else r.choice([1, 2, 3, 5])
            for _ in range(nrows):
                period = r.choice(act)
                row = self.data_row(case, e, period)
                if case["aggregate"] == "reject":
                    # one row per employment and period (or date): a repeat is a mistake, and
                    # the mistakes are injected on purpose below
                    when = (e["id"], row.get("date") or tuple(period), row.get("cc"))
                    if when in used:
                        continue
                    used.add(when)
                if case["layout"] == "long":
                    for c in comps:
                        if row["cells"].get(c["key"]) is not None:
                            lr = dict(row)
                            lr["cells"] = {c["key"]: row["cells"][c["key"]]}
                            rows.append(lr)
                else:
                    rows.append(row)
        if case["period_source"] in ("commandLine",) or case["layout"] == "componentRow":
            # one row per employment and record key in a template or a command-line period, unless summed
            pass
        if case["aggregate"] == "sum" and rows and not case["blank_modes"] and self.chance(0.4):
            for _ in range(r.randint(1, 3)):           # duplicates: they add up
                rows.insert(r.randrange(len(rows) + 1), dict(r.choice(rows)))
        if rows and self.chance(0.4):                   # blank lines and delimiter-only lines
            for _ in range(r.randint(1, 2)):
                rows.insert(r.randrange(1, len(rows) + 1), {"type": r.choice(["blank", "empty_cells"])})
        if rows and not case["blank_modes"] and self.chance(0.25):   # an employee without values
            e, act = r.choice(chosen)
            rows.insert(r.randrange(len(rows) + 1), dict(self.data_row(case, e, r.choice(act)), cells={}))
        for err in case["errors"]:
            self.inject(case, rows, err, chosen, pool)
        if case["totals_row"]:
            off = "totals_mismatch" in case["errors"]
            if off and not self.numeric_total(case, rows):
                case["errors"].remove("totals_mismatch")   # no column the totals row can say
                off = False
            rows.append({"type": "totals", "off": off})
        if "cut_off" in case["errors"]:
            # the file ends in the middle of its last record: no line break, fields missing
            last = [i for i, x in enumerate(rows) if x["type"] == "data"]
            del rows[last[-1] + 1:]
            rows[-1] = dict(rows[-1], cut=True)
        if "empty_file" in case["errors"]:
            rows = [x for x in rows if x["type"] != "data" or not x["cells"]]
            if self.chance(0.5):
                rows = []
        return rows

    @staticmethod
    def numeric_total(case, rows):
        """Whether some value column gets a number in the totals row (a column holding
        durations gets none)."""
        data = [x for x in rows if x["type"] == "data"]
        if case["layout"] == "long":
            return bool(data) and all("n" in c for x in data for c in x["cells"].values())
        for c in case["components"]:
            cells = [x["cells"][c["key"]] for x in data if c["key"] in x["cells"]]
            if cells and all("n" in cell for cell in cells):
                return True
        return False

    def data_row(self, case, e, period):
        r = self.r
        row = {"type": "data", "emp": e["number"], "pid": e["payrollId"], "name": e["name"], "cells": {}}
        if case["period_source"] == "date":
            row["date"] = self.date_in(case["client"], period).isoformat()
        elif case["period_source"] == "column":
            row["period"] = list(period)
        if case["cost_center"]:
            # blank = the employment's default; with aggregate "reject" every row names one, so
            # that "the same record key" means the same thing before and after resolving
            row["cc"] = r.choice(["PROD", "VERK", "ADM"] + ([] if case["aggregate"] == "reject" else ["", ""]))
        if case["payslip_text"]:
            # one text per employment (two texts in one record are an error of their own)
            row["text"] = ("Uren %d" % (self.seed % 1000)) if (e["number"] + self.seed) % 2 else ""
        for c in case["components"]:
            if case["layout"] != "long" and self.chance(0.2):
                continue                                # a blank cell
            row["cells"][c["key"]] = self.value_for(c)
        if not row["cells"]:
            c = r.choice(case["components"])
            row["cells"][c["key"]] = self.value_for(c)
        return row

    def inject(self, case, rows, err, chosen, pool):
        r, client = self.r, case["client"]
        data = [x for x in rows if x["type"] == "data" and x["cells"]]
        if not data:
            return
        victim = r.choice(data)
        pos = r.randrange(len(rows) + 1)
        if err == "bad_number":
            k = r.choice(list(victim["cells"]))
            victim["cells"][k] = {"bad": r.choice(["7,5x", "(3,25)", "1e3", "12 uur", "#"])}
            victim["error"] = err
        elif err == "unknown_employee":
            rows.insert(pos, dict(victim, emp=9999, error=err))
        elif err == "closed_period":
            bad = dict(victim, error=err)
            if case["period_source"] == "date":
                bad["date"] = self.date_in(client, CLOSED[client]).isoformat()
            elif case["period_source"] == "column":
                bad["period"] = list(CLOSED[client])
            else:
                return self.inject(case, rows, "bad_number", chosen, pool)
            rows.insert(pos, bad)
        elif err == "repeat_rejected":
            rows.insert(rows.index(victim) + 1, dict(victim, error=err))
        elif err == "not_active":
            # a leaver's row after leaving, for an employee with no other rows
            for num, period in ((1019, (2026, 11)), (1023, (2026, 12)), (1114, (2026, 13)),
                                (2019, (2026, 49)), (2020, (2026, 46))):
                e = self.w.employments_of(client, num)
                if not e or e[0] in [x[0] for x in chosen]:
                    continue
                if case["period_source"] == "commandLine" and tuple(case["periods"][0]) != period:
                    continue
                if case["period_source"] == "column":
                    case["periods"] = list(case["periods"]) + [period]
                bad = self.data_row(case, e[0], period)
                if case["period_source"] == "date" and not self.w.period(client, *period):
                    continue
                bad["error"] = err
                if case["layout"] == "long":
                    k = next(iter(bad["cells"]))
                    bad["cells"] = {k: bad["cells"][k]}
                rows.insert(pos, bad)
                return
            return self.inject(case, rows, "bad_number", chosen, pool)
        elif err == "negative":
            k = r.choice(list(victim["cells"]))
            c = next(c for c in case["components"] if c["key"] == k)
            if c.get("allowNegative"):
                c.pop("allowNegative")
            cell = victim["cells"][k]
            if "n" in cell and cell["n"] not in ("0",):
                cell["n"] = "-" + cell["n"]
            elif "d" in cell and not cell["d"].startswith("0:00"):
                cell["d"] = "-" + cell["d"]
            else:
                victim["cells"][k] = {"n": "-1"} if "n" in cell else {"d": "-1:30"}
            victim["error"] = err
        elif err == "too_large":
            k = r.choice(list(victim["cells"]))
            c = next(c for c in case["components"] if c["key"] == k)
            c.pop("divideBy", None)
            c.pop("scale", None)
            c.pop("format", None)
            for x in rows:                              # the component's other cells stay numbers
                if x.get("cells", {}).get(k) and "d" in x["cells"][k]:
                    x["cells"][k] = {"n": "8"}
            lo, hi, _ = self.w.component_range(k)
            victim["cells"][k] = {"n": _dec_str(hi + 1)}
            victim["error"] = err
            if self.chance(0.5):
                c["max"] = _dec_str(hi)                 # the plan's to refuse; else Loket's
        elif err == "text_too_long":
            victim["text"] = "Correctie uren november 2026 afdeling"
            victim["error"] = err
        elif err == "too_many_decimals":
            pass                                        # the component's values carry 3 decimals
        elif err == "typo_component":
            victim["typo"] = "4"                        # a value under the column headed "1O"
            victim["error"] = err


def make(seed, world):
    return Gen(seed, world).case()


# ---------------------------------------------------------------- rendering

def fmt_number(s, dutch, thousands):
    neg = s.startswith("-")
    s = s.lstrip("-")
    ip, _, fp = s.partition(".")
    if thousands and len(ip) > 3:
        groups = []
        while len(ip) > 3:
            groups.insert(0, ip[-3:])
            ip = ip[:-3]
        groups.insert(0, ip)
        ip = ("." if dutch else ",").join(groups)
    out = ip + ((("," if dutch else ".") + fp) if fp else "")
    return ("-" if neg else "") + out


def fmt_date(iso, r):
    d = dt.date.fromisoformat(iso)
    f = r.choice(["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "short"])
    if f == "short":
        return "%d-%d-%d" % (d.day, d.month, d.year)
    return d.strftime(f)


def fmt_period(case, p):
    year, num = p
    if case["client"] == 40101 and case["seed"] % 2 == 0:
        return "%d-%02d" % (year, num)
    return "%d-P%02d" % (year, num)


def _period_text(case, p):
    return fmt_period(case, p)


def cli_period(case):
    if case["period_source"] != "commandLine" or case.get("fixed_period"):
        return None
    return fmt_period(case, case["periods"][0])


def columns(case):
    """The header cells and, per column, what it holds."""
    cols = [("Personeelsnr", "emp"), ("Naam", "name"), ("Dienstverband", "pid")]
    if case["period_source"] == "date":
        cols.append(("Datum", "date"))
    elif case["period_source"] == "column":
        cols.append(("Periode", "period"))
    if case["cost_center"]:
        cols.append(("Kostenplaats", "cc"))
    if case["payslip_text"]:
        cols.append(("Omschrijving", "text"))
    if case["layout"] == "long":
        cols += [("Looncomponent", "lc"), ("Waarde", "lv")]
    else:
        cols += [(c["header"] if case["layout"] == "wide" else str(c["key"]), ("comp", c["key"]))
                 for c in case["components"]]
    if "typo_component" in case["errors"]:
        cols.append(("1O", "typo"))
    if case["layout"] == "wide":
        r = random.Random(case["seed"] * 7 + 1)
        head, tail = cols[:1], cols[1:]
        r.shuffle(tail)
        cols = head + tail
    return cols


def cell_value_text(case, cell, r):
    if cell is None:
        return ""
    f = case["fmt"]
    if "bad" in cell:
        return cell["bad"]
    if "d" in cell:
        return cell["d"]
    if f["kind"] == "xlsx":
        return cell["n"]
    return fmt_number(cell["n"], f["dutch"], f["thousands"])


def table(case):
    """The file as a list of rows of (text, xlsx-kind) cells; row 0 is the header (or the title
    rows of the template)."""
    r = random.Random(case["seed"] * 13 + 5)
    cols = columns(case)
    comp_by_key = {c["key"]: c for c in case["components"]}
    out = []
    if case["layout"] == "componentRow":
        out.append([("Template voor importeren variabele gegevens", "s")])
        out.append([("Werkgever", "s"), ("Differentieel", "s"), ("", "s"), ("Loonheffingennummer", "s"),
                    (str(case["client"]), "s")])
        out.append([("Periode", "s"), (cli_period(case), "s")])
        out.append([(COMPONENT_HEADERS[k[1]] if isinstance(k, tuple) else "", "s") for _, k in cols])
    out.append([(h, "s") for h, _ in cols])
    totals = {}
    for row in case["rows"]:
        t = row["type"]
        if t == "blank":
            out.append([])
            continue
        if t == "empty_cells":
            out.append([("", "s")] * len(cols))
            continue
        line = []
        for h, what in cols:
            if t == "totals":
                if what == "name":
                    line.append(("Totaal", "s"))
                elif isinstance(what, tuple) or what == "lv":
                    tot = totals.get(what[1] if isinstance(what, tuple) else "lv")
                    if tot == "duration":
                        tot = None                      # durations: left blank, not compared
                    elif tot is not None and row.get("off"):
                        tot += 1
                    line.append((_dec_str(tot) if case["fmt"]["kind"] == "xlsx" else
                                 fmt_number(_dec_str(tot), case["fmt"]["dutch"], case["fmt"]["thousands"]), "n")
                                if tot is not None else ("", "s"))
                else:
                    line.append(("", "s"))
                continue
            if what == "emp":
                line.append((str(row["emp"]), "n"))
            elif what == "name":
                line.append((row["name"], "s"))
            elif what == "pid":
                line.append((str(row["pid"]), "n"))
            elif what == "date":
                line.append((row["date"], "date"))
            elif what == "period":
                line.append((fmt_period(case, row["period"]), "s"))
            elif what == "cc":
                code = row.get("cc") or ""
                if case["cost_center"]["by"] == "key" and code:
                    code = {"PROD": "1", "VERK": "2", "ADM": "3"}[code]
                line.append((code, "s"))
            elif what == "text":
                line.append((row.get("text") or "", "s"))
            elif what == "typo":
                line.append((row.get("typo") or "", "n"))
            elif what == "lc":
                k = next(iter(row["cells"])) if row["cells"] else case["components"][0]["key"]
                code = comp_by_key[k]["code"]
                line.append((code if code else str(k), "s" if code else "n"))
            elif what == "lv":
                cell = next(iter(row["cells"].values())) if row["cells"] else None
                line.append(_cell(case, cell, r))
                _add_total(totals, "lv", cell)
            else:
                cell = row["cells"].get(what[1])
                line.append(_cell(case, cell, r))
                _add_total(totals, what[1], cell)
        out.append(line)
    return out


def _add_total(totals, k, cell):
    if cell and "d" in cell:
        totals[k] = "duration"
    elif cell and "n" in cell and totals.get(k) != "duration":
        totals[k] = totals.get(k, Decimal(0)) + Decimal(cell["n"])


def _cell(case, cell, r):
    if cell is None:
        return ("", "s")
    if "n" in cell:
        return (cell_value_text(case, cell, r), "n")
    return (cell_value_text(case, cell, r), "s")


def mapping(case):
    f = case["fmt"]
    m = {"name": "differential seed %d" % case["seed"], "layout": case["layout"]}
    inp = {"type": f["kind"] if case["seed"] % 3 else "auto"}
    if f["kind"] == "csv":
        if f["explicit_delimiter"]:
            inp["delimiter"] = {"\t": "tab"}.get(f["delimiter"], f["delimiter"])
        if f["explicit_decimal"]:
            inp["decimalSeparator"] = "," if f["dutch"] else "."
    else:
        inp["sheet"] = f["sheet"] if case["seed"] % 2 else 1
    if case["totals_row"]:
        sel = {"column": "Naam", "matches": "Totaal*"} if case["layout"] != "componentRow" \
            else {"letter": "B", "matches": "totaal*"}
        if case.get("totals_checked"):
            inp["totalsRow"] = sel
        else:
            inp["skipRows"] = [dict(sel, reason="totals row")]
    cols = columns(case)

    def col(what):
        for i, (h, w) in enumerate(cols):
            if w == what:
                if case["layout"] == "componentRow" or (case["seed"] % 5 == 0):
                    return {"letter": chr(ord("A") + i)}
                return h if case["seed"] % 2 else {"column": h.upper()}
        raise KeyError(what)

    m["input"] = inp
    m["employee"] = {"employeeNumber": col("emp"),
                     ("incomeRelationshipNumber" if case.get("by_income_relationship") else "payrollId"): col("pid")}
    if case["layout"] != "componentRow":
        m["employer"] = {"clientNumber": str(case["client"]) if case["seed"] % 2 else case["client"]}
    ps = case["period_source"]
    if ps == "commandLine" and case.get("fixed_period"):
        m["period"] = {"source": "fixed", "value": _period_text(case, case["periods"][0])}
    elif ps == "commandLine":
        m["period"] = {"source": ps}
    else:
        c = col(ps if ps != "column" else "period")
        m["period"] = dict({"source": ps}, **(c if isinstance(c, dict) else {"column": c}))
    rk = {}
    if case["cost_center"]:
        rk["costCenter"] = dict(col("cc") if isinstance(col("cc"), dict) else {"column": col("cc")},
                                by=case["cost_center"]["by"])
    if case["shift"]:
        rk["shift"] = {"code": case["shift"]}
    if rk:
        m["recordKey"] = rk
    if case["payslip_text"]:
        m["payslipText"] = col("text") if isinstance(col("text"), dict) else {"column": col("text")}
    comps = []
    for c in case["components"]:
        e = {"component": c["key"]}
        if case["layout"] == "wide":
            e["column"] = c["header"]
        elif case["layout"] == "long" and c["code"]:
            e["code"] = c["code"]
        for k in ("scale", "divideBy", "round", "format", "isSupplement", "allowNegative", "blank", "min", "max"):
            if k in c:
                e[k] = Decimal(c[k]) if k in ("scale", "min", "max") else c[k]
        if case["layout"] != "wide" and len(e) == 1:
            continue
        comps.append(e)
    if comps or case["layout"] == "wide":
        m["components"] = comps
    if case["layout"] == "long":
        m["long"] = {"componentColumn": col("lc"), "valueColumn": col("lv"), "acceptKeys": True}
    if case["layout"] == "componentRow":
        first = next(i for i, (_, w) in enumerate(cols) if isinstance(w, tuple))
        m["componentRow"] = {"row": 5, "nameRow": 4, "firstColumn": chr(ord("A") + first)}
    m["aggregate"] = case["aggregate"]
    return json.dumps(m, indent=1, default=lambda d: float(d) if d != d.to_integral() else int(d))


def csv_bytes(case, rows):
    f = case["fmt"]
    d = f["delimiter"]
    nl = "\r\n" if f["crlf"] else "\n"
    lines = []
    for n, row in enumerate(rows):
        if n == len(rows) - 1 and case["rows"] and case["rows"][-1].get("cut"):
            row = row[:max(1, len(row) // 2)]
        cells = []
        for text, _ in row:
            if any(ch in text for ch in (d, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(d.join(cells))
    cut = bool(case["rows"]) and case["rows"][-1].get("cut")
    body = nl.join(lines) + (nl if f["final_newline"] and not cut else "")
    if f.get("encoding") == "windows-1252":
        # names with accents, as Dutch Excel saves them (the name column is not read, the
        # encoding must still be found)
        body = body.replace("Jansen", "Jans\u00e9n").replace("Visser", "Vi\u00dfer")
        data = body.encode("cp1252")
    else:
        data = body.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if f["bom"] and f.get("encoding") != "windows-1252" else data


def render(case):
    """(file name, file bytes, mapping JSON text)"""
    rows = table(case)
    if case["fmt"]["kind"] == "xlsx":
        import xlsx
        return "export.xlsx", xlsx.workbook(case["fmt"]["sheet"], rows, case["fmt"]["xlsx_dates"]), mapping(case)
    r = random.Random(case["seed"] * 31 + 3)
    for row in rows:
        for i, (text, kind) in enumerate(row):
            if kind == "date":
                row[i] = (fmt_date(text, r), "s")
    return "export.csv", csv_bytes(case, rows), mapping(case)
