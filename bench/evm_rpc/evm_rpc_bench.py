#!/usr/bin/env python3
"""Benchmark of `ariadne index evm --rpc` against a local anvil node (issue 17's target: at least
5,000 transactions per second with receipts and call traces, the node on the same machine).

For each size: starts anvil (chain id 1, no automatic mining), deploys an ERC-20 and a forwarding
contract (tests/evm_rpc), fills BLOCKS blocks of TXS transactions each (a third ether transfers to
fresh addresses, a third token transfers, a third forwarder calls that move ether internally),
sent as JSON-RPC batches and mined with evm_mine. Then measures, on the same node:

  node     the node's own cost: the requests the indexer makes (per block eth_getBlockByNumber
           with transactions, eth_getBlockReceipts, trace_block (anvil answers
           geth's callTracer hundreds of times slower),
           batched BATCH blocks per round trip) replayed by a plain keep-alive client that reads
           and discards the answers
  ariadne  `ariadne index evm --rpc URL --db DIR` (clusters kept, verification on), wall time and
           peak RSS (GNU time), and the time it reports waiting for the node
  own      the indexer without the node: the node's answers saved by the replay, indexed with
           `ariadne index evm --source DUMP` (the same reader, verification, indexer and
           clustering)

and prints tx/s for both and their ratio. Usage:
  bench/evm_rpc/evm_rpc_bench.py --ariadne build/test/tools/ariadne \
      --modules build/test/tests/evm_rpc/npm/node_modules [--sizes 20x500,40x1000] [--json OUT]
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "..", "tests", "evm_rpc")
sys.path.insert(0, TESTS)
import evm_rpc_test as t  # noqa: E402  (the test's anvil driver and contracts)


class Conn:
    """A keep-alive JSON-RPC client that reads answers and (optionally) decodes them."""

    def __init__(self, url):
        host, port = url[len("http://"):].split(":")
        self.c = http.client.HTTPConnection(host, int(port), timeout=600)

    def post(self, payload):
        body = json.dumps(payload) if not isinstance(payload, (bytes, str)) else payload
        self.c.request("POST", "/", body, {"content-type": "application/json"})
        return self.c.getresponse().read()

    def call(self, method, params=()):
        return json.loads(self.post({"jsonrpc": "2.0", "id": 1, "method": method,
                                     "params": list(params)}))


def fill(node, contracts, accounts, blocks, txs, seed):
    rng = random.Random(seed)
    c = Conn(node.url)
    senders = accounts
    token = contracts.deploy_mined(c, "Token", 10**30)
    forwarder = contracts.deploy_mined(c, "Forwarder")
    # Every sender holds tokens.
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction",
              "params": [{"from": accounts[0], "to": token, "data": contracts.call_data(
                  "Token", "transfer(address,uint256)", a, 10**24)}]}
             for i, a in enumerate(accounts[1:])]
    for k, req in enumerate(batch):
        req["params"][0]["nonce"] = hex(2 + k)
    c.post(batch)
    c.call("evm_mine")
    fresh = lambda: "0x" + "%040x" % rng.getrandbits(160)
    # Nonces given explicitly: anvil answers a batch's requests concurrently.
    nonce = {s: int(c.call("eth_getTransactionCount", [s, "pending"])["result"], 16)
             for s in senders}
    for b in range(blocks):
        batch = []
        for i in range(txs):
            sender = senders[i % len(senders)]
            kind = i % 3
            if kind == 0:
                tx = {"from": sender, "to": fresh(), "value": hex(rng.randrange(1, 10**15))}
            elif kind == 1:
                tx = {"from": sender, "to": token, "data": contracts.call_data(
                    "Token", "transfer(address,uint256)", fresh(), rng.randrange(1, 10**18))}
            else:
                tx = {"from": sender, "to": forwarder, "value": hex(rng.randrange(1, 10**15)),
                      "data": contracts.call_data("Forwarder", "forward(address)", fresh())}
            tx["nonce"] = hex(nonce[sender])
            tx["gas"] = hex(21000 if kind == 0 else 120000)
            nonce[sender] += 1
            batch.append({"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction",
                          "params": [tx]})
        for k in range(0, len(batch), 500):
            answers = json.loads(c.post(batch[k:k + 500]))
            bad = [a for a in answers if "error" in a]
            assert not bad, bad[:2]
        c.call("evm_mine")
        n = int(c.call("eth_getBlockByNumber", ["latest", False])["result"]["transactions"]
                .__len__())
        assert n == txs, f"block {b}: {n} transactions mined of {txs} (raise --gas-limit)"
    return int(c.call("eth_blockNumber")["result"], 16)


def node_cost(url, head, batch_blocks, save=None):
    """Seconds the node takes to answer the indexer's requests (answers read, not decoded); each
    batch's answer is saved afterwards into `save` as a JSON-RPC dump, when given."""
    c = Conn(url)
    start = time.perf_counter()
    received = 0
    answers = []
    for first in range(0, head + 1, batch_blocks):
        reqs = []
        for b in range(first, min(head, first + batch_blocks - 1) + 1):
            n = hex(b)
            reqs += [{"jsonrpc": "2.0", "id": 3 * b, "method": "eth_getBlockByNumber",
                      "params": [n, True]},
                     {"jsonrpc": "2.0", "id": 3 * b + 1, "method": "eth_getBlockReceipts",
                      "params": [n]},
                     {"jsonrpc": "2.0", "id": 3 * b + 2, "method": "trace_block",
                      "params": [n]}]
        answer = c.post(json.dumps(reqs))
        received += len(answer)
        answers.append(answer)
    seconds = time.perf_counter() - start
    if save:
        os.makedirs(save, exist_ok=True)
        for i, answer in enumerate(answers):
            with open(os.path.join(save, "batch_%05d.json" % i), "wb") as f:
                f.write(answer)
    return seconds, received


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ariadne", required=True)
    p.add_argument("--modules", required=True)
    p.add_argument("--node", default=shutil.which("node") or "")
    p.add_argument("--sizes", default="20x500,40x1000")
    p.add_argument("--batch-blocks", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--work", default="")
    p.add_argument("--json", default="")
    a = p.parse_args()
    a.modules = os.path.abspath(a.modules)
    anvil_bin = os.path.join(a.modules, "@foundry-rs", "anvil-linux-amd64", "bin", "anvil")
    compiled = json.loads(t.run([a.node, os.path.join(TESTS, "compile.js"), a.modules,
                                 os.path.join(TESTS, "Token.sol"),
                                 os.path.join(TESTS, "Forwarder.sol")]).stdout)
    contracts = t.Contracts(compiled)

    def deploy_mined(c, name, *args):
        h = c.call("eth_sendTransaction", [{"from": accounts[0], "data": compiled[name]["bytecode"]
                                            + "".join(map(t.word, args))}])["result"]
        c.call("evm_mine")
        return c.call("eth_getTransactionReceipt", [h])["result"]["contractAddress"]
    contracts.deploy_mined = deploy_mined

    work = a.work or tempfile.mkdtemp(prefix="evm_rpc_bench_")
    os.makedirs(work, exist_ok=True)
    results = []
    for size in a.sizes.split(","):
        blocks, txs = map(int, size.split("x"))
        node = t.Anvil(anvil_bin, ["--no-mining", "--accounts", "50", "--gas-limit", "1000000000",
                                   "--balance", "1000000000"])
        try:
            accounts = node_accounts = t.rpc(node.url, "eth_accounts")
            start = time.perf_counter()
            head = fill(node, contracts, node_accounts, blocks, txs, a.seed)
            fill_s = time.perf_counter() - start
            total = blocks * txs + len(accounts) + 1
            dump = os.path.join(work, f"dump-{size}")
            shutil.rmtree(dump, ignore_errors=True)
            node_s, node_bytes = node_cost(node.url, head, a.batch_blocks, dump)
            # The indexer's own cost: the same answers, saved, indexed as a dump (same reader,
            # same verification, same indexer and clustering; no node).
            own_db = os.path.join(work, f"own-{size}")
            shutil.rmtree(own_db, ignore_errors=True)
            r = t.run(["/usr/bin/time", "-v", a.ariadne, "index", "evm", "--source", dump,
                       "--db", own_db])
            own_s = float(re.search(r"in ([\d.]+) s \(", r.stdout)[1])
            own_rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)[1])
            db = os.path.join(work, f"db-{size}")
            shutil.rmtree(db, ignore_errors=True)
            r = t.run(["/usr/bin/time", "-v", a.ariadne, "index", "evm", "--rpc", node.url,
                       "--db", db, "--batch-blocks", str(a.batch_blocks)])
            rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)[1])
            wall = float(re.search(r"in ([\d.]+) s \(", r.stdout)[1])
            waiting = float(re.search(r"([\d.]+) s waiting for the node", r.stdout)[1])
            m = re.search(r": ([\d,]+) txs,", r.stdout)
            indexed = int(m[1].replace(",", ""))
            row = {"blocks": blocks, "txs_per_block": txs, "txs": indexed, "fill_s": fill_s,
                   "node_s": node_s, "node_mb": node_bytes / 1e6, "ariadne_s": wall,
                   "ariadne_waiting_s": waiting, "ariadne_peak_rss_mb": rss_kb / 1024,
                   "node_tx_per_s": indexed / node_s, "ariadne_tx_per_s": indexed / wall,
                   "ariadne_over_node": wall / node_s, "own_s": own_s,
                   "own_tx_per_s": indexed / own_s, "own_peak_rss_mb": own_rss / 1024}
            results.append(row)
            print(f"{blocks} blocks x {txs} tx ({indexed} txs, {node_bytes / 1e6:.1f} MB "
                  f"answered): node alone {node_s:.2f} s ({indexed / node_s:,.0f} tx/s); "
                  f"ariadne {wall:.2f} s ({indexed / wall:,.0f} tx/s, {waiting:.2f} s of it "
                  f"waiting for the node), peak RSS {rss_kb / 1024:.0f} MB; "
                  f"ariadne/node time {wall / node_s:.2f}; the same answers from a dump: "
                  f"{own_s:.2f} s ({indexed / own_s:,.0f} tx/s), peak RSS {own_rss / 1024:.0f} MB",
                  flush=True)
        finally:
            node.stop()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
