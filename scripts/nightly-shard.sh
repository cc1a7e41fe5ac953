#!/usr/bin/env bash
# One shard of a nightly campaign: `e1kfuzz fuzz --variant all --shard K/N` with the night's seed,
# writing OUT/findings (always created, so a shard with nothing found still has a folder to merge),
# OUT/summary.json (--format json) and OUT/junit.xml (--junit). Exit 0 when the campaign ran (found
# something or not: exit 3 of fuzz is its normal result); otherwise fuzz's exit code (1: an internal
# error, whose traces are in OUT/findings and which `merge` reports as new; 2: bad options).
#
#   scripts/nightly-shard.sh K N SEED TIME OUT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

k=${1:?usage: nightly-shard.sh K N SEED TIME OUT}
n=${2:?}
seed=${3:?}
time=${4:?}
out=${5:?}
mkdir -p "$out/findings"
echo "nightly shard $k/$n: seed $seed, time $time, out $out"
rc=0
./e1kfuzz fuzz --variant all --shard "$k/$n" --seed "$seed" --time "$time" \
  --out "$out/findings" --format json --junit "$out/junit.xml" >"$out/summary.json" 2>"$out/fuzz.log" || rc=$?
tail -n 3 "$out/fuzz.log" | sed "s|^|shard $k/$n: |"
case $rc in
  0) echo "shard $k/$n: nothing found" ;;
  3) echo "shard $k/$n: findings written to $out/findings" ;;
  *) echo "shard $k/$n: e1kfuzz fuzz exited $rc; see $out/fuzz.log" >&2; exit "$rc" ;;
esac
