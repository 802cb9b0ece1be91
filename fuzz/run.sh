#!/usr/bin/env bash
# Builds a libFuzzer target with clang (fuzz_frontend unless named) and runs it for N seconds
# (default 60) on a copy of its committed seed corpus. A crash leaves its input in
# fuzz/artifacts/. Usage: fuzz/run.sh [SECONDS] [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
target=${2:-fuzz_frontend}
jobs=$(nproc)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DJOURNEY_FUZZ=ON -DJOURNEY_TESTS=OFF -DJOURNEY_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" >/dev/null
ninja -C build-fuzz -j "$jobs" "$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The machine reader's seeds are machine bodies (fuzz/make-machine-corpus.sh), longer than specs;
# the language server's are sessions, one message per line.
corpus=fuzz/corpus
max_len=8192
if [[ $target == fuzz_machine ]]; then
  corpus=fuzz/corpus-machine
  max_len=32768
elif [[ $target == fuzz_lsp ]]; then
  corpus=fuzz/corpus-lsp
fi
cp "$corpus"/* "$work/"
mkdir -p fuzz/artifacts
ASAN_OPTIONS=detect_leaks=1 ./build-fuzz/fuzz/"$target" -max_total_time="$seconds" -max_len="$max_len" \
  -timeout=10 -rss_limit_mb=2048 -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 "$work" 2>&1 |
  tail -n 25
