#!/usr/bin/env bash
# Reorg cost (docs/performance.md, issue 13): for each depth, a copy of an indexed store (with the
# files beside it) is given a heavier branch replacing the chain's last DEPTH blocks
# (bench/fork_tool); the `ariadne index btc` run that reorgs it is timed under /usr/bin/time -v
# next to a run over the same files with no branch (depth 0: the same start-up, file scan and
# shutdown, nothing to do), and its store digest is compared with a fresh index of the chain and
# the branch. Clusters are kept up to date in every run (the default).
#
#   bench/reorg/reorg.sh --chain DIR --base DB --work DIR [--depths "1 6 100"] [--build DIR]
#                        [--memory-mb N] [--no-fresh]
#
# Options:
#   --chain DIR      a generated chain (`ariadne gen`): DIR/blocks holds its blk files
#   --base DB        a store holding exactly that chain (indexed with clusters), left unchanged
#   --work DIR       copies of the store, branches, logs and results.tsv
#   --depths LIST    reorg depths ["1 6 100"]
#   --build DIR      build tree with tools/ariadne and bench/fork_tool [$ARIADNE_BUILD or build]
#   --memory-mb N    the indexer's budget [4096]
#   --no-fresh       skip the fresh indexes (and the digest comparison)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
chain="" base="" work="" depths="1 6 100" memory=4096 fresh=1
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
    -h|--help) usage 0 ;;
    *) echo "reorg.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$chain" && -n "$base" && -n "$work" ]] || usage
ariadne="$build/tools/ariadne"
fork_tool="$build/bench/fork_tool"
[[ -x "$ariadne" && -x "$fork_tool" ]] || { echo "reorg.sh: build $ariadne and $fork_tool" >&2; exit 1; }
mkdir -p "$work"

# Runs `ariadne index btc` on a store under /usr/bin/time -v; prints "wall_s peak_rss_kib".
timed_index() {
  local db="$1" log="$2"
  shift 2
  /usr/bin/time -v "$ariadne" index btc --network regtest --memory-mb "$memory" --db "$db" \
    --blocks "$chain/blocks" "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
           for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$wall $rss"
}

digest() { "$ariadne" db digest --db "$1" | awk '/^digest/ {print $2}'; }

results="$work/results.tsv"
printf 'depth\twall_s\tindex_s\tpeak_rss_kib\trewound\tdigest_equal\n' >"$results"
for depth in 0 $depths; do
  step="$work/step-$depth"
  rm -rf "$step"
  cp -a "$base" "$step"
  extra=()
  if [[ "$depth" != 0 ]]; then
    "$fork_tool" --blocks "$chain/blocks" --depth "$depth" --out "$work/fork-$depth.dat" >&2
    extra=(--blocks "$work/fork-$depth.dat")
  fi
  read -r wall rss < <(timed_index "$step" "$work/step-$depth.log" "${extra[@]}")
  rewound=$(grep -o '[0-9,]* rewound' "$work/step-$depth.log" | head -1 | tr -d ', rewound')
  # The indexer's own time ("indexed ... in S s"): the run without process start and exit.
  index_s=$(grep -o ') in [0-9.]* s' "$work/step-$depth.log" | head -1 | tr -dc '0-9.')
  equal="-"
  if [[ "$depth" != 0 && "$fresh" == 1 ]]; then
    rm -rf "$work/fresh-$depth"
    timed_index "$work/fresh-$depth" "$work/fresh-$depth.log" "${extra[@]}" >/dev/null
    if [[ "$(digest "$step")" == "$(digest "$work/fresh-$depth")" ]]; then equal=yes; else equal=NO; fi
    rm -rf "$work/fresh-$depth"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$wall" "$index_s" "$rss" "${rewound:-0}" "$equal" | tee -a "$results"
  rm -rf "$step"
done
