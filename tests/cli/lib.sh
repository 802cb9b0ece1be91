# Helpers shared by the end-to-end scripts (cli_test.sh, simulate_test.sh, analyze_test.sh).
# The caller sets `journey` and `work`, and counts with `passed` and `failed`.

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

ok() { passed=$((passed + 1)); }
