#!/usr/bin/env bash
# Checks that the journey maps are accepted by the programs that draw them:
#   graph_test.sh dot PATH/TO/journey       every golden DOT map through Graphviz `dot -Tsvg`,
#                                           and `journey graph --format svg` on every example
#   graph_test.sh mermaid PATH/TO/journey   every golden Mermaid map through Mermaid's parser
#                                           (npm `mermaid` in jsdom; installed on first use)
# Run from the repository root. Exit 77 (skipped) when the tool is missing, except under
# CI=true, where that is a failure.
set -u
mode=$1
journey=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
# shellcheck source=../cli/lib.sh
source "$root/tests/cli/lib.sh"
begin_checks

fail() {
  echo "FAIL $1"
  failed=$((failed + 1))
}

# Every map the golden tests keep, and every case they come from.
mapfile -t dots < <(find "$root/tests/golden/graph" -name '*.dot' | sort)
mapfile -t mermaids < <(find "$root/tests/golden/graph" -name '*.mmd' | sort)
mapfile -t specs < <(find "$root/examples" -maxdepth 1 -name '*.journey' | sort; find "$root/tests/golden/graph" -name '*.journey' | sort)
if [ ${#dots[@]} -lt 8 ] || [ ${#mermaids[@]} -lt 8 ] || [ ${#specs[@]} -lt 5 ]; then
  fail "too few golden maps: ${#dots[@]} DOT, ${#mermaids[@]} Mermaid, ${#specs[@]} specs"
fi

if [ "$mode" = dot ]; then
  command -v dot >/dev/null || skip_missing "graph $mode" "Graphviz's dot is not installed (apt-get install graphviz)"
  for file in "${dots[@]}"; do
    name=${file#"$root"/}
    if ! timeout 120 dot -Tsvg "$file" >"$work/out.svg" 2>"$work/err"; then
      fail "$name: dot -Tsvg failed: $(head -c 600 "$work/err")"
    elif [ -s "$work/err" ]; then
      fail "$name: dot -Tsvg warned: $(head -c 600 "$work/err")"
    elif ! grep -q '<svg' "$work/out.svg"; then
      fail "$name: dot -Tsvg wrote no SVG"
    else
      passed=$((passed + 1))
    fi
  done
  # The command itself: SVG that parses as XML, written atomically with -o.
  for spec in "${specs[@]}"; do
    name=${spec#"$root"/}
    out="$work/$(basename "$spec" .journey).svg"
    if ! timeout 120 "$journey" graph --format svg -o "$out" "$spec" 2>"$work/err"; then
      fail "$name: journey graph --format svg failed: $(head -c 600 "$work/err")"
    elif ! python3 -c 'import sys, xml.etree.ElementTree as t; r = t.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg")' "$out" 2>"$work/err"; then
      fail "$name: the SVG does not parse: $(head -c 600 "$work/err")"
    else
      passed=$((passed + 1))
    fi
  done
  # The dead end is drawn, in red, with its message.
  dead="$work/fail_dead_end.svg"
  if grep -q 'dead&#45;end: customers can enter' "$dead" && grep -q 'fill="#c62828"' "$dead"; then
    passed=$((passed + 1))
  else
    fail "the dead end's finding is not in the SVG"
  fi
  end_checks "graph dot"
  exit
fi

if [ "$mode" = mermaid ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip_missing "graph $mode" "node and npm are not installed, so Mermaid output is not parsed"
  fi
  # A fresh clone has no node_modules; an interrupted install leaves one that cannot load.
  if ! (cd "$here" && node --input-type=module -e 'await import("mermaid"); await import("jsdom")') 2>/dev/null; then
    echo "installing Mermaid's npm packages (npm ci in tests/graph)"
    if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
      fail "npm ci failed in tests/graph"
      exit 1
    fi
  fi
  for spec in "${specs[@]}"; do
    "$journey" graph --format mermaid "$spec" >"$work/$(basename "$spec" .journey).mmd" 2>/dev/null ||
      fail "${spec#"$root"/}: journey graph --format mermaid failed"
  done
  printf 'flowchart LR\n  end["x"] --> b\n' >"$work/not-mermaid.txt"
  if (cd "$here" && timeout 300 node parse-mermaid.mjs "$work/not-mermaid.txt" >/dev/null); then
    fail "the Mermaid parser accepts a flowchart with a node named end: it checks nothing"
  fi
  if (cd "$here" && timeout 300 node parse-mermaid.mjs "${mermaids[@]}" "$work"/*.mmd >"$work/parsed"); then
    passed=$((passed + $(grep -c '^ok ' "$work/parsed")))
  else
    grep -v '^ok ' "$work/parsed"
    fail "Mermaid does not parse every map"
  fi
  end_checks "graph mermaid"
  exit
fi

echo "usage: graph_test.sh dot|mermaid PATH/TO/journey" >&2
exit 2
