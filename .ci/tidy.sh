#!/usr/bin/env bash
# clang-tidy over every hand-written C++ file, with the checks in .clang-tidy (warnings are
# errors). Needs a configured build tree for compile_commands.json: .ci/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
root=$(pwd)
# Sources in the compilation database, less generated code (the grammar's, the embedded assets).
files=$(git ls-files '*.cpp' | grep -v -e '^fuzz/' -e '^third_party/' | sed "s#^#$root/#")
# shellcheck disable=SC2086
run-clang-tidy -p "$build" -j "$(nproc)" -quiet $files 2>&1 | grep -v -e '^clang-tidy' -e 'warnings generated' -e '^Suppressed' -e '^Use -header-filter' -e '^$' > "$build/clang-tidy.log" || true
if grep -q -E '(warning|error):' "$build/clang-tidy.log"; then
  grep -E -A3 '(warning|error):' "$build/clang-tidy.log" | head -200
  echo "clang-tidy: $(grep -c -E '(warning|error):' "$build/clang-tidy.log") findings (full list: $build/clang-tidy.log)"
  exit 1
fi
echo "clang-tidy: clean ($(echo "$files" | wc -w) files)"
