#!/usr/bin/env bash
# make nightly: the nightly workflow on one machine. NIGHTLY_SHARDS shard processes in parallel
# (scripts/nightly-shard.sh, NIGHTLY_TIME each, one seed: NIGHTLY_SEED or today's UTC date), then
# `e1kfuzz merge` of their findings against corpus/ into NIGHTLY_DIR/merged. Exit code: merge's
# (0 nothing new, 6 a variant/signature the corpus does not expect, 2 a bad file), else 1 when a
# shard failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shards=${NIGHTLY_SHARDS:-2}
time=${NIGHTLY_TIME:-60s}
dir=${NIGHTLY_DIR:-nightly/$(date -u +%Y%m%dT%H%M%SZ)}
plan=$(scripts/nightly-plan.sh "$shards" "${NIGHTLY_SEED:-}")
seed=$(sed -n 's/^seed=//p' <<<"$plan")
count=$(sed -n 's/^count=//p' <<<"$plan")
echo "nightly: seed $seed, $count shards of $time, into $dir/"
if [ -e "$dir" ]; then
  echo "nightly: $dir/ exists; move it away or set NIGHTLY_DIR (nothing is overwritten)" >&2
  exit 2
fi
mkdir -p "$dir"
pids=()
for k in $(seq 1 "$count"); do
  scripts/nightly-shard.sh "$k" "$count" "$seed" "$time" "$dir/shard-$k" &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
rc=0
./e1kfuzz merge "$dir"/shard-*/findings --out "$dir/merged" --corpus corpus || rc=$?
if [ "$rc" = 0 ] && [ "$failed" = 1 ]; then
  echo "nightly: a shard failed (see $dir/shard-*/fuzz.log)" >&2
  rc=1
fi
echo "nightly: merge exit code $rc; merged findings in $dir/merged"
exit "$rc"
