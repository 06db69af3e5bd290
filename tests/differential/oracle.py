"""oracle.py: the exact Loket state and report numbers a run of `apply` must leave for a case.

Written from the documents (docs/mappings.md, docs/import.md, docs/reports.md,
docs/simulator.md), not from the C code, with exact arithmetic (decimal.Decimal, never floats):

- a cell's value: a number as written; a duration H:MM[:SS] in hours; scaled per cell
  (value x scale / divideBy) exact to 6 decimals, half away from zero;
- rows are bucketed into the administration's periods (command line, period column, or the
  date's month / 4 weeks / ISO week); the employment is the employee's one active in the period,
  narrowed by payrollId; the record key takes the employment's default where the file leaves it
  open (cost center: the employment's; shift 1; payslip type 1);
- values are summed exactly per record (employment x period x record key x component) and rounded
  once, to the component's `round`;
- every mistake (a bad cell, an unknown or inactive employee, a closed or unknown period, a
  repeated row under aggregate "reject", a negative value without allowNegative, a sum outside
  the mapping's min/max, a payslip text longer than 25 or two texts in one record) stops the
  run: nothing is sent (exit 2); with --allow-partial only the employments without any mistake
  are sent (exit 1);
- what only Loket can judge (a sum outside the component's range or with more decimals than it
  allows, for which Loket's component data give no limits; and, with the test hook that leaves
  the business rules to Loket, an inactive employment or a closed period) is sent and refused
  by Loket record by record (exit 1);
- a sent record is Loket's upsert: an unknown key creates a record, a known key gets the sent
  components overwritten and keeps the others.
"""
import datetime as dt
from collections import OrderedDict
from decimal import Decimal, ROUND_HALF_UP

SIX = Decimal("0.000001")


def q6(v):
    return v.quantize(SIX, rounding=ROUND_HALF_UP)


def cell_value(cell, comp):
    """(Decimal value, None) or (None, reason)."""
    if "bad" in cell:
        return None, "not a number: %r" % cell["bad"]
    if "d" in cell:
        text = cell["d"]
        neg = text.startswith("-")
        parts = [int(p) for p in text.lstrip("-").split(":")]
        h = Decimal(parts[0]) + Decimal(parts[1]) / 60 + (Decimal(parts[2]) / 3600 if len(parts) > 2 else 0)
        v = q6(-h if neg else h)
    else:
        v = Decimal(cell["n"])
    scale = Decimal(comp.get("scale", "1"))
    div = Decimal(comp.get("divideBy", 1))
    if scale != 1 or div != 1:
        v = q6(v * scale / div)
    return v, None


class Expectation:
    def __init__(self):
        self.records = []          # the records the run must have sent (or found unchanged)
        self.refused = []          # the records Loket must refuse (business rules left to it)
        self.errors = []           # (what, employment id or None)
        self.sent = False
        self.exit_code = 0
        self.state = []            # normalized state
        self.outcomes = {}         # created / updated / unchanged counts
        self.ambiguous_outcome = 0 # records that may be reported created or updated
        self.component_sums = {}   # key -> (count, sum) over every record Loket accepts
        self.data_lines = 0
        self.tags = set()          # constructs the case holds whose fix is pending elsewhere


def _key_of_record(r):
    return (r["employmentId"], r["year"], r["number"], r["shift"], r["payslipType"], r["du"], r["cc"], r["cu"])


def normalize_state(records):
    """Loket's records (GET /__sim/state or the fixture) as comparable tuples."""
    out = []
    for r in records:
        pp = r.get("payrollPeriod") or {}
        comps = tuple(sorted((c["payrollComponent"]["key"], Decimal(str(c["value"])) if c.get("value") is not None else None,
                              bool(c.get("isSupplement"))) for c in r.get("payrollComponents") or []))
        du = r.get("distributionUnit")
        out.append({"employmentId": r["employmentId"], "year": pp.get("year"), "number": pp.get("periodNumber"),
                    "shift": (r.get("shift") or {}).get("shiftNumber", 1),
                    "payslipType": (r.get("payslipType") or {}).get("key", 1),
                    "du": du.get("key") if isinstance(du, dict) else None,
                    "cc": (r.get("costCenter") or {}).get("key"), "cu": (r.get("costUnit") or {}).get("key"),
                    "text": r.get("payslipText"), "components": comps})
    out.sort(key=lambda x: repr(sorted(x.items())))
    return out


def expect(case, world, fixture_records):
    client = case["client"]
    comps = {c["key"]: c for c in case["components"]}
    ex = Expectation()
    emp_errors = set()
    any_error = False

    def error(what, emp_id):
        nonlocal any_error
        any_error = True
        ex.errors.append((what, emp_id))
        if emp_id:
            emp_errors.add(emp_id)

    sums = OrderedDict()           # (emp, period, cc, shift) -> {comp: Decimal}
    spelled, by_day = {}, {}
    loket_refuses = set()          # records Loket itself refuses (1001 not active, 1003 closed,
                                   # 1008 out of range or too many decimals)
    texts = {}
    seen = {}                      # aggregate "reject": (emp, period or date, cc, shift, comp)
    cli = tuple(case["periods"][0]) if case["period_source"] == "commandLine" else None
    last = max([i for i, r in enumerate(case["rows"]) if r["type"] in ("data", "totals")] or [-1])
    fatal = False                  # a file not read to its end: nothing is sent, whatever the options
    for i, row in enumerate(case["rows"]):
        # an XLSX sheet ends with its last row that holds a cell: blank rows after it do not exist
        if case["fmt"]["kind"] == "csv" or i <= last:
            ex.data_lines += 1
        if row["type"] == "totals" and case.get("totals_checked"):
            # the generator writes the rows' own sums, one of them off by 1 where "off" says so
            if row.get("off"):
                # docs/mappings.md: a file whose totals row disagrees sends nothing,
                # --allow-partial or not
                error("totals row differs from the rows above", None)
                fatal = True
            continue
        if row.get("cut"):
            error("the file ends in the middle of its last row", None)
            fatal = True
            continue
        if row["type"] != "data" or not row["cells"]:
            continue               # skipped: blank, delimiter-only, totals, no values
        # the period
        if case["period_source"] == "date":
            p = world.period_of_date(client, dt.date.fromisoformat(row["date"]))
        else:
            p = world.period(client, *(cli or tuple(row["period"])))
        cands = [e for e in world.employments_of(client, row["emp"]) if e["payrollId"] == row["pid"]]
        emp = None
        if p is not None:
            act = [e for e in cands if world.active(e, p)]
            emp = act[0] if len(act) == 1 else None
        skip = case["options"].get("skip_prechecks")
        if emp is None and skip and p is not None and cands:
            emp = cands[0]         # the plan does not check "active": Loket refuses the record
        emp_id = emp["id"] if emp else None
        if p is None:
            error("no period for the row", emp_id)
            continue
        if emp is None:
            error("no employment of %d active in %d-%d" % (row["emp"], p["year"], p["number"]), None)
            continue
        if p["closed"] and not skip:
            error("period %d-%d closed" % (p["year"], p["number"]), emp_id)
            continue
        values, bad = {}, False
        if case["layout"] != "long":
            for c in case["components"]:
                if c["key"] not in row["cells"] and c.get("blank") in ("zero", "null"):
                    values[c["key"]] = Decimal(0) if c["blank"] == "zero" else None
        for k, cell in row["cells"].items():
            k = int(k)
            v, why = cell_value(cell, comps[k])
            if why:
                bad = True
            elif v < 0 and not comps[k].get("allowNegative"):
                bad = True
            else:
                values[k] = v
        if bad:
            error("bad or negative cell", emp_id)
            continue
        if row.get("typo"):
            error("a value under a column whose header is not a component number", emp_id)
            continue
        cc_key = emp["costCenter"]
        if case["cost_center"] and row.get("cc"):
            cc_key = world.cost_center_key(client, row["cc"])
        shift = world.shift_number(client, case["shift"]) if case["shift"] else 1
        rkey = (emp_id, (p["year"], p["number"]), cc_key, shift)
        if skip and (p["closed"] or not world.active(emp, p)):
            loket_refuses.add(rkey)
        if case["aggregate"] == "reject":
            when = row.get("date") or (p["year"], p["number"])
            rep = [k for k in values if (emp_id, when, row.get("cc") or "", shift, k) in seen]
            if rep:
                error("repeated row", emp_id)
                continue
            for k in values:
                seen[(emp_id, when, row.get("cc") or "", shift, k)] = True
        rec = sums.setdefault(rkey, {})
        for k, v in values.items():
            if v is None:          # null: the removal (one row per record in such cases)
                rec[k] = None
                continue
            rec[k] = rec.get(k, Decimal(0)) + v
            # what each row's record key said before the defaults (for the tags below)
            spelled.setdefault(rkey, set()).add(row.get("cc") or "")
            if case["period_source"] == "date":
                dk = (rkey, k, row["date"])
                by_day[dk] = by_day.get(dk, Decimal(0)) + v
        if case["payslip_text"]:
            t = row.get("text") or None
            if t is not None:
                if rkey in texts and texts[rkey] not in (None, t):
                    error("two payslip texts in one record", emp_id)
                texts[rkey] = t
            else:
                texts.setdefault(rkey, None)

    records = []
    for rkey, values in sums.items():
        emp_id, (year, number), cc_key, shift = rkey
        out = {}
        for k, v in values.items():
            c = comps[k]
            if v is None:
                out[k] = (None, bool(c.get("isSupplement")))
                continue
            if "round" in c:
                v = v.quantize(Decimal(1).scaleb(-c["round"]), rounding=ROUND_HALF_UP)
            # the mapping's own limits are the plan's to check; Loket's component data give no
            # range and no number of decimals, so beyond those Loket refuses the record (1008)
            if ("min" in c and v < Decimal(c["min"])) or ("max" in c and v > Decimal(c["max"])):
                error("component %d: %s outside the mapping's min/max" % (k, v), emp_id)
            lo, hi, decimals = world.component_range(k)
            if v < lo or v > hi or v != v.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):
                loket_refuses.add(rkey)
            out[k] = (v, bool(c.get("isSupplement")))
        text = texts.get(rkey)
        if text is not None and len(text) > 25:
            error("payslip text longer than 25", emp_id)
        records.append({"employmentId": emp_id, "year": year, "number": number, "shift": shift,
                        "payslipType": 1, "du": None, "cc": cc_key, "cu": None, "text": text,
                        "values": out, "refused": rkey in loket_refuses})

    # tags: constructs whose documented behaviour is being fixed elsewhere (named in the report
    # of a failing seed, never used to pass one)
    for i, r in enumerate(case["rows"]):
        if r["type"] in ("blank", "empty_cells"):
            ex.tags.add("trailing-blank-lines" if i > last else "blank-lines")
    if any(len(v) > 1 for v in spelled.values()):
        ex.tags.add("one-record-two-spellings")
    day_sums = {}
    for (rkey, k, _), v in by_day.items():
        c = comps[k]
        if "round" in c:
            v = v.quantize(Decimal(1).scaleb(-c["round"]), rounding=ROUND_HALF_UP)
        day_sums[(rkey, k)] = day_sums.get((rkey, k), Decimal(0)) + v
    for (rkey, k), v in day_sums.items():
        if v is None:
            continue
        c = comps[k]
        total = sums[rkey][k]
        if "round" in c:
            total = total.quantize(Decimal(1).scaleb(-c["round"]), rounding=ROUND_HALF_UP)
        if v != total:
            ex.tags.add("rounding-per-day")
    for e in case["errors"]:
        if e in ("negative", "text_too_long") or (e == "too_large" and any("max" in c for c in case["components"])):
            ex.tags.add("plan-check-" + e)
    if case["layout"] == "componentRow" and not case["fmt"]["final_newline"] and case["fmt"]["kind"] == "csv":
        ex.tags.add("template-unterminated-last-line")
    if any(c.get("allowNegative") for c in case["components"]):
        ex.tags.add("allowNegative")
    if case["aggregate"] == "reject" and any(w == "repeated row" for w, _ in ex.errors):
        ex.tags.add("issue-rows-counted-per-cell")
    if any(w.startswith("bad") for w, _ in ex.errors):
        ex.tags.add("issue-rows-counted-per-cell")

    if not any(r["type"] == "data" and r["cells"] for r in case["rows"]) and not case["options"].get("allow_empty"):
        error("the file has no data rows", None)
        fatal = True
    send = [r for r in records if not fatal and
            (not any_error or (case["options"]["allow_partial"] and r["employmentId"] not in emp_errors))]
    ex.refused = [r for r in send if r["refused"]]
    send = [r for r in send if not r["refused"]]
    # the report's component totals count what Loket holds: the records it accepted, not the
    # ones it refused (those are shown apart)
    for r in send:
        for k, (v, _) in r["values"].items():
            n, s = ex.component_sums.get(k, (0, Decimal(0)))
            ex.component_sums[k] = (n + 1, s + (v if v is not None else 0))   # a removal adds 0
    ex.sent = bool(send)
    ex.exit_code = 0 if not any_error else (1 if case["options"]["allow_partial"] and not fatal else 2)
    if ex.refused and ex.exit_code == 0:
        ex.exit_code = 1           # some records rejected by Loket
    if ex.refused and case["options"]["collective"] and case["options"]["collective"] > 1:
        ex.tags.add("collective-refusal")

    state = {}
    for r in normalize_state(fixture_records):
        state[_key_of_record(r)] = r
    outcomes = {"created": 0, "updated": 0, "unchanged": 0}
    for r in send:
        key = _key_of_record(r)
        old = state.get(key)
        if old is None:
            outcome = "created"
            comps_now = {}
        else:
            comps_now = {k: (v, s) for k, v, s in old["components"]}
            mapped_held = [k for k in comps if k in comps_now]
            if all(comps_now.get(k) == v for k, v in r["values"].items()) and (r["text"] is None or r["text"] == old["text"]):
                outcome = "unchanged"
            elif mapped_held or r["text"] is not None:
                outcome = "updated"
            else:
                # the listing shows only the mapped components' categories: a record holding
                # none of them may look like no record at all (docs/import.md, known limits)
                outcome = "updated"
                ex.ambiguous_outcome += 1
        if any(v is None for v, _ in r["values"].values()):
            # a removal: what the outcome of a null onto nothing is, the documents do not say
            ex.ambiguous_outcome += 1
        outcomes[outcome] += 1
        r["outcome"] = outcome
        for k, v in r["values"].items():
            if v[0] is None:
                comps_now.pop(k, None)
            else:
                comps_now[k] = v
        text_now = r["text"] if r["text"] is not None else (old["text"] if old else None)
        if not comps_now and text_now is None:
            # an upsert that leaves a record without any value and text removes it
            state.pop(key, None)
            continue
        state[key] = dict(key=key, employmentId=r["employmentId"], year=r["year"], number=r["number"],
                          shift=r["shift"], payslipType=1, du=None, cc=r["cc"], cu=None,
                          text=r["text"] if r["text"] is not None else (old["text"] if old else None),
                          components=tuple(sorted((k, v, s) for k, (v, s) in comps_now.items())))
    ex.outcomes = outcomes
    ex.records = send
    ex.all_records = records
    ex.state = sorted(({k: v for k, v in s.items() if k != "key"} for s in state.values()),
                      key=lambda x: repr(sorted(x.items())))
    return ex
