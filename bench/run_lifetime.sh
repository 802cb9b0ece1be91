#!/usr/bin/env bash
# What lifetime journeys cost the simulator (docs/language.md, "Modelling lifetime journeys").
#   OLD=path/to/journey bench/run_lifetime.sh [RUNS] [CUSTOMERS]    default: 5 runs of 2,000,000
# 1. A spec without lifetime constructs (examples/business_phone.journey): `journey simulate`
#    of this build against OLD, a build of a revision without them (skipped when OLD is unset).
# 2. A spec with them (tests/markov/lifetime.journey: milestones, values per visit, period and
#    event, a discount, a KPI) against the same spec with them removed, both with this build.
# One thread, JIT backend, JSON output; runs interleaved; median wall time and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
customers=${2:-2000000}
build=${BUILD:-build}
new="$build/cli/journey"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() {  # run NAME BINARY SPEC
  /usr/bin/time -f '%e' -o "$work/one" "$2" simulate "$3" --customers "$customers" --threads 1 \
    --format json -o "$work/$1.json" 2>/dev/null
  cat "$work/one" >>"$work/$1"
}

# The lifetime spec without its lifetime constructs: milestones become stages; values on
# ordinary stages and events, the discount and the KPIs go.
sed -E -e 's/^(\s*)milestone /\1stage /' -e '/^\s*(value |discount |kpi )/d' \
  tests/markov/lifetime.journey >"$work/plain.journey"

for _ in $(seq "$runs"); do
  if [[ -n "${OLD:-}" ]]; then run phone-old "$OLD" examples/business_phone.journey; fi
  run phone-new "$new" examples/business_phone.journey
  run plain "$new" "$work/plain.journey"
  run lifetime "$new" tests/markov/lifetime.journey
done

printf '%-44s %10s %14s %8s\n' "spec and build" "median s" "customers/s" "ratio"
row() {  # row LABEL NAME BASE
  local s b
  s=$(median <"$work/$2")
  b=$(median <"$work/$3")
  printf '%-44s %10s %14.0f %7.3fx\n' "$1" "$s" "$(awk "BEGIN { print $customers / $s }")" \
    "$(awk "BEGIN { print $s / $b }")"
}
if [[ -n "${OLD:-}" ]]; then
  row "business_phone, before (OLD)" phone-old phone-old
  row "business_phone, this build" phone-new phone-old
fi
row "lifetime.journey without lifetime constructs" plain plain
row "lifetime.journey" lifetime plain
