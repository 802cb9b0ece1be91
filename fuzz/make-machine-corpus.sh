#!/usr/bin/env bash
# Rebuilds fuzz/corpus-machine/: the bodies (the tables, without the 28-byte header) of the
# machines of the examples and the semantics specs, as seeds for fuzz_machine. Run it after a
# change to the `.jm` format. Usage: fuzz/make-machine-corpus.sh [JOURNEY_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
journey=${1:-build/cli/journey}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf fuzz/corpus-machine
mkdir -p fuzz/corpus-machine
for spec in examples/*.journey tests/golden/sema/all_constructs.journey tests/semantics/*.journey; do
  name=$(basename "$spec" .journey)
  if "$journey" build "$spec" -o "$work/$name.jm" 2>/dev/null; then
    tail -c +29 "$work/$name.jm" >"fuzz/corpus-machine/$name.body"
  fi
done
ls fuzz/corpus-machine | wc -l
