#!/usr/bin/python3
"""generate.py: realistic months of one monthly payroll administration, with planted anomalies.

One seed -> a folder with:
  fixture.json    loket-sim's world: N employments of "Van den Berg maandloon" (40101) with six
                  closed months of history (2026-04..2026-09) and their working hours
  mapping.json    a long CSV mapping (employee, employment, component, value)
  ordinary.csv    November 2026 as it really was: nothing planted (false alarms are counted here)
  anomalies.csv   the same month with anomalies planted (planted.json says which)
  repeat.csv      August's values sent again as November (the whole file: one planted repeat)
  planted.json    [{kind, employeeNumber, component, what}]

The months follow one process per employee, the same for history and November: a contract of
16..40 hours a week, hours worked = contract hours of the month's working days less leave (more
in summer) and sickness (a day or two now and then, a long spell that takes whole months), overtime
for some employees that swings from month to month with an occasional peak, travel kilometres
per day worked, a fixed shift allowance for a few; starters during the history or in November,
leavers in November (their month is partial).

Planted, each on its own employee: a decimal slipped x10, /10 and x100 on a random component
value, kilometres typed into the hours column (where they are at least twice the hours), hours
far above a part-timer's contract, a bonus never paid before (new component). measure.py runs
loket-import plan on each file and counts.
Run: /usr/bin/python3 tests/signals/generate.py SEED N OUTDIR
"""
import datetime as dt
import importlib.util
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
spec = importlib.util.spec_from_file_location("make_fixture", os.path.join(ROOT, "scripts", "make-fixture.py"))
mf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mf)

HISTORY = [(2026, m) for m in range(4, 10)]   # closed; 2026-10 closed and empty, as in the fixture
TARGET = (2026, 11)
FIRST_NUMBER = 5001


def month_bounds(y, m):
    start = dt.date(y, m, 1)
    end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def workdays(start, end):
    n, d0 = 0, start
    while d0 <= end:
        n += d0.weekday() < 5
        d0 += dt.timedelta(days=1)
    return n


def q(x):
    return round(x * 4) / 4


class Person:
    def __init__(self, rng, number):
        self.number = number
        self.hpw = rng.choice([40] * 10 + [36] + [32] * 4 + [24] * 3 + [16] * 2)
        self.overtime = rng.random() < 0.4 and self.hpw >= 24
        self.ot_base = rng.uniform(2, 12)
        self.km_day = rng.uniform(8, 60) if rng.random() < 0.6 else 0
        self.allowance = rng.choice([12.5, 25, 40]) if rng.random() < 0.1 else 0
        r = rng.random()
        self.start = "2019-03-01"
        self.end = None
        if r < 0.05:      # started during the history: fewer earlier months
            self.start = "2026-%02d-01" % rng.choice([6, 7, 8])
        elif r < 0.08:    # starts in November
            self.start = "2026-11-%02d" % rng.choice([2, 9, 16, 23])
        elif r < 0.11:    # leaves in November
            self.end = "2026-11-%02d" % rng.choice([6, 13, 20, 27])
        self.long_sick = 0  # months of a long spell still to come

    def active(self, start, end):
        return self.start <= end.isoformat() and (not self.end or self.end >= start.isoformat())

    def month(self, rng, y, m):
        """component -> value for one month (what the time-tracking export says)."""
        start, end = month_bounds(y, m)
        s = max(start, dt.date.fromisoformat(self.start))
        e = min(end, dt.date.fromisoformat(self.end)) if self.end else end
        days = workdays(s, e)
        per_day = self.hpw / 5.0
        contract = per_day * days
        if self.long_sick == 0 and rng.random() < 0.01:
            self.long_sick = rng.choice([1, 2, 3])
        if self.long_sick:
            self.long_sick -= 1
            sick = contract
            leave = 0
        else:
            summer = m in (7, 8)
            leave_days = (rng.choice([0, 0, 5, 10, 10, 15]) if summer
                          else rng.choice([0, 0, 0, 0.5, 1, 1, 2, 3, 5]))
            sick_days = rng.choice([0] * 12 + [1, 2, 3, 5])
            leave_days = min(leave_days, days)
            sick_days = min(sick_days, days - leave_days)
            leave, sick = leave_days * per_day, sick_days * per_day
        worked = max(0.0, contract - leave - sick)
        out = {10: q(worked)}
        if sick:
            out[13] = q(sick)
        if leave:
            out[14] = q(leave)
        if self.overtime and worked and rng.random() < 0.7:
            peak = 2.0 if rng.random() < 0.05 else 1.0
            out[11] = q(self.ot_base * math.exp(rng.gauss(0, 0.45)) * peak)
        if self.km_day and worked:
            out[20] = round(self.km_day * worked / per_day * rng.uniform(0.95, 1.05), 0)
        if self.allowance and worked:
            out[31] = self.allowance
        return {k: v for k, v in out.items() if v}


def build(seed, n, outdir):
    rng = random.Random(seed)
    vdb = mf.employer("Bakkerij Van den Berg B.V.", 1, True,
                      mf.address("Kerkstraat", 12, "3811 CV", "Amersfoort"))
    adm = mf.administration(vdb, "Van den Berg maandloon", 40101, "month", mf.ALL_KEYS, ["BAK", "WINKEL"],
                            vdb["address"])
    people, emps, records = [], [], []
    for i in range(n):
        p = Person(rng, FIRST_NUMBER + i)
        people.append(p)
        emps.append(mf.employment(vdb, adm, p.number, i, start=p.start, end=p.end, hours_per_week=p.hpw))
    months = {}
    for (y, m) in HISTORY + [TARGET]:
        start, end = month_bounds(y, m)
        for p, e in zip(people, emps):
            if not p.active(start, end):
                continue
            vals = p.month(rng, y, m)
            months[(p.number, m)] = vals
            if (y, m) == TARGET or not vals:
                continue
            records.append({"id": mf.uid("record", e["id"], y, m), "employmentId": e["id"],
                            "payrollPeriod": {"year": y, "periodNumber": m},
                            "shift": {"shiftNumber": 1}, "payslipType": {"key": 1},
                            "costCenter": {"key": e["simCostCenter"]}, "costUnit": None,
                            "distributionUnit": None, "payslipText": None,
                            "payrollComponents": [{"payrollComponent": {"key": k}, "value": v,
                                                   "isSupplement": False} for k, v in sorted(vals.items())]})
    fixture = mf.small_fixture_shell()
    fixture["employers"] = [vdb]
    fixture["payrollAdministrations"] = [adm]
    fixture["employments"] = emps
    fixture["payrollPeriodData"] = records
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "fixture.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f)
    mapping = {"name": "signals generator", "layout": "long",
               "input": {"type": "csv", "delimiter": ",", "decimalSeparator": ".",
                         "thousandsSeparator": "none", "headerRow": 1},
               "long": {"componentColumn": "Component", "valueColumn": "Value", "acceptKeys": True},
               "employee": {"employeeNumber": "Nr"}, "employer": {"clientNumber": "40101"},
               "period": {"source": "commandLine"}, "aggregate": "sum"}
    with open(os.path.join(outdir, "mapping.json"), "w", encoding="utf-8") as f:
        json.dump(mapping, f, indent=1)

    nov = {p.number: months.get((p.number, 11)) for p in people if (p.number, 11) in months}

    def write(name, data):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write("Nr,Component,Value\n")
            for number in sorted(data):
                for k, v in sorted(data[number].items()):
                    f.write("%d,%d,%s\n" % (number, k, ("%.2f" % v).rstrip("0").rstrip(".")))
    write("ordinary.csv", nov)

    # planted anomalies, each on an employee of its own with enough history to be judged
    judged = [p for p in people if p.number in nov and nov[p.number].get(10, 0) > 0 and p.start < "2026-04-01"
              and not p.end and all((p.number, m) in months and months[(p.number, m)].get(10) for _, m in HISTORY)]
    rng.shuffle(judged)
    planted, anomalies = [], {k: dict(v) for k, v in nov.items()}
    plan = [("x10", 6), ("div10", 4), ("x100", 2), ("km-in-hours", 3), ("over-contract", 4), ("new-component", 4)]
    pool = iter(judged)
    for what, count in plan:
        done = 0
        for p in pool:
            vals = anomalies[p.number]
            if what == "km-in-hours" and vals.get(20, 0) < 2 * vals[10]:
                continue  # kilometres close to the hours: nothing could tell them apart
            if what == "over-contract" and p.hpw > 24:
                continue
            if what in ("x10", "x100"):
                k = rng.choice(sorted(c for c in vals if c in (10, 20) or vals[c] >= 8))
                vals[k] = round(vals[k] * (10 if what == "x10" else 100), 2)
                planted.append({"kind": "outlier", "employeeNumber": p.number, "component": k, "what": what})
            elif what == "div10":
                vals[10] = round(vals[10] / 10, 2)
                planted.append({"kind": "outlier", "employeeNumber": p.number, "component": 10, "what": what})
            elif what == "km-in-hours":
                vals[10] = min(vals[20], 999.99)
                planted.append({"kind": "outlier", "employeeNumber": p.number, "component": 10, "what": what})
            elif what == "over-contract":
                start, end = month_bounds(*TARGET)
                full = 40 / 5.0 * workdays(start, end)
                vals[10] = q(full * rng.uniform(1.0, 1.3))
                planted.append({"kind": "over-contract", "employeeNumber": p.number, "component": 10, "what": what})
            else:
                if any(months.get((p.number, m), {}).get(30) for _, m in HISTORY):
                    continue
                vals[30] = rng.choice([250, 500, 1000])
                planted.append({"kind": "new-component", "employeeNumber": p.number, "component": 30, "what": what})
            done += 1
            if done == count:
                break
    write("anomalies.csv", anomalies)
    with open(os.path.join(outdir, "planted.json"), "w", encoding="utf-8") as f:
        json.dump(planted, f, indent=1)
    # August again: every employee of November with an August
    aug = {number: months[(number, 8)] for number in nov if months.get((number, 8))}
    write("repeat.csv", aug)
    return len(nov)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: generate.py SEED N OUTDIR")
    print(build(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
