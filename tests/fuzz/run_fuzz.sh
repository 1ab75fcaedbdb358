#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time, seeded with real data, and fails on any crash.
# usage: run_fuzz.sh FUZZER WORK_DIR SECONDS MAX_LEN SEED_FILE...
# Seeds missing on this machine (no chaindata) are skipped; the fuzzer then starts from nothing.
set -euo pipefail
fuzzer=$1 work=$2 seconds=$3 max_len=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/seeds"
n=0
for f in "$@"; do
  if [ -f "$f" ]; then ln -s "$f" "$work/seeds/$(basename "$f")"; n=$((n + 1)); fi
done
echo "fuzzing $(basename "$fuzzer") for ${seconds}s from $n seed files"
cd "$work"
exec "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus seeds
