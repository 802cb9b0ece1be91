#!/usr/bin/env bash
# Packages the extension as journey-language-VERSION.vsix with @vscode/vsce, offline once the
# npm packages are installed (npm ci needs the registry, or a warm npm cache).
# Usage: editors/vscode/package.sh  ->  editors/vscode/journey-language-0.1.0.vsix
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install vsce package --skip-license --allow-missing-repository "$@"
