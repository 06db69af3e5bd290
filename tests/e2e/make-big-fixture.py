#!/usr/bin/python3
"""make-big-fixture.py FIXTURE OUT-FIXTURE OUT-CSV N: the sample fixture plus N employments in
the monthly administration (client 40101; employee numbers 3001..), and a CSV of hours for
November 2026 for each (the uren-maand-excel mapping's columns). For the fault-matrix and crash
tests, which need a few hundred employments; ids are uuid5 of the number, so runs repeat."""
import copy
import json
import sys
import uuid

src, out_fixture, out_csv, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
f = json.load(open(src))
tmpl = next(e for e in f["employments"] if e["employee"]["employeeNumber"] == 1001)
ns = uuid.UUID("6f1c0f52-8d55-4a8e-9d7e-0c7c2f3f9a10")
rows = ["Personeelsnr;Dienstverband;Naam;Uren gewerkt;Overuren 125%;Overuren 150%;Ziekte-uren;"
        "Verlofuren;Reiskm;Ploegentoeslag"]
for i in range(n):
    num = 3001 + i
    e = copy.deepcopy(tmpl)
    e["id"] = str(uuid.uuid5(ns, "employment-%d" % num))
    e["employee"]["id"] = str(uuid.uuid5(ns, "employee-%d" % num))
    e["employee"]["employeeNumber"] = num
    e["employee"]["lastName"] = "Test%d" % num
    e["employee"]["formattedName"] = "Test%d, J." % num
    f["employments"].append(e)
    rows.append("%d;1;Test %d;%d;%s;;;%d;%d;" % (num, num, 100 + i % 60, "%d,%02d" % (i % 9, (i * 25) % 100),
                                                  i % 8, 10 + i % 200))
json.dump(f, open(out_fixture, "w"))
open(out_csv, "w").write("\n".join(rows) + "\n")
