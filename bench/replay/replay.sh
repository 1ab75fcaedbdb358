#!/usr/bin/env bash
# Full-chain replay benchmark (docs/performance.md): for each chain size, generate a synthetic chain
# (`ariadne gen`), measure SHA-256d over its block bytes, index it (`ariadne index btc`, clusters
# kept up to date), rebuild the clusters (`ariadne recluster`), compact the store, serve it
# (`ariadne serve`) and run the query load (`load_bench`) against it. Every phase is its own
# process under /usr/bin/time -v, so each has its own wall time, CPU time and peak RSS. Writes one
# JSON report (and a table on stdout; an SVG plot with --plot).
#
#   bench/replay/replay.sh                               # 1M, 5M and 20M transactions
#   bench/replay/replay.sh --sizes 1M --duration 10      # what CI may run (a few minutes)
#   bench/replay/replay.sh --stream --sizes 1M,10M,50M,100M --cache-ratio 30
#                                                        # one chain generated and indexed in
#                                                        # chunks, blk files deleted as indexed
#                                                        # (bench/replay/stream.sh has its options)
#
# Options (defaults in brackets):
#   --sizes LIST         chain sizes in transactions, e.g. 1M,5M,20M or 250k [1M,5M,20M]
#   --build DIR          build tree with tools/ariadne, bench/load_bench, bench/replay_tool
#                        [$ARIADNE_BUILD or build]
#   --work DIR           chains, stores and per-phase logs [/tmp/ariadne-replay]
#   --out FILE           the JSON report [WORK/replay.json]
#   --plot FILE.svg      also draw cost per transaction against chain size [none]
#   --txs-per-block N    generator's transactions per block [1000]
#   --seed N             generator's seed [42]
#   --duration S         measured seconds of each load phase [20]
#   --warmup S           unmeasured seconds before each load phase [3]
#   --concurrency N      concurrent clients of the query load [64]
#   --phases LIST        load phases, as load_bench --phases [closed:1,closed,rate=0.5x]
#   --no-compact         skip the full compaction before serving
#   --keep               keep the chains and stores (deleted after each size otherwise)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

sizes="1M,5M,20M"
build="${ARIADNE_BUILD:-$repo/build}"
work="/tmp/ariadne-replay"
out=""
plot=""
tpb=1000
seed=42
duration=20
warmup=3
concurrency=64
phases="closed:1,closed,rate=0.5x"
compact=1
keep=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

for a in "$@"; do
  [[ "$a" == --stream ]] && exec "$here/stream.sh" "$@"
done

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --plot) plot="$2"; shift 2 ;;
    --txs-per-block) tpb="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --phases) phases="$2"; shift 2 ;;
    --no-compact) compact=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done

build="$(cd "$build" && pwd)"
ariadne="$build/tools/ariadne"
load_bench="$build/bench/load_bench"
replay_tool="$build/bench/replay_tool"
for b in "$ariadne" "$load_bench" "$replay_tool"; do
  if [[ ! -x "$b" ]]; then
    echo "missing $b: build it first (ninja -C $build ariadne load_bench replay_tool)" >&2
    exit 1
  fi
done
if [[ ! -x /usr/bin/time ]]; then
  echo "missing /usr/bin/time (Debian package: time)" >&2
  exit 1
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ -n "$out" ]] || out="$work/replay.json"

# shellcheck source=common.sh
source "$here/common.sh"

# run_phase DIR NAME CMD...: runs CMD under /usr/bin/time -v with stdout in DIR/NAME.out, stderr
# in DIR/NAME.err and the rusage in DIR/NAME.time; records wall time and load in DIR/NAME.phase.
run_phase() {
  local dir="$1" name="$2"
  shift 2
  local start load0 rc=0
  start="$(now)"
  load0="$(loadavg)"
  printf '  %-10s %s\n' "$name" "$*"
  /usr/bin/time -v -o "$dir/$name.time" "$@" > "$dir/$name.out" 2> "$dir/$name.err" || rc=$?
  printf 'command=%s\nstart=%s\nend=%s\nexit=%s\nloadavg_before=%s\nloadavg_after=%s\n' \
    "$*" "$start" "$(now)" "$rc" "$load0" "$(loadavg)" > "$dir/$name.phase"
  if [[ $rc -ne 0 ]]; then
    echo "phase $name failed (exit $rc); last lines of $dir/$name.err:" >&2
    tail -n 20 "$dir/$name.err" | tr '\r' '\n' | tail -n 20 >&2
    exit 1
  fi
}

serve_pid=""
time_pid=""
cleanup() {
  if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2> /dev/null; then
    kill -TERM "$serve_pid" 2> /dev/null || true
  fi
  if [[ -n "$time_pid" ]]; then wait "$time_pid" 2> /dev/null || true; fi
}
trap cleanup EXIT

total_start="$(now)"
printf 'replay: sizes %s, work %s, build %s\n' "$sizes" "$work" "$build"
printf 'machine: %s, %s cores, %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "$(nproc)" "$(grep MemTotal /proc/meminfo | xargs)"
{
  printf 'sizes=%s\ntxs_per_block=%s\nseed=%s\nduration=%s\nwarmup=%s\nconcurrency=%s\n' \
    "$sizes" "$tpb" "$seed" "$duration" "$warmup" "$concurrency"
  printf 'phases=%s\ncompact=%s\nbuild=%s\nstart=%s\n' "$phases" "$compact" "$build" "$total_start"
  printf 'git_commit=%s\n' "$(git -C "$repo" rev-parse HEAD 2> /dev/null || echo unknown)"
  printf 'git_dirty=%s\n' "$(git -C "$repo" status --porcelain 2> /dev/null | wc -l)"
} > "$work/replay.settings"

IFS=',' read -r -a size_list <<< "$sizes"
for label in "${size_list[@]}"; do
  n="$(parse_size "$label")"
  dir="$work/$label"
  blocks=$(( (n + tpb - 1) / tpb ))
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '\n%s: %s transactions in %s blocks -> %s\n' "$label" "$n" "$blocks" "$dir"
  printf 'label=%s\ntarget_txs=%s\nblocks=%s\ntxs_per_block=%s\nseed=%s\n' "$label" "$n" "$blocks" \
    "$tpb" "$seed" > "$dir/size.info"

  run_phase "$dir" gen "$ariadne" gen --out "$dir/chain" --blocks "$blocks" \
    --txs-per-block "$tpb" --seed "$seed" --no-truth
  run_phase "$dir" hash "$replay_tool" hash --blocks "$dir/chain/blocks"
  run_phase "$dir" index "$ariadne" index btc --blocks "$dir/chain/blocks" --db "$dir/db" \
    --network regtest
  run_phase "$dir" recluster "$ariadne" recluster --db "$dir/db"
  "$replay_tool" size --db "$dir/db" > "$dir/db_size.json"
  if [[ $compact -eq 1 ]]; then
    run_phase "$dir" compact "$replay_tool" compact --db "$dir/db"
  fi

  # The server in its own process (its own peak RSS), the load generator against it. The server
  # listens at once and answers health checks with NOT_SERVING until its engine is loaded; the
  # load generator waits for SERVING.
  printf '  %-10s %s\n' serve "$ariadne serve --db $dir/db --listen 127.0.0.1:0"
  serve_start="$(now)"
  /usr/bin/time -v -o "$dir/serve.time" "$ariadne" serve --db "$dir/db" \
    --listen "127.0.0.1:0" > "$dir/serve.out" 2> "$dir/serve.err" &
  time_pid=$!
  target=""
  for _ in $(seq 1 6000); do
    serve_pid="$(pgrep -P "$time_pid" || true)"
    target="$(sed -n 's/^listening on \([^ ]*\) .*/\1/p' "$dir/serve.out" 2> /dev/null | head -n 1)"
    if [[ -n "$target" && -n "$serve_pid" ]]; then break; fi
    if ! kill -0 "$time_pid" 2> /dev/null; then
      echo "ariadne serve exited; $dir/serve.err:" >&2
      tail -n 20 "$dir/serve.err" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$target" ]]; then
    echo "ariadne serve did not start listening; $dir/serve.err:" >&2
    tail -n 20 "$dir/serve.err" >&2
    exit 1
  fi
  printf 'command=%s\nstart=%s\nlistening=%s\n' "$ariadne serve --db $dir/db --listen 127.0.0.1:0" \
    "$serve_start" "$(now)" > "$dir/serve.phase"
  run_phase "$dir" load "$load_bench" --db "$dir/db" --server "$target" \
    --server-pid "$serve_pid" --concurrency "$concurrency" --duration "$duration" \
    --warmup "$warmup" --phases "$phases" --json "$dir/load.json"
  kill -TERM "$serve_pid"
  wait "$time_pid" || true
  printf 'end=%s\n' "$(now)" >> "$dir/serve.phase"
  serve_pid=""
  time_pid=""

  if [[ $keep -eq 0 ]]; then
    rm -rf "$dir/chain" "$dir/db"
  fi
done
printf 'end=%s\n' "$(now)" >> "$work/replay.settings"

report_args=(--work "$work" --out "$out")
[[ -n "$plot" ]] && report_args+=(--plot "$plot")
python3 "$here/report.py" "${report_args[@]}"
