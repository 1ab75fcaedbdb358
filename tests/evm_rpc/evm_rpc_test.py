#!/usr/bin/env python3
"""`ariadne index evm --rpc` against a real EVM node: anvil (Foundry's node, from npm), started by
the test on a free port with chain id 1, with an ERC-20 and a forwarding contract compiled by solcjs
(both pinned in package-lock.json and installed into the build tree).

Proves: the blocks, the ERC-20 Transfer logs and the ETH moved internally by a contract call are
indexed and answered by `serve`; a second run adds nothing; a depth-3 reorg is rewound and the store
ends with the digest of a fresh index of the final chain; --follow indexes blocks mined while it
runs and SIGTERM ends it cleanly at a commit; a node that is not listening is a clear error naming
the URL; a node that disappears mid-run is an error that leaves a store a new run resumes exactly.
Without node, anvil or solc the test reports itself skipped (exit 77).
"""
import argparse
import http.server
import json
import re
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ACCOUNTS = []  # anvil's prefunded accounts (unlocked)
ETHER = 10**18


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(url, method, params=()):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    req = urllib.request.Request(url, body.encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        answer = json.loads(r.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


class Anvil:
    def __init__(self, binary, extra=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--chain-id", "1", "--silent", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                rpc(self.url, "eth_chainId")
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("anvil did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    def send(self, sender, to=None, value=0, data="0x"):
        tx = {"from": sender, "value": hex(value), "data": data}
        if to is not None:
            tx["to"] = to
        h = rpc(self.url, "eth_sendTransaction", [tx])
        for _ in range(400):
            receipt = rpc(self.url, "eth_getTransactionReceipt", [h])
            if receipt is not None:
                return h, receipt
            time.sleep(0.01)
        raise RuntimeError(f"transaction {h} not mined")

    def head(self):
        return int(rpc(self.url, "eth_blockNumber"), 16)


def word(value):
    if isinstance(value, str):
        return value[2:].lower().rjust(64, "0")
    return hex(value)[2:].rjust(64, "0")


class Contracts:
    def __init__(self, compiled):
        self.c = compiled

    def deploy(self, node, name, *args):
        _, receipt = node.send(ACCOUNTS[0], data=self.c[name]["bytecode"] + "".join(map(word, args)))
        assert receipt["status"] == "0x1", receipt
        return receipt["contractAddress"]

    def call_data(self, name, signature, *args):
        return "0x" + self.c[name]["methods"][signature] + "".join(map(word, args))


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def digest(ariadne, db):
    return json.loads(run([ariadne, "db", "digest", "--db", db, "--json"]).stdout)["digest"]


def same_digest(ariadne, a, b):
    """Asserts equal store digests, naming the families that differ."""
    da, db = (json.loads(run([ariadne, "db", "digest", "--db", d, "--json"]).stdout)
              for d in (a, b))
    if da["digest"] != db["digest"]:
        differ = {f: (da["families"][f], db["families"].get(f)) for f in da["families"]
                  if da["families"][f] != db["families"].get(f)}
        raise AssertionError(f"{a} and {b} differ: {differ}")


def index(ariadne, url, db, *extra, check=True):
    return run([ariadne, "index", "evm", "--rpc", url, "--db", db, *extra], check=check)


def serve_query(ariadne, db, queries):
    serve = subprocess.Popen([ariadne, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        address = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = serve.stdout.readline()
            if "listening on" in line:
                address = line.split("listening on")[1].split()[0]
                break
        assert address, "serve did not listen"
        answers = []
        for q in queries:
            cmd = [ariadne, *q, "--json", "--server", address]
            for _ in range(600):
                r = run(cmd, check=False)
                if "still loading" not in r.stderr:
                    break
                time.sleep(0.1)
            assert r.returncode == 0, f"{' '.join(cmd)}: {r.stderr}"
            answers.append(json.loads(r.stdout))
        return answers
    finally:
        serve.terminate()
        serve.wait()


def asset(summary, name):
    for a in summary["assets"]:
        if a["asset"] == name or a.get("standard") == name:
            return a
    raise AssertionError(f"no asset {name} in {summary}")


def test_not_listening(ariadne, work):
    url = f"http://127.0.0.1:{free_port()}"
    r = index(ariadne, url, os.path.join(work, "nolisten"), check=False)
    assert r.returncode != 0, r.stdout
    assert url in r.stderr and "eth_chainId" in r.stderr and "UNAVAILABLE" in r.stderr, r.stderr
    r = run([ariadne, "index", "evm", "--rpc", "https://example.org:1", "--db",
             os.path.join(work, "bad")], check=False)
    assert r.returncode != 0 and "https is not supported" in r.stderr, r.stderr
    print("PASS not listening: clear error naming the URL and the method")


def test_index_and_answer(ariadne, anvil_bin, contracts, work):
    node = Anvil(anvil_bin)
    try:
        token = contracts.deploy(node, "Token", 10**24)
        forwarder = contracts.deploy(node, "Forwarder")
        node.send(ACCOUNTS[0], ACCOUNTS[1], 2 * ETHER)
        _, r = node.send(ACCOUNTS[0], token,
                         data=contracts.call_data("Token", "transfer(address,uint256)",
                                                  ACCOUNTS[2], 1000))
        assert r["status"] == "0x1" and len(r["logs"]) == 1, r
        _, r = node.send(ACCOUNTS[1], forwarder, 5 * ETHER,
                         contracts.call_data("Forwarder", "forward(address)", ACCOUNTS[3]))
        assert r["status"] == "0x1", r
        head = node.head()
        db = os.path.join(work, "answer")
        out = index(ariadne, node.url, db).stdout
        assert f"indexed {head + 1} blocks" in out and f"tip {head} " in out, out
        again = index(ariadne, node.url, db).stdout
        assert "indexed 0 blocks" in again, again
        # geth's callTracer (debug_traceBlockByNumber) gives the same store as trace_block.
        geth = os.path.join(work, "answer-calltracer")
        index(ariadne, node.url, geth, "--traces", "callTracer")
        same_digest(ariadne, db, geth)
        r = index(ariadne, node.url, geth, "--traces", "geth", check=False)
        assert r.returncode != 0 and "--traces geth" in r.stderr, r.stderr
        recipient, holder = serve_query(ariadne, db, [["address", ACCOUNTS[3]],
                                                      ["address", ACCOUNTS[2]]])
        # Only the forwarder's internal call moved ether to ACCOUNTS[3] (genesis funds are not
        # transfers): the trace is in the store.
        eth = asset(recipient, "ETH")
        assert eth["received"] == str(5 * ETHER), recipient
        erc20 = asset(holder, "erc20")
        assert erc20["balance"] == "1000" and erc20["asset"].lower() == token.lower(), holder
    finally:
        node.stop()
    print("PASS index and answer: ERC-20 Transfer and the internal ETH move are answered")


def test_reorg_digest(ariadne, anvil_bin, contracts, work):
    node = Anvil(anvil_bin)
    try:
        token = contracts.deploy(node, "Token", 10**24)
        node.send(ACCOUNTS[0], ACCOUNTS[1], ETHER)
        snapshot = rpc(node.url, "evm_snapshot")
        fork = node.head()
        # Branch A: three blocks, one new account, a token transfer.
        node.send(ACCOUNTS[0], ACCOUNTS[5], ETHER)
        node.send(ACCOUNTS[0], token, data=contracts.call_data(
            "Token", "transfer(address,uint256)", "0x" + "ab" * 20, 7))
        node.send(ACCOUNTS[1], ACCOUNTS[5], 3 * ETHER)
        db = os.path.join(work, "reorg")
        index(ariadne, node.url, db)
        # Branch B: back to the fork, four other blocks (another asset and other accounts).
        assert rpc(node.url, "evm_revert", [snapshot]) is True
        assert node.head() == fork
        rpc(node.url, "evm_increaseTime", [7])
        node.send(ACCOUNTS[2], ACCOUNTS[6], 2 * ETHER)
        token2 = contracts.deploy(node, "Token", 10**20)
        node.send(ACCOUNTS[0], token2, data=contracts.call_data(
            "Token", "transfer(address,uint256)", ACCOUNTS[7], 9))
        node.send(ACCOUNTS[0], token, data=contracts.call_data(
            "Token", "transfer(address,uint256)", ACCOUNTS[6], 11))
        assert node.head() == fork + 4
        out = index(ariadne, node.url, db).stdout
        assert "1 reorgs, 3 blocks rewound" in out, out
        assert f"indexed 4 blocks" in out, out
        fresh = os.path.join(work, "reorg-fresh")
        index(ariadne, node.url, fresh)
        same_digest(ariadne, db, fresh)
        # A node that went back below our tip (reverted, nothing new): rewound to its head.
        snapshot = rpc(node.url, "evm_snapshot")
        before = digest(ariadne, db)
        node.send(ACCOUNTS[3], ACCOUNTS[4], ETHER)
        node.send(ACCOUNTS[3], ACCOUNTS[4], ETHER)
        index(ariadne, node.url, db)
        assert rpc(node.url, "evm_revert", [snapshot]) is True
        out = index(ariadne, node.url, db).stdout
        assert "2 blocks rewound" in out, out
        assert digest(ariadne, db) == before
    finally:
        node.stop()
    print("PASS reorg: a depth-3 reorg rewound ends with the digest of a fresh index")


def test_follow(ariadne, anvil_bin, work):
    node = Anvil(anvil_bin)
    db = os.path.join(work, "follow")
    try:
        node.send(ACCOUNTS[0], ACCOUNTS[1], ETHER)
        proc = subprocess.Popen([ariadne, "index", "evm", "--rpc", node.url, "--db", db,
                                 "--follow", "--poll-ms", "50"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "following" in proc.stdout.readline()
        for i in range(3):
            time.sleep(0.3)
            node.send(ACCOUNTS[0], ACCOUNTS[2 + i], ETHER)
        head = node.head()
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert f"stopped at block {head}" in out, out + err
        again = index(ariadne, node.url, db).stdout
        assert "indexed 0 blocks" in again, again
    finally:
        node.stop()
    print("PASS follow: blocks mined while following are indexed; SIGTERM ends at a commit")


class Proxy:
    """Forwards JSON-RPC to the node. After `answers` requests it vanishes: the connection is
    dropped and the port closed (connections refused), as when the node's process dies. Methods in
    `lacks` are answered with error -32601, as a node without them does."""

    def __init__(self, target, answers=10**9, lacks=()):
        self.target = target
        self.answers = answers
        self.lacks = set(lacks)
        self.count = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")
        try:
            while True:
                length = None
                line = f.readline()
                if not line:
                    return
                while line not in (b"\r\n", b"\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                    line = f.readline()
                body = f.read(length or 0)
                self.count += 1
                if self.count > self.answers:
                    self.close()
                    return
                data = self._answer(body)
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: " + str(len(data)).encode() + b"\r\n\r\n" + data)
        finally:
            conn.close()

    def _answer(self, body):
        payload = json.loads(body)
        single = not isinstance(payload, list)
        reqs = [payload] if single else payload
        ask = [r for r in reqs if r["method"] not in self.lacks]
        answers = {}
        if ask:
            req = urllib.request.Request(self.target, json.dumps(ask).encode(),
                                         {"content-type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as r:
                for a in json.loads(r.read()):
                    answers[a["id"]] = a
        out = [answers.get(r["id"]) or {"jsonrpc": "2.0", "id": r["id"], "error": {
            "code": -32601, "message": "Method not found"}} for r in reqs]
        return json.dumps(out[0] if single else out).encode()

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()


def test_node_disappears(ariadne, anvil_bin, work):
    node = Anvil(anvil_bin)
    try:
        for i in range(12):
            node.send(ACCOUNTS[i % 4], ACCOUNTS[4 + i % 4], ETHER + i)
        head = node.head()
        # Answered: the chain id, the head, blocks 0-2 and (fetched while those are applied)
        # 3-5; then the node is gone.
        proxy = Proxy(node.url, 4)
        db = os.path.join(work, "vanish")
        r = index(ariadne, proxy.url, db, "--batch-blocks", "3", "--commit-txs", "1", check=False)
        proxy.close()
        assert r.returncode != 0, r.stdout
        assert proxy.url in r.stderr and "UNAVAILABLE" in r.stderr, r.stderr
        m = re.search(r"tip (\d+) ", r.stdout)
        assert m and int(m[1]) in (2, 5), r.stdout  # whole batches committed, nothing after
        tip = int(m[1])
        out = index(ariadne, node.url, db).stdout
        assert f"indexed {head - tip} blocks (0 already indexed)" in out, out
        fresh = os.path.join(work, "vanish-fresh")
        index(ariadne, node.url, fresh)
        same_digest(ariadne, db, fresh)
    finally:
        node.stop()
    print("PASS node disappears: an error naming the URL; the store resumes exactly")


def test_node_lacks_methods(ariadne, anvil_bin, contracts, work):
    node = Anvil(anvil_bin)
    try:
        token = contracts.deploy(node, "Token", 10**24)
        forwarder = contracts.deploy(node, "Forwarder")
        node.send(ACCOUNTS[0], token, data=contracts.call_data(
            "Token", "transfer(address,uint256)", ACCOUNTS[2], 5))
        node.send(ACCOUNTS[1], forwarder, ETHER,
                  contracts.call_data("Forwarder", "forward(address)", ACCOUNTS[3]))
        direct = os.path.join(work, "lacks-direct")
        index(ariadne, node.url, direct)
        # Without eth_getBlockReceipts (receipts per transaction) and without trace_block (geth's
        # callTracer): the same store.
        proxy = Proxy(node.url, lacks=["eth_getBlockReceipts", "trace_block"])
        fallback = os.path.join(work, "lacks-fallback")
        index(ariadne, proxy.url, fallback)
        same_digest(ariadne, direct, fallback)
        proxy.close()
        # Without any call tracer: a clear error naming the methods, nothing written.
        proxy = Proxy(node.url, lacks=["trace_block", "debug_traceBlockByNumber"])
        none = os.path.join(work, "lacks-traces")
        r = index(ariadne, proxy.url, none, check=False)
        proxy.close()
        assert r.returncode != 0, r.stdout
        assert (f"FAILED_PRECONDITION: node at {proxy.url} does not answer trace_block nor "
                "debug_traceBlockByNumber") in r.stderr, r.stderr
        assert "tip -1 " in r.stdout, r.stdout
    finally:
        node.stop()
    print("PASS node lacks methods: per-transaction receipts and the other tracer give the same "
          "store; no tracer at all is a clear error")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ariadne", required=True)
    p.add_argument("--node", default="")
    p.add_argument("--modules", required=True)
    p.add_argument("--sources", default=os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--only", default="")
    a = p.parse_args()
    a.modules = os.path.abspath(a.modules)
    anvil_bin = os.path.join(a.modules, "@foundry-rs", "anvil-linux-amd64", "bin", "anvil")
    if not a.node or not os.path.exists(a.node) or not os.path.exists(anvil_bin) or not os.path.isdir(
            os.path.join(a.modules, "solc")):
        print(f"SKIP: node ({a.node or 'missing'}), anvil ({anvil_bin}) or solc not installed")
        return 77
    compiled = json.loads(run([a.node, os.path.join(a.sources, "compile.js"), a.modules,
                               os.path.join(a.sources, "Token.sol"),
                               os.path.join(a.sources, "Forwarder.sol")]).stdout)
    contracts = Contracts(compiled)
    probe = Anvil(anvil_bin)
    ACCOUNTS.extend(rpc(probe.url, "eth_accounts"))
    probe.stop()
    work = tempfile.mkdtemp(prefix="evm_rpc_test_")
    tests = {
        "not_listening": lambda: test_not_listening(a.ariadne, work),
        "answer": lambda: test_index_and_answer(a.ariadne, anvil_bin, contracts, work),
        "reorg": lambda: test_reorg_digest(a.ariadne, anvil_bin, contracts, work),
        "follow": lambda: test_follow(a.ariadne, anvil_bin, work),
        "vanish": lambda: test_node_disappears(a.ariadne, anvil_bin, work),
        "lacks": lambda: test_node_lacks_methods(a.ariadne, anvil_bin, contracts, work),
    }
    try:
        for name, t in tests.items():
            if not a.only or name in a.only.split(","):
                t()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
