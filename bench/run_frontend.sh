#!/usr/bin/env bash
# The front-end figures quoted in issues: `journey check` on generated specs, each size run
# RUNS times in fresh processes (cold, as a user runs it), reporting the median wall time and
# the median peak resident memory; then the in-process phase split from frontend_bench.
#   bench/run_frontend.sh [RUNS] [SIZES...]     default: 5 runs of 1000 10000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
build=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-8s %8s %12s %12s\n' stages MB "median s" "median MB"
for size in "${sizes[@]}"; do
  "$build/bench/generate_spec" "$size" >"$work/spec.journey"
  : >"$work/times"
  : >"$work/memory"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/one" "$build/cli/journey" check "$work/spec.journey" 2>/dev/null
    read -r seconds kilobytes <"$work/one"
    echo "$seconds" >>"$work/times"
    echo $((kilobytes / 1024)) >>"$work/memory"
  done
  printf '%-8s %8.1f %12s %12s\n' "$size" "$(stat -c %s "$work/spec.journey" | awk '{ print $1 / 1e6 }')" \
    "$(median <"$work/times")" "$(median <"$work/memory")"
done
echo
echo "in-process phases (frontend_bench, median of $runs; scan = read + UTF-8 check, the baseline):"
for size in "${sizes[@]}"; do
  "$build/bench/frontend_bench" --repeat "$runs" "$size" | tail -n +"$([ "$size" = "${sizes[0]}" ] && echo 1 || echo 2)"
done
