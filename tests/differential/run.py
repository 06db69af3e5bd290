#!/usr/bin/python3
"""run.py: the differential test's runner.

For every seed: generate a random export with its mapping (generate.py), compute what Loket must
hold afterwards (oracle.py), run `loket-import apply` against loket-sim, and compare the
simulator's final state (GET /__sim/state) exactly with the oracle's, then the report's numbers
(exit code, outcomes, every record's values, component totals, row accounting) with it too.
One simulator serves all seeds of a run (POST /__sim/reset between seeds).

    run.py --build build --seeds 1-200 [--mode normal|minimal] [--cases DIR] [--freeze] [--keep DIR] [-v]

--seeds takes ranges and lists (1-200,517). The fixed cases in --cases (default
tests/differential/cases/seed-N-HASH.json: every seed that ever failed, frozen as the generator made it
then; --freeze adds the failing seeds of a run) are run every time, first. --keep DIR keeps the inputs, mapping,
report and a diff of each failing seed. Exit 0 when every seed agrees, else 1.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import fixture  # noqa: E402
import generate  # noqa: E402
import oracle  # noqa: E402


def parse_seeds(spec):
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def canon(case):
    return json.loads(json.dumps(case, sort_keys=True, default=str))


def read_cases(folder):
    """The fixed cases: (seed, case) from FOLDER/seed-N.json, as the generator made them when
    the seed failed (so a later change of the generator does not lose them)."""
    out = []
    if folder and os.path.isdir(folder):
        for name in sorted(os.listdir(folder), key=lambda n: (len(n), n)):
            if name.startswith("seed-") and name.endswith(".json"):
                seed = int(name[5:-5].split("-")[0])
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    case = json.load(f)
                for row in case["rows"]:        # JSON keys are text; the model's are numbers
                    if "cells" in row:
                        row["cells"] = {int(k): v for k, v in row["cells"].items()}
                out.append((seed, case))
    return out


class Sim:
    def __init__(self, build, fixture_path, mode, work):
        args = [os.path.join(build, "loket-sim"), "--fixture", fixture_path, "--port", "0"]
        if mode == "minimal":
            args.append("--strict-minimal")
        self.err = open(os.path.join(work, "sim.err"), "w")
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.p.stdout.readline().strip()
        if not line.startswith("http"):
            raise SystemExit("loket-sim did not start (%s): see %s" % (mode, self.err.name))
        self.url = line
        self.root = line[:-len("/v2")]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.root + path, method=method, data=body)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def stop(self):
        self.p.terminate()
        self.p.wait()
        self.err.close()


class Runner:
    def __init__(self, build, mode, keep, verbose):
        self.build = os.path.abspath(build)
        self.mode = mode
        self.keep = keep
        self.verbose = verbose
        self.work = tempfile.mkdtemp(prefix="lk-diff-")
        fx = fixture.build(os.path.join(ROOT, "samples", "loket-fixture.json"))
        self.fx = fx
        self.world = fixture.World(fx)
        self.fixture_path = os.path.join(self.work, "fixture.json")
        with open(self.fixture_path, "w") as f:
            json.dump(fx, f)
        self.sim = Sim(self.build, self.fixture_path, mode, self.work)
        old = os.umask(0o077)
        self.config = os.path.join(self.work, "config.json")
        with open(self.config, "w") as f:
            json.dump({"environment": "custom", "apiUrl": self.sim.url, "tokenUrl": self.sim.root + "/token",
                       "clientId": fx["auth"]["clientId"], "clientSecret": fx["auth"]["clientSecret"],
                       "tokenStore": os.path.join(self.work, "tokens.json"),
                       "retry": {"maxAttempts": 3, "baseDelayMs": 20, "maxDelayMs": 100}}, f)
        os.umask(old)
        self.importer = os.path.join(self.build, "loket-import")

    def close(self):
        self.sim.stop()
        if "Sanitizer" in open(os.path.join(self.work, "sim.err"), errors="replace").read():
            print("differential[%s]: loket-sim reported a sanitizer error" % self.mode)
            shutil.copy(os.path.join(self.work, "sim.err"), os.path.join(self.keep or ".", "sim-%s.err" % self.mode))
            shutil.rmtree(self.work, ignore_errors=True)
            return False
        shutil.rmtree(self.work, ignore_errors=True)
        return True

    def reset(self):
        self.sim.call("POST", "/__sim/reset", b"")
        subprocess.run([self.importer, "auth", "set-refresh-token", "--config", self.config],
                       input=self.fx["auth"]["refreshTokens"][0] + "\n", text=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def state(self):
        st = json.loads(self.sim.call("GET", "/__sim/state"), parse_float=Decimal)
        return oracle.normalize_state(st["payrollPeriodData"])

    def apply(self, d, case, name, journal, command="apply"):
        report_path = os.path.join(d, "report.json" if command == "apply" else "plan.json")
        args = [self.importer, command, "--config", self.config, os.path.join(d, name),
                "-m", os.path.join(d, "mapping.json"), "--report", report_path, "--quiet"]
        if command == "apply":
            args += ["--journal", journal]
        p = generate.cli_period(case)
        if p:
            args += ["--period", p]
        if case["layout"] == "componentRow":
            args += ["--employer", str(case["client"])]
        if case["options"]["allow_partial"] and command == "apply":
            args.append("--allow-partial")
        if case["options"].get("allow_empty"):
            args.append("--allow-empty")
        if case["options"].get("verify") and command == "apply":
            args.append("--verify")
        if case["options"]["collective"] and command == "apply":
            args.append("--collective=%d" % case["options"]["collective"])
        # random values against the fixture's history are implausible on purpose: the signals
        # are tested elsewhere (tests/e2e/signals_*.sh); here only what reaches Loket counts
        args.append("--accept-signals")
        env = dict(os.environ)
        env.pop("LOKET_IMPORT_SKIP_PRECHECKS", None)
        if case["options"].get("skip_prechecks"):
            # the hook exists only in the tests' build of the program (Makefile: HOOKS_IMPORT)
            env["LOKET_IMPORT_SKIP_PRECHECKS"] = "1"
            args[0] = os.path.join(os.path.dirname(self.importer), "tests", "loket-import-hooks")
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", env=env)
        try:
            with open(report_path, encoding="utf-8") as f:
                report = json.load(f, parse_float=Decimal)
        except OSError:
            report = None
        return r, report, args

    def one(self, seed, case=None):
        if case is None:
            case = generate.make(seed, self.world)
        name, data, mapping = generate.render(case)
        d = os.path.join(self.work, "s%d" % seed)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        with open(os.path.join(d, "mapping.json"), "w") as f:
            f.write(mapping)
        ex = oracle.expect(case, self.world, self.fx["payrollPeriodData"])
        self.reset()
        diffs = []
        plan = None
        if seed % 3 == 0 and not case["options"].get("skip_prechecks"):
            # plan = apply: every third seed is planned first (a plan sends nothing)
            _, plan, _ = self.apply(d, case, name, None, command="plan")
        r, report, args = self.apply(d, case, name, os.path.join(d, "journal"))
        if plan is not None and report is not None:
            diffs += compare_plan(ex, plan, report)
        if report is None:
            diffs.append("no report (exit %d): %s" % (r.returncode, r.stderr.strip()[:300]))
        if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
            diffs.append("loket-import reported a sanitizer error:\n" + r.stderr[-3000:])
        got = self.state()
        diffs += compare_state(ex.state, got)
        if report is not None:
            diffs += compare_report(case, ex, r.returncode, report)
            if case["options"]["rerun"] and not diffs and ex.exit_code == 0:
                r2, report2, _ = self.apply(d, case, name, os.path.join(d, "journal"))
                if r2.returncode != 0:
                    diffs.append("second apply: exit %d, expected 0" % r2.returncode)
                un = report2["totals"]["records"]
                n = len(ex.records)
                if un.get("unchanged") != n or un.get("created") or un.get("updated"):
                    diffs.append("second apply: outcomes %s, expected %d unchanged" % (json.dumps(un), n))
                diffs += ["second apply: " + x for x in compare_state(ex.state, self.state())]
        if diffs and self.keep:
            kd = os.path.join(self.keep, "%s-%d" % (self.mode, seed))
            shutil.rmtree(kd, ignore_errors=True)
            shutil.copytree(d, kd)
            with open(os.path.join(kd, "case.json"), "w") as f:
                json.dump(case, f, indent=1, default=str)
            with open(os.path.join(kd, "diff.txt"), "w") as f:
                f.write("\n".join(diffs) + "\n")
                if r is not None:
                    f.write("command: %s\nexit %d\nstdout:\n%s\nstderr:\n%s\n" % (" ".join(args), r.returncode, r.stdout, r.stderr))
                f.write("oracle errors: %s\n" % ex.errors)
        shutil.rmtree(d, ignore_errors=True)
        return case, diffs, ex.tags


def fmt_rec(r):
    return "%s %s-%s shift %s pst %s cc %s cu %s du %s text %r: %s" % (
        r["employmentId"][:8], r["year"], r["number"], r["shift"], r["payslipType"], r["cc"], r["cu"], r["du"],
        r["text"], ", ".join("%d=%s%s" % (k, num(v), "+" if s else "") for k, v, s in r["components"]))


def num(v):
    if v is None:
        return "null"
    s = format(v, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def compare_state(want, got):
    w = [fmt_rec(r) for r in want]
    g = [fmt_rec(r) for r in got]
    out = []
    for x in sorted(set(w) - set(g)):
        out.append("state: missing  %s" % x)
    for x in sorted(set(g) - set(w)):
        out.append("state: extra    %s" % x)
    return out


def record_id(r):
    return (r["employment"]["id"], r["period"]["year"], r["period"]["number"], json.dumps(r["record_key"], sort_keys=True, default=str),
            tuple(sorted((c["key"], str(c["new_value"])) for c in r["components"])))


def compare_plan(ex, plan, rep):
    """What plan says apply would do is what apply did: no record the plan calls created or
    updated is refused, and without mistakes in the file the outcomes are the same."""
    out = []
    done = {}
    for r in rep["records"]:
        done.setdefault(record_id(r), []).append(r["outcome"])
    # what only Loket can judge (docs/import.md: its component data give no range and no number
    # of decimals) the plan cannot promise
    loket_judges = {(r["employmentId"], r["year"], r["number"]) for r in ex.refused}
    for r in plan["records"]:
        got = done.get(record_id(r), [])
        if (r["employment"]["id"], r["period"]["year"], r["period"]["number"]) in loket_judges:
            continue
        if r["outcome"] in ("created", "updated") and "rejected" in got:
            out.append("plan = apply: the plan said %s for %s %s-%s, apply was rejected" % (
                r["outcome"], r["employment"]["id"][:8], r["period"]["year"], r["period"]["number"]))
        elif not ex.errors and got != [r["outcome"]]:
            out.append("plan = apply: the plan said %s for %s %s-%s, apply %s" % (
                r["outcome"], (r["employment"]["id"] or "?")[:8], r["period"]["year"], r["period"]["number"], got))
    if not ex.errors and len(plan["records"]) != len(rep["records"]):
        out.append("plan = apply: %d records planned, %d in apply's report" % (len(plan["records"]), len(rep["records"])))
    return out


def compare_report(case, ex, rc, rep):
    out = []
    if rc != ex.exit_code:
        out.append("exit code %d, expected %d (oracle's errors: %s)" % (rc, ex.exit_code, "; ".join(e for e, _ in ex.errors[:3])))
    tot = rep["totals"]["records"]
    counts = {k: tot.get(k, 0) for k in ("created", "updated", "unchanged")}
    want = dict(ex.outcomes)
    if case["payslip_text"] or ex.ambiguous_outcome:
        # a text is always sent; an upsert onto a record the listing cannot show is "created"
        if sum(counts.values()) != sum(want.values()):
            out.append("report: %d records created/updated/unchanged, expected %d" % (sum(counts.values()), sum(want.values())))
    elif counts != want:
        out.append("report: outcomes %s, expected %s" % (counts, want))
    if ex.refused and tot.get("rejected", 0) != len(ex.refused):
        out.append("report: %d records rejected, expected %d (refused by Loket's rules)" % (tot.get("rejected", 0), len(ex.refused)))
    for r in rep["records"]:
        # Loket's reason on the record it refused: 1001 not active, 1003 period closed, 1008 range
        if r["outcome"] == "rejected" and ex.refused and not any(
                m["origin"] == "loket" and m["code"] in (1001, 1003, 1008) for m in r["messages"]):
            out.append("report: rejected record %s %s-%s without Loket's 1001/1003/1008 message: %s" % (
                r["employment"]["id"][:8], r["period"]["year"], r["period"]["number"],
                "; ".join("%s %s" % (m["origin"], m["code"]) for m in r["messages"])))
    # every record the oracle sends, with its values, among the report's accepted records
    got = {}
    for r in rep["records"]:
        if r["outcome"] in ("created", "updated", "unchanged"):
            key = (r["employment"]["id"], r["period"]["year"], r["period"]["number"],
                   tuple(sorted((c["key"], Decimal(str(c["new_value"])) if c["new_value"] is not None else None)
                                for c in r["components"])))
            got[key] = got.get(key, 0) + 1
    exp = {}
    for r in ex.records:
        key = (r["employmentId"], r["year"], r["number"], tuple(sorted((k, v) for k, (v, _) in r["values"].items())))
        exp[key] = exp.get(key, 0) + 1
    for k in sorted(set(exp) | set(got), key=repr):
        if exp.get(k, 0) != got.get(k, 0):
            out.append("report: record %s %d-%d %s: %d in the report, expected %d" % (
                k[0][:8], k[1], k[2], ", ".join("%d=%s" % (kk, num(vv)) for kk, vv in k[3]), got.get(k, 0), exp.get(k, 0)))
    if not ex.errors:
        comp = {c["key"]: (c["count"], Decimal(str(c["sum_new_values"]))) for c in rep["totals"]["components"]}
        for k, (n, s) in ex.component_sums.items():
            if comp.get(k) != (n, s):
                out.append("report: component %d totals %s, expected (%d, %s)" % (k, comp.get(k), n, s))
    t = rep["totals"]
    run = rep["run"]
    if run["rows_read"] != t["rows_in_records"] + t["rows_in_issues"]:
        out.append("report: rows read %d != in records %d + with issues %d" % (
            run["rows_read"], t["rows_in_records"], t["rows_in_issues"]))
    if run["rows_read"] != ex.data_lines:
        out.append("report: rows read %d, the file has %d data lines" % (run["rows_read"], ex.data_lines))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seeds", default="1-200")
    ap.add_argument("--mode", default=os.environ.get("LOKET_SIM_MODE") or "normal")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases"),
                    help="folder of fixed cases (seed-N-HASH.json), run every time")
    ap.add_argument("--freeze", action="store_true",
                    help="write the case of every failing seed into the --cases folder")
    ap.add_argument("--keep")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--avoid", default="", help="triage only: leave out seeds holding these tags (comma-separated)")
    a = ap.parse_args()
    mode = "minimal" if a.mode == "minimal" else "normal"
    fixed = read_cases(a.cases)
    seeds = parse_seeds(a.seeds)
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    runner = Runner(a.build, mode, a.keep, a.verbose)
    t0 = time.monotonic()
    failed = []
    by_tag = {}
    avoided = 0
    try:
        avoid = set(x for x in a.avoid.split(",") if x)
        # the fixed cases first: each as it was frozen (a case the generator still makes the
        # same way is run once, with its seed)
        todo = []
        in_range = set(seeds)
        for s, c in fixed:
            if s in in_range and canon(generate.make(s, runner.world)) == canon(c):
                continue
            todo.append((s, c))
        todo += [(s, None) for s in seeds]
        seeds = todo
        for s, frozen in todo:
            if avoid:
                c = frozen or generate.make(s, runner.world)
                if oracle.expect(c, runner.world, runner.fx["payrollPeriodData"]).tags & avoid:
                    avoided += 1
                    continue
            case, diffs, tags = runner.one(s, frozen)
            if diffs:
                failed.append(s)
                for t in tags or ["-"]:
                    by_tag[t] = by_tag.get(t, 0) + 1
                if a.freeze and frozen is None:
                    os.makedirs(a.cases, exist_ok=True)
                    # named by seed and content: the same seed of another generator version
                    # is another case
                    h = hashlib.sha256(json.dumps(canon(case), sort_keys=True).encode()).hexdigest()[:8]
                    with open(os.path.join(a.cases, "seed-%d-%s.json" % (s, h)), "w") as f:
                        json.dump(case, f, indent=1, sort_keys=True, default=str)
                        f.write("\n")
                print("seed %d [%s] FAILED (%s, %s, %s, period %s, errors %s; holds %s):" % (
                    s, mode, case["layout"], case["fmt"]["kind"], case["client"], case["period_source"],
                    ",".join(case["errors"]) or "none", ",".join(sorted(tags)) or "-"))
                # every difference of the first ten failing seeds; one line for the others
                shown = diffs[:12] if len(failed) <= 10 else []
                for x in shown:
                    print("   ", x)
                if len(diffs) > len(shown):
                    print("    ... %d %sdifferences (run the seed alone to see them)" % (
                        len(diffs) - len(shown), "more " if shown else ""))
            elif a.verbose:
                print("seed %d [%s] ok" % (s, mode))
    finally:
        ok = runner.close()
    dt = time.monotonic() - t0
    if by_tag:
        print("failing seeds by what they hold (- = none of the named constructs): " +
              ", ".join("%s %d" % kv for kv in sorted(by_tag.items(), key=lambda kv: -kv[1])))
    ran = len(seeds) - avoided
    print("differential [%s]: %d seeds (%d fixed%s), %d failed, %.1f s, %.1f seeds/s%s" % (
        mode, ran, len(fixed), ", %d left out by --avoid" % avoided if avoided else "", len(failed), dt, ran / dt if dt else 0,
        (": " + " ".join(map(str, failed))) if failed else ""))
    return 0 if not failed and ok else 1


if __name__ == "__main__":
    sys.exit(main())
