#!/bin/bash
# Start-up of `ariadne serve` to its first engine answer (a 3-hop trace), and its anonymous RSS
# then, alternated in one run on one store between the modes in $MODES (default "rows graph
# files"): rows reads the graph from the rows and passes over everything (ARIADNE_GRAPH_FROM_ROWS=1
# ARIADNE_CLUSTERS_FROM_ROWS=1, the build before issue 14); graph maps the graph files but builds
# the address index and the clustering by passes over everything (ARIADNE_CLUSTERS_FROM_ROWS=1,
# issue 14's first part); files maps the cluster files too. The 3-hop trace answers must be
# identical.
#
# Also printed: the server's CPU seconds (user + system, /proc/PID/stat) when its log says the
# engine is loaded, and the load time it reports (the machine may be shared: CPU time is the
# figure that does not depend on the other jobs).
#
# usage: [MODES="graph files"] bench/startup/startup.sh ARIADNE_BINARY DB SEED_ADDRESS [ROUNDS]
#        [--cold]
#   --cold: drop the page cache before every start (needs root), else the store is warm.
set -euo pipefail
bin=$1 db=$2 seed=$3 rounds=${4:-3} cold=${5:-}
port=$((20000 + RANDOM % 20000))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }

cpu_seconds() {  # $1: pid; user + system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$1/stat
}

one() {  # $1: rows|graph|files; prints "mode seconds rss_anon_kib trace_sha cpu loaded"
  local mode=$1 env=(ARIADNE_BENCH_MODE=$1)
  [ "$mode" = rows ] && env=(ARIADNE_GRAPH_FROM_ROWS=1 ARIADNE_CLUSTERS_FROM_ROWS=1)
  [ "$mode" = graph ] && env=(ARIADNE_CLUSTERS_FROM_ROWS=1)
  if [ "$cold" = --cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
  local t0; t0=$(now)
  env "${env[@]}" "$bin" serve --db "$db" --listen 127.0.0.1:$port > "$out/serve.log" 2>&1 &
  local pid=$! cpu=-
  until grep -q '^serving ' "$out/serve.log" 2> /dev/null; do
    kill -0 $pid 2> /dev/null || { cat "$out/serve.log" >&2; exit 1; }
    sleep 0.01
  done
  cpu=$(cpu_seconds $pid)
  until "$bin" trace "$seed" --hops 3 --json --server 127.0.0.1:$port > "$out/trace.json" \
      2> /dev/null; do
    kill -0 $pid 2> /dev/null || { cat "$out/serve.log" >&2; exit 1; }
    sleep 0.02
  done
  local t1; t1=$(now)
  local rss; rss=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2> /dev/null || true
  printf '%s %.2f %s %s %s %s\n' "$mode" "$(echo "$t1 - $t0" | bc)" "$rss" \
      "$(sha256sum < "$out/trace.json" | cut -c1-16)" "$cpu" \
      "$(sed -n 's/.*loaded in \([0-9.]*\) s.*/\1/p' "$out/serve.log" | head -1)"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), db $db ($(du -sh "$db" | cut -f1))"
echo "# mode seconds_to_first_trace rss_anon_kib trace_sha256 cpu_s_at_loaded loaded_s"
for ((i = 0; i < rounds; ++i)); do for m in ${MODES:-rows graph files}; do one "$m"; done; done
