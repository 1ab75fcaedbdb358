#!/usr/bin/env python3
"""The Python client against a real `ariadne serve` (tokens, audit trail, rate limit) over a
synthetic chain: answers, paging, streaming traces, error codes, retry information, the audit
trail's record of the case id, and the example script.

Needs ARIADNE_BUILD_DIR (the `ariadne` binary) and PYTHONPATH with tools/python and the generated
stubs; ctest sets both.
"""

import csv
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from ariadne import AriadneError, Client

BUILD = os.environ.get("ARIADNE_BUILD_DIR", ".")
ARIADNE = os.path.join(BUILD, "tools", "ariadne")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "python", "examples",
                       "case_report.py")
ALICE = "alice-python-secret-0123456789"
ROOT = "root-python-secret-0123456789a"


def run(*args):
    subprocess.run([ARIADNE, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ariadne-python-")
        d = cls.tmp.name
        run("gen", "--out", f"{d}/chain", "--blocks", "80", "--seed", "5", "--txs-per-block", "40")
        run("index", "btc", "--blocks", f"{d}/chain/blocks", "--db", f"{d}/db",
            "--network", "regtest")
        with open(f"{d}/chain/truth/addresses.csv") as f:
            cls.addresses = [row[0] for row in list(csv.reader(f))[1:]]
        with open(f"{d}/tokens", "w") as f:
            f.write(f"alice analyst {ALICE}\nroot admin {ROOT}\n")
        os.chmod(f"{d}/tokens", 0o600)
        cls.audit = f"{d}/audit.log"
        cls.server = subprocess.Popen(
            [ARIADNE, "serve", "--db", f"{d}/db", "--listen", "127.0.0.1:0", "--token-file",
             f"{d}/tokens", "--audit-log", cls.audit, "--rate-limit", "100:150"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, deadline = "", time.time() + 60
        while "serving " not in out and time.time() < deadline:
            if select.select([cls.server.stdout], [], [], 1)[0]:
                out += cls.server.stdout.readline()
        m = re.search(r"listening on (\S+)", out)
        assert m and "serving " in out, out
        cls.address = m.group(1)

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        cls.server.wait(timeout=30)
        cls.tmp.cleanup()

    def client(self, **kw):
        kw.setdefault("token", ALICE)
        return Client(self.address, **kw)

    def test_status_address_and_history_pages(self):
        with self.client(case_id="PY-1") as c:
            status = c.status()
            self.assertEqual(status.network, "regtest")
            self.assertEqual(status.tip_height, 79)
            addr = self.addresses[0]
            summary = c.address(addr)
            self.assertEqual(summary.address, addr)
            self.assertEqual(summary.balance, summary.received - summary.sent)
            whole = list(c.history(addr))
            paged = list(c.history(addr, page=1))
            self.assertEqual([e.txid for e in whole], [e.txid for e in paged])
            self.assertEqual(len(whole), summary.tx_count)
            self.assertEqual(len(list(c.history(addr, page=1, limit=1))), 1)
            tx = c.transaction(whole[0].txid)
            self.assertEqual(tx.txid, whole[0].txid)

    def test_trace_cluster_and_exposure(self):
        with self.client() as c:
            addr = self.addresses[3]
            trace = c.trace(addr, hops=3)
            self.assertIsNotNone(trace.summary)
            self.assertEqual(trace.summary.seed, addr)
            self.assertEqual(trace.summary.edges, len(trace.edges))
            self.assertGreater(len(trace.nodes), 0)
            cluster = c.cluster(address=addr)
            members = list(c.cluster_members(cluster_id=cluster.cluster_id, page=2))
            self.assertEqual(len(members), cluster.size)
            self.assertIn(addr, members)
            exposure = c.exposure(address=addr)
            self.assertEqual(exposure.subject, addr)

    def test_trace_shapes_sum_the_same_edges(self):
        with self.client() as c:
            addr = self.addresses[3]
            full = c.trace(addr, hops=3)
            summary = c.trace(addr, hops=3, shape="summary")
            self.assertEqual(summary.summary, full.summary)
            self.assertEqual((summary.nodes, summary.edges, summary.endpoints), ([], [], []))
            aggregated = c.trace(addr, hops=3, shape="aggregated")
            self.assertEqual(aggregated.summary, full.summary)
            self.assertEqual(aggregated.edges, [])
            sums = {}
            for e in full.edges:
                s = sums.setdefault((getattr(e, "from"), e.to), [0, 0, set()])
                s[0] += e.value
                s[1] += e.tainted_value
                s[2].add(e.txid)
            self.assertGreater(len(sums), 0)
            self.assertEqual({(getattr(f, "from"), f.to): [f.value, f.tainted_value, f.transactions]
                              for f in aggregated.flows},
                             {k: [v, t, len(txs)] for k, (v, t, txs) in sums.items()})
            with self.assertRaises(ValueError) as e:
                c.trace(addr, shape="everything")
            self.assertIn("unknown shape 'everything'", str(e.exception))

    def test_an_unknown_direction_is_refused_not_run_forward(self):
        with self.client() as c:
            with self.assertRaises(ValueError) as e:
                c.trace(self.addresses[0], direction="sideways")
            self.assertIn("unknown direction 'sideways'", str(e.exception))

    def test_errors_carry_their_codes(self):
        with self.client() as c:
            with self.assertRaises(AriadneError) as e:
                c.address("not-an-address")
            self.assertEqual(e.exception.code, "INVALID_ARGUMENT")
            with self.assertRaises(AriadneError) as e:
                c.transaction("a" * 64)
            self.assertEqual(e.exception.code, "NOT_FOUND")
        with self.client(token="wrong-token-wrong-token") as c:
            with self.assertRaises(AriadneError) as e:
                c.status()
            self.assertEqual(e.exception.code, "UNAUTHENTICATED")
        with self.client(token="") as c:
            with self.assertRaises(AriadneError) as e:
                c.status()
            self.assertEqual(e.exception.code, "UNAUTHENTICATED")

    def test_rate_limit_says_when_to_retry(self):
        with self.client(token=ROOT, max_retries=0) as c:
            limited = None
            for _ in range(3000):
                try:
                    c.status()
                except AriadneError as e:
                    limited = e
                    break
            self.assertIsNotNone(limited, "never rate limited")
            self.assertEqual(limited.code, "RESOURCE_EXHAUSTED")
            self.assertIsNotNone(limited.retry_after)
            self.assertGreater(limited.retry_after, 0)
            time.sleep(limited.retry_after + 0.05)
            c.status()
        # By default the client waits and retries by itself.
        with self.client(token=ROOT) as c:
            for _ in range(400):
                c.status()

    def test_example_script_and_audit_trail(self):
        d = self.tmp.name
        with open(f"{d}/case.csv", "w") as f:
            f.write("address,note\n")
            for a in self.addresses[5:8]:
                f.write(f"{a},suspect\n")
            f.write("not-an-address,typo\n")
        env = dict(os.environ, ARIADNE_TOKEN=ALICE)
        subprocess.run([sys.executable, EXAMPLE, f"{d}/case.csv", "--server", self.address,
                        "--case-id", "CASE-PY-9", "--out", f"{d}/report.json"],
                       check=True, env=env, stderr=subprocess.DEVNULL)
        with open(f"{d}/report.json") as f:
            report = json.load(f)
        self.assertEqual(report["chain"]["tip_height"], 79)
        self.assertEqual(len(report["addresses"]), 4)
        self.assertIn("trace", report["addresses"][0])
        self.assertEqual(report["addresses"][3]["error"]["code"], "INVALID_ARGUMENT")
        with open(self.audit) as f:
            records = [json.loads(line) for line in f]
        mine = [r for r in records if r["case"] == "CASE-PY-9"]
        self.assertGreaterEqual(len(mine), 8)
        self.assertTrue(all(r["principal"] == "alice" for r in mine))
        self.assertIn({"address": self.addresses[5]}, [r["subject"] for r in mine])
        verify = subprocess.run([ARIADNE, "audit", "verify", self.audit], capture_output=True,
                                text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
