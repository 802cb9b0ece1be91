#!/usr/bin/env bash
# The rules of the house over every hand-written C++ file: no source file over 900 lines, and
# clang-tidy with the checks of .clang-tidy (bug-prone constructs, performance, naming, no
# function over 150 lines), warnings as errors. Needs a configured build tree for
# compile_commands.json: .ci/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
root=$(pwd)
sources=$(git ls-files '*.cpp' '*.h' | grep -v -e '^fuzz/corpus' -e '^third_party/' -e '^grammar/runtime_shim/')

long_files=$(echo "$sources" | xargs wc -l | awk '$2 != "total" && $1 > 900 { print "  " $2 ": " $1 " lines" }')
if [ -n "$long_files" ]; then
  echo "files over 900 lines:"
  echo "$long_files"
  exit 1
fi

units=$(echo "$sources" | grep '\.cpp$' | grep -v '^fuzz/' | sed "s#^#$root/#")
log="$build/clang-tidy.log"
# shellcheck disable=SC2086
run-clang-tidy -p "$build" -j "$(nproc)" -quiet $units >"$log" 2>&1 || true
if grep -q -E '(warning|error):' "$log"; then
  grep -E '(warning|error):' "$log" | sort -u | head -50
  echo "clang-tidy: findings (full output: $log)"
  exit 1
fi
echo "clang-tidy clean, no file over 900 lines ($(echo "$units" | wc -w) files)"
