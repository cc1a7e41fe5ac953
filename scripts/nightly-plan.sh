#!/usr/bin/env bash
# The plan of a nightly campaign, in GITHUB_OUTPUT form (key=value lines):
#   seed=S          one seed for every shard of the night: SEED if given, else the UTC date YYYYMMDD
#   count=N         the number of shards
#   shards=[1,..,N] the shard matrix (JSON), so that shard K runs `--shard K/N`
# Used by .github/workflows/nightly.yml (plan job) and scripts/nightly.sh (make nightly).
#
#   scripts/nightly-plan.sh SHARDS [SEED]
set -euo pipefail

n=${1:?usage: nightly-plan.sh SHARDS [SEED]}
seed=${2:-}
if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 64 ]; then
  echo "nightly-plan: SHARDS must be a number from 1 to 64, got '$n'" >&2
  exit 2
fi
if [ -z "$seed" ]; then
  seed=$(date -u +%Y%m%d)
elif ! [[ "$seed" =~ ^[0-9]{1,18}$ ]]; then
  echo "nightly-plan: SEED must be a non-negative number, got '$seed'" >&2
  exit 2
fi
list=$(seq -s, 1 "$n")
echo "seed=$seed"
echo "count=$n"
echo "shards=[$list]"
