#!/usr/bin/env bash
# The simulation figures quoted in issues: `journey simulate` on the business-phone example,
# each configuration run RUNS times in fresh processes, reporting median wall time, customers
# per second, transitions (steps) per second and peak resident memory.
#   bench/run_simulate.sh [RUNS] [CUSTOMERS]       default: 3 runs of 10,000,000 customers
#   BACKENDS="interpreter jit" THREADS="1 2" bench/run_simulate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
customers=${2:-10000000}
build=${BUILD:-build}
backends=${BACKENDS:-interpreter}
threads=${THREADS:-1 2}
spec=${SPEC:-examples/business_phone.journey}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"$build/cli/journey" build "$spec" -o "$work/spec.jm"
printf '%-12s %7s %12s %10s %14s %16s %8s\n' backend threads customers "median s" "customers/s" \
  "transitions/s" "peak MB"
for backend in $backends; do
  for t in $threads; do
    : >"$work/times"
    : >"$work/memory"
    for _ in $(seq "$runs"); do
      /usr/bin/time -f '%e %M' -o "$work/one" "$build/cli/journey" simulate "$work/spec.jm" \
        --customers "$customers" --threads "$t" --backend "$backend" --format json -o "$work/out.json"
      read -r seconds kilobytes <"$work/one"
      echo "$seconds" >>"$work/times"
      echo $((kilobytes / 1024)) >>"$work/memory"
    done
    seconds=$(median <"$work/times")
    steps=$(python3 -c 'import json; j=json.load(open("'"$work/out.json"'")); print(j["overall"].get("steps", 0))')
    printf '%-12s %7s %12s %10s %14.0f %16.0f %8s\n' "$backend" "$t" "$customers" "$seconds" \
      "$(awk "BEGIN { print $customers / $seconds }")" "$(awk "BEGIN { print $steps / $seconds }")" \
      "$(median <"$work/memory")"
  done
done
