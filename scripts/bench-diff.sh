#!/usr/bin/env bash
# make bench-diff: how fast differential campaigns run on each exact build (`make qemu-src`), and
# that the fast path (one QEMU per worker, reset between traces, held frames drained) finds what the
# slow path (--fresh-qemu: a new QEMU for every trace) finds on the same traces.
#
# Per exact build present: a campaign of BENCH_DIFF_TIME (default 10m) with the default --jobs,
# then BENCH_DIFF_RUNS runs (default 400) of the same seed on both paths; run r's trace depends only
# on the seed and r, so both paths compare the same traces. Prints one table; exits 1 if a build's
# two paths disagree (divergences seen, the kinds of those shrunk, or traces compared).
# Options (environment): BENCH_DIFF_BUILDS="qemu-10.2 qemu-7.2.0" (default: every exact build),
# BENCH_DIFF_SEED (default 20261206), BENCH_DIFF_JOBS (default: e1kfuzz's, twice the cores),
# BENCH_DIFF_DIR (outputs; default target/bench-diff).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

time=${BENCH_DIFF_TIME:-10m}
runs=${BENCH_DIFF_RUNS:-400}
seed=${BENCH_DIFF_SEED:-20261206}
dir=${BENCH_DIFF_DIR:-target/bench-diff}
jobs=()
if [ -n "${BENCH_DIFF_JOBS:-}" ]; then jobs=(--jobs "$BENCH_DIFF_JOBS"); fi
cache=${E1KFUZZ_QEMU_DIR:-$HOME/.cache/e1kfuzz/qemu}
builds=${BENCH_DIFF_BUILDS:-qemu-7.2.0 qemu-7.2.20 qemu-8.1 qemu-10.2 fix-v1 fix-mode-switch fix-throttle}

mkdir -p "$dir"
# The summary line of a campaign: "<variant>: N traces generated, ... (X traces/s), S QEMU starts,
# D divergences seen (...)".
field() { grep 'traces generated' "$2" | sed -n "s/.* \([0-9.]*\) $1.*/\1/p" | tail -1; }
kinds() { sed -n 's/^DIVERGED (run [0-9]*, shrunk [0-9]* -> [0-9]* steps): \([^:]*\).*/\1/p' "$1" | sort | tr '\n' ' '; }

printf '%-22s %10s %9s %8s %6s | %-34s %s\n' build "compared" traces/s starts diverg \
  "same $runs traces: fast vs fresh" agree
status=0
for v in $builds; do
  if [ ! -e "$cache/exact-$v" ]; then
    echo "exact-$v: not built (make qemu-src); skipped"
    continue
  fi
  common=(./e1kfuzz fuzz --backend diff --qemu "exact-$v" --variant "$v" --seed "$seed")
  # Exit 3 (found) and 4 (diverged) are outcomes of a campaign, not failures of the run.
  rc=0
  for run in "campaign --time $time" "fast --runs $runs" "fresh --runs $runs --fresh-qemu"; do
    read -r name args <<<"$run"
    # shellcheck disable=SC2086  # args is split into options on purpose
    "${common[@]}" "${jobs[@]}" $args --out "$dir/$v-$name" >"$dir/$v-$name.txt" 2>&1 || {
      r=$?
      if [ "$r" != 3 ] && [ "$r" != 4 ]; then rc=$r; fi
    }
  done
  c="$dir/$v-campaign.txt"
  agree=yes
  for f in "compared in" "divergences seen"; do
    [ "$(field "$f" "$dir/$v-fast.txt")" = "$(field "$f" "$dir/$v-fresh.txt")" ] || agree=no
  done
  [ "$(kinds "$dir/$v-fast.txt")" = "$(kinds "$dir/$v-fresh.txt")" ] || agree=no
  if [ "$rc" != 0 ]; then agree="no (exit $rc, see $dir/$v-*.txt)"; fi
  [ "$agree" = yes ] || status=1
  printf '%-22s %10s %9s %8s %6s | %-34s %s\n' "exact-$v" "$(field "compared in" "$c")" \
    "$(sed -n 's/.*(\([0-9.]*\) traces\/s).*/\1/p' "$c" | tail -1)" "$(field "QEMU starts" "$c")" \
    "$(field "divergences seen" "$c")" \
    "$(field "divergences seen" "$dir/$v-fast.txt") / $(field "divergences seen" "$dir/$v-fresh.txt") divergences, $(field "compared in" "$dir/$v-fresh.txt") compared" \
    "$agree"
done
exit "$status"
