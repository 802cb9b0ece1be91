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

# Branch chances that add up to 100% but whose doubles do not (0.3 + 0.6 + 0.1 is
# 0.9999999999999999) are a distribution: every customer finishes, after 1d + 30% of 2d.
chances=("Support 0.3, Renewal 0.6, Churned 0.1" "Support 30%, Renewal 60%, Churned 10%"
  "Renewal 0.6, Support 0.3, Churned 0.1" "Churned 10%, Renewal 60%, Support 30%"
  "Renewal 0.6, Churned 0.1, Support 0.3" "Support 0.3, Renewal 0.6, Churned otherwise")
for i in "${!chances[@]}"; do
  cat >"$work/chances$i.journey" <<EOF
journey Chances {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start { after exponential(mean: 1d) -> { ${chances[$i]} } }
  stage Support { after exponential(mean: 2d) -> Renewal }
  goal Renewal
  exit Churned
}
EOF
  expect "analyze chances $i" 0 "$journey" analyze "$work/chances$i.journey" &&
    contains "chances $i finish" "$out" "1.60d" && lacks "chances $i never" "$out" "never"
  expect "analyze chances $i json" 0 "$journey" analyze --format json "$work/chances$i.journey" &&
    lacks "chances $i json null" "$out" '"time_to_finish_seconds": null'
done

# A loop of instant moves that customers leave: 50% then 30% go round, so 1 / (1 - 15%)
# rounds; 0.5 / 0.85 = 58.82% end at Done.
cat >"$work/instant_loop.journey" <<'EOF'
journey InstantLoop {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start { after exponential(mean: 1d) -> A }
  stage A { after 0s -> { B 50%, Done otherwise } }
  stage B { after 0s -> { A 30%, Lost otherwise } }
  goal Done
  exit Lost
}
EOF
expect "analyze instant loop" 0 "$journey" analyze "$work/instant_loop.journey" &&
  contains "instant loop done" "$out" "58.82%" && lacks "instant loop never" "$out" "never"
expect "check instant loop" 0 "$journey" check --color=never "$work/instant_loop.journey" &&
  contains "instant loop warning" "$err$out" "1.18 rounds on average"

# Spec errors, usage errors.
expect "analyze spec error" 1 "$journey" analyze --color=never "$work/bad.journey" && contains "error shown" "$err" "Dnoe"
expect "analyze missing file" 2 "$journey" analyze "$work/nope.journey" && ok
expect "analyze bad format" 2 "$journey" analyze --format csv tests/markov/race.journey && ok
expect "analyze bad --set" 1 "$journey" analyze --set nope=3 tests/markov/race.journey && ok

end_checks analyze
