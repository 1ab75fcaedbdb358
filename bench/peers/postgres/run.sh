#!/usr/bin/env bash
# Ariadne side by side with PostgreSQL (issue 18, docs/performance.md "Against PostgreSQL"):
# generates a chain, indexes it, loads the same chain into a PostgreSQL 15 cluster of its own
# (load.sql: COPY from `ariadne decode --json`, then indexes and ANALYZE; queries.sql: the graph
# questions in SQL), serves the store, and asks both systems the same questions about the same
# seed addresses through their native clients (peers_postgres_bench): every answer must agree,
# then p50, p99, throughput and CPU per request with 1 and 8 clients, and the ratios.
#
#   bench/peers/postgres/run.sh --size 1M
#   bench/peers/postgres/run.sh --size 10M --work /data/peers
#   bench/peers/postgres/run.sh --chain DIR --db DIR      # a generated chain and its store
#
# Options (defaults in brackets):
#   --size N            transactions to generate: 1M, 10M, 250k [1M]
#   --seed N            generator seed [7]
#   --txs-per-block N   generator's transactions per block [1000]
#   --chain DIR         use this `ariadne gen` output (blocks/, truth/tags.csv): no generation
#   --db DIR            use this store of --chain (indexed, tags imported): no indexing
#   --work DIR          chain, store, logs and the PostgreSQL cluster [/tmp/ariadne-peers]
#   --build DIR         build tree with tools/ariadne, bench/peers_postgres_bench [build/release]
#   --seeds N           seed addresses [200]
#   --clients LIST      concurrent clients [1,8]
#   --duration S        measured seconds per question, clients and system (after one full pass
#                       over the seeds) [5]
#   --questions LIST    peers_postgres_bench --questions [all]
#   --check-only        check that the answers agree, do not measure
#   --json FILE         the report as JSON [WORK/peers.json]
#   --shared-buffers S  PostgreSQL's shared_buffers [2GB]
#   --keep              keep the work folder (the PostgreSQL cluster is stopped and removed anyway)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

size="1M"
seed=7
tpb=1000
chain=""
db=""
work="/tmp/ariadne-peers"
build="$repo/build/release"
seeds=200
clients="1,8"
duration=5
questions=""
check_only=0
json=""
shared_buffers="2GB"
keep=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --txs-per-block) tpb="$2"; shift 2 ;;
    --chain) chain="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --questions) questions="$2"; shift 2 ;;
    --check-only) check_only=1; shift ;;
    --json) json="$2"; shift 2 ;;
    --shared-buffers) shared_buffers="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

ariadne="$build/tools/ariadne"
driver="$build/bench/peers_postgres_bench"
for b in "$ariadne" "$driver"; do
  if [[ ! -x "$b" ]]; then
    echo "missing $b: build it first:" >&2
    echo "  cmake -S . -B build/release -G Ninja -DARIADNE_BUILD_BENCH=ON &&" \
      "ninja -C build/release ariadne peers_postgres_bench" >&2
    exit 1
  fi
done
if [[ -n "$db" && -z "$chain" ]]; then
  echo "--db needs the --chain it was indexed from (PostgreSQL loads the chain)" >&2
  exit 2
fi

# "1M" -> 1000000, "250k" -> 250000.
parse_size() {
  local s="${1,,}"
  case "$s" in
    *m) echo $(( ${s%m} * 1000000 )) ;;
    *k) echo $(( ${s%k} * 1000 )) ;;
    *) echo "$s" ;;
  esac
}

sudo_cmd=""
if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd="sudo"; fi

step "PostgreSQL 15 (Debian's postgresql package)"
pgbin="/usr/lib/postgresql/15/bin"
if [[ ! -x "$pgbin/initdb" ]] || ! command -v psql > /dev/null; then
  echo "installing postgresql (apt-get)"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postgresql > /dev/null
fi
"$pgbin/postgres" --version

mkdir -p "$work"
work="$(cd "$work" && pwd)"
[[ -n "$json" ]] || json="$work/peers.json"

# PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.
as_pg=()
if [[ "$(id -u)" -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
pgdata=""
pgsock=""
serve_pid=""
made=()  # the chain and store this run made (removed at the end unless --keep)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2> /dev/null; then
    echo "stopping ariadne serve (pid $serve_pid)"
    kill -TERM "$serve_pid" 2> /dev/null || true
    wait "$serve_pid" 2> /dev/null || true
  fi
  if [[ -n "$pgdata" && -f "$pgdata/postmaster.pid" ]]; then
    echo "stopping PostgreSQL ($pgdata)"
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop > /dev/null 2>&1 || true
  fi
  [[ -z "$pgdata" ]] || rm -rf "$(dirname "$pgdata")"
  [[ -z "$pgsock" ]] || rm -rf "$pgsock"
  if [[ $keep -eq 0 && ${#made[@]} -gt 0 ]]; then
    echo "removing ${made[*]} (--keep keeps them)"
    rm -rf "${made[@]}"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf 'machine: %s, %s cores, %s; load %s\n' \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(nproc)" \
  "$(grep MemTotal /proc/meminfo | xargs)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'commit: %s\n' "$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)"

if [[ -z "$chain" ]]; then
  n="$(parse_size "$size")"
  blocks=$(( (n + tpb - 1) / tpb ))
  chain="$work/chain"
  db="$work/db"
  rm -rf "$chain" "$db"
  made+=("$chain")
  step "generate: $n transactions ($blocks blocks of $tpb), seed $seed"
  t0="$(now)"
  "$ariadne" gen --out "$chain" --blocks "$blocks" --txs-per-block "$tpb" --seed "$seed" | tail -n 1
  echo "gen: $(elapsed "$t0")"
fi
if [[ -z "$db" ]]; then
  db="$work/db"
  rm -rf "$db"
fi
if [[ ! -d "$db" ]]; then
  made+=("$db")
  step "index: ariadne index btc, then the tags"
  t0="$(now)"
  "$ariadne" index btc --blocks "$chain/blocks" --db "$db" --network regtest 2>&1 | tail -n 2
  "$ariadne" tags import "$chain/truth/tags.csv" --db "$db" 2>&1 | tail -n 1
  echo "index and tags: $(elapsed "$t0")"
fi

step "PostgreSQL cluster of its own: initdb in a temporary folder, unix socket only"
pgroot="$(mktemp -d "$work/pg.XXXXXX")"
pgdata="$pgroot/data"
pgsock="$(mktemp -d /tmp/ariadne-pgsock.XXXXXX)"
if [[ ${#as_pg[@]} -gt 0 ]]; then chown postgres "$pgroot" "$pgsock"; fi
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C \
  > "$pgroot/initdb.log"
# A throwaway analysis database: no durability (fsync, WAL) during the load; memory for the
# sorts and index builds of the load and for the graph questions' hash joins; no JIT (its
# compile time dominates short queries).
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$pgroot/postgres.log" -w -o "\
  -c listen_addresses='' -c unix_socket_directories='$pgsock' \
  -c shared_buffers=$shared_buffers -c effective_cache_size=8GB -c work_mem=64MB \
  -c maintenance_work_mem=2GB -c temp_buffers=32MB -c random_page_cost=1.1 -c jit=off \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal \
  -c max_wal_senders=0 -c max_wal_size=16GB -c checkpoint_timeout=1h" start > /dev/null
echo "listening on $pgsock (no TCP); data in $pgdata"
psql_base=(psql -X -q -v ON_ERROR_STOP=1 -h "$pgsock" -U postgres)
"${psql_base[@]}" -d postgres -c "CREATE DATABASE ariadne"
psql_db=("${psql_base[@]}" -d ariadne)

step "load PostgreSQL: COPY from ariadne decode --json, then tables, indexes, ANALYZE"
t0="$(now)"
"${psql_db[@]}" -c "CREATE UNLOGGED TABLE raw_block (seq bigserial, j jsonb)" \
  -c "ALTER TABLE raw_block ALTER j SET STORAGE EXTERNAL" \
  -c "CREATE UNLOGGED TABLE label_stage (address text, label text, category text, source text)"
"$ariadne" decode --json "$chain/blocks" | "${psql_db[@]}" -c "COPY raw_block (j) FROM STDIN"
"${psql_db[@]}" -c "\\copy label_stage FROM '$chain/truth/tags.csv' CSV HEADER"
echo "decode | COPY: $(elapsed "$t0")"
t1="$(now)"
"${psql_db[@]}" -f "$here/load.sql" > "$work/load.log"
"${psql_db[@]}" -f "$here/queries.sql"
echo "tables and indexes: $(elapsed "$t1"); load in all: $(elapsed "$t0")"
"${psql_db[@]}" -At -F ' ' -c "SELECT 'postgres:', (SELECT count(*) FROM tx), 'transactions,',
  (SELECT count(*) FROM address), 'addresses,', (SELECT count(*) FROM tx WHERE coinjoin),
  'CoinJoins,', pg_size_pretty(pg_database_size('ariadne')), 'on disk'"
echo "ariadne store: $(du -sh "$db" | cut -f1) on disk"

step "serve: ariadne serve on a unix socket"
asock="$pgsock/ariadne.sock"
"$ariadne" serve --db "$db" --listen "unix:$asock" > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do
  "$ariadne" status --server "unix:$asock" > /dev/null 2>&1 && break
  kill -0 "$serve_pid" 2> /dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
grep -m1 serving "$work/serve.log" || true

step "ask both: check every answer, then measure"
args=(--pg "host=$pgsock user=postgres dbname=ariadne" --server "unix:$asock"
      --server-pid "$serve_pid" --seeds "$seeds" --clients "$clients" --duration "$duration"
      --json "$json")
[[ -z "$questions" ]] || args+=(--questions "$questions")
[[ $check_only -eq 0 ]] || args+=(--check-only)
echo "$driver ${args[*]}"
"$driver" "${args[@]}"
echo "report: $json; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
