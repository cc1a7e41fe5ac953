# shellcheck shell=bash
# Headless Chromium (Debian's chromium package) for the HTML checks of `make report-check`; sourced
# by render-html.sh and check-html-fit.sh. CHROMIUM=path overrides the browser.
#
#   headless_chromium WIDTH HEIGHT ARGS... URL
#
# runs it in a WIDTH x HEIGHT window on a throwaway profile; its stdout is Chromium's (--dump-dom
# writes the page there); its log is printed only when it fails.
headless_chromium() (
  set -euo pipefail
  local width=$1 height=$2
  shift 2
  local browser=${CHROMIUM:-}
  if [ -z "$browser" ]; then
    for b in chromium chromium-browser google-chrome; do
      if command -v "$b" > /dev/null; then browser=$b; break; fi
    done
  fi
  if [ -z "$browser" ]; then
    echo "no chromium found; install it with: apt-get update && apt-get install -y chromium" >&2
    return 1
  fi
  local profile
  profile=$(mktemp -d)
  trap 'rm -rf "$profile"' EXIT
  local flags=(--headless --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check
    --disable-extensions --disable-background-networking --disable-sync --user-data-dir="$profile"
    --window-size="$width,$height")
  # Chromium will not start its sandbox as root.
  if [ "$(id -u)" = 0 ]; then flags+=(--no-sandbox); fi
  if ! timeout 120 "$browser" "${flags[@]}" "$@" 2> "$profile/log"; then
    echo "$browser failed:" >&2
    cat "$profile/log" >&2
    return 1
  fi
)
