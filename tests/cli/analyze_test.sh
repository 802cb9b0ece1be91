#!/usr/bin/env bash
# End-to-end tests of `journey analyze`: exit codes, the exact answers of a small chain in text
# and JSON, and the obstacles of a journey that is not a chain.
# Usage: analyze_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
begin_checks

cat >"$work/bad.journey" <<'EOF'
journey Bad {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start { after exponential(mean: 1d) -> Dnoe }
  goal Done
}
EOF
cp tests/cli/fixtures/good.journey "$work/fixed.journey"

# A chain: 2/3 (1 - e^-1.5) = 51.79% bought by the 2-day horizon, 2/3 eventually.
expect "analyze race" 0 "$journey" analyze tests/markov/race.journey &&
  contains "race bought" "$out" "51.79%" && contains "race eventually" "$out" "66.67%"
expect "analyze json" 0 "$journey" analyze --format json tests/markov/race.journey &&
  contains "json exact" "$out" '"exact": true' && contains "json conversion" "$out" '"eventually": 0.6666666666666'
expect "analyze --set" 0 "$journey" analyze --set ticket_mean=2d tests/markov/loop.journey &&
  contains "set changes the answer" "$out" "14.00d"
expect "analyze personas" 0 "$journey" analyze tests/markov/personas.journey &&
  contains "per persona" "$out" "Persona Large (30.00% of customers)"

# Not a chain: each obstacle with its place, and the way out.
expect "analyze fixed delay" 1 "$journey" analyze "$work/fixed.journey" &&
  contains "fixed place" "$out" "fixed.journey:5:23: fixed-delay" && contains "suggests simulate" "$out" "journey simulate"
expect "analyze example" 1 "$journey" analyze examples/business_phone.journey &&
  contains "rule place" "$out" "business_phone.journey:209:14: rule: rule \`NurtureResearchers\`" &&
  contains "lognormal" "$out" "non-exponential-delay"
expect "analyze example json" 1 "$journey" analyze --format json examples/business_phone.journey &&
  contains "json obstacles" "$out" '"code": "channel-cap"'

# Spec errors, usage errors.
expect "analyze spec error" 1 "$journey" analyze --color=never "$work/bad.journey" && contains "error shown" "$err" "Dnoe"
expect "analyze missing file" 2 "$journey" analyze "$work/nope.journey" && ok
expect "analyze bad format" 2 "$journey" analyze --format csv tests/markov/race.journey && ok
expect "analyze bad --set" 1 "$journey" analyze --set nope=3 tests/markov/race.journey && ok

end_checks analyze
