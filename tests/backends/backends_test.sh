#!/usr/bin/env bash
# Whole simulations under both backends: `journey simulate --format json` on every example must
# print byte-identical reports with the interpreter and with the JIT (issue 4: bit-identical
# customer histories; the report sums them in a fixed order, so one differing bit shows), and so
# must the reports of every semantics spec.
# Usage: backends_test.sh PATH/TO/journey   (run from the repository root)
set -u
journey=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
checked=0
for spec in examples/*.journey; do
  name=$(basename "$spec" .journey)
  for seed in 1 20261124; do
    for backend in interpreter jit; do
      if ! "$journey" simulate "$spec" --format json --customers 20000 --seed "$seed" \
        --threads 2 --no-progress --backend "$backend" >"$work/$name.$backend.json" \
        2>"$work/$name.$backend.err"; then
        echo "FAIL $spec (seed $seed): the $backend backend exited with an error:"
        head -5 "$work/$name.$backend.err"
        failed=$((failed + 1))
        continue 2
      fi
    done
    if ! cmp -s "$work/$name.interpreter.json" "$work/$name.jit.json"; then
      echo "FAIL $spec (seed $seed): the reports differ"
      diff "$work/$name.interpreter.json" "$work/$name.jit.json" | head -20
      failed=$((failed + 1))
    elif ! grep -q '"customers": 20000' "$work/$name.jit.json"; then
      echo "FAIL $spec (seed $seed): the report does not cover 20000 customers"
      failed=$((failed + 1))
    else
      checked=$((checked + 1))
    fi
  done
done
# The semantics specs reach the corners (failures, warnings, waits, caps): their JSON reports,
# run-time warnings included, must match too.
for spec in tests/semantics/*.journey; do
  name=semantics.$(basename "$spec" .journey)
  for backend in interpreter jit; do
    "$journey" simulate "$spec" --format json --customers 2000 --seed 5 --threads 2 \
      --no-progress --backend "$backend" >"$work/$name.$backend.json" 2>"$work/$name.$backend.err"
    echo $? >"$work/$name.$backend.status"
  done
  if ! cmp -s "$work/$name.interpreter.json" "$work/$name.jit.json" ||
    ! cmp -s "$work/$name.interpreter.status" "$work/$name.jit.status"; then
    echo "FAIL $spec: the backends' reports or exit statuses differ"
    diff "$work/$name.interpreter.json" "$work/$name.jit.json" | head -20
    failed=$((failed + 1))
  else
    checked=$((checked + 1))
  fi
done
if [ "$checked" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "FAIL: no example found (run from the repository root)"
  exit 1
fi
echo "$checked identical report pairs, $failed failures"
[ "$failed" -eq 0 ]
