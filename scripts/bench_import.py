#!/usr/bin/python3
"""bench_import.py: the import benchmark (scripts/bench-import.sh runs it; docs/benchmarks.md).

Online: a generated loket-sim world of N employments (default 5000) over three administrations
(monthly, 4-weekly, weekly; scripts/make-fixture.py --big), served with a fixed latency
(LATENCY_MS, default 20, plus a uniform 0..JITTER_MS, default 4). `loket-import apply` runs at
concurrency 1, 8 and 32, per employment and --collective, the simulator reset in between
(POST /__sim/reset). Concurrency 1 uses a slice of SLICE employments (default 1000): at 22 ms a
request the whole run would take two minutes per mode. For each run: wall time, the ideal time
(requests x mean latency / concurrency, mean latency = LATENCY_MS + JITTER_MS / 2), their ratio,
requests per employment by endpoint (the simulator's own request log), the importer's peak RSS.

Offline: `loket-import validate` of generated 1M- and 100k-row CSVs and a 100k-row XLSX (the
files of scripts/bench-readers.sh): rows/s by wall and by CPU time, peak RSS, median of RUNS.

Prints a table and writes the same figures to build-bench/bench.json. Inputs live in
build-bench/ (never committed) and are reused while their generator is unchanged.
Usage: scripts/bench_import.py BUILD_DIR  (environment: N, SLICE, LATENCY_MS, JITTER_MS, RUNS,
ONLY=online|offline)
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build-bench")
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BUILD = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
IMPORT = os.path.join(BUILD, "loket-import")
SIM = os.path.join(BUILD, "loket-sim")
N = int(os.environ.get("N", "5000"))
SLICE = int(os.environ.get("SLICE", "1000"))
LATENCY_MS = int(os.environ.get("LATENCY_MS", "20"))
JITTER_MS = int(os.environ.get("JITTER_MS", "4"))
RUNS = int(os.environ.get("RUNS", "3"))
ONLY = os.environ.get("ONLY", "")
MEAN_LATENCY_S = (LATENCY_MS + JITTER_MS / 2) / 1000.0
REFRESH_TOKEN = "sim-refresh-initial-0001"   # the fixture's test value (make-fixture.py)


def run_measured(argv, **kw):
    """Runs argv; returns (exit code, wall seconds, CPU seconds, peak RSS KiB, stderr).

    The peak RSS comes from GNU time, which forks the program itself: a process started straight
    from Python counts Python's own memory (copied at the fork, ~20 MB) in its ru_maxrss, which
    hides anything smaller."""
    with tempfile.NamedTemporaryFile("r", prefix="lk-rss-") as rss_file:
        t0 = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file.name] + argv,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        p.returncode = os.waitstatus_to_exitcode(status)
        lines = rss_file.read().split()
        rss = int(lines[-1]) if lines and lines[-1].isdigit() else ru.ru_maxrss
    return p.returncode, wall, ru.ru_utime + ru.ru_stime, rss, err


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "loadavg": os.getloadavg()[0]}


def fresh(path, *sources):
    return os.path.exists(path) and all(os.path.getmtime(path) >= os.path.getmtime(s) for s in sources)


# ---------------------------------------------------------------------------------- online

class Sim:
    def __init__(self, fixture):
        self.p = subprocess.Popen([SIM, "--fixture", fixture, "--port", "0", "--latency-ms",
                                   str(LATENCY_MS), "--jitter-ms", str(JITTER_MS), "--seed", "1"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.url = self.p.stdout.readline().decode().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            sys.exit("bench-import: loket-sim did not start")
        self.root = self.url[:-len("/v2")]

    def call(self, method, path, body=None):
        """A test hook of the simulator; body (a JSON value) for POST /__sim/faults."""
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.root + path, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            out = r.read()
        return json.loads(out) if method == "GET" else None

    def stop(self):
        self.p.terminate()
        self.p.wait()


def slice_input(src, dst, n):
    """Every k-th row of the full input, so the slice keeps the three administrations' mix."""
    with open(src) as f:
        header, rows = f.readline(), f.read().splitlines()
    step = max(1, len(rows) // n)
    with open(dst, "w") as f:
        f.write(header + "\n".join(rows[::step][:n]) + "\n")


def online():
    d = os.path.join(OUT, "import-%d" % N)
    gen = os.path.join(ROOT, "scripts", "make-fixture.py")
    if not fresh(os.path.join(d, "mapping.json"), gen):
        subprocess.run([sys.executable, gen, "--big", str(N), d], check=True)
    full = os.path.join(d, "input.csv")
    part = os.path.join(d, "input-%d.csv" % SLICE)
    if not fresh(part, full):
        slice_input(full, part, SLICE)
    sim = Sim(os.path.join(d, "fixture.json"))
    conf = os.path.join(d, "config.json")
    for old in ("tokens.json", "tokens.json.lock"):  # of an earlier simulator (another port)
        if os.path.exists(os.path.join(d, old)):
            os.unlink(os.path.join(d, old))
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"environment": "custom", "apiUrl": sim.url, "tokenUrl": sim.root + "/token",
                   "clientId": "loket-import-demo",
                   "clientSecret": "sim-client-secret-not-for-production",
                   "tokenStore": os.path.join(d, "tokens.json")}, f)
    results = []
    try:
        for mode in ("per-employment", "collective"):
            for conc in (1, 8, 32):
                inp, n = (part, SLICE) if conc == 1 else (full, N)
                sim.call("POST", "/__sim/reset")
                subprocess.run([IMPORT, "auth", "set-refresh-token", "--config", conf],
                               input=REFRESH_TOKEN.encode(), check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                journal = os.path.join(d, "run.journal")
                for leftover in (journal, journal + ".done"):
                    if os.path.exists(leftover):
                        os.unlink(leftover)
                argv = [IMPORT, "apply", inp, "-m", os.path.join(d, "mapping.json"), "--config", conf,
                        "--concurrency", str(conc), "--quiet", "--journal", journal,
                        "--report", os.path.join(d, "report-%s-%d.json" % (mode, conc))]
                if mode == "collective":
                    argv.append("--collective")
                rc, wall, cpu, rss, err = run_measured(argv)
                if rc != 0:
                    sys.stderr.write(err)
                    sys.exit("bench-import: apply (%s, concurrency %d) exited %d" % (mode, conc, rc))
                log = sim.call("GET", "/__sim/requests")
                counts = {k: v for k, v in log["counts"].items() if not k.startswith("POST /token")}
                requests = sum(counts.values())
                ideal = requests * MEAN_LATENCY_S / conc
                results.append({"mode": mode, "concurrency": conc, "employments": n,
                                "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                                "requests": requests, "ideal_s": round(ideal, 3),
                                "ratio_to_ideal": round(wall / ideal, 3),
                                "requests_per_employment": round(requests / n, 4),
                                "per_employment_by_endpoint": {k: round(v / n, 4) for k, v in
                                                               sorted(counts.items())},
                                "peak_rss_kb": rss})
    finally:
        sim.stop()
    return results


# --------------------------------------------------------------------------------- offline

READER_MAPPING = {
    "name": "Benchmark: the bench-readers export", "layout": "wide",
    "employee": {"employeeNumber": "Personeelsnummer"}, "employer": {"clientNumber": 40101},
    "period": {"source": "date", "column": "Datum"}, "defaults": {"blank": "skip"},
    "components": [{"column": "Uren", "component": 10}, {"column": "Overuren 125%", "component": 11},
                   {"column": "Ziekte-uren", "component": 13}, {"column": "Verlofuren", "component": 14},
                   {"column": "Reiskm", "component": 20}, {"column": "Reiskostenverg", "component": 21}],
    "aggregate": "sum",
}


def offline():
    gen = os.path.join(BUILD, "bench_readers")
    files = [("csv", 1000000, "readers-1m.csv"), ("csv", 100000, "readers-100k.csv"),
             ("xlsx", 100000, "readers-100k.xlsx")]
    maps = {}
    for kind, header_row in (("csv", 2), ("xlsx", 1)):   # the CSV opens with a "sep=;" line
        m = dict(READER_MAPPING, input={"headerRow": header_row})
        maps[kind] = os.path.join(OUT, "validate-%s.json" % kind)
        with open(maps[kind], "w") as f:
            json.dump(m, f, indent=1)
    results = []
    for kind, rows, name in files:
        path = os.path.join(OUT, name)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            subprocess.run([gen, "gen-" + kind, path, str(rows)], check=True)
        runs = []
        for _ in range(RUNS):
            rc, wall, cpu, rss, err = run_measured([IMPORT, "validate", path, "-m", maps[kind], "-q"])
            if rc != 0:
                sys.stderr.write(err)
                sys.exit("bench-import: validate %s exited %d" % (name, rc))
            runs.append((wall, cpu, rss))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        results.append({"file": name, "kind": kind, "rows": rows, "bytes": os.path.getsize(path),
                        "runs": RUNS, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                        "rows_per_s": int(rows / wall), "rows_per_cpu_s": int(rows / cpu),
                        "peak_rss_kb": int(statistics.median(r[2] for r in runs))})
    return results


def main():
    os.makedirs(OUT, exist_ok=True)
    for prog in (IMPORT, SIM, os.path.join(BUILD, "bench_readers")):
        if not os.access(prog, os.X_OK):
            sys.exit("bench-import: %s missing (make bench builds it)" % prog)
    doc = {"machine": machine(), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "latency_ms": LATENCY_MS, "jitter_ms": JITTER_MS, "employments": N, "slice": SLICE}
    if ONLY != "offline":
        doc["apply"] = online()
    if ONLY != "online":
        doc["validate"] = offline()
    targets = {}
    if "apply" in doc:
        for r in doc["apply"]:
            if r["concurrency"] in (8, 32):
                targets["ratio %s c=%d <= 1.15" % (r["mode"], r["concurrency"])] = r["ratio_to_ideal"] <= 1.15
            limit = 2.0 if r["mode"] == "per-employment" else 1.1
            targets["requests/employment %s c=%d <= %.1f" % (r["mode"], r["concurrency"], limit)] = \
                r["requests_per_employment"] <= limit
    if "validate" in doc:
        v = {r["file"]: r for r in doc["validate"]}
        targets["validate csv 1M >= 2M rows/s"] = v["readers-1m.csv"]["rows_per_s"] >= 2000000
        targets["validate csv 1M peak RSS <= 1.5 x 100k"] = \
            v["readers-1m.csv"]["peak_rss_kb"] <= 1.5 * v["readers-100k.csv"]["peak_rss_kb"]
    doc["targets"] = targets
    with open(os.path.join(OUT, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    m = doc["machine"]
    print("import benchmark: %d CPUs (%s), load average %.1f; latency %d ms + 0..%d ms jitter"
          % (m["nproc"], m["cpu"], m["loadavg"], LATENCY_MS, JITTER_MS))
    if "apply" in doc:
        print("%-15s %4s %6s %8s %8s %8s %6s %7s %6s %9s" % ("apply", "conc", "empl", "requests",
              "wall s", "ideal s", "ratio", "req/emp", "cpu s", "RSS KiB"))
        for r in doc["apply"]:
            print("%-15s %4d %6d %8d %8.2f %8.2f %6.2f %7.3f %6.2f %9d" % (
                r["mode"], r["concurrency"], r["employments"], r["requests"], r["wall_s"],
                r["ideal_s"], r["ratio_to_ideal"], r["requests_per_employment"], r["cpu_s"],
                r["peak_rss_kb"]))
        print("requests per employment by endpoint (concurrency 8):")
        for r in doc["apply"]:
            if r["concurrency"] == 8:
                for k, v in r["per_employment_by_endpoint"].items():
                    print("  %-15s %7.4f  %s" % (r["mode"], v, k))
    if "validate" in doc:
        print("%-20s %8s %10s %8s %11s %11s %9s" % ("validate (median of %d)" % RUNS, "rows", "bytes",
              "wall s", "rows/s", "rows/cpu s", "RSS KiB"))
        for r in doc["validate"]:
            print("%-20s %8d %10d %8.2f %11d %11d %9d" % (r["file"], r["rows"], r["bytes"], r["wall_s"],
                  r["rows_per_s"], r["rows_per_cpu_s"], r["peak_rss_kb"]))
    print("targets:")
    for k, ok in targets.items():
        print("  %-4s %s" % ("met" if ok else "MISS", k))
    print("figures: build-bench/bench.json")


if __name__ == "__main__":
    main()
