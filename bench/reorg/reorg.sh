#!/usr/bin/env bash
# Reorg cost (docs/performance.md, issue 13): for each depth, a copy of an indexed store (with the
# files beside it) is given a heavier branch replacing the chain's last DEPTH blocks
# (bench/fork_tool); the `ariadne index btc` run that reorgs it is timed under /usr/bin/time -v
# next to a run over the same files with no branch (depth 0: the same start-up, file scan and
# shutdown, nothing to do), and its store digest is compared with a fresh index of the chain and
# the branch. Clusters are kept up to date in every run (the default).
#
#   bench/reorg/reorg.sh --chain DIR --base DB --work DIR [--depths "1 6 100"] [--build DIR]
#                        [--memory-mb N] [--no-fresh] [--follow] [--append BLKFILE]
#
# Options:
#   --chain DIR      a generated chain (`ariadne gen`): DIR/blocks holds its blk files
#   --base DB        a store holding exactly that chain (indexed with clusters), left unchanged
#   --work DIR       copies of the store, branches, logs and results.tsv
#   --depths LIST    reorg depths ["1 6 100"]
#   --build DIR      build tree with tools/ariadne and bench/fork_tool [$ARIADNE_BUILD or build]
#   --memory-mb N    the indexer's budget [4096]
#   --no-fresh       skip the fresh indexes (and the digest comparison)
#   --follow         also time each reorg in a running `ariadne index btc --follow` (its open
#                    session loaded first): the branch's blk file is moved into a followed folder
#                    and the round that rewinds and applies it is timed (follow_s, its own "in S s")
#   --append BLKFILE also time a run that appends the blocks of BLKFILE (e.g. one block written by
#                    bench/next_blocks on top of the chain): a cron run's cost (row "append")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
chain="" base="" work="" depths="1 6 100" memory=4096 fresh=1 follow=0 append=""
build="${ARIADNE_BUILD:-$repo/build}"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --chain) chain="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --depths) depths="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --memory-mb) memory="$2"; shift 2 ;;
    --no-fresh) fresh=0; shift ;;
    --follow) follow=1; shift ;;
    --append) append="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "reorg.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$chain" && -n "$base" && -n "$work" ]] || usage
ariadne="$build/tools/ariadne"
fork_tool="$build/bench/fork_tool"
[[ -x "$ariadne" && -x "$fork_tool" ]] || { echo "reorg.sh: build $ariadne and $fork_tool" >&2; exit 1; }
mkdir -p "$work"

# Runs `ariadne index btc` on a store under /usr/bin/time -v; prints "wall_s peak_rss_kib cpu_s".
timed_index() {
  local db="$1" log="$2"
  shift 2
  /usr/bin/time -v "$ariadne" index btc --network regtest --memory-mb "$memory" --db "$db" \
    --blocks "$chain/blocks" "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
           for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$log")
  echo "$wall $rss $cpu"
}

digest() { "$ariadne" db digest --db "$1" | awk '/^digest/ {print $2}'; }

# Waits up to $3 seconds for a line matching the regex $2 in file $1; prints it.
wait_line() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if grep -m1 -E "$2" "$1"; then return 0; fi
    sleep 0.1
  done
  echo "reorg.sh: no line matching '$2' in $1 after $3 s" >&2
  return 1
}

# CPU time of process $1 so far, in clock ticks (user + system).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Times a reorg of depth $1 in a following indexer on a fresh copy of the base store; prints the
# round's own seconds (its "in S s"), the seconds from the branch's arrival to its commit line, and
# the follower's CPU seconds in between.
follow_reorg() {
  local depth="$1" dir="$work/follow-$1"
  rm -rf "$dir"
  mkdir -p "$dir/branch"
  cp -a "$base" "$dir/db"
  : >"$dir/branch/blk00000.dat"  # empty until the branch arrives
  "$ariadne" index btc --network regtest --memory-mb "$memory" --db "$dir/db" \
    --blocks "$chain/blocks" --blocks "$dir/branch" --follow --poll-ms 50 >"$dir/log" 2>&1 &
  local pid=$!
  wait_line "$dir/log" '^caught up at height' 900 >/dev/null || { kill $pid; cat "$dir/log" >&2; exit 1; }
  "$fork_tool" --blocks "$chain/blocks" --depth "$depth" --out "$dir/fork.tmp" >&2
  local t0 t1 line c0 c1
  c0=$(cpu_ticks $pid)
  t0=$(date +%s.%N)
  mv "$dir/fork.tmp" "$dir/branch/blk00000.dat"
  line=$(wait_line "$dir/log" ' rewound, in ' 900) || { kill $pid; cat "$dir/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  c1=$(cpu_ticks $pid)
  kill -TERM $pid
  wait $pid || { cat "$dir/log" >&2; exit 1; }
  local own
  own=$(echo "$line" | grep -o 'in [0-9.]* s' | tr -dc '0-9.')
  echo "$own $(echo "$t1 - $t0" | bc) $(echo "scale=2; ($c1 - $c0) / $(getconf CLK_TCK)" | bc)"
  rm -rf "$dir"
}

results="$work/results.tsv"
printf 'depth\twall_s\tcpu_s\tindex_s\tpeak_rss_kib\trewound\tdigest_equal\tfollow_round_s\tfollow_arrival_to_commit_s\tfollow_cpu_s\n' >"$results"
for depth in 0 ${append:+append} $depths; do
  step="$work/step-$depth"
  rm -rf "$step"
  cp -a "$base" "$step"
  extra=()
  if [[ "$depth" == append ]]; then
    extra=(--blocks "$append")
  elif [[ "$depth" != 0 ]]; then
    "$fork_tool" --blocks "$chain/blocks" --depth "$depth" --out "$work/fork-$depth.dat" >&2
    extra=(--blocks "$work/fork-$depth.dat")
  fi
  read -r wall rss cpu < <(timed_index "$step" "$work/step-$depth.log" "${extra[@]}")
  rewound=$(grep -o '[0-9,]* rewound' "$work/step-$depth.log" | head -1 | tr -d ', rewound')
  # The indexer's own time ("indexed ... in S s"): the run without process start and exit.
  index_s=$(grep -o ') in [0-9.]* s' "$work/step-$depth.log" | head -1 | tr -dc '0-9.')
  equal="-"
  if [[ "$depth" != 0 && "$depth" != append && "$fresh" == 1 ]]; then
    rm -rf "$work/fresh-$depth"
    timed_index "$work/fresh-$depth" "$work/fresh-$depth.log" "${extra[@]}" >/dev/null
    if [[ "$(digest "$step")" == "$(digest "$work/fresh-$depth")" ]]; then equal=yes; else equal=NO; fi
    rm -rf "$work/fresh-$depth"
  fi
  follow_s="-" arrival_s="-" follow_cpu="-"
  if [[ "$follow" == 1 && "$depth" != 0 && "$depth" != append ]]; then
    read -r follow_s arrival_s follow_cpu < <(follow_reorg "$depth")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$wall" "$cpu" "$index_s" "$rss" "${rewound:-0}" \
    "$equal" "$follow_s" "$arrival_s" "$follow_cpu" | tee -a "$results"
  rm -rf "$step"
done
