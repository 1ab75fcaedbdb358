#!/usr/bin/env bash
# One large trace in each answer shape (issue 18 part 3), in one run: the full stream of edges
# (today's answer), the summary alone, and the edges aggregated per pair of nodes. Each shape is
# asked of a server of its own, started for it and stopped after it, so that the server's peak
# RSS (VmHWM) is that shape's. With --baseline BIN, the full stream is also asked of another
# `ariadne` binary (for example the commit before the shapes), on the same store in the same run.
#
#   bench/peers/trace_shapes.sh --db STORE --seed ADDRESS [--build build/release]
#       [--baseline /path/to/old/ariadne] [--taint poison] [--direction forward] [--hops 3]
#       [--repeat 10] [--work DIR]
#
# Prints one JSON line per shape (trace_shapes_bench's, plus server_peak_rss_mb and the load
# average) and a Markdown table; docs/performance.md has the figures.
set -euo pipefail

build=build/release
db="" seed="" baseline="" taint=poison direction=forward hops=3 repeat=10 work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --taint) taint=$2; shift 2 ;;
    --direction) direction=$2; shift 2 ;;
    --hops) hops=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$db" && -n "$seed" ]] || { echo "give --db STORE and --seed ADDRESS" >&2; exit 2; }
ariadne=$build/tools/ariadne
client=$build/bench/trace_shapes_bench
for b in "$ariadne" "$client" ${baseline:+"$baseline"}; do
  [[ -x "$b" ]] || { echo "missing $b (ninja -C $build ariadne trace_shapes_bench)" >&2; exit 2; }
done
work=${work:-$(mktemp -d)}
mkdir -p "$work"
serve_pid=""
stop() {
  if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2> /dev/null; then
    kill -TERM "$serve_pid" 2> /dev/null || true
    wait "$serve_pid" 2> /dev/null || true
  fi
  serve_pid=""
}
trap stop EXIT INT TERM

# run LABEL BINARY SHAPE: one server, warm-up and `repeat` requests, its peak RSS.
run() {
  local label=$1 bin=$2 shape=$3 sock="$work/shapes.sock"
  rm -f "$sock"
  "$bin" serve --db "$db" --listen "unix:$sock" > "$work/serve-$label.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 240); do
    "$bin" status --server "unix:$sock" > /dev/null 2>&1 && break
    kill -0 "$serve_pid" 2> /dev/null || { cat "$work/serve-$label.log" >&2; exit 1; }
    sleep 0.5
  done
  local load0 load1 line rss
  load0=$(cut -d' ' -f1 /proc/loadavg)
  line=$("$client" --server "unix:$sock" --seed "$seed" --shape "$shape" --taint "$taint" \
    --direction "$direction" --hops "$hops" --repeat "$repeat")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$serve_pid/status")
  stop
  echo "${line%\}}, \"label\": \"$label\", \"server_peak_rss_mb\": $rss, \"load\": \"$load0-$load1\"}" |
    tee -a "$work/shapes.jsonl"
}

: > "$work/shapes.jsonl"
echo "# $(date -u +%FT%TZ) $(nproc) cores; trace $direction $taint $hops hops from $seed" >&2
[[ -n "$baseline" ]] && run baseline_edges "$baseline" edges
run edges "$ariadne" edges
run summary "$ariadne" summary
run aggregated "$ariadne" aggregated

python3 - "$work/shapes.jsonl" << 'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
full = next(r for r in rows if r["label"] == "edges")
print("\n| answer | p50 ms | p99 ms | received | messages | events | server peak RSS | "
      "p50 ratio to the full stream |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    events = r["nodes"] + r["edges"] + r["flows"] + r["endpoints"] + 1
    print(f"| {r['label']} | {r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | "
          f"{r['bytes'] / 1e6:,.2f} MB | {r['messages']:,} | {events:,} | "
          f"{r['server_peak_rss_mb']:,} MB | {full['p50_ms'] / r['p50_ms']:,.1f}x |")
EOF
