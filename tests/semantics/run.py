#!/usr/bin/env python3
"""Runs every `tests/semantics/*.journey` through `journey simulate --format csv` and checks the
`// expect:` lines in the spec against the report. Each spec pins a point of docs/semantics.md.

    // expect: GROUP,METRIC,ITEM = VALUE          exact (within 1e-9, relative)
    // expect: GROUP,METRIC,ITEM = VALUE ~ TOL    within TOL (absolute)
    // simulate: --customers 2000                 extra arguments (default: 200 customers)

GROUP, METRIC and ITEM are the first three columns of the CSV report (docs/simulate.md).
Usage: run.py JOURNEY_BINARY [SPEC...]; extra environment JOURNEY_BACKEND selects --backend.
"""
import csv
import glob
import io
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = re.compile(r"//\s*expect:\s*([^,]*),([^,]*),([^=]*?)\s*=\s*(\S+)(?:\s*~\s*(\S+))?\s*$")
ARGS = re.compile(r"//\s*simulate:\s*(.*)$")


def run(binary, spec):
    expectations, extra = [], []
    with open(spec, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = EXPECT.search(line)
            if m:
                expectations.append((number, m.group(1).strip(), m.group(2).strip(),
                                     m.group(3).strip(), float(m.group(4)),
                                     float(m.group(5)) if m.group(5) else None))
            a = ARGS.search(line)
            if a:
                extra += a.group(1).split()
    if not expectations:
        return [f"{spec}: no `// expect:` line"]
    command = [binary, "simulate", spec, "--format", "csv", "--seed", "7", "--threads", "2",
               "--no-progress"] + extra
    if "--customers" not in extra:
        command += ["--customers", "200"]
    backend = os.environ.get("JOURNEY_BACKEND")
    if backend:
        command += ["--backend", backend]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return [f"{spec}: `{' '.join(command)}` exited {done.returncode}:\n{done.stderr}"]
    rows = {}
    for row in csv.DictReader(io.StringIO(done.stdout)):
        rows[(row["group"], row["metric"], row["item"])] = row["value"]
    failures = []
    for number, group, metric, item, want, tolerance in expectations:
        key = (group, metric, item)
        if key not in rows:
            failures.append(f"{spec}:{number}: no row {group},{metric},{item} in the report")
            continue
        got = float(rows[key]) if rows[key] != "" else float("nan")
        if tolerance is None:
            ok = abs(got - want) <= 1e-9 * max(1.0, abs(want))
        else:
            ok = abs(got - want) <= tolerance
        if not ok:
            bound = f" ~ {tolerance}" if tolerance is not None else ""
            failures.append(f"{spec}:{number}: {group},{metric},{item} is {got}, expected {want}{bound}")
    return failures


def main():
    binary = sys.argv[1]
    specs = sys.argv[2:] or sorted(glob.glob(os.path.join(HERE, "*.journey")))
    failures = []
    for spec in specs:
        failures += run(binary, spec)
    for failure in failures:
        print(failure)
    print(f"semantics: {len(specs)} specs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
