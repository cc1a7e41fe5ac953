#!/bin/bash
# Renders an HTML page to a PNG with headless Chromium (Debian's chromium package); used by
# `make report-check`. Fails if Chromium is missing or fails, or the PNG is missing, not a PNG or
# blank (a blank page of this size compresses to a few kB; a rendered timeline is over 50 kB).
# usage: scripts/render-html.sh PAGE.html OUT.png [WIDTH [HEIGHT]]   (CHROMIUM=path overrides)
set -euo pipefail
page=$1
png=$2
width=${3:-1400}
height=${4:-2400}
browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" > /dev/null; then browser=$b; break; fi
  done
fi
if [ -z "$browser" ]; then
  echo "render-html: no chromium found; install it with: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
[ -s "$page" ] || { echo "render-html: $page is missing or empty" >&2; exit 1; }
abs_page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
mkdir -p "$(dirname "$png")"
abs_png=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check
  --disable-extensions --disable-background-networking --disable-sync --user-data-dir="$profile"
  --window-size="$width,$height" --screenshot="$abs_png")
# Chromium will not start its sandbox as root.
if [ "$(id -u)" = 0 ]; then flags+=(--no-sandbox); fi
rm -f "$png"
if ! timeout 120 "$browser" "${flags[@]}" "file://$abs_page" > "$profile/log" 2>&1; then
  echo "render-html: $browser failed:" >&2
  cat "$profile/log" >&2
  exit 1
fi
if [ ! -s "$png" ]; then
  echo "render-html: $browser wrote no PNG ($png):" >&2
  cat "$profile/log" >&2
  exit 1
fi
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
