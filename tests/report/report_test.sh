#!/usr/bin/env bash
# `journey simulate --format html` end to end (docs/report.md): every example's report opens in
# headless Chromium (check_page.mjs, over the DevTools protocol) with no JavaScript error and no
# network request, every chart drawn, the KPI numbers equal to `--format json`'s (and, for a
# lifetime journey such as lifetime.journey here, the declared KPIs, milestones, retention and
# lifetime value), and a screenshot; the page is byte-identical for any thread count; a `.jm` file or a
# missing Graphviz gives a page with a note instead of the map; a terminal is refused. The same for
# `journey compare --format html` (two versions of business_phone, and lifetime.journey with a
# param set, against `--format json`).
# The page embeds what `--format json --flows` prints for the same run.
#   report_test.sh PATH/TO/journey [SCREENSHOT_DIR]
# Run from the repository root. Exit 77 (skipped) without Chromium or node, except under
# CI=true, where that is a failure. JOURNEY_CHROMIUM names the browser when it is not on PATH.
set -u
journey=$(realpath "$1")
shots=$(realpath "${2:-.}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
# shellcheck source=../cli/lib.sh
source "$root/tests/cli/lib.sh"
begin_checks

chromium=${JOURNEY_CHROMIUM:-}
if [ -z "$chromium" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null; then
      chromium=$(command -v "$candidate")
      break
    fi
  done
fi
[ -n "$chromium" ] || skip_missing report "no Chromium (Debian: apt-get install chromium; build.sh installs it)"
command -v node >/dev/null || skip_missing report "no node"

# check NAME PAGE [check_page options...]: the page in Chromium; counts a pass or a failure.
check() {
  local name=$1 page=$2
  shift 2
  if node "$here/check_page.mjs" --chromium "$chromium" --page "$page" "$@" >"$work/check.out" 2>&1; then
    ok
  else
    echo "FAIL $name: the page in Chromium:"
    sed 's/^/  /' "$work/check.out" | head -40
    failed=$((failed + 1))
  fi
}

n=5000
mkdir -p "$shots"
for spec in examples/*.journey tests/report/lifetime.journey; do
  name=$(basename "$spec" .journey)
  expect "$name html" 0 "$journey" simulate "$spec" -n $n --seed 3 --threads 2 --format html \
    -o "$work/$name.html" || continue
  expect "$name json" 0 "$journey" simulate "$spec" -n $n --seed 3 --threads 1 --format json \
    --flows -o "$work/$name.json" || continue
  extra=()
  [ "$name" = business_phone ] && extra=(--expect-loops)
  check "$name" "$work/$name.html" --json "$work/$name.json" --screenshot "$shots/report-$name.png" \
    "${extra[@]}"
done

# The same inputs make the same bytes, for any number of threads (a lifetime journey too).
for spec in examples/business_phone.journey tests/report/lifetime.journey; do
  name=$(basename "$spec" .journey)
  if expect "$name threads 1" 0 "$journey" simulate $spec -n $n --threads 1 --format html \
    -o "$work/t1.html" &&
    expect "$name threads 3" 0 "$journey" simulate $spec -n $n --threads 3 --format html \
      -o "$work/t3.html"; then
    if cmp -s "$work/t1.html" "$work/t3.html"; then ok; else
      echo "FAIL deterministic: the pages of $name with 1 and 3 threads differ"
      failed=$((failed + 1))
    fi
  fi
done
spec=examples/business_phone.journey

# JSON counts the flows only when asked to (they cost run time); the page always has them.
if expect "json without flows" 0 "$journey" simulate $spec -n 500 --format json; then
  if [[ "$out" == *'"flows"'* ]]; then
    echo "FAIL json without flows: has flows"
    failed=$((failed + 1))
  else ok; fi
fi
if expect "json with flows" 0 "$journey" simulate $spec -n 500 --format json --flows; then
  contains "json with flows" "$out" '"flows"'
fi

# Not a terminal: the page goes to standard output.
if expect "stdout" 0 "$journey" simulate $spec -n 500 --format html; then
  contains "stdout page" "$out" '<!DOCTYPE html>'
  contains "stdout page ends" "$out" '</html>'
fi

# A terminal is refused, before anything runs (util-linux `script` gives the command one).
refusesTerminal() {
  local name=$1 command=$2
  command -v script >/dev/null || return 0
  script -qec "$command" /dev/null >"$work/tty.out" 2>&1
  local got=$?
  if [ $got -eq 2 ] && grep -q -- '-o report.html' "$work/tty.out"; then ok; else
    echo "FAIL $name: exit $got: $(head -c 400 "$work/tty.out")"
    failed=$((failed + 1))
  fi
}
refusesTerminal tty "$journey simulate $spec -n 500 --format html"

# A compiled machine has no map: a note instead, and the rest of the page.
if expect "build jm" 0 "$journey" build $spec -o "$work/phone.jm" &&
  expect "jm html" 0 "$journey" simulate "$work/phone.jm" -n 1000 --format html -o "$work/jm.html"; then
  contains "jm note on stderr" "$err" "compiled machine"
  check "jm page" "$work/jm.html" --expect-map-note
fi

# No Graphviz: a note instead of the map.
if JOURNEY_DOT=/nonexistent/dot expect "no dot" 0 "$journey" simulate $spec -n 1000 --format html \
  -o "$work/nodot.html"; then
  contains "no dot note" "$err" "Graphviz"
  check "no dot page" "$work/nodot.html" --expect-map-note
fi

# An unwritable destination is an I/O error, and leaves nothing behind.
expect "unwritable" 2 "$journey" simulate $spec -n 500 --format html -o "$work/missing/dir/r.html" &&
  contains "unwritable message" "$err" "cannot write"

# `journey compare --format html`: the page of two versions, checked against `--format json`.
old=examples/business_phone.journey
new=examples/variants/business_phone_rescue.journey
if expect "compare html" 0 "$journey" compare $old $new -n 3000 --seed 3 --threads 2 --format html \
  -o "$work/compare.html" &&
  expect "compare json" 0 "$journey" compare $old $new -n 3000 --seed 3 --threads 1 --format json \
    -o "$work/compare.json"; then
  check "compare page" "$work/compare.html" --comparison --json "$work/compare.json" \
    --screenshot "$shots/report-compare.png"
fi
# A lifetime journey against itself with a param set in the new version: the declared KPIs,
# milestones and lifetime value among the compared KPIs, and the banner of the param.
lifetime=tests/report/lifetime.journey
if expect "compare lifetime html" 0 "$journey" compare $lifetime $lifetime --new-set margin=40% \
  -n 3000 --seed 3 --threads 2 --format html -o "$work/compare-lifetime.html" &&
  expect "compare lifetime json" 0 "$journey" compare $lifetime $lifetime --new-set margin=40% \
    -n 3000 --seed 3 --threads 1 --format json -o "$work/compare-lifetime.json"; then
  check "compare lifetime page" "$work/compare-lifetime.html" --comparison \
    --json "$work/compare-lifetime.json" --screenshot "$shots/report-compare-lifetime.png"
fi
if expect "compare threads 1" 0 "$journey" compare $old $new -n 1000 --threads 1 --format html \
  -o "$work/c1.html" &&
  expect "compare threads 3" 0 "$journey" compare $old $new -n 1000 --threads 3 --format html \
    -o "$work/c3.html"; then
  if cmp -s "$work/c1.html" "$work/c3.html"; then ok; else
    echo "FAIL compare deterministic: the pages of 1 and 3 threads differ"
    failed=$((failed + 1))
  fi
fi
if JOURNEY_DOT=/nonexistent/dot expect "compare no dot" 0 "$journey" compare $old $new -n 500 \
  --format html -o "$work/compare-nodot.html"; then
  check "compare no dot page" "$work/compare-nodot.html" --comparison --expect-map-note
fi
refusesTerminal "compare tty" "$journey compare $old $new -n 500 --format html"
expect "compare unwritable" 2 "$journey" compare $old $new -n 500 --format html \
  -o "$work/missing/dir/c.html" && contains "compare unwritable message" "$err" "cannot write"

echo "report: $passed passed, $failed failed (screenshots in $shots)"
[ "$failed" -eq 0 ]
