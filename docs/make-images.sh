#!/usr/bin/env bash
# Regenerates the pictures the README shows from the specs they are drawn from:
#   docs/images/business_phone_map.svg   `journey graph --format svg` of examples/business_phone.journey
#   docs/images/business_phone_map.png   the same map as PNG, when Graphviz's `dot -Tpng` works
#   docs/images/business_phone_report.png  the top of `journey simulate --format html`, as headless
#                                        Chromium shows it (checked by tests/report/check_page.mjs)
# Usage: docs/make-images.sh [PATH/TO/journey]   (default: build/cli/journey; build it first)
# Needs Graphviz (`apt-get install graphviz`), and Chromium and node for the report. Run it after
# changing the example, the map or the report, and commit the images with the change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
journey=${1:-$root/build/cli/journey}
images=$root/docs/images
spec=$root/examples/business_phone.journey

if [ ! -x "$journey" ]; then
  echo "make-images: no journey binary at $journey; build first (./build.sh)" >&2
  exit 2
fi
if ! command -v dot >/dev/null; then
  echo "make-images: Graphviz's dot is not installed (Debian: sudo apt-get install graphviz)" >&2
  exit 2
fi
mkdir -p "$images"
cd "$root"
work=$(mktemp -d)

# Paths relative to the repository, so the pictures do not depend on where it is cloned.
"$journey" graph --format svg -o "$images/business_phone_map.svg" examples/business_phone.journey

# PNG for places that do not show SVG; written beside, then moved, like the SVG.
tmp=$(mktemp "$images/.business_phone_map.XXXXXX")
trap 'rm -f "$tmp"; rm -rf "$work"' EXIT
if "$journey" graph --format dot examples/business_phone.journey | dot -Tpng -Gdpi=110 -o "$tmp" 2>/dev/null &&
  [ -s "$tmp" ]; then
  chmod 644 "$tmp"
  mv "$tmp" "$images/business_phone_map.png"
  echo "wrote $images/business_phone_map.png"
else
  echo "make-images: dot -Tpng does not work here; only the SVG was made" >&2
fi

# The report: 200,000 customers, seed 1, the page down to the customer flow, 1280 pixels wide.
chromium=${JOURNEY_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ] || ! command -v node >/dev/null; then
  echo "make-images: Chromium or node is missing (Debian: sudo apt-get install chromium nodejs);" \
    "the report picture was not made" >&2
  exit 2
fi
"$journey" simulate examples/business_phone.journey -n 200000 --seed 1 --no-progress \
  --format html -o "$work/report.html"
node "$root/tests/report/check_page.mjs" --chromium "$chromium" --page "$work/report.html" \
  --screenshot "$work/report.png" --screenshot-until '[data-chart="sankey"]' --width 1280
chmod 644 "$work/report.png"
mv "$work/report.png" "$images/business_phone_report.png"
echo "wrote $images/business_phone_report.png"
