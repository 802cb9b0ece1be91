#!/usr/bin/env bash
# End-to-end tests of `journey compare`, `journey sweep` and KPI gates (`--fail-if`): exact zero
# differences for identical specs, a known effect detected, common random numbers narrower than
# independent runs, renames and added/removed rules explained, gates' exit codes, sweeps.
# Usage: compare_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
source "$(dirname "$0")/../cli/lib.sh"
begin_checks
limit=120

funnel=tests/compare/funnel.journey
phone=examples/business_phone.journey
n=20000

# py NAME SCRIPT: runs a Python check on $out (as `j` when it is JSON).
py() {
  if python3 -c "$2" <<<"$out"; then ok; else
    echo "FAIL $1"
    failed=$((failed + 1))
  fi
}

# --- Identical specs: every difference exactly 0, zero-width, not significant ------------------
expect "identical json" 0 "$journey" compare "$phone" "$phone" --customers $n --format json &&
  py "identical: zero deltas" '
import json, sys
j = json.load(sys.stdin)
assert j["schema"] == "journey-comparison/1", j["schema"]
assert j["customers"] == '$n'
for g in j["groups"]:
    assert g["paired"] and g["diverged"] == 0, g["group"]
    for k in g["kpis"]:
        assert k["old"] is not None and k["new"] is not None, k["name"]
        assert k["significant"] is False, k["name"]
        assert k["differing_customers"] == 0, k["name"]
        d = k["delta"]
        if k["old"]["value"] is None:
            continue
        assert d["value"] == 0 and d["low"] == 0 and d["high"] == 0, (g["group"], k["name"], d)
assert all(m["how"] == "name" for m in j["matching"])
assert j["reports"]["old"]["schema"] == "journey-simulation/1"
'
expect "identical text" 0 "$journey" compare "$phone" "$phone" --customers 5000 &&
  contains "identical: matched by name" "$out" "personas, stages, touchpoints, channels and rules by name" &&
  contains "identical: no divergence" "$out" "Customers whose KPIs differ between the versions: 0 (0.00%)" &&
  contains "identical: table" "$out" "conversion"

# The old side is exactly `journey simulate` with the same seed and customers.
expect "simulate for the old side" 0 "$journey" simulate "$phone" --customers $n --format json -o "$work/sim.json" && ok
expect "compare json to a file" 0 "$journey" compare "$phone" "$phone" --customers $n --format json -o "$work/cmp.json" && ok
python3 - "$work/sim.json" "$work/cmp.json" <<'PY' && ok || { echo "FAIL old side differs from simulate"; failed=$((failed + 1)); }
import json, sys
sim = json.load(open(sys.argv[1]))
cmp = json.load(open(sys.argv[2]))
old = next(k for k in cmp["groups"][0]["kpis"] if k["name"] == "conversion")["old"]
assert old == sim["overall"]["conversion"], (old, sim["overall"]["conversion"])
assert cmp["reports"]["old"]["overall"] == sim["overall"]
PY

# --- A known effect: p_buy 20% -> 40% raises conversion, significantly --------------------------
expect "known effect" 0 "$journey" compare "$funnel" "$funnel" --new-set p_buy=40% --customers $n --format json &&
  py "known effect detected" '
import json, sys
j = json.load(sys.stdin)
k = {x["name"]: x for x in j["groups"][0]["kpis"]}
c = k["conversion"]
assert c["significant"] and c["delta"]["low"] > 0, c
# Browsers reach the branch with probability 1/2 and buy 20 points more often: +7 points overall.
assert 0.05 < c["delta"]["value"] < 0.09, c["delta"]
assert k["outcome(Gone)"]["delta"]["high"] < 0
# Pro customers do not read p_buy: nothing changes for them.
pro = next(g for g in j["groups"] if g["group"] == "Pro")
cp = next(x for x in pro["kpis"] if x["name"] == "conversion")
assert cp["delta"]["value"] == 0 and cp["differing_customers"] == 0, cp
assert j["new"]["params"][0]["overridden"] is True
'

# --- Common random numbers: narrower than two independent runs ---------------------------------
expect "crn compare" 0 "$journey" compare "$funnel" "$funnel" --new-set p_buy=22% --customers $n --seed 5 --format json -o "$work/crn.json" && ok
expect "independent old" 0 "$journey" simulate "$funnel" --customers $n --seed 5 --format json -o "$work/a.json" && ok
expect "independent new" 0 "$journey" simulate "$funnel" --set p_buy=22% --customers $n --seed 6 --format json -o "$work/b.json" && ok
python3 - "$work/crn.json" "$work/a.json" "$work/b.json" <<'PY' && ok || { echo "FAIL crn not narrower"; failed=$((failed + 1)); }
import json, math, sys
crn = json.load(open(sys.argv[1]))
a = json.load(open(sys.argv[2]))["overall"]["conversion"]
b = json.load(open(sys.argv[3]))["overall"]["conversion"]
d = next(k for k in crn["groups"][0]["kpis"] if k["name"] == "conversion")["delta"]
paired = (d["high"] - d["low"]) / 2
independent = math.hypot((a["high"] - a["low"]) / 2, (b["high"] - b["low"]) / 2)
print(f"  crn half-width {paired:.5f}, independent {independent:.5f}")
# Only customers who reach the branch and draw between 20% and 22% differ: a far smaller variance.
assert paired < independent / 3, (paired, independent)
assert d["low"] > 0, d  # and the 2-point change (1 point overall) is detected
PY

# --- Renames: guessed, explained, exact zero differences; --rename; --exact-names ---------------
expect "renamed stage" 0 "$journey" compare "$funnel" tests/compare/funnel_renamed.journey --customers 5000 &&
  contains "rename explained" "$out" "stage Trial (old) is FreeTrial (new): a likely rename" &&
  contains "rename reasons" "$out" "same touchpoints (Welcome)" &&
  contains "rename row" "$out" "reached(FreeTrial ← Trial)"
expect "renamed json" 0 "$journey" compare "$funnel" tests/compare/funnel_renamed.journey --customers 5000 --format json &&
  py "renamed zero deltas" '
import json, sys
j = json.load(sys.stdin)
m = [x for x in j["matching"] if x["how"] != "name"]
assert m == [{"kind": "stage", "how": "guessed", "old": "Trial", "new": "FreeTrial", "reasons": m[0]["reasons"]}], m
k = next(x for x in j["groups"][0]["kpis"] if x["metric"] == "reached" and x["item"] == "FreeTrial")
assert k["old_item"] == "Trial" and k["delta"]["value"] == 0 and k["delta"]["high"] == 0, k
'
expect "exact names" 0 "$journey" compare "$funnel" tests/compare/funnel_renamed.journey --customers 2000 --exact-names &&
  contains "exact: removed" "$out" "stage Trial: removed (only in old)" &&
  contains "exact: added" "$out" "stage FreeTrial: added (only in new)" &&
  contains "exact: row" "$out" "(added)"
expect "explicit rename" 0 "$journey" compare "$funnel" tests/compare/funnel_renamed.journey --customers 2000 --exact-names --rename stage:Trial=FreeTrial &&
  contains "option rename" "$out" "stage Trial (old) is FreeTrial (new): --rename"
expect "rename of nothing" 2 "$journey" compare "$funnel" tests/compare/funnel_renamed.journey --rename Trail=FreeTrial &&
  contains "rename error" "$err" "the old version has no declaration named \`Trail\`"
expect "malformed rename" 2 "$journey" compare "$funnel" "$funnel" --rename Trial &&
  contains "rename form" "$err" "OLD=NEW"

# --- Added and removed rules ----------------------------------------------------------------------
expect "rules changed" 0 "$journey" compare "$funnel" tests/compare/funnel_rules.journey --customers 5000 &&
  contains "rule removed" "$out" "rule RemindTrial: removed (only in old)" &&
  contains "rule added" "$out" "rule WinBack: added (only in new)" &&
  contains "touchpoint added" "$out" "touchpoint WinBackEmail: added (only in new)" &&
  contains "touchpoint removed" "$out" "touchpoint Reminder: removed (only in old)" &&
  contains "added row" "$out" "rule_runs_per_customer(WinBack)"
expect "rules csv" 0 "$journey" compare "$funnel" tests/compare/funnel_rules.journey --customers 5000 --format csv &&
  contains "csv header" "$out" "group,metric,item,old_item,unit,old,old_low,old_high,new,new_low,new_high,delta,low,high,significant,differing_customers" &&
  contains "csv conversion" "$out" "all,conversion,,,share," &&
  py "csv rows" '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
win = [r for r in rows if r["metric"] == "rule_runs_per_customer" and r["item"] == "WinBack" and r["group"] == "all"][0]
assert win["old"] == "" and win["new"] != "" and win["delta"] == "", win
cost = [r for r in rows if r["metric"] == "cost_per_customer" and r["group"] == "all"][0]
assert cost["significant"] == "true", cost
'

# --- Determinism across threads --------------------------------------------------------------------
for threads in 1 3; do
  expect "compare threads $threads" 0 "$journey" compare "$funnel" tests/compare/funnel_rules.journey --customers 9000 --threads $threads --format csv -o "$work/t$threads.csv" && ok
done
if cmp -s "$work/t1.csv" "$work/t3.csv"; then ok; else echo "FAIL compare depends on threads"; failed=$((failed + 1)); fi

# --- Gates on simulate ----------------------------------------------------------------------------
expect "simulate gate passes" 0 "$journey" simulate "$funnel" --customers 5000 --format json -o "$work/g.json" --fail-if 'conversion < 10%' --fail-if 'outcome(Gone) > 95%' &&
  contains "gate passed" "$err" "gate passed: \`conversion < 10%\`: conversion is" &&
  [ -s "$work/g.json" ] && ok
expect "simulate gate fails" 1 "$journey" simulate "$funnel" --customers 5000 -o "$work/g.txt" --fail-if 'conversion < 30%' --fail-if 'cost_per_customer > 100 USD' &&
  contains "gate failed" "$err" "gate failed: \`conversion < 30%\`: conversion is" &&
  contains "gate CI" "$err" "(95% CI" &&
  contains "second gate" "$err" "gate passed: \`cost_per_customer > 100 USD\`" &&
  [ -s "$work/g.txt" ] && ok  # the report is written before the gates are judged
expect "persona gate" 1 "$journey" simulate "$funnel" --customers 5000 --fail-if 'goal(Bought)[Pro] < 25%' &&
  contains "persona gate message" "$err" "goal(Bought)[Pro] is"
expect "duration gate" 0 "$journey" simulate "$funnel" --customers 5000 --fail-if 'days_to_goal_mean > 30d' && ok
expect "malformed gate" 2 "$journey" simulate "$funnel" --customers 100 --fail-if 'conversion << 12%' &&
  contains "malformed: message" "$err" "expected a number" &&
  contains "malformed: caret" "$err" "              ^"
expect "unknown kpi" 2 "$journey" simulate "$funnel" --fail-if 'convrsion < 12%' &&
  contains "unknown kpi message" "$err" "unknown KPI \`convrsion\`"
expect "points on simulate" 2 "$journey" simulate "$funnel" --fail-if 'conversion < 12pt' &&
  contains "pt message" "$err" "is for differences"
expect "unknown item" 2 "$journey" simulate "$funnel" --fail-if 'outcome(Gon) > 1%' &&
  contains "unknown item message" "$err" "there is no \`outcome(Gon)\`"
expect "not a goal" 2 "$journey" simulate "$funnel" --fail-if 'goal(Gone) > 1%' &&
  contains "not a goal message" "$err" "\`Gone\` is not a goal"
expect "unknown persona" 2 "$journey" simulate "$funnel" --fail-if 'conversion[Nobody] < 1%' &&
  contains "unknown persona message" "$err" "there is no persona \`Nobody\`"
expect "wrong currency" 2 "$journey" simulate "$funnel" --fail-if 'cost_per_customer > 1 EUR' &&
  contains "currency message" "$err" "in USD, not EUR"

# --- Gates on compare: significance decides ---------------------------------------------------------
expect "delta gate fails" 1 "$journey" compare "$funnel" "$funnel" --old-set p_buy=40% --customers $n --fail-if 'delta(conversion) < -1pt' &&
  contains "delta gate message" "$err" "gate failed: \`delta(conversion) < -1pt\`: delta(conversion) is -" &&
  contains "delta gate confidence" "$err" "at 95% confidence"
expect "delta gate passes on identical specs" 0 "$journey" compare "$funnel" "$funnel" --customers 5000 --fail-if 'delta(conversion) < 0' --fail-if 'delta(cost_per_customer) > 0' && ok
expect "delta gate passes on an improvement" 0 "$journey" compare "$funnel" "$funnel" --new-set p_buy=40% --customers 5000 --fail-if 'delta(conversion) < -1pt' --fail-if 'new(conversion) < 10%' && ok
expect "old gate" 1 "$journey" compare "$funnel" "$funnel" --customers 2000 --fail-if 'old(roi) > 0' &&
  contains "old gate message" "$err" "old(roi) is"
expect "delta of an added kpi" 2 "$journey" compare "$funnel" tests/compare/funnel_rules.journey --fail-if 'delta(rule_runs_per_customer(WinBack)) > 1' &&
  contains "added kpi message" "$err" "only in the new version"
expect "compare gate needs a scope" 2 "$journey" compare "$funnel" "$funnel" --fail-if 'conversion < 1%' &&
  contains "scope message" "$err" "\`delta(conversion)\`"
expect "bare number on a delta" 2 "$journey" compare "$funnel" "$funnel" --fail-if 'delta(conversion) < -2' &&
  contains "bare number message" "$err" "write \`-2pt\`"
expect "percent on a delta" 2 "$journey" compare "$funnel" "$funnel" --fail-if 'delta(conversion) < -1%' &&
  contains "percent message" "$err" "percentage points"

# --- Sweep --------------------------------------------------------------------------------------------
expect "sweep one param" 0 "$journey" sweep "$funnel" --set p_buy=10%..40%:10% --customers 5000 --format json &&
  py "sweep monotone" '
import json, sys
j = json.load(sys.stdin)
assert j["schema"] == "journey-sweep/1"
assert j["params"] == [{"name": "p_buy", "values": ["10%", "20%", "30%", "40%"]}], j["params"]
conv = [next(k for k in p["kpis"] if k["group"] == "all" and k["name"] == "conversion")["value"] for p in j["points"]]
assert all(a < b for a, b in zip(conv, conv[1:])), conv
'
expect "sweep text" 0 "$journey" sweep "$funnel" --set p_buy=10%..40%:10% --customers 2000 --kpi conversion --kpi 'outcome(Bought)[Pro]' &&
  contains "sweep header" "$out" "p_buy from 10% to 40% (4 values)" &&
  contains "sweep column" "$out" "outcome(Bought)[Pro]"
expect "sweep grid" 0 "$journey" sweep "$funnel" --set p_buy=20%..40%:20% --set trial_days=7d..21d:7d --set price=50USD --customers 3000 --format csv &&
  contains "grid header" "$out" "point,p_buy,trial_days,group,metric,item,unit,value,low,high" &&
  py "grid monotone" '
import csv, sys
rows = [r for r in csv.DictReader(sys.stdin) if r["group"] == "all" and r["metric"] == "conversion"]
assert len(rows) == 6, len(rows)
v = {(r["p_buy"], r["trial_days"]): float(r["value"]) for r in rows}
for d in ("7d", "14d", "21d"):
    assert v[("40%", d)] > v[("20%", d)], (d, v)
# A longer trial only delays purchases inside a 60-day horizon: never more of them.
assert v[("20%", "7d")] >= v[("20%", "21d")], v
'
expect "sweep decimal values" 0 "$journey" sweep "$funnel" --set trial_days=1.5d..2.5d:0.5d --customers 500 --format json &&
  py "decimal" 'import json,sys; j=json.load(sys.stdin); assert j["params"][0]["values"]==["1.5d","2d","2.5d"], j["params"]'
expect "sweep zero step" 2 "$journey" sweep "$funnel" --set p_buy=10%..40%:0% &&
  contains "zero step" "$err" "\`--set p_buy=10%..40%:0%\`: the step is 0"
expect "sweep wrong sign" 2 "$journey" sweep "$funnel" --set p_buy=40%..10%:10% &&
  contains "wrong sign" "$err" "goes away from TO"
expect "sweep too many" 2 "$journey" sweep "$funnel" --set trial_days=1m..2000m:1m &&
  contains "too many" "$err" "more than the 1000 a sweep may have"
expect "sweep grid too big" 2 "$journey" sweep "$funnel" --set trial_days=1d..50d:1d --set p_buy=1%..50%:1% &&
  contains "grid too big" "$err" "the grid has 2500 points"
expect "sweep mixed units" 2 "$journey" sweep "$funnel" --set trial_days=1d..2w:1d &&
  contains "mixed units" "$err" "same unit"
expect "sweep no step" 2 "$journey" sweep "$funnel" --set p_buy=10%..40% &&
  contains "no step" "$err" "needs a step"
expect "sweep no range" 2 "$journey" sweep "$funnel" --set p_buy=10% &&
  contains "no range" "$err" "sweep needs a range"
expect "sweep wrong type" 1 "$journey" sweep "$funnel" --set trial_days=1..3:1 &&
  contains "wrong type" "$err" "expected \`duration\`, found \`number\`"
expect "sweep unknown param" 1 "$journey" sweep "$funnel" --set p_bye=10%..20%:10% &&
  contains "unknown param" "$err" "unknown param \`p_bye\`"

# --- Whole-number run options, the same in compare and sweep as in simulate ---------------------
expect "compare negative seed" 2 "$journey" compare "$funnel" "$funnel" --seed -1 &&
  contains "compare seed message" "$err" "--seed: -1 is out of range"
expect "compare customers 1e3" 0 "$journey" compare "$funnel" "$funnel" -n 1e3 --format json &&
  py "compare 1e3" 'import json, sys; assert json.load(sys.stdin)["customers"] == 1000'
expect "sweep seed 2^64" 2 "$journey" sweep "$funnel" --set p_buy=10%..20%:10% --seed 18446744073709551616 &&
  contains "sweep seed message" "$err" "out of range"
expect "sweep customers 2e3" 0 "$journey" sweep "$funnel" --set p_buy=10%..20%:10% -n 2e3 --format json &&
  py "sweep 2e3" 'import json, sys; assert json.load(sys.stdin)["customers"] == 2000'
expect "sweep customers 1.5" 2 "$journey" sweep "$funnel" --set p_buy=10%..20%:10% -n 1.5 &&
  contains "sweep not whole" "$err" "not a whole number"

end_checks compare/sweep/gates
