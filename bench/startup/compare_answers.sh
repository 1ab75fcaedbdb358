#!/bin/bash
# Every engine answer of the cluster files build against the passes over everything
# (ARIADNE_CLUSTERS_FROM_ROWS=1) on one store: traces (by address and by cluster), clusters with
# their members, addresses, explanations, paths and exposure for a list of addresses. Prints one
# SHA-256 per mode; they must be equal.
#
# usage: bench/startup/compare_answers.sh ARIADNE_BINARY DB ADDRESSES_FILE [N]
set -euo pipefail
bin=$1 db=$2 list=$3 n=${4:-50}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

answers() {  # $1: rows|files; writes $out/$1.txt
  local mode=$1 env=() port=$((20000 + RANDOM % 20000))
  [ "$mode" = rows ] && env=(ARIADNE_CLUSTERS_FROM_ROWS=1)
  env "${env[@]}" "$bin" serve --db "$db" --listen 127.0.0.1:$port > "$out/serve-$mode.log" 2>&1 &
  local pid=$! s=(--server 127.0.0.1:$port)
  until "$bin" status "${s[@]}" > /dev/null 2>&1 && "$bin" cluster "$(head -1 "$list")" \
      "${s[@]}" > /dev/null 2>&1; do
    kill -0 $pid 2> /dev/null || { cat "$out/serve-$mode.log" >&2; exit 1; }
    sleep 0.05
  done
  local prev=""
  head -n "$n" "$list" | while read -r a; do
    for q in "trace $a --hops 3 --json" "trace $a --hops 2 --by cluster --json" \
        "cluster $a --json" "cluster $a --members --limit 40 --json" "address $a --json" \
        "exposure $a --hops 2 --json" ${prev:+"why $prev $a --json"} \
        ${prev:+"paths $prev $a --max-hops 3 --json"} ${prev:+"paths $prev $a --by cluster --max-hops 3 --json"}; do
      echo "## $q"
      "$bin" $q "${s[@]}" 2>&1 || true
    done
    local m; m=$("$bin" cluster "$a" --members --limit 40 "${s[@]}" 2> /dev/null | tail -1) || true
    if [ -n "$m" ]; then echo "## why $a $m"; "$bin" why "$a" "$m" --json "${s[@]}" 2>&1 || true; fi
    prev=$a
  done > "$out/$mode.txt"
  kill $pid; wait $pid 2> /dev/null || true
}
answers rows
answers files
for m in rows files; do
  echo "$m $(sha256sum < "$out/$m.txt" | cut -c1-16) $(wc -l < "$out/$m.txt") lines"
done
if ! cmp -s "$out/rows.txt" "$out/files.txt"; then
  diff "$out/rows.txt" "$out/files.txt" | head -20
  exit 1
fi
