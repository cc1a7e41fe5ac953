#!/usr/bin/env bash
# Heap after GC over a long campaign: runs `./e1kfuzz fuzz --variant all` for SECONDS, forces a full
# GC every INTERVAL seconds (jcmd GC.run) and reads the live heap from the GC log line of that GC
# ("Pause Full (Diagnostic Command) 180M->6M(64M)": 6M is what survived). Prints one line per sample, then
# the mean of the first and of the last minute (a third of the run if shorter than 3 minutes), and
# exits 1 when the end exceeds the start by more than TOLERANCE_MB.
#
#   scripts/heap-trend.sh [SECONDS=600] [INTERVAL=30] [TOLERANCE_MB=16] [extra fuzz options...]
#
# Needs the jar (make build) and jcmd (the JDK). The findings go to a temporary folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

secs=${1:-600}
interval=${2:-30}
tolerance=${3:-16}
shift $(( $# < 3 ? $# : 3 ))
command -v jcmd >/dev/null || { echo "heap-trend: jcmd not found (needs a JDK)" >&2; exit 2; }
[ -f fuzzer/target/e1kfuzz.jar ] || { echo "heap-trend: run 'make build' first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/gc.log"
# A copy of the jar: a rebuild during a 10-minute run must not pull classes from under the JVM.
cp fuzzer/target/e1kfuzz.jar "$work/e1kfuzz.jar"
java -Xlog:gc:file="$log":uptime -jar "$work/e1kfuzz.jar" fuzz --variant all --time "${secs}s" --seed 1 \
  --out "$work/findings" "$@" >"$work/fuzz.out" 2>"$work/fuzz.err" &
pid=$!
echo "heap-trend: campaign pid $pid, ${secs}s, full GC every ${interval}s"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  sleep "$interval"
  if [ $(( $(date +%s) - start + 2 )) -ge "$secs" ]; then break; fi
  jcmd "$pid" GC.run >/dev/null 2>&1 || break
done
rc=0
wait "$pid" || rc=$?
echo "heap-trend: campaign exit code $rc ($(grep -E '^[0-9]+ runs in' "$work/fuzz.out" || echo 'no summary'))"
# [12.345s] GC(7) Pause Full (Diagnostic Command) 180M->6M(64M) 12.3ms
awk -v tol="$tolerance" '
  /Pause Full \((System.gc\(\)|Diagnostic Command)\)/ {
    t = $1; gsub(/[\[\]s]/, "", t); t += 0
    for (i = 1; i <= NF; i++) if ($i ~ /->/) { split($i, a, "->"); live = a[2]; sub(/\(.*/, "", live) }
    unit = substr(live, length(live)); v = substr(live, 1, length(live) - 1) + 0
    if (unit == "K") v /= 1024; else if (unit == "G") v *= 1024
    n++; ts[n] = t; mb[n] = v
    printf "t=%6.0fs  live heap after full GC %7.1f MB\n", t, v
  }
  END {
    if (n < 2) { print "heap-trend: fewer than 2 samples"; exit 2 }
    last = ts[n]
    # a minute at each end, or a third of the run when it is shorter than three minutes
    w = (last - ts[1]) / 3; if (w > 60) w = 60
    for (i = 1; i <= n; i++) {
      if (ts[i] <= ts[1] + w) { f += mb[i]; fn++ }
      if (ts[i] >= last - w) { l += mb[i]; ln++ }
    }
    printf "first %.0fs: %.1f MB (%d samples); last %.0fs: %.1f MB (%d samples); growth %.1f MB (tolerance %d)\n", w, f/fn, fn, w, l/ln, ln, l/ln - f/fn, tol
    if (l/ln - f/fn > tol) { print "heap-trend: GROWTH"; exit 1 }
    print "heap-trend: flat"
  }' "$log"
