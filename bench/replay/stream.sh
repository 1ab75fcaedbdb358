#!/usr/bin/env bash
# Streaming replay (docs/performance.md, "The streaming replay"): one chain of the largest size is
# generated in chunks (`ariadne gen --chunks` stops at each chunk's end and waits), each chunk is
# indexed by its own `ariadne index btc` run (clusters kept up to date) and its blk files are then
# deleted, as a pruned node deletes the files of blocks it has validated, so the disk holds only
# the store. Every run is under /usr/bin/time -v (wall, CPU, peak RSS); after each chunk the store's
# size is recorded. The sizes are chunk ends, so the cost of the chunk that ends at a size is the
# cost per transaction at that size. Run through `bench/replay/replay.sh --stream`.
#
#   bench/replay/replay.sh --stream --sizes 1M,10M,50M,100M --chunk 2.5M --cache-ratio 30
#
# Options (defaults in brackets):
#   --sizes LIST        chunk ends that are reported, e.g. 1M,10M [1M,10M,50M,100M]; the largest
#                       is the chain's length
#   --chunk N           transactions per chunk between the sizes [2.5M]
#   --memory-mb N       the indexer's budget (`ariadne index --memory-mb`) [4096]
#   --cache-ratio R     hold the address cache to 1/R of the addresses the chain will have at the
#                       chunk's end (`--cache-addresses`); 0: the budget decides [0]
#   --build DIR         build tree with tools/ariadne and bench/replay_tool [$ARIADNE_BUILD or build]
#   --work DIR          chain, store and per-chunk logs [/tmp/ariadne-stream]
#   --out FILE          the JSON report [WORK/stream.json]
#   --plot FILE.svg     also draw cost, peak RSS and store size per transaction against size [none]
#   --markdown FILE     also write the report's tables as Markdown [none]
#   --txs-per-block N   generator's transactions per block [1000]
#   --seed N            generator's seed [42]
#   --compact           compact the final store and record its size [off]
#   --keep              keep the store at the end (deleted otherwise)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

sizes="1M,10M,50M,100M"
chunk="2.5M"
memory=4096
ratio=0
build="${ARIADNE_BUILD:-$repo/build}"
work="/tmp/ariadne-stream"
out=""
plot=""
markdown=""
tpb=1000
seed=42
compact=0
keep=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --stream) shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --chunk) chunk="$2"; shift 2 ;;
    --memory-mb) memory="$2"; shift 2 ;;
    --cache-ratio) ratio="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --plot) plot="$2"; shift 2 ;;
    --markdown) markdown="$2"; shift 2 ;;
    --txs-per-block) tpb="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --compact) compact=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done

build="$(cd "$build" && pwd)"
ariadne="$build/tools/ariadne"
replay_tool="$build/bench/replay_tool"
for b in "$ariadne" "$replay_tool"; do
  if [[ ! -x "$b" ]]; then
    echo "missing $b: build it first (ninja -C $build ariadne replay_tool)" >&2
    exit 1
  fi
done
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (Debian package: time)" >&2; exit 1; }

# shellcheck source=common.sh
source "$here/common.sh"

rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ -n "$out" ]] || out="$work/stream.json"

# Chunk ends: every `chunk` transactions, and every size.
step="$(parse_size "$chunk")"
ends=()
IFS=',' read -r -a size_list <<< "$sizes"
declare -A label_of
total=0
for label in "${size_list[@]}"; do
  n="$(parse_size "$label")"
  label_of[$n]="$label"
  (( n > total )) && total=$n
done
for (( e = step; e < total; e += step )); do ends+=("$e"); done
for n in "${!label_of[@]}"; do ends+=("$n"); done
mapfile -t ends < <(printf '%s\n' "${ends[@]}" | sort -n | uniq)
blocks=$(( (total + tpb - 1) / tpb ))

printf 'stream replay: %s transactions in %s blocks, chunk ends %s, work %s\n' "$total" "$blocks" \
  "$(printf '%s ' "${ends[@]}")" "$work"
{
  printf 'mode=stream\nsizes=%s\nchunk=%s\nmemory_mb=%s\ncache_ratio=%s\n' "$sizes" "$step" \
    "$memory" "$ratio"
  printf 'txs_per_block=%s\nseed=%s\nblocks=%s\nbuild=%s\nstart=%s\n' "$tpb" "$seed" "$blocks" \
    "$build" "$(now)"
  printf 'git_commit=%s\n' "$(git -C "$repo" rev-parse HEAD 2> /dev/null || echo unknown)"
  printf 'git_dirty=%s\n' "$(git -C "$repo" status --porcelain 2> /dev/null | wc -l)"
  printf 'machine=%s, %s cores, %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "$(nproc)" "$(grep MemTotal /proc/meminfo | xargs)"
} > "$work/stream.settings"

gen_pid=""
cleanup() {
  if [[ -n "$gen_pid" ]] && kill -0 "$gen_pid" 2> /dev/null; then kill -TERM "$gen_pid" || true; fi
}
trap cleanup EXIT

# The generator, paused at each chunk end: it reads the next end on stdin and prints
# `chunk HEIGHT TXS BYTES` when it gets there.
coproc GEN { exec /usr/bin/time -v -o "$work/gen.time" "$ariadne" gen --out "$work/chain" \
  --blocks "$blocks" --txs-per-block "$tpb" --seed "$seed" --no-truth --chunks 2> "$work/gen.err"; }
gen_pid=$GEN_PID
addr_per_tx=2.0
prev_txs=0
k=0
for end in "${ends[@]}" 0; do
  [[ $end -eq 0 ]] && break
  k=$(( k + 1 ))
  d="$work/$(printf 'chunk-%03d' "$k")"
  mkdir -p "$d"
  gen_start="$(now)"
  # The last chunk runs to the chain's last block (its length is set in blocks).
  if [[ $end -ge $total ]]; then echo 0 >&"${GEN[1]}"; else echo "$end" >&"${GEN[1]}"; fi
  if ! read -r word height txs bytes <&"${GEN[0]}" || [[ "$word" != chunk ]]; then
    # The chain's last block: the generator runs to the end and exits.
    wait "$gen_pid" || { echo "ariadne gen failed; $work/gen.err:" >&2; tail -n 20 "$work/gen.err" >&2; exit 1; }
    gen_pid=""
    height="$blocks"
    txs="$end"
    last=1
  else
    last=0
  fi
  gen_end="$(now)"
  args=(index btc --blocks "$work/chain/blocks" --db "$work/db" --network regtest
        --memory-mb "$memory")
  if [[ "$ratio" != 0 ]]; then
    cache=$(python3 -c "print(max(1000, int($end * $addr_per_tx / $ratio)))")
    args+=(--cache-addresses "$cache")
  fi
  blk_bytes=$(find "$work/chain/blocks" -name 'blk*.dat' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  "$replay_tool" hash --blocks "$work/chain/blocks" > "$d/hash.out"
  printf 'chunk=%s\nend_target=%s\nheight=%s\ngen_start=%s\ngen_end=%s\nblk_bytes=%s\n' "$k" \
    "$end" "$height" "$gen_start" "$gen_end" "$blk_bytes" > "$d/chunk.info"
  [[ -n "${label_of[$end]:-}" ]] && printf 'label=%s\n' "${label_of[$end]}" >> "$d/chunk.info"
  start="$(now)"
  load0="$(loadavg)"
  printf '  chunk %3d: to %s txs: %s\n' "$k" "$end" "ariadne ${args[*]}"
  rc=0
  /usr/bin/time -v -o "$d/index.time" "$ariadne" "${args[@]}" > "$d/index.out" 2> "$d/index.err" \
    || rc=$?
  printf 'index_start=%s\nindex_end=%s\nexit=%s\nloadavg_before=%s\nloadavg_after=%s\n' "$start" \
    "$(now)" "$rc" "$load0" "$(loadavg)" >> "$d/chunk.info"
  if [[ $rc -ne 0 ]]; then
    echo "chunk $k: ariadne index failed (exit $rc); $d/index.err:" >&2
    tail -n 20 "$d/index.err" >&2
    exit 1
  fi
  "$replay_tool" size --db "$work/db" > "$d/db_size.json"
  addr_per_tx=$(python3 -c "import json; s=json.load(open('$d/db_size.json')); print(s['addresses'] / max(1, s['txs']))")
  # Pruning: the chunk's blk files are indexed; the generator starts a new file for the next one.
  rm -f "$work"/chain/blocks/blk*.dat
  [[ $last -eq 1 ]] && break
done
if [[ -n "$gen_pid" ]]; then
  echo "the generator did not finish with the last chunk" >&2
  exit 1
fi
if [[ $compact -eq 1 ]]; then
  /usr/bin/time -v -o "$work/compact.time" "$replay_tool" compact --db "$work/db" \
    > "$work/compact.out" 2> "$work/compact.err"
fi
printf 'end=%s\n' "$(now)" >> "$work/stream.settings"
[[ $keep -eq 1 ]] || rm -rf "$work/db" "$work/chain"

report_args=(--stream "$work" --out "$out")
[[ -n "$plot" ]] && report_args+=(--plot "$plot")
[[ -n "$markdown" ]] && report_args+=(--markdown "$markdown")
python3 "$here/report.py" "${report_args[@]}"
