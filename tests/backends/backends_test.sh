#!/usr/bin/env bash
# Whole simulations under both backends: `journey simulate --format json` on every example must
# print byte-identical reports with the interpreter and with the JIT (bit-identical
# customer histories; the report sums them in a fixed order, so one differing bit shows), and so
# must the reports of every semantics spec.
# Usage: backends_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
checked=0
# compare SPEC NAME CUSTOMERS SEED: both backends' JSON reports of SPEC, byte for byte.
compare() {
  local spec=$1 name=$2 customers=$3 seed=$4 backend
  for backend in interpreter jit; do
    if ! "$journey" simulate "$spec" --format json --customers "$customers" --seed "$seed" \
      --threads 2 --no-progress --backend "$backend" >"$work/$name.$backend.json" \
      2>"$work/$name.$backend.err"; then
      echo "FAIL $spec (seed $seed): the $backend backend exited with an error:"
      head -5 "$work/$name.$backend.err"
      failed=$((failed + 1))
      return
    fi
  done
  if ! cmp -s "$work/$name.interpreter.json" "$work/$name.jit.json"; then
    echo "FAIL $spec (seed $seed): the reports differ"
    diff "$work/$name.interpreter.json" "$work/$name.jit.json" | head -20
    failed=$((failed + 1))
  elif ! grep -q "\"customers\": $customers" "$work/$name.jit.json"; then
    echo "FAIL $spec (seed $seed): the report does not cover $customers customers"
    failed=$((failed + 1))
  else
    checked=$((checked + 1))
  fi
}
for spec in examples/*.journey; do
  for seed in 1 20261124; do
    compare "$spec" "$(basename "$spec" .journey)" 20000 "$seed"
  done
done
# The semantics specs reach the corners (failures, warnings, waits, caps): their JSON reports,
# run-time warnings included, must match too.
for spec in tests/semantics/*.journey; do
  compare "$spec" "semantics.$(basename "$spec" .journey)" 2000 5
done
if [ "$checked" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "FAIL: no example found (run from the repository root)"
  exit 1
fi
echo "$checked identical report pairs, $failed failures"
[ "$failed" -eq 0 ]
