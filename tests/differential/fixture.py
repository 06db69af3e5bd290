"""fixture.py: the loket-sim world of the differential test, and the facts the oracle reads from it.

The world is the committed sample fixture (samples/loket-fixture.json) with employments changed
so every administration type has a leaver and a starter in the middle of an open period and an
employee with two employments:

  40101 monthly   1023 leaves 2026-11-20; 1024 starts 2026-11-16 (as in the sample); 1007 two
  40102 4-weekly  1114 leaves 2026-12-10 (P13); 1115 starts 2026-11-16 (P12); 1105 gets a second
                  employment (payrollId 2) from 2026-11-30
  40201 weekly    2019 leaves 2026-11-18 (week 47); 2020 starts 2026-11-25 (week 48); 2005 gets a
                  second employment (payrollId 2) from 2026-11-09

build() returns the fixture as a dict (deterministic: the new ids are uuid5); World wraps the
facts the oracle needs: calendars, employments, components, metadata, the records Loket holds.
"""
import copy
import datetime as dt
import json
import uuid
from decimal import Decimal

NS = uuid.UUID("0c3f7a52-6d1b-4c8e-b2a4-9e5d1f7c3b21")


def _emp(fx, number, payroll_id=1):
    for e in fx["employments"]:
        if e["employee"]["employeeNumber"] == number and e["payrollId"] == payroll_id:
            return e
    raise KeyError(number)


def build(sample_path):
    with open(sample_path, encoding="utf-8") as f:
        fx = json.load(f)
    fx = copy.deepcopy(fx)
    fx["comment"] = "differential test world, derived from samples/loket-fixture.json by tests/differential/fixture.py"
    _emp(fx, 1023)["endDate"] = "2026-11-20"
    _emp(fx, 1114)["endDate"] = "2026-12-10"
    _emp(fx, 1115)["startDate"] = "2026-11-16"
    _emp(fx, 2019)["endDate"] = "2026-11-18"
    _emp(fx, 2020)["startDate"] = "2026-11-25"
    for number, start, cc in ((1105, "2026-11-30", 1), (2005, "2026-11-09", 2)):
        e = copy.deepcopy(_emp(fx, number))
        e["id"] = str(uuid.uuid5(NS, "employment/%d/2" % number))
        e["payrollId"] = 2
        e["incomeRelationshipNumber"] = 2
        e["startDate"] = start
        e["simCostCenter"] = cc
        fx["employments"].append(e)
    return fx


def date(s):
    return dt.date.fromisoformat(s) if s else None


class World:
    """What the fixture says, in the form the oracle asks for it."""

    def __init__(self, fx):
        self.fx = fx
        self.admins = {}        # client number (int) -> admin dict
        for a in fx["payrollAdministrations"]:
            periods = []
            for p in a["simPayrollPeriods"]:
                closed = any(r["payrollRunStatus"]["key"] == 9 for r in p.get("payrollRuns") or [])
                periods.append({"year": p["year"], "number": p["periodNumber"], "id": p["id"],
                                "start": date(p["startDate"]), "end": date(p["endDate"]),
                                "closed": closed})
            self.admins[int(a["clientNumber"])] = {
                "id": a["id"], "client": int(a["clientNumber"]), "employer": a["simEmployerId"],
                "type": a["payrollPeriodType"]["key"] if isinstance(a.get("payrollPeriodType"), dict) else None,
                "periods": periods, "allowed": {int(y): set(v) for y, v in a["simPayrollComponents"].items()},
                "meta": a["simMetadata"]}
        self.components = {c["key"]: c for c in fx["payrollComponents"]}
        self.employments = []
        admin_client = {a["id"]: int(a["clientNumber"]) for a in fx["payrollAdministrations"]}
        for e in fx["employments"]:
            self.employments.append({
                "id": e["id"], "number": e["employee"]["employeeNumber"], "payrollId": e["payrollId"],
                "irn": e["incomeRelationshipNumber"], "client": admin_client[e["payrollAdministration"]["id"]],
                "start": date(e["startDate"]), "end": date(e.get("endDate")),
                "costCenter": e.get("simCostCenter"), "name": e["employee"]["formattedName"]})

    def period_of_date(self, client, d):
        for p in self.admins[client]["periods"]:
            if p["start"] <= d <= p["end"]:
                return p
        return None

    def period(self, client, year, number):
        for p in self.admins[client]["periods"]:
            if p["year"] == year and p["number"] == number:
                return p
        return None

    def employments_of(self, client, number):
        return [e for e in self.employments if e["client"] == client and e["number"] == number]

    @staticmethod
    def active(e, p):
        return e["start"] <= p["end"] and (e["end"] is None or e["end"] >= p["start"])

    def cost_center_key(self, client, code):
        for c in self.admins[client]["meta"]["costCenter"]:
            if c["code"].lower() == code.lower():
                return c["key"]
        return None

    def shift_number(self, client, description):
        for s in self.admins[client]["meta"]["shift"]:
            if s["description"].lower() == description.lower():
                return s["shiftNumber"]
        return None

    def component_range(self, key):
        c = self.components[key]
        return Decimal(c["simMin"]), Decimal(c["simMax"]), int(c["simDecimals"])
