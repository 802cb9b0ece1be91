# Helpers shared by the end-to-end test scripts under tests/. The caller sets `journey`, and
# `work` and the counts `passed` and `failed` (begin_checks sets those three).

# begin_checks: $work, a scratch directory removed when the script exits, and the counts at zero.
begin_checks() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  passed=0
  failed=0
}

# end_checks LABEL: prints the counts; succeeds when nothing failed (the script's last command).
end_checks() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# skip_missing NAME REASON: a tool the test needs is missing: exit 77 (skipped), except under
# CI=true, where every tool must be there, so it is a failure.
skip_missing() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL $1: $2"
    exit 1
  fi
  echo "SKIP $1: $2"
  exit 77
}

# expect NAME WANT_EXIT COMMAND...: runs COMMAND, captures stdout/stderr into $out/$err.
# A command taking longer than $limit seconds (60 unless set) counts as hung.
expect() {
  local name=$1 want=$2
  shift 2
  timeout "${limit:-60}" "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  out=$(cat "$work/stdout")
  err=$(cat "$work/stderr")
  if [ "$got" -eq "$want" ]; then
    return 0
  fi
  echo "FAIL $name: exit $got, expected $want"
  echo "  stdout: ${out:0:400}"
  echo "  stderr: ${err:0:600}"
  failed=$((failed + 1))
  return 1
}

# contains NAME HAYSTACK NEEDLE
contains() {
  if [[ "$2" == *"$3"* ]]; then
    passed=$((passed + 1))
  else
    echo "FAIL $1: output does not contain '$3'"
    echo "  got: ${2:0:600}"
    failed=$((failed + 1))
  fi
}

# lacks NAME HAYSTACK NEEDLE: the check passes when HAYSTACK does not contain NEEDLE.
lacks() {
  if [[ "$2" != *"$3"* ]]; then
    passed=$((passed + 1))
  else
    echo "FAIL $1: output contains '$3'"
    echo "  got: ${2:0:600}"
    failed=$((failed + 1))
  fi
}

ok() { passed=$((passed + 1)); }
