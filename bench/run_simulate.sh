#!/usr/bin/env bash
# The simulation figures quoted in issues: `journey simulate` on the business-phone example,
# each configuration run RUNS times in fresh processes, reporting median wall time, customers
# per second, transitions (steps) per second and peak resident memory.
#   bench/run_simulate.sh [RUNS] [CUSTOMERS]       default: 3 runs of 10,000,000 customers
#   BACKENDS="interpreter jit" THREADS="1 2" bench/run_simulate.sh
# The last row is the hand-written baseline of bench/baseline.cpp (machine_bench --only
# baseline: the same customers, one thread, CPU time in process, so without the start-up and JIT
# compilation a `journey simulate` process pays), and each row's time relative to it. The runs
# are interleaved (every configuration once, then again), so that a machine that slows down for
# a while slows every configuration alike.
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
for _ in $(seq "$runs"); do
  "$build/bench/machine_bench" --only baseline --customers "$customers" --repeat 1 |
    awk '/CPU/ { print $2, $5 }' >>"$work/base"
  for backend in $backends; do
    for t in $threads; do
      /usr/bin/time -f '%e %M' -o "$work/one" "$build/cli/journey" simulate "$work/spec.jm" \
        --customers "$customers" --threads "$t" --backend "$backend" --format json \
        -o "$work/out-$backend-$t.json"
      read -r seconds kilobytes <"$work/one"
      echo "$seconds" >>"$work/times-$backend-$t"
      echo $((kilobytes / 1024)) >>"$work/memory-$backend-$t"
    done
  done
done

base=$(awk '{ print $1 }' "$work/base" | median)
base_steps=$(awk 'NR == 1 { print $2 }' "$work/base")
printf '%-12s %7s %12s %10s %14s %16s %8s %9s\n' backend threads customers "median s" "customers/s" \
  "transitions/s" "peak MB" "vs base"
for backend in $backends; do
  for t in $threads; do
    seconds=$(median <"$work/times-$backend-$t")
    steps=$(python3 -c 'import json; j=json.load(open("'"$work/out-$backend-$t.json"'")); print(j["overall"].get("steps", 0))')
    printf '%-12s %7s %12s %10s %14.0f %16.0f %8s %8.2fx\n' "$backend" "$t" "$customers" \
      "$seconds" "$(awk "BEGIN { print $customers / $seconds }")" \
      "$(awk "BEGIN { print $steps / $seconds }")" "$(median <"$work/memory-$backend-$t")" \
      "$(awk "BEGIN { print $seconds / $base }")"
  done
done
printf '%-12s %7s %12s %10s %14.0f %16.0f %8s %8.2fx\n' baseline 1 "$customers" "$base" \
  "$(awk "BEGIN { print $customers / $base }")" "$(awk "BEGIN { print $base_steps / $base }")" "" 1
