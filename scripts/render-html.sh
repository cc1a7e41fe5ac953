#!/bin/bash
# Renders an HTML page to a PNG with headless Chromium (Debian's chromium package); used by
# `make report-check`. Fails if Chromium is missing or fails, or the PNG is missing, not a PNG or
# blank (a blank page of this size compresses to a few kB; a rendered timeline is over 50 kB).
# usage: scripts/render-html.sh PAGE.html OUT.png [WIDTH [HEIGHT]]   (CHROMIUM=path overrides)
set -euo pipefail
# shellcheck source=scripts/chromium.sh
source "$(dirname "${BASH_SOURCE[0]}")/chromium.sh"
page=$1
png=$2
width=${3:-1280}
height=${4:-2400}
[ -s "$page" ] || { echo "render-html: $page is missing or empty" >&2; exit 1; }
abs_page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
mkdir -p "$(dirname "$png")"
abs_png=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
rm -f "$png"
headless_chromium "$width" "$height" --screenshot="$abs_png" "file://$abs_page" > /dev/null \
  || { echo "render-html: no PNG of $page" >&2; exit 1; }
[ -s "$png" ] || { echo "render-html: Chromium wrote no PNG ($png)" >&2; exit 1; }
if [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
  echo "render-html: $png is not a PNG" >&2
  exit 1
fi
size=$(stat -c %s "$png")
if [ "$size" -lt 50000 ]; then
  echo "render-html: $png is only $size bytes: the page looks blank" >&2
  exit 1
fi
echo "rendered $png (${width}x${height}, $size bytes)"
