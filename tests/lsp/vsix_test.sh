#!/usr/bin/env bash
# Packages the VS Code extension (editors/vscode) with @vscode/vsce, which validates the
# manifest, and checks what the .vsix holds: the client with its runtime dependencies, the
# grammar, snippets and language configuration, and none of the packaging tools.
# Usage: vsix_test.sh   (run from the repository root)
# Exit 77 (skipped) without node and npm, except under CI=true, where that is a failure.
set -u
extension=$(pwd)/editors/vscode
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=../cli/lib.sh
source "$(pwd)/tests/cli/lib.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip_missing vsix "node and npm are needed to package the extension"
fi
if ! (cd "$extension" && node -e 'require.resolve("vscode-languageclient/node"); require.resolve("@vscode/vsce/package.json")') 2>/dev/null; then
  echo "installing the extension's npm packages (npm ci in editors/vscode)"
  (cd "$extension" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL vsix: npm ci"; exit 1; }
fi
if ! node --check "$extension/extension.js"; then
  echo "FAIL vsix: extension.js does not parse"
  exit 1
fi
if ! (cd "$extension" && npx --no-install vsce package --skip-license --allow-missing-repository \
  -o "$work/journey.vsix" >"$work/log" 2>&1); then
  echo "FAIL vsix: vsce package"
  cat "$work/log"
  exit 1
fi
# A .vsix is a zip file: list it with python3 (a dependency of the tests), one name a line.
python3 -c 'import sys, zipfile; print("\n".join(" " + n for n in zipfile.ZipFile(sys.argv[1]).namelist()))' \
  "$work/journey.vsix" >"$work/list"
failed=0
for file in extension/extension.js extension/package.json extension/syntaxes/journey.tmLanguage.json \
  extension/snippets/journey.json extension/language-configuration.json \
  extension/node_modules/vscode-languageclient/node.js; do
  grep -q " $file\$" "$work/list" || { echo "FAIL vsix: $file is missing"; failed=1; }
done
for unwanted in node_modules/@vscode/vsce extension/test/ extension/package.sh; do
  if grep -q "$unwanted" "$work/list"; then
    echo "FAIL vsix: $unwanted should not be packaged"
    failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "vsix: packaged and complete ($(wc -l <"$work/list") files)"
[ "$failed" -eq 0 ]
