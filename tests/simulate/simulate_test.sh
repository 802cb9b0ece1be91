#!/usr/bin/env bash
# End-to-end tests of `journey simulate`, `journey build` and `dump --stage=machine`: exit
# codes, formats, `.jm` files, overrides, determinism across threads, bad input.
# Usage: simulate_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
root=$(pwd)
source "$(dirname "$0")/../cli/lib.sh"
begin_checks
limit=120

same() {  # same NAME FILE1 FILE2
  if cmp -s "$2" "$3"; then
    passed=$((passed + 1))
  else
    echo "FAIL $1: $2 and $3 differ"
    diff "$2" "$3" | head -10
    failed=$((failed + 1))
  fi
}

phone=examples/business_phone.journey

# --- Reports ----------------------------------------------------------------------------------
expect "text report" 0 "$journey" simulate "$phone" --customers 5000 --no-progress &&
  contains "text outcomes" "$out" "converted (any goal)" &&
  contains "text funnel" "$out" "Funnel, in journey order" &&
  contains "text money" "$out" "cost per conversion" &&
  contains "text drop-off" "$out" "Biggest drop-off: Evaluate"
expect "json report" 0 "$journey" simulate "$phone" --customers 5000 --format json &&
  python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["schema"]=="journey-simulation/1"; assert j["customers"]==5000; assert 0<j["overall"]["conversion"]["value"]<1' <<<"$out" && ok &&
  python3 -c '
import json, sys
j = json.load(sys.stdin)
ordinary = [row for row in j["overall"]["funnel"] if row["kind"] == "stage"]
# Every customer of the business-phone journey ends at a goal or an exit, or is still in a stage.
assert sum(row["drop_off"]["last_stage"]["count"] for row in ordinary) == 5000
evaluate = next(row for row in ordinary if row["stage"] == "Evaluate")["drop_off"]
assert evaluate["to_exit"]["count"] > 0 and evaluate["to_goal"]["count"] == 0, evaluate
' <<<"$out" && ok || { echo "FAIL json drop-off"; failed=$((failed + 1)); }
expect "csv report" 0 "$journey" simulate "$phone" --customers 5000 --format csv &&
  contains "csv header" "$out" "group,metric,item,value,low,high" &&
  contains "csv conversion" "$out" "all,conversion,,"
expect "no progress bar when not a terminal" 0 "$journey" simulate "$phone" --customers 5000 &&
  if [ -z "$err" ]; then ok; else echo "FAIL stderr not empty: ${err:0:200}"; failed=$((failed + 1)); fi
expect "report to a file" 0 "$journey" simulate "$phone" --customers 2000 --format json -o "$work/report.json" &&
  python3 -c 'import json; json.load(open("'"$work/report.json"'"))' && ok

# --- Determinism: same JSON for any thread count and for a .jm file -----------------------------
for example in "$root"/examples/*.journey; do
  name=$(basename "$example" .journey)
  for threads in 1 2 7; do
    expect "$name threads $threads" 0 "$journey" simulate "$example" --customers 20000 --seed 11 \
      --threads "$threads" --format json -o "$work/$name.$threads.json" && ok
  done
  same "$name: 1 and 2 threads" "$work/$name.1.json" "$work/$name.2.json"
  same "$name: 1 and 7 threads" "$work/$name.1.json" "$work/$name.7.json"
  expect "$name build" 0 "$journey" build "$example" -o "$work/$name.jm" && ok
  expect "$name simulate .jm" 0 "$journey" simulate "$work/$name.jm" --customers 20000 --seed 11 \
    --threads 2 --format json -o "$work/$name.jm.json" && ok
  same "$name: spec and .jm" "$work/$name.1.json" "$work/$name.jm.json"
done
expect "other seed differs" 0 "$journey" simulate "$phone" --customers 20000 --seed 12 --format json -o "$work/seed12.json" &&
  if cmp -s "$work/seed12.json" "$work/business_phone.1.json"; then echo "FAIL seeds 11 and 12 agree"; failed=$((failed + 1)); else ok; fi

# --- Overrides --------------------------------------------------------------------------------
expect "set param" 0 "$journey" simulate "$phone" --customers 2000 --set renewal_discount=15% &&
  contains "set shown" "$out" "renewal_discount = 15%"
expect "set unknown param" 1 "$journey" simulate "$phone" --set renewal_discont=15% &&
  contains "set unknown" "$err" "unknown param \`renewal_discont\`" &&
  contains "set suggestion" "$err" "renewal_discount"
expect "set wrong type" 1 "$journey" simulate "$phone" --set contract_term=12 &&
  contains "set type" "$err" "expected \`duration\`, found \`number\`"
expect "set without value" 1 "$journey" simulate "$phone" --set contract_term &&
  contains "set form" "$err" "NAME=VALUE"
expect "set not a value" 1 "$journey" simulate "$phone" --set 'contract_term=)' && ok
cat >"$work/capped.journey" <<'SPEC'
journey Capped {
  horizon 30d
  entry Start
  param most = 3
  channel email { cost 0.01 USD  cap most per 1d }
  persona Everyone { share 100% }
  touchpoint Hello via email
  stage Start { after 10d -> Done }
  goal Done
  rule Greet { on enter Start  send Hello }
}
SPEC
expect "set a cap over the limit" 1 "$journey" simulate "$work/capped.journey" --set most=1000000000 &&
  contains "set cap limit" "$err" "a cap above 10000 messages" &&
  contains "set cap place" "$err" "--set most=1000000000"
expect "set on a .jm file" 2 "$journey" simulate "$work/business_phone.jm" --set renewal_discount=15% &&
  contains "set jm" "$err" "needs the spec"
expect "dump machine with set" 0 "$journey" dump --stage=machine "$phone" --set price_per_seat=30USD &&
  contains "machine param" "$out" "param price_per_seat = 30USD" &&
  contains "machine value" "$out" "((seats * 30) * 12)"

# --- Bad input --------------------------------------------------------------------------------
cp "$root/tests/cli/fixtures/bad.journey" "$work/errors.journey"
expect "spec with errors" 1 "$journey" simulate "$work/errors.journey" &&
  contains "errors shown" "$err" "errors.journey:5:" && contains "refused" "$err" "fix them before it can run"
cat >"$work/deadend.journey" <<'J'
journey DeadEnd {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start { after 1d -> Stuck }
  stage Stuck { }
  goal Done
}
J
expect "spec with check errors" 1 "$journey" simulate "$work/deadend.journey" &&
  contains "dead end" "$err" "dead-end"
expect "missing file" 2 "$journey" simulate "$work/nope.journey" && contains "missing" "$err" "nope.journey"
expect "directory" 2 "$journey" simulate "$work" && ok
head -c 40 "$work/business_phone.jm" >"$work/truncated.jm"
expect "truncated .jm" 1 "$journey" simulate "$work/truncated.jm" && contains "truncated" "$err" "truncated"
cp "$work/business_phone.jm" "$work/flipped.jm"
printf '\x7f' | dd of="$work/flipped.jm" bs=1 seek=200 conv=notrunc status=none
expect "corrupted .jm" 1 "$journey" simulate "$work/flipped.jm" && contains "corrupted" "$err" "corrupted"
expect "zero customers" 2 "$journey" simulate "$phone" --customers 0 && ok
# Whole-number options: no silent wrap-around or saturation, round counts in scientific notation.
expect "negative seed" 2 "$journey" simulate "$phone" --seed -1 &&
  contains "negative seed message" "$err" "--seed: -1 is out of range: a whole number from 0 to 18446744073709551615"
expect "seed 2^64" 2 "$journey" simulate "$phone" --seed 18446744073709551616 &&
  contains "seed 2^64 message" "$err" "out of range"
expect "seed 2^64-1" 0 "$journey" simulate "$phone" --customers 100 --seed 18446744073709551615 &&
  contains "largest seed" "$out" "seed 18446744073709551615"
expect "customers 1e3" 0 "$journey" simulate "$phone" --customers 1e3 --format json &&
  python3 -c 'import json,sys; assert json.load(sys.stdin)["customers"] == 1000' <<<"$out" && ok
expect "customers 2.5e3" 0 "$journey" simulate "$phone" -n 2.5e3 --format json &&
  python3 -c 'import json,sys; assert json.load(sys.stdin)["customers"] == 2500' <<<"$out" && ok
expect "customers 1.5" 2 "$journey" simulate "$phone" -n 1.5 &&
  contains "not an integer" "$err" "--customers: 1.5 is not a whole number"
expect "customers leading zero is decimal" 0 "$journey" simulate "$phone" -n 010 --format json &&
  python3 -c 'import json,sys; assert json.load(sys.stdin)["customers"] == 10' <<<"$out" && ok
expect "negative max steps" 2 "$journey" simulate "$phone" --max-steps -1 && contains "max steps" "$err" "--max-steps"
expect "precision nan" 2 "$journey" simulate "$phone" --until-precision nan &&
  contains "precision nan message" "$err" "--until-precision: nan is not a number"
expect "max customers 0" 2 "$journey" simulate "$phone" --until-precision 0.01 --max-customers 0 &&
  contains "max customers message" "$err" "--max-customers: 0 is out of range"
expect "max customers 1e6" 0 "$journey" simulate "$phone" --customers 1000 --until-precision 0.2 --max-customers 1e6 && ok
expect "bad backend" 2 "$journey" simulate "$phone" --backend nonsense && ok
expect "bad format" 2 "$journey" simulate "$phone" --format xml && ok

# --- Guards -----------------------------------------------------------------------------------
cat >"$work/busy.journey" <<'J'
journey Busy {
  horizon 3650d
  entry Start
  persona Everyone { share 100% }
  stage Start { after 1000d -> Done }
  goal Done
  event tick { every 1m }
  var ticks = 0
  rule Count { on tick  set ticks = ticks + 1 }
}
J
expect "step limit" 0 "$journey" simulate "$work/busy.journey" --customers 20 --max-steps 10000 &&
  contains "step limit outcome" "$out" "step limit"
expect "until precision" 0 "$journey" simulate "$phone" --customers 1000 --until-precision 0.01 --format json &&
  python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["customers"] > 1000, j["customers"]' <<<"$out" && ok

# --- Ctrl-C stops cleanly with what was gathered ------------------------------------------------
"$journey" simulate "$phone" --customers 200000000 --threads 2 --format json >"$work/interrupted.json" 2>"$work/interrupted.err" &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
code=$?
if [ "$code" -eq 130 ] && python3 -c 'import json; j=json.load(open("'"$work/interrupted.json"'")); assert j["interrupted"] and 0 < j["customers"] < 200000000' 2>/dev/null; then
  ok
else
  echo "FAIL interrupt: exit $code"; head -c 300 "$work/interrupted.err"; failed=$((failed + 1))
fi

end_checks simulate
