#!/bin/bash
# Checks that the SVG timelines of an HTML page fit a browser window WIDTH px wide; used by
# `make report-check`. Loads a copy of the page with a measuring script added (the page itself has
# none) in headless Chromium and prints, per timeline, its drawn and natural widths, its scale and
# its smallest text. Fails if the page or a timeline's box scrolls sideways, if a timeline, its
# violating step's column or its violation reaches past the window, if any text is drawn smaller
# than MIN_TEXT px (default 7.5: the 10-px labels at the renderer's smallest scale, 0.75), or if the
# page has no violating step to check.
# usage: scripts/check-html-fit.sh PAGE.html [WIDTH]   (CHROMIUM=path, MIN_TEXT=px override)
set -euo pipefail
# shellcheck source=scripts/chromium.sh
source "$(dirname "${BASH_SOURCE[0]}")/chromium.sh"
page=$1
width=${2:-1280}
min_text=${MIN_TEXT:-7.5}
[ -s "$page" ] || { echo "check-html-fit: $page is missing or empty" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One line per timeline: "ok|OVERFLOW|SMALL <svg title>: ...", then the page's own line.
measure=$(cat <<JS
<script>
(function () {
  const win = window.innerWidth;
  const lines = [];
  let violating = 0;
  for (const svg of document.querySelectorAll('svg.timeline')) {
    const box = svg.parentElement;
    const boxLeft = box.getBoundingClientRect().left + box.clientLeft;
    const visible = Math.min(win, boxLeft + box.clientWidth);
    const r = svg.getBoundingClientRect();
    const natural = svg.viewBox.baseVal.width;
    const scale = r.width / natural;
    let text = Infinity;
    for (const t of svg.querySelectorAll('text')) {
      text = Math.min(text, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    let past = box.scrollWidth > box.clientWidth || r.right > visible + 0.5;
    const marks = svg.querySelectorAll('.col-violating, .violation');
    violating += svg.querySelectorAll('.col-violating').length;
    let violationEnd = '';
    for (const v of marks) {
      const vr = v.getBoundingClientRect();
      past = past || vr.right > visible + 0.5 || vr.left < boxLeft - 0.5;
      violationEnd = ', violation ends at ' + Math.round(vr.right) + ' px';
    }
    const verdict = past ? 'OVERFLOW' : text < $min_text ? 'SMALL' : 'ok';
    lines.push(verdict + ' ' + svg.querySelector('title').textContent + ': drawn '
        + Math.round(r.width) + ' of ' + Math.round(natural) + ' px (scale ' + scale.toFixed(2)
        + '), right edge ' + Math.round(r.right) + ' of ' + Math.round(visible) + ' px visible'
        + violationEnd + ', smallest text ' + text.toFixed(1) + ' px');
  }
  const pageWidth = document.documentElement.scrollWidth;
  lines.push((pageWidth > win ? 'OVERFLOW' : violating === 0 ? 'NO-VIOLATION' : 'ok')
      + ' page: ' + pageWidth + ' px wide in a ' + win + ' px window, '
      + violating + ' violating step(s)');
  const pre = document.createElement('pre');
  pre.id = 'fit-check';
  pre.textContent = lines.join('\n');
  document.body.appendChild(pre);
})();
</script>
JS
)
html=$(cat "$page")
printf '%s' "${html%</body>*}$measure</body>${html##*</body>}" > "$work/page.html"
headless_chromium "$width" 2000 --dump-dom "file://$work/page.html" > "$work/dom.html" \
  || { echo "check-html-fit: could not load $page" >&2; exit 1; }
sed -n '/<pre id="fit-check">/,/<\/pre>/p' "$work/dom.html" \
  | sed -e 's/.*<pre id="fit-check">//' -e 's/<\/pre>.*//' \
    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' > "$work/report"
[ -s "$work/report" ] || { echo "check-html-fit: the measuring script wrote nothing" >&2; exit 1; }
cat "$work/report"
if grep -qv '^ok ' "$work/report"; then
  echo "check-html-fit: $page does not fit a $width-px window (lines above not 'ok')" >&2
  exit 1
fi
echo "check-html-fit: $page fits a $width-px window"
