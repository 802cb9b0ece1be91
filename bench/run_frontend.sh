#!/usr/bin/env bash
# The front-end figures quoted in issues: `journey check` and `journey fmt --stdout` on generated
# specs, each size run RUNS times in fresh processes (cold, as a user runs it; check and fmt
# interleaved), reporting the median wall time and the median peak resident memory of each and
# fmt's ratios to check; then the in-process phase split from frontend_bench.
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

# measure NAME ARGS...: one run of `journey ARGS...`, its seconds and megabytes appended to
# $work/NAME.times and $work/NAME.memory.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/one" "$build/cli/journey" "$@" >/dev/null 2>&1
  read -r seconds kilobytes <"$work/one"
  echo "$seconds" >>"$work/$name.times"
  echo $((kilobytes / 1024)) >>"$work/$name.memory"
}

printf '%-8s %8s %10s %10s %10s %10s %12s %12s\n' stages MB "check s" "check MB" "fmt s" "fmt MB" \
  "fmt/check s" "fmt/check MB"
for size in "${sizes[@]}"; do
  "$build/bench/generate_spec" "$size" >"$work/spec.journey"
  rm -f "$work"/*.times "$work"/*.memory
  for _ in $(seq "$runs"); do
    measure check check "$work/spec.journey"
    measure fmt fmt --stdout "$work/spec.journey"
  done
  check_s=$(median <"$work/check.times")
  check_mb=$(median <"$work/check.memory")
  fmt_s=$(median <"$work/fmt.times")
  fmt_mb=$(median <"$work/fmt.memory")
  printf '%-8s %8.1f %10s %10s %10s %10s %12.2f %12.2f\n' "$size" \
    "$(stat -c %s "$work/spec.journey" | awk '{ print $1 / 1e6 }')" "$check_s" "$check_mb" \
    "$fmt_s" "$fmt_mb" "$(awk -v a="$fmt_s" -v b="$check_s" 'BEGIN { print a / b }')" \
    "$(awk -v a="$fmt_mb" -v b="$check_mb" 'BEGIN { print a / b }')"
done
echo
echo "in-process phases (frontend_bench, median of $runs; scan = read + UTF-8 check, the baseline):"
for size in "${sizes[@]}"; do
  "$build/bench/frontend_bench" --repeat "$runs" "$size" | tail -n +"$([ "$size" = "${sizes[0]}" ] && echo 1 || echo 2)"
done
