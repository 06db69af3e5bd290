#!/usr/bin/python3
"""make-fixture.py: writes samples/loket-fixture.json, the small payroll bureau loket-sim serves.

The fixture facts are pinned (see docs/simulator.md); the ids are deterministic (uuid5) so the
committed JSON only changes when this script does. Run: /usr/bin/python3 scripts/make-fixture.py
"""
import datetime as dt
import json
import os
import random
import sys
import uuid

NS = uuid.UUID("6f1d3c2a-8c1e-4b7e-9a51-3d2f8e4b1c00")


def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def d(x):
    return x.isoformat()


APPROVED_UNTIL = dt.date(2026, 10, 31)

FIRST = ["Jan", "Pieter", "Sanne", "Lotte", "Daan", "Emma", "Bram", "Fleur", "Thijs", "Anouk",
         "Ruben", "Iris", "Joost", "Maaike", "Sem", "Noor", "Lars", "Femke", "Koen", "Eva",
         "Stijn", "Lieke", "Wouter", "Sophie", "Hendrik", "Marloes", "Gijs", "Ilse", "Tim", "Roos",
         "Jeroen", "Esther", "Bas", "Linda", "Martijn", "Anne", "Rik", "Willemijn", "Niels", "Yara"]
LAST = [("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("", "Bakker"), ("van", "Dijk"),
        ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"),
        ("de", "Groot"), ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"),
        ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"),
        ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"),
        ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"), ("van der", "Veen"),
        ("van den", "Broek"), ("de", "Bruijn"), ("de", "Jong"), ("", "Schouten"), ("van", "Beek"),
        ("", "Willems"), ("van", "Vliet"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven")]

COMPONENTS = [
    # key, description, category, deductionOrPayment, canBeSupplemented, min, max, decimals
    (10, "Uren gewerkt", (1, "Uren"), None, False, "-999.99", "999.99", 2),
    (11, "Overuren 125%", (2, "Extra uren"), (2, "Betaling"), False, "-999.99", "999.99", 2),
    (12, "Overuren 150%", (2, "Extra uren"), (2, "Betaling"), False, "-999.99", "999.99", 2),
    (13, "Ziekte-uren", (1, "Uren"), None, False, "-999.99", "999.99", 2),
    (14, "Verlofuren", (1, "Uren"), None, False, "-999.99", "999.99", 2),
    (20, "Reiskm", (3, "Kilometers"), None, False, "-99999.99", "99999.99", 2),
    (21, "Reiskostenverg", (4, "Netto vergoeding"), (2, "Betaling"), True, "-99999.99", "99999.99", 2),
    (22, "Onkostenverg", (4, "Netto vergoeding"), (2, "Betaling"), True, "-99999.99", "99999.99", 2),
    (30, "Bonus", (5, "Bruto betaling"), (2, "Betaling"), True, "-999999.99", "999999.99", 2),
    (31, "Ploegentoeslag", (5, "Bruto betaling"), (2, "Betaling"), False, "-99999.99", "99999.99", 2),
    (40, "Inhouding", (6, "Netto inhouding"), (1, "Inhouding"), False, "-99999.99", "99999.99", 2),
]
ALL_KEYS = [c[0] for c in COMPONENTS]

SHIFTS = [
    {"shiftNumber": 1, "fullTimeHoursPerWeek": 40, "bonusPercentage": 0, "description": "Dag"},
    {"shiftNumber": 2, "fullTimeHoursPerWeek": 40, "bonusPercentage": 15, "description": "Avond"},
    {"shiftNumber": 3, "fullTimeHoursPerWeek": 36, "bonusPercentage": 30, "description": "Nacht"},
]
PAYSLIP_TYPES = [{"key": 1, "value": "Normaal"}, {"key": 2, "value": "Bijzonder tarief"}]
COST_CENTERS = [("PROD", "Productie"), ("VERK", "Verkoop"), ("ADM", "Administratie")]
COST_UNITS = [("01", "Vaste klanten"), ("02", "Projecten")]


def address(street, number, postal, city):
    return {"street": street, "houseNumber": number, "houseNumberAddition": None, "postalCode": postal,
            "city": city, "location": None, "country": {"key": 530, "isoCode": "NL", "value": "Nederland"},
            "furtherIndication": None, "province": None}


def employer(name, number, visible, addr):
    return {"id": uid("employer", name), "companyName": name, "employerNumber": number,
            "address": addr, "deviatingPostalAddress": None,
            "contact": {"name": None, "function": None, "phoneNumber": None},
            "contactInformation": {"phoneNumber": None, "faxNumber": None, "emailAddress": None, "website": None},
            "chamberOfCommerceNumber": str(56000000 + number), "legalForm": None, "branch": None, "sbi": None,
            "employerLogo": None, "providerLogo": None,
            "providerSettings": {"administrationNumber": None, "groupCode": None,
                                 "parentEmployerForConsolidatedOverviews": None,
                                 "sendEmailWhenSalarySlipIsAvailable": False},
            "simVisible": visible}


def periods_for(admin_id, kind, year):
    """The payroll period calendar of one administration for one year."""
    out = []
    if kind == "month":
        for n in range(1, 13):
            start = dt.date(year, n, 1)
            end = (dt.date(year + (n == 12), n % 12 + 1, 1) - dt.timedelta(days=1))
            out.append((n, start, end))
    else:
        jan4 = dt.date(year, 1, 4)
        week1 = jan4 - dt.timedelta(days=jan4.weekday())  # Monday of ISO week 1
        if kind == "week":
            n, start = 1, week1
            while start.isocalendar()[0] == year:
                out.append((n, start, start + dt.timedelta(days=6)))
                n, start = n + 1, start + dt.timedelta(days=7)
        else:
            for n in range(1, 14):
                start = week1 + dt.timedelta(days=28 * (n - 1))
                out.append((n, start, start + dt.timedelta(days=27)))
    ptype = {"month": (1, "Maand"), "4weeks": (2, "4 weken"), "week": (3, "Week")}[kind]
    res = []
    for n, start, end in out:
        runs = []
        if end <= APPROVED_UNTIL:
            runs.append({"id": uid("run", admin_id, year, n), "sequenceNumber": 1, "sequenceNumberApproved": 1,
                         "payrollRunStatus": {"key": 9, "value": "Goedgekeurd"},
                         "journalRuns": []})
        res.append({"id": year * 100 + n, "year": year, "periodNumber": n, "startDate": d(start),
                    "endDate": d(end), "testYear": False,
                    "payrollPeriodType": {"key": ptype[0], "value": ptype[1]},
                    "automaticProcessing": None, "payrollRuns": runs})
    return res


def administration(emp, name, client, kind, allowed, du_codes, addr):
    aid = uid("administration", name)
    ptype = {"month": (1, "Maand"), "4weeks": (2, "4 weken"), "week": (3, "Week")}[kind]
    return {
        "id": aid, "name": name, "description": name, "clientNumber": client,
        "payrollPeriodType": {"key": ptype[0], "value": ptype[1]},
        "administrationNumber": str(client), "shortName": None, "groupCode": 0,
        "startDate": "2020-01-01", "endDate": None, "payrollTaxesNumber": None,
        "cao": {"key": 1, "value": "Geen cao"}, "loonmodel": {"key": 1, "value": "Standaard"},
        "claTaxReturnCBSCode": None, "groupClassification": None,
        "address": addr, "deviatingPostalAddress": None, "contact": None,
        "simEmployerId": emp["id"],
        "simPayrollPeriods": periods_for(aid, kind, 2025) + periods_for(aid, kind, 2026),
        "simPayrollComponents": {"2025": allowed, "2026": allowed},
        "simPayrollComponentSets": [
            {"id": uid("set", aid, "all"), "description": "Alle looncomponenten",
             "isDefaultForPayrollPeriodData": True, "isDefaultForBrowserPayrollPeriodData": True,
             "isDefinedOnProviderLevel": False, "payrollComponents": allowed},
            {"id": uid("set", aid, "hours"), "description": "Uren",
             "isDefaultForPayrollPeriodData": False, "isDefaultForBrowserPayrollPeriodData": False,
             "isDefinedOnProviderLevel": True, "payrollComponents": [k for k in allowed if k < 20]},
        ],
        "simMetadata": {
            "costCenter": [{"key": i + 1, "code": c, "description": t} for i, (c, t) in enumerate(COST_CENTERS)],
            "costUnit": [{"key": i + 1, "code": c, "description": t} for i, (c, t) in enumerate(COST_UNITS)],
            # The official schema makes a distribution unit's key a uuid and its code an integer.
            "distributionUnit": [{"key": uid("distributionunit", aid, c), "code": i + 1, "description": c}
                                 for i, c in enumerate(du_codes)],
            "shift": SHIFTS,
            "payslipType": PAYSLIP_TYPES,
        },
    }


def working_hours(hours_per_week, shift=1):
    """GetActualWorkingHoursByEmployerId's workingHours of an employment (loket-sim serves it)."""
    sh = SHIFTS[shift - 1]
    return {"aggregatedHoursPerWeek": hours_per_week, "averageHoursPerWeek": None,
            "averageParttimeFactor": round(100.0 * hours_per_week / sh["fullTimeHoursPerWeek"], 2),
            "deviatingHoursPerWeek": hours_per_week if hours_per_week != sh["fullTimeHoursPerWeek"] else None,
            "deviatingSvDaysPerPeriod": None, "flexibleHoursContract": None,
            "regularWorkPattern": False, "shift": dict(sh), "shiftRateSickLeave": None,
            "calculateUsingWorkPattern": None, "contractCode": None, "workPattern": None}


def employment(emp, adm, number, idx, payroll_id=1, irn=1, start="2019-03-01", end=None, formatted=None,
               hours_per_week=40):
    prefix, last = LAST[idx % len(LAST)]
    first = FIRST[(idx * 7) % len(FIRST)]
    initials = first[0] + "."
    name = formatted or ", ".join([last, initials + (" " + prefix if prefix else "")])
    born = dt.date(1965 + idx % 35, 1 + idx % 12, 1 + (idx * 3) % 28)
    employee_id = uid("employee", emp["id"], number)
    return {
        "id": uid("employment", emp["id"], number, payroll_id),
        "employee": {"id": employee_id, "employeeNumber": number, "firstName": first, "initials": initials,
                     "prefix": prefix or None, "lastName": last, "prefixPartner": None, "lastNamePartner": None,
                     "formattedName": name, "dateOfBirth": d(born), "photo": None},
        "payrollAdministration": {"id": adm["id"], "name": adm["name"], "description": adm["description"],
                                  "clientNumber": adm["clientNumber"]},
        "nonPayrollAdministration": None,
        "payrollId": payroll_id, "incomeRelationshipNumber": irn,
        "startDate": start, "endDate": end, "historicalStartDate": None,
        "commissionUntilDate": None,
        "employmentDurationType": {"key": 1, "value": "Onbepaalde tijd"},
        "employmentContractType": {"key": 1, "value": "Schriftelijk"},
        "employmentCategoryType": {"key": 1, "value": "Arbeidsovereenkomst"},
        "typeOfEmployee": {"key": 1, "value": "Werknemer"},
        "temporaryTaxExemption": {"key": 1, "value": "Geen"},
        "exemptionInsuranceObligation": {"key": 1, "value": "Geen"},
        "essMutationSet": {"key": 1, "value": "Standaard"},
        "endOfEmploymentReason": None, "endOfEmploymentReasonTaxAuthorities": None,
        "isOnCallEmployment": False, "isAnonymousEmployee": False, "calculateWorkingHours": False,
        "writtenEmploymentContract": True, "signalPayGradeAdjustment": False,
        "wachtgeldOldRegulation": False, "participation55plusRegulationUWV": False,
        "exemptionPremiumWaiverMarginalLabour": False, "exemptionWorkRelatedExpenseScheme": False,
        "isGemoedsbezwaardEmployeeInsurance": False, "isGemoedsbezwaardNationalInsurance": False,
        "linkedEmployment": None,
        "simEmployerId": emp["id"],
        "simCostCenter": 1 + idx % 3,
        "simWorkingHours": dict(working_hours(hours_per_week), id=uid("workinghours", emp["id"], number, payroll_id),
                                startDate=start, endDate=end),
    }


def records(emps):
    """A few records Loket already holds, so that upserts meet existing data."""
    by_number = {(e["employee"]["employeeNumber"], e["payrollId"]): e for e in emps}

    def rec(number, year, period, comps, cost_center=None):
        e = by_number[(number, 1)]
        return {"id": uid("record", e["id"], year, period), "employmentId": e["id"],
                "payrollPeriod": {"year": year, "periodNumber": period},
                "shift": {"shiftNumber": 1}, "payslipType": {"key": 1},
                "costCenter": {"key": cost_center or e["simCostCenter"]}, "costUnit": None,
                "distributionUnit": None, "payslipText": None,
                "payrollComponents": [{"payrollComponent": {"key": k}, "value": v, "isSupplement": False}
                                      for k, v in comps]}
    return [
        rec(1001, 2026, 10, [(10, 168), (20, 420.5)]),
        rec(1001, 2026, 11, [(10, 152), (20, 385.25)]),
        rec(1002, 2026, 11, [(10, 160), (11, 4.5)]),
        rec(2001, 2026, 45, [(10, 38)]),
    ]


# History: every active employment's records of six closed periods (2026-04..2026-09,
# 2026-P04..P09, 2026-W37..W42), around what the samples send for the open period, with the
# variation of real months: leave (more in summer), a sick day now and then, overtime in some
# months. So plan compares the samples with an ordinary history and finds no signal, and a
# sample sent with a slipped decimal or for another month does stand out. The last closed period
# (2026-10, P10, W43) holds only the pinned records: the tests of refusals in a closed period
# meet no record there.
HISTORY = {40101: [(2026, n) for n in range(4, 10)], 40102: [(2026, n) for n in range(4, 10)],
           40201: [(2026, n) for n in range(37, 43)]}
# monthly sample (uren-maand-40101-2026-11.csv): travel km per month, shift allowance
MONTH_KM = {1001: 160, 1003: 240, 1005: 320, 1007: 400, 1009: 480, 1011: 560, 1013: 640, 1015: 1240,
            1017: 800, 1021: 960, 1023: 1040, 1025: 1120}
MONTH_SHIFT_ALLOWANCE = {1002: 12.5, 1008: 12.5, 1017: 12.5}
# components of the sample an employment also had in some earlier month (so the sample's month
# is an ordinary one: no "new component" either): overtime 125% in September, 150% in August,
# a sick week in June
MONTH_OVERTIME = {1001, 1002, 1004, 1005, 1007, 1008, 1010, 1011, 1013, 1014, 1016, 1017, 1020, 1022, 1023, 1025}
MONTH_OVERTIME_150 = {1005, 1010, 1015, 1020, 1025}
MONTH_SICK = {1004, 1013}
# 4-weekly sample (variabele-gegevens-40102-2026-P12.csv)
FOURWEEK_OVERTIME = {1101: 1.5, 1103: 4.5, 1105: 7.5, 1107: 10.5, 1109: 13.5, 1111: 16.5, 1113: 19.5, 1115: 22.5}
FOURWEEK_FIXED = {1105: [(40, -12.5)], 1103: [(21, 45.6)], 1109: [(21, 45.6)]}
# weekly sample (uren-dagelijks-40201-2026-11.xlsx): km per day, overtime per day
WEEK_OVERTIME = {2001: 1.25, 2008: 1.25, 2015: 1.25}


def quarter(x):
    return round(x * 4) / 4


def working_days(start, end):
    days, d0 = 0, dt.date.fromisoformat(start)
    while d0 <= dt.date.fromisoformat(end):
        days += d0.weekday() < 5
        d0 += dt.timedelta(days=1)
    return days


def history(emps, admins):
    """The records of the closed periods in HISTORY (records() adds the pinned four)."""
    rng = random.Random(2026)
    out = []
    pinned = {(1001, 1, 2026, 10)}
    for adm in admins:
        periods = {(p["year"], p["periodNumber"]): p for p in adm["simPayrollPeriods"]}
        for year, number in HISTORY.get(adm["clientNumber"], []):
            p = periods[(year, number)]
            for e in emps:
                if e["payrollAdministration"]["id"] != adm["id"]:
                    continue
                if e["startDate"] > p["startDate"] or (e["endDate"] and e["endDate"] < p["endDate"]):
                    continue
                n, pid = e["employee"]["employeeNumber"], e["payrollId"]
                if (n, pid, year, number) in pinned:
                    continue
                days = working_days(p["startDate"], p["endDate"])
                per_day = e["simWorkingHours"]["aggregatedHoursPerWeek"] / 5.0
                summer = adm["clientNumber"] != 40201 and number in (7, 8)
                leave = rng.choice([0, 0, 8, 16, 24, 40, 80]) if summer else rng.choice([0, 0, 0, 0, 4, 8, 8, 16])
                if adm["clientNumber"] == 40201:
                    leave = rng.choice([0] * 8 + [8, 16])
                sick = rng.choice([0] * 14 + [8, 16])
                if adm["clientNumber"] == 40101 and n in MONTH_SICK and number == 6:
                    sick = 24
                leave, sick = leave * per_day / 8, sick * per_day / 8
                comps = [(10, quarter(per_day * days - leave - sick))]
                if sick:
                    comps.append((13, quarter(sick)))
                if leave:
                    comps.append((14, quarter(leave)))
                if adm["clientNumber"] == 40101:
                    if rng.random() < 0.5 or (n in MONTH_OVERTIME and number == 9):
                        comps.append((11, rng.choice([1.75, 3.5, 5.25, 7])))
                    if n in MONTH_OVERTIME_150 and (number == 8 or rng.random() < 0.3):
                        comps.append((12, rng.choice([2.5, 5])))
                    if n in MONTH_KM:
                        comps.append((20, round(MONTH_KM[n] * (days - leave / per_day - sick / per_day) / 21
                                                * rng.uniform(0.92, 1.08), 2)))
                    if n in MONTH_SHIFT_ALLOWANCE:
                        comps.append((31, MONTH_SHIFT_ALLOWANCE[n]))
                elif adm["clientNumber"] == 40102:
                    if n in FOURWEEK_OVERTIME and rng.random() < 0.8:
                        comps.append((11, quarter(FOURWEEK_OVERTIME[n] * rng.uniform(0.6, 1.4))))
                    comps.append((20, round((78 + 18 * (n - 1101)) * rng.uniform(0.85, 1.1), 2)))
                    comps.extend(FOURWEEK_FIXED.get(n, []))
                else:
                    comps.append((20, float((10 + 2 * (n - 2001)) * (days - round(leave / per_day + sick / per_day)))))
                    if n in WEEK_OVERTIME and rng.random() < 0.8:
                        comps.append((11, WEEK_OVERTIME[n] * rng.choice([3, 4, 5, 5, 6])))
                out.append({"id": uid("record", e["id"], year, number), "employmentId": e["id"],
                            "payrollPeriod": {"year": year, "periodNumber": number},
                            "shift": {"shiftNumber": 1}, "payslipType": {"key": 1},
                            "costCenter": {"key": e["simCostCenter"]}, "costUnit": None,
                            "distributionUnit": None, "payslipText": None,
                            "payrollComponents": [{"payrollComponent": {"key": k}, "value": v, "isSupplement": False}
                                                  for k, v in comps]})
    return out


def big(n, outdir):
    """The benchmark world: n employments, one input row each, over three administrations."""
    vdb = employer("Bakkerij Van den Berg B.V.", 1, True, address("Kerkstraat", 12, "3811 CV", "Amersfoort"))
    linde = employer("Hoveniersbedrijf De Linde", 2, True, address("Lindelaan", 4, "6711 AB", "Ede"))
    monthly = administration(vdb, "Van den Berg maandloon", 40101, "month", ALL_KEYS, ["BAK", "WINKEL"],
                             vdb["address"])
    fourweekly = administration(vdb, "Van den Berg 4-weken", 40102, "4weeks",
                                [k for k in ALL_KEYS if k != 31], ["BAK", "WINKEL"], vdb["address"])
    weekly = administration(linde, "De Linde weekloon", 40201, "week", [10, 11, 12, 13, 20, 21],
                            ["TUIN", "ONDERH"], linde["address"])
    n_month, n_4w = n // 2, n // 5
    plan = [(vdb, monthly, 10001, n_month, "2026-11"), (vdb, fourweekly, 20001, n_4w, "2026-P12"),
            (linde, weekly, 30001, n - n_month - n_4w, "2026-P47")]
    emps, rows, idx = [], [], 0
    for emp, adm, first, count, period in plan:
        for number in range(first, first + count):
            emps.append(employment(emp, adm, number, idx))
            # the benchmark's rows give a week a month's hours: no contract to compare them with
            # (docs/benchmarks.md measures the history's cost with scripts/bench-signals.sh)
            del emps[-1]["simWorkingHours"]
            hours = 120 + idx % 60 + (idx % 4) * 0.25
            rows.append("%d,%s,%d,%s,%s,%s" % (adm["clientNumber"], period, number, hours,
                                               "" if idx % 3 else "%.2f" % (idx % 7 * 0.75), idx % 300))
            idx += 1
    fixture = small_fixture_shell()
    fixture["employers"] = [vdb, linde]
    fixture["payrollAdministrations"] = [monthly, fourweekly, weekly]
    fixture["employments"] = emps
    fixture["payrollPeriodData"] = []
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "fixture.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False)
    with open(os.path.join(outdir, "input.csv"), "w", encoding="utf-8") as f:
        f.write("Klantnummer,Periode,Personeelsnummer,Uren,Overuren 125%,Reiskm\n")
        f.write("\n".join(rows) + "\n")
    mapping = {
        "name": "Benchmark: uren, drie administraties",
        "description": "Generated by scripts/make-fixture.py --big for scripts/bench-import.sh.",
        "input": {"type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none",
                  "headerRow": 1},
        "layout": "wide",
        "employee": {"employeeNumber": "Personeelsnummer"},
        "employer": {"column": "Klantnummer"},
        "period": {"source": "column", "column": "Periode"},
        "components": [{"column": "Uren", "component": 10}, {"column": "Overuren 125%", "component": 11},
                       {"column": "Reiskm", "component": 20}],
        "aggregate": "sum",
    }
    with open(os.path.join(outdir, "mapping.json"), "w", encoding="utf-8") as f:
        json.dump(mapping, f, indent=1)
        f.write("\n")


def components_list():
    components = []
    for key, desc, cat, dop, supp, lo, hi, dec in COMPONENTS:
        components.append({"key": key, "description": desc, "category": {"key": cat[0], "value": cat[1]},
                           "deductionOrPayment": {"key": dop[0], "value": dop[1]} if dop else None,
                           "canBeSupplemented": supp, "isCollectiveMutationPossible": True,
                           "simMin": lo, "simMax": hi, "simDecimals": dec})
    return components


def small_fixture_shell():
    """Everything of the fixture but its employers, administrations, employments and records."""
    return {
        "comment": "loket-sim fixture: a small payroll bureau. Generated by scripts/make-fixture.py; "
                   "the auth values are test values of the simulator only.",
        "auth": {
            "clientId": "loket-import-demo",
            "clientSecret": "sim-client-secret-not-for-production",
            "redirectUris": ["http://127.0.0.1/callback", "urn:ietf:wg:oauth:2.0:oob"],
            "refreshTokens": ["sim-refresh-initial-0001"],
            "authorizationCodes": ["sim-code-0001", "sim-code-0002", "sim-code-0003"],
            "users": [{"username": "salarisadmin@example.nl", "password": "sim-password"}],
        },
        "user": {
            "personalDetails": {"initials": "M.", "firstName": "Marieke", "prefix": "de", "lastName": "Wit"},
            "contactInformation": {"emailAddress": "salarisadmin@example.nl", "phoneNumber": "0331234567",
                                   "placeOfEmployment": "Amersfoort"},
            "user": {"userSpecifiedRole": {"key": 1, "value": "Salarisadministrateur"},
                     "userCustomSpecifiedRole": None},
            "photo": None,
        },
        "employers": [],
        "payrollAdministrations": [],
        "payrollComponents": components_list(),
        "employments": [],
        "payrollPeriodData": [],
    }


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        big(int(sys.argv[2]), sys.argv[3])
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "samples", "loket-fixture.json")

    vdb = employer("Bakkerij Van den Berg B.V.", 1, True, address("Kerkstraat", 12, "3811 CV", "Amersfoort"))
    linde = employer("Hoveniersbedrijf De Linde", 2, True, address("Lindelaan", 4, "6711 AB", "Ede"))
    smit = employer("Garage Smit", 3, False, address("Industrieweg", 88, "3542 AD", "Utrecht"))

    monthly = administration(vdb, "Van den Berg maandloon", 40101, "month", ALL_KEYS, ["BAK", "WINKEL"],
                             vdb["address"])
    fourweekly = administration(vdb, "Van den Berg 4-weken", 40102, "4weeks",
                                [k for k in ALL_KEYS if k != 31], ["BAK", "WINKEL"], vdb["address"])
    weekly = administration(linde, "De Linde weekloon", 40201, "week", [10, 11, 12, 13, 20, 21],
                            ["TUIN", "ONDERH"], linde["address"])
    smitadm = administration(smit, "Garage Smit maandloon", 40301, "month", ALL_KEYS, ["WERKPL"],
                             smit["address"])

    emps = []
    idx = 0
    for n in range(1001, 1026):
        kw = {}
        if n == 1019:
            kw["end"] = "2026-09-30"
        if n == 1024:
            kw["start"] = "2026-11-16"
        emps.append(employment(vdb, monthly, n, idx, **kw))
        if n == 1007:
            emps.append(employment(vdb, monthly, n, idx, payroll_id=2, irn=2, start="2024-06-01",
                                   hours_per_week=12))
        idx += 1
    for n in range(1101, 1116):
        emps.append(employment(vdb, fourweekly, n, idx, hours_per_week=38))
        idx += 1
    for n in range(2001, 2021):
        kw = {}
        if n == 2020:
            kw["formatted"] = '=HYPERLINK("x")'
        emps.append(employment(linde, weekly, n, idx, **kw))
        idx += 1
    for n in range(3001, 3006):
        emps.append(employment(smit, smitadm, n, idx))
        idx += 1

    fixture = small_fixture_shell()
    fixture["employers"] = [vdb, linde, smit]
    fixture["payrollAdministrations"] = [monthly, fourweekly, weekly, smitadm]
    fixture["employments"] = emps
    fixture["payrollPeriodData"] = records(emps) + history(emps, [monthly, fourweekly, weekly])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
