#!/usr/bin/env bash
# Sets everything up and runs the main job end to end:
#   installs Debian packages, builds Ariadne (build/release), generates a synthetic chain with a
#   trafficking case in it, indexes it (with wallet clusters), imports public tags, starts the
#   server, and works the case the way an analyst would: who is this address, which wallet, where
#   did the money go, to whom was it exposed, and why two addresses are the same wallet.
#
# Environment: ARIADNE_DEMO_DIR (default build/demo), PORT (default 50151), BLOCKS and
# TXS_PER_BLOCK (chain size, default 400 x 100), JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
JOBS=${JOBS:-$(nproc)}
echo "== building ariadne (build/release; a first build takes a few minutes, later ones seconds)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DARIADNE_BUILD_TESTS=OFF \
  -DARIADNE_BUILD_BENCH=OFF >/dev/null
ninja -C build/release -j "$JOBS" ariadne | tail -1
A="$PWD/build/release/tools/ariadne"
WORK=${ARIADNE_DEMO_DIR:-build/demo}
PORT=${PORT:-50151}
SERVER="127.0.0.1:$PORT"
HTTP="127.0.0.1:${HTTP_PORT:-8151}"
rm -rf "$WORK"
mkdir -p "$WORK"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ ariadne %s\n' "$*"; "$A" "$@"; }

step "1. Generate a synthetic regtest chain with ground truth (a trafficking case is in it)"
run gen --out "$WORK/chain" --blocks "${BLOCKS:-400}" --txs-per-block "${TXS_PER_BLOCK:-100}" \
  --seed 2024

step "2. Index it (RocksDB store, wallet clusters kept up to date)"
run index btc --blocks "$WORK/chain/blocks" --db "$WORK/db" --network regtest
run db check --db "$WORK/db"

step "3. Import attributions (simulated public tags of exchanges, mixers, markets, ...)"
run tags import "$WORK/chain/truth/tags.csv" --db "$WORK/db"

step "4. Start the server: gRPC, and the web workspace with its JSON API"
"$A" serve --db "$WORK/db" --listen "$SERVER" --http "$HTTP" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  "$A" status --server "$SERVER" >/dev/null 2>&1 && break
  sleep 0.2
done
cat "$WORK/serve.log"
run status --server "$SERVER"
echo "+ curl http://$HTTP/api/v1/status"
curl -sf "http://$HTTP/api/v1/status" && echo

# The case: victims report paying to one address (the scenario's published collector address).
TRUTH="$WORK/chain/truth/scenarios.csv"
SEED=$(awk -F, '$3=="seed"{print $4; exit}' "$TRUTH")
SWEEP=$(awk -F, '$3=="consolidation"{print $4; exit}' "$TRUTH")
LAST_PEEL=$(awk -F, '$3=="peel"{p=$4} END{print p}' "$TRUTH")
CASHOUT=$(awk -F, '$3=="cashout"{print $4; exit}' "$TRUTH")

step "5. The case: victims paid to $SEED. Who is this address?"
run address "$SEED" --server "$SERVER"
run history "$SEED" --limit 5 --server "$SERVER"

step "6. Which wallet (cluster) does it belong to? The collector was swept to $SWEEP"
run cluster "$SEED" --server "$SERVER"
run cluster "$SWEEP" --server "$SERVER"
echo "Is the sweep address in the same wallet as the end of the peel chain? The engine shows the"
echo "evidence chain that links them, or says that no evidence does (then they stay apart):"
run why "$SWEEP" "$LAST_PEEL" --server "$SERVER" || true

WALLET="cluster:$("$A" cluster "$SEED" --json --server "$SERVER" | sed 's/.*"cluster_id":\([0-9]*\).*/\1/')"
step "7. Where did the money go? Everything the wallet $WALLET received, traced forward"
echo "(haircut taint, wallets as nodes, stopping at exchanges and mixers; CoinJoins end a trace)"
TRACE=(trace "$WALLET" --direction forward --hops 40 --taint haircut --by cluster
  --stop-at exchange,mixer --server "$SERVER")
run "${TRACE[@]}"
"$A" "${TRACE[@]}" --svg >"$WORK/trace.svg"
"$A" "${TRACE[@]}" --json >"$WORK/trace.json"
echo "(graph: $WORK/trace.svg, data: $WORK/trace.json)"

step "8. Exposure of the perpetrator's wallet to labelled entities"
run exposure "$SEED" --by cluster --hops 3 --server "$SERVER"

step "9. How did value get from the collector to an exchange deposit address?"
run paths "$SEED" "$CASHOUT" --max-hops 8 --max-paths 1 --server "$SERVER"

step "10. Batch-trace the case file (addresses from the victims' reports)"
{
  echo "address,note"
  echo "$SEED,collector address given to victims"
  echo "$CASHOUT,exchange deposit address seen in the trace"
  echo "1NotAnAddressFromTheCaseFile,typo in the report"
} >"$WORK/case.csv"
run batch "$WORK/case.csv" --out "$WORK/case-report" --server "$SERVER"

# The same case for the web workspace: load it there ("Load case") to see it drawn.
printf '{"id": "DEMO-1", "title": "Collector address reported by victims", "seeds": ["%s", "%s"]}\n' \
  "$SEED" "$CASHOUT" >"$WORK/case.json"
echo "case file for the workspace: $WORK/case.json"

step "11. The court report of the case: narrative, picture, every hop, why chains, what to re-check"
run report "$WORK/case.json" --out "$WORK/court-report" --db "$WORK/db" --server "$SERVER"

step "Done. The server is stopped; the store stays in $WORK/db."
echo "Open the workspace: $A serve --db $WORK/db --http $HTTP, then http://$HTTP/ in a browser"
echo "  (Load case: $WORK/case.json)."
echo "Ground truth of the case: $WORK/chain/truth/scenarios.csv (kind trafficking_proceeds)."
