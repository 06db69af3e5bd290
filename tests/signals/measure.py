#!/usr/bin/python3
"""measure.py: the plausibility signals' detection and false-alarm rates on generated months.

For each seed: generate.py writes a world and three files; one loket-sim serves the world;
loket-import plan runs on the ordinary month (every blocking signal there is a false alarm,
counted per employment), on the month with planted anomalies (each planted anomaly must come
back as a signal of its kind on its employee and component) and on August sent again as November
(one planted repeat-of-previous). Prints a table and writes the figures as JSON.
Run: /usr/bin/python3 tests/signals/measure.py [--build build] [--seeds 1-5] [--employments 500]
     [--json OUT.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import generate  # noqa: E402


def seeds(spec):
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def plan(args, d, config, name):
    report = os.path.join(d, name + ".json")
    r = subprocess.run([os.path.join(args.build, "loket-import"), "plan", os.path.join(d, name + ".csv"),
                        "-m", os.path.join(d, "mapping.json"), "--period", "2026-11", "--config", config,
                        "--report", report, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(report, encoding="utf-8") as f:
        rep = json.load(f)
    errors = [x for x in rep["records"] if x["outcome"] == "rejected"]
    if errors:
        sys.exit("%s: %d records with errors: %s" % (name, len(errors), errors[0]["messages"]))
    return r.returncode, rep


def one(args, seed, work):
    d = os.path.join(work, "seed-%d" % seed)
    n = generate.build(seed, args.employments, d)
    sim = subprocess.Popen([os.path.join(args.build, "loket-sim"), "--fixture", os.path.join(d, "fixture.json"),
                            "--port", "0"] + (["--strict-minimal"] if args.mode == "minimal" else []),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = sim.stdout.readline().strip()
        config = os.path.join(d, "config.json")
        subprocess.run([os.path.join(args.build, "loket-import"), "auth", "sim", url, "--config", config],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, ordinary = plan(args, d, config, "ordinary")
        _, anomalies = plan(args, d, config, "anomalies")
        _, repeat = plan(args, d, config, "repeat")
    finally:
        sim.terminate()
        sim.wait()
    with open(os.path.join(d, "planted.json"), encoding="utf-8") as f:
        planted = json.load(f)
    false_emps = {s["employeeNumber"] for s in ordinary["signals"] if s["blocking"] and s["employeeNumber"]}
    false_file = [s for s in ordinary["signals"] if s["blocking"] and not s["employeeNumber"]]
    info = [s for s in ordinary["signals"] if not s["blocking"]]
    # found: the file is stopped on that employee (any blocking signal: a slipped leave hour may
    # come back as over-contract), or the information signal of a new component on it
    found = []
    for p in planted:
        hit = any(s["employeeNumber"] == p["employeeNumber"] and
                  (s["blocking"] if p["kind"] != "new-component"
                   else s["kind"] == "new-component" and s["component"] == p["component"])
                  for s in anomalies["signals"])
        found.append(dict(p, found=hit))
    planted_emps = {p["employeeNumber"] for p in planted}
    extra = {s["employeeNumber"] for s in anomalies["signals"]
             if s["blocking"] and s["employeeNumber"] not in planted_emps}
    rep_found = any(s["kind"] == "repeat-of-previous" and s["reference"]["period"] == "2026-08"
                    for s in repeat["signals"])
    return {"seed": seed, "employments": n, "false_alarm_employments": sorted(false_emps),
            "false_alarm_file": len(false_file), "info_signals": len(info),
            "planted": found, "extra_blocking_in_anomalies": sorted(extra), "repeat_found": rep_found,
            "false_signals": [s for s in ordinary["signals"] if s["blocking"]]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seeds", default="1-5")
    ap.add_argument("--employments", type=int, default=500)
    ap.add_argument("--mode", default=os.environ.get("LOKET_SIM_MODE") or "normal")
    ap.add_argument("--json")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.build = os.path.join(ROOT, args.build) if not os.path.isabs(args.build) else args.build
    results = []
    with tempfile.TemporaryDirectory(prefix="lk-signals-") as work:
        for seed in seeds(args.seeds):
            results.append(one(args, seed, work))
    months = sum(r["employments"] for r in results)
    false_alarms = sum(len(r["false_alarm_employments"]) + r["false_alarm_file"] for r in results)
    by_kind = {}
    for r in results:
        for p in r["planted"]:
            k = p["what"]
            by_kind.setdefault(k, [0, 0])
            by_kind[k][0] += p["found"]
            by_kind[k][1] += 1
    by_kind["repeat-of-previous"] = [sum(r["repeat_found"] for r in results), len(results)]
    found = sum(v[0] for v in by_kind.values())
    total = sum(v[1] for v in by_kind.values())
    info = sum(r["info_signals"] for r in results)
    print("signals on generated months (%s mode): %d seeds, %d ordinary employment-months"
          % (args.mode, len(results), months))
    for k in sorted(by_kind):
        print("  %-20s found %3d of %3d" % (k, by_kind[k][0], by_kind[k][1]))
    print("  detection            %.1f%% (%d of %d planted)" % (100.0 * found / total, found, total))
    print("  false alarms         %d blocking in %d ordinary employment-months (1 per %s)"
          % (false_alarms, months, "%.0f" % (months / false_alarms) if false_alarms else "-"))
    print("  new-component (info) %d in the ordinary months" % info)
    if args.verbose:
        for r in results:
            for s in r["false_signals"]:
                print("  false: seed %d %s" % (r["seed"], json.dumps(s)))
            for p in r["planted"]:
                if not p["found"]:
                    print("  missed: seed %d %s" % (r["seed"], json.dumps(p)))
    summary = {"mode": args.mode, "seeds": len(results), "employment_months": months,
               "false_alarms": false_alarms, "detection": {k: v for k, v in by_kind.items()},
               "found": found, "planted": total, "info_signals": info}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
