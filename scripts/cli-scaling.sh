#!/usr/bin/env bash
# CLI campaign throughput with one worker and with two: runs
#   ./e1kfuzz fuzz --runs RUNS --variant fix-mode-switch --max-steps 30 --guidance none --seed 1 --jobs J
# for J = 1 and 2, alternating (1, 2, 1, 2, ...) ROUNDS times so that load from elsewhere hits both
# alike, and prints the campaign's own runs/s (the "N runs in Xs (R runs/s)" line: generation,
# execution and checks, not start-up or shrinking), the median of each, the speed-up and the
# scaling (speed-up / 2, 100 % = perfect), with the load average before and after.
#
#   scripts/cli-scaling.sh [RUNS=2000000] [ROUNDS=3] [extra fuzz options...]
#
# Needs the jar (make build). Findings go to a temporary folder; confirmation on real QEMU is off.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-2000000}
rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
[ -f fuzzer/target/e1kfuzz.jar ] || { echo "cli-scaling: run 'make build' first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rate() { # jobs [extra options] -> runs/s of one campaign
  local jobs=$1 out
  shift
  out=$(./e1kfuzz fuzz --runs "$runs" --variant fix-mode-switch --max-steps 30 --guidance none \
    --seed 1 --no-confirm --jobs "$jobs" --out "$work/out-$jobs" "$@" 2>/dev/null || true)
  sed -n 's/.* runs in .* (\([0-9]*\) runs\/s).*/\1/p' <<<"$out"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

echo "cli-scaling: $runs runs, fix-mode-switch, 30 steps, no guidance, seed 1; $rounds rounds"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
one=()
two=()
for ((i = 1; i <= rounds; i++)); do
  r1=$(rate 1 "$@")
  r2=$(rate 2 "$@")
  [ -n "$r1" ] && [ -n "$r2" ] || { echo "cli-scaling: no runs/s line in the output" >&2; exit 1; }
  echo "round $i: --jobs 1 $r1 runs/s, --jobs 2 $r2 runs/s"
  one+=("$r1")
  two+=("$r2")
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${two[@]}" | median)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="$m1" -v b="$m2" 'BEGIN {
  printf "median: --jobs 1 %d runs/s, --jobs 2 %d runs/s: speed-up %.2f, scaling %.0f %%\n", a, b, b / a, 50 * b / a
}'
