#!/bin/bash
# Refresh of a running `ariadne serve` after the indexer commits a new block (issue 14: at most
# 100 ms after one block of 1,000 transactions, RSS unchanged; issue 17: answered within 1 s of
# the commit). A copy of STORE (indexed from CHAIN_BLOCKS, with its cluster files) is served; then
# BLOCKS times: bench/next_blocks writes one more block of TXS transactions on top of the chain
# (spending what its last blocks left unspent), `ariadne index btc` commits it into the copy, and
# the server's "caught up with the indexer" line gives the refresh time it measured
# (Engine::Refresh) and, by its arrival, the commit -> answered latency (the server looks for
# commits every 0.25 s). Also printed: the server's CPU seconds spent and its RssAnon after each
# refresh, the indexer's wall time. MODE=graph serves with ARIADNE_CLUSTERS_FROM_ROWS=1 (the
# build before the cluster files: every refresh passes over everything) for a baseline.
#
# usage: [MODE=files|graph] bench/startup/refresh.sh ARIADNE NEXT_BLOCKS CHAIN_BLOCKS STORE WORK
#        [BLOCKS] [TXS]
set -euo pipefail
bin=$(realpath "$1") next=$(realpath "$2") chain=$(realpath "$3") store=$4 work=$5
blocks=${6:-3} txs=${7:-1000} mode=${MODE:-files}
port=$((20000 + RANDOM % 20000))
now() { date +%s.%N; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$1/stat; }
rss() { awk '/^RssAnon/ {print $2}' /proc/$1/status; }

rm -rf "$work"
mkdir -p "$work/blocks"
for f in "$chain"/blk*.dat; do ln -s "$f" "$work/blocks/"; done
cp -r "$store" "$work/db"
env=()
[ "$mode" = graph ] && env=(ARIADNE_CLUSTERS_FROM_ROWS=1)
env "${env[@]+"${env[@]}"}" "$bin" serve --db "$work/db" --listen 127.0.0.1:$port \
  --catch-up-interval 0.25 > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
until grep -q '^serving ' "$work/serve.log" 2> /dev/null; do
  kill -0 $pid 2> /dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.05
done
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), mode $mode, store $store"
echo "# $(grep '^serving ' "$work/serve.log")"
echo "# after start-up: cpu $(cpu_seconds $pid) s, RssAnon $(rss $pid) KiB"
echo "# block tip index_s refresh_s commit_to_answered_s server_cpu_s rss_anon_kib"
for ((k = 1; k <= blocks; ++k)); do
  "$next" --blocks "$work/blocks" --out "$work/blocks/blk$((90000 + k)).dat" --count 1 \
    --txs "$txs" > /dev/null
  cpu0=$(cpu_seconds $pid)
  t0=$(now)
  "$bin" index btc --blocks "$work/blocks" --db "$work/db" --network regtest > "$work/index.log" \
    2>&1
  t1=$(now)
  tip=$(sed -n 's/.*; tip \([0-9]*\) .*/\1/p' "$work/index.log" | tail -1)
  until grep -q "^caught up with the indexer: tip $tip," "$work/serve.log"; do
    kill -0 $pid 2> /dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.005
  done
  t2=$(now)
  refresh=$(grep "^caught up with the indexer: tip $tip," "$work/serve.log" |
    sed -n 's/.*refreshed in \([0-9.]*\) s.*/\1/p')
  printf '%d %s %.2f %s %.3f %.2f %s\n' "$k" "$tip" "$(echo "$t1 - $t0" | bc)" "$refresh" \
    "$(echo "$t2 - $t1" | bc)" "$(echo "$(cpu_seconds $pid) - $cpu0" | bc)" "$(rss $pid)"
done
