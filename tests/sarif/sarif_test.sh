#!/usr/bin/env bash
# Validates `journey check --format sarif` against the SARIF 2.1.0 JSON schema and GitHub code
# scanning's rules (validate.mjs). Installs its npm packages (ajv, ajv-formats) on first use.
# Usage: sarif_test.sh PATH/TO/journey   (run from the repository root)
# Exit 77 (skipped) without node and npm, except under CI=true, where that is a failure.
set -u
journey=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
# shellcheck source=../cli/lib.sh
source "$root/tests/cli/lib.sh"
begin_checks

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip_missing sarif "node and npm are needed to validate SARIF output (apt-get install nodejs npm)"
fi
# A fresh clone has no node_modules; an interrupted install leaves one that cannot load.
if ! (cd "$here" && node -e 'await import("ajv"); await import("ajv-formats"); await import("ajv/dist/2020.js")' \
  --input-type=module) 2>/dev/null; then
  echo "installing the validator's npm packages (npm ci in tests/sarif)"
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "FAIL sarif: npm ci failed in tests/sarif"
    exit 1
  fi
fi

fail() {
  echo "FAIL $1"
  failed=$((failed + 1))
}

# sarif NAME WANT_EXIT ARGS...: runs `journey check --format sarif ARGS`, checks the exit
# code and validates the log, which stays in $work/NAME.sarif.
sarif() {
  local name=$1 want=$2
  shift 2
  timeout 120 "$journey" check --format sarif "$@" >"$work/$name.sarif" 2>"$work/$name.stderr"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$name: exit $got, expected $want; stderr: $(head -c 400 "$work/$name.stderr")"
    return 1
  fi
  if ! node "$here/validate.mjs" "$work/$name.sarif" >"$work/$name.validation"; then
    fail "$name: $(cat "$work/$name.validation")"
    return 1
  fi
  passed=$((passed + 1))
}

# query NAME FILE JS_EXPRESSION: evaluates the expression with `log` bound to the parsed
# SARIF; fails unless it is true.
query() {
  if node -e 'const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
              const run = log.runs[0], results = run.results;
              process.exit(eval(process.argv[2]) ? 0 : 1);' "$2" "$3"; then
    passed=$((passed + 1))
  else
    fail "$1: not true: $3"
  fi
}

cp "$root/tests/cli/fixtures/bad.journey" "$work/bad.journey"
cp "$root/tests/cli/fixtures/good.journey" "$work/good.journey"

# A failing spec and a clean one, as the issue asks.
sarif failing 1 "$work/bad.journey"
query "failing: one unknown-name error" "$work/failing.sarif" \
  'results.length === 1 && results[0].ruleId === "unknown-name" && results[0].level === "error"'
query "failing: region in code points" "$work/failing.sarif" \
  'JSON.stringify(results[0].locations[0].physicalLocation.region) === JSON.stringify({startLine: 5, startColumn: 29, endLine: 5, endColumn: 33})'
query "failing: help in the message" "$work/failing.sarif" 'results[0].message.text.includes("help: did you mean `Done`?")'
query "failing: the fix" "$work/failing.sarif" 'results[0].fixes[0].artifactChanges[0].replacements[0].insertedContent.text === "Done"'
sarif clean 0 "$work/good.journey"
query "clean: no results, every rule" "$work/clean.sarif" \
  'results.length === 0 && run.tool.driver.rules.length > 60 && run.columnKind === "unicodeCodePoints"'
query "clean: rules carry code, summary, level" "$work/clean.sarif" \
  'run.tool.driver.rules.some(r => r.id === "unused-suppression" && r.defaultConfiguration.level === "warning" && r.shortDescription.text.length > 0)'

# Files under the current directory: relative URIs with %SRCROOT%, labels as related locations.
sarif repository 1 tests/golden/checks/fail_dead_end.journey tests/golden/suppress/bad_suppression.journey \
  tests/golden/suppress/unused_suppression.journey examples/ecommerce.journey
query "repository: relative uri" "$work/repository.sarif" \
  'results.every(r => r.locations[0].physicalLocation.artifactLocation.uriBaseId === "%SRCROOT%" && r.locations[0].physicalLocation.artifactLocation.uri.startsWith("tests/golden/"))'
query "repository: related locations with ids and messages" "$work/repository.sarif" \
  'results.some(r => r.ruleId === "dead-end" && r.relatedLocations.length > 0 && r.relatedLocations.every((l, i) => l.id === i + 1 && l.message.text.length > 0))'
query "repository: suppression warnings" "$work/repository.sarif" \
  'results.some(r => r.ruleId === "bad-suppression" && r.level === "warning") && results.some(r => r.ruleId === "unused-suppression")'
query "repository: %SRCROOT% is the current directory" "$work/repository.sarif" \
  'run.originalUriBaseIds["%SRCROOT%"].uri === "file://" + process.cwd() + "/"'

# --deny warnings raises every level to error; --allow drops a code.
sarif deny 1 --deny warnings tests/golden/suppress/unused_suppression.journey
query "deny: all errors" "$work/deny.sarif" 'results.length > 0 && results.every(r => r.level === "error")'
sarif allow 0 --allow unused-suppression --allow unreachable-stage tests/golden/suppress/unused_suppression.journey
query "allow: nothing left" "$work/allow.sarif" 'results.length === 0'

# Awkward paths: spaces and non-ASCII names are percent-encoded; files outside the current
# directory get absolute file URIs; an unreadable file still becomes a result.
mkdir -p "$work/dir with space"
cp "$work/bad.journey" "$work/dir with space/café.journey"
(cd "$work" && sarif encoded 1 "dir with space/café.journey")
query "encoded uri" "$work/encoded.sarif" \
  'results[0].locations[0].physicalLocation.artifactLocation.uri === "dir%20with%20space/caf%C3%A9.journey"'
(cd "$work/dir with space" && sarif outside 1 ../bad.journey)
query "outside: absolute file uri" "$work/outside.sarif" \
  'results[0].locations[0].physicalLocation.artifactLocation.uri.startsWith("file:///") && results[0].locations[0].physicalLocation.artifactLocation.uriBaseId === undefined'
sarif unreadable 2 "$work/good.journey" no/such/file.journey
query "unreadable: a result at the file given" "$work/unreadable.sarif" \
  'results.length === 1 && results[0].ruleId === "file-unreadable" && results[0].locations[0].physicalLocation.artifactLocation.uri === "no/such/file.journey"'
printf 'journey J "caf\xe9" {}\n' >"$work/latin1.journey"
sarif latin1 1 "$work/latin1.journey"

# Every example, one log.
sarif examples 0 "$root"/examples/*.journey
query "examples: clean" "$work/examples.sarif" 'results.length === 0'

end_checks sarif
