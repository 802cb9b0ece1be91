#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a working `journey`:
#   ./build.sh        install what is missing, build, check and simulate the business-phone example
#   ./build.sh test   the same, then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case "$mode" in
  run | test) ;;
  *)
    echo "usage: ./build.sh [test]" >&2
    exit 2
    ;;
esac

# Debian packages the build and the tests need; README.md says why each one is there.
packages=(
  build-essential cmake ninja-build
  antlr4 libantlr4-runtime-dev default-jre-headless
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libboost-graph-dev librandom123-dev libeigen3-dev llvm-14-dev
  libgtest-dev libbenchmark-dev
  python3 neovim
  graphviz chromium
)
missing=()
# node and npm validate SARIF output in the tests; any install of them will do (the machine
# may carry a newer one than Debian's, which must not be replaced).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOURNEY_WERROR=ON >/dev/null
ninja -C build -j "$jobs"

echo
echo "== journey check examples/business_phone.journey"
./build/cli/journey check examples/business_phone.journey
echo
echo "== journey simulate examples/business_phone.journey"
./build/cli/journey simulate examples/business_phone.journey --no-progress

if [ "$mode" = test ]; then
  echo
  echo "== tests"
  ctest --test-dir build --output-on-failure -j "$jobs"
fi
