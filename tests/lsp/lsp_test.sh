#!/usr/bin/env bash
# End-to-end tests of `journey lsp`: a real client library (npm vscode-jsonrpc) under
# `node --test` (lsp.test.mjs, and a randomized client in random_client.test.mjs), and the
# VS Code extension's TextMate grammar on sample files (npm vscode-tmgrammar-test). Installs
# its npm packages on first use (npm ci). The Neovim smoke test is nvim_test.sh.
# Usage: lsp_test.sh PATH/TO/journey   (run from the repository root)
# Exit 77 (skipped) without node and npm, except under CI=true, where that is a failure.
set -u
journey=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
failed=0
# shellcheck source=../cli/lib.sh
source "$root/tests/cli/lib.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip_missing lsp "node and npm are needed to drive the language server (apt-get install nodejs npm)"
fi
# A fresh clone has no node_modules; an interrupted install leaves one that cannot load.
if ! (cd "$here" && node -e 'require("vscode-jsonrpc/node"); require("vscode-tmgrammar-test/package.json")') 2>/dev/null; then
  echo "installing the test's npm packages (npm ci in tests/lsp)"
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "FAIL lsp: npm ci failed in tests/lsp"
    exit 1
  fi
fi

echo "== node --test tests/lsp (vscode-jsonrpc)"
if ! JOURNEY="$journey" node --test --test-reporter=dot "$here"/lsp.test.mjs "$here"/random_client.test.mjs; then
  echo "FAIL lsp: node tests"
  failed=$((failed + 1))
fi

echo "== vscode-tmgrammar-test editors/vscode/syntaxes"
if ! (cd "$root/editors/vscode" &&
  node "$here/node_modules/vscode-tmgrammar-test/dist/unit.js" --grammar syntaxes/journey.tmLanguage.json \
    "test/*.test.journey"); then
  echo "FAIL lsp: TextMate grammar tests"
  failed=$((failed + 1))
fi

[ "$failed" -eq 0 ] && echo "lsp: all passed"
[ "$failed" -eq 0 ]
