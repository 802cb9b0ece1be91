#!/usr/bin/env bash
# Smoke test of `journey lsp` in headless Neovim's built-in LSP client (nvim_smoke.lua).
# Usage: nvim_test.sh PATH/TO/journey   (run from the repository root)
# Exit 77 (skipped) without nvim, except under CI=true, where that is a failure.
set -u
journey=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../cli/lib.sh
source "$here/../cli/lib.sh"
if ! command -v nvim >/dev/null; then
  skip_missing nvim "nvim is needed for the Neovim smoke test (apt-get install neovim)"
fi
JOURNEY="$journey" FIXTURE="$here/fixtures/trial.journey" timeout 60 \
  nvim --headless --clean -u NONE -c "luafile $here/nvim_smoke.lua" 2>&1
