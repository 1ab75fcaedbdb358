#!/usr/bin/env python3
"""Clustering against a chain made by a real wallet implementation (issue 19).

Builds (or reuses) the regtest chain of make_chain.js (bcoin's wallets, in-process), indexes it
with `ariadne index btc --network regtest`, scores the common-input-only policy and the default
with `ariadne eval clusters`, and the CoinJoin detectors with `ariadne eval coinjoins`, then
asserts what must hold on real wallets' data:
  * common input alone is never wrong (pairwise precision 1.0): the chain has no CoinJoins, so
    every multi-input transaction has one owner;
  * the evaluation covers every wallet: every entity of the truth has addresses in the store, and
    every address of the store but the genesis output's is in the truth;
  * issue 19's targets: the default policy's pairwise precision (overall and on individuals) and
    each of its change rules' link precision at least 0.99, its recall at least 1.2x common
    input's, and at most 1 CoinJoin detection per 10,000 transactions (all are false here).
It prints the figures docs/clustering.md publishes (precision, recall, CoinJoin false positives).

The chain is built once per build tree and kept, keyed by the hash of the script, of the packages
pinned in tests/bcoin/package-lock.json and of the size options: CHAIN_CACHE/chain-<hash>/. Exit 77 (skipped) without node or bcoin.

Usage: wallet_chain_test.py --ariadne BIN --node BIN --modules DIR --cache DIR
                            [--blocks N] [--actions N] [--keep-db]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = os.path.join(HERE, "..", "bcoin", "package-lock.json")  # bcoin, pinned for every test
SKIP = 77


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def chain_key(args):
    h = hashlib.sha256()
    with open(os.path.join(HERE, "make_chain.js"), "rb") as f:
        h.update(f.read())
    # The packages installed (tests/bcoin's lock file without its own name): what makes the chain.
    with open(LOCK) as f:
        packages = json.load(f)["packages"]
    packages.pop("", None)
    h.update(json.dumps(packages, sort_keys=True).encode())
    h.update(f"blocks={args.blocks} actions={args.actions} seed={args.seed}".encode())
    return h.hexdigest()[:16]


def build_chain(args):
    out = os.path.join(args.cache, f"chain-{chain_key(args)}")
    if os.path.exists(os.path.join(out, "truth", "summary.json")):
        print(f"reusing {out}")
        return out
    os.makedirs(args.cache, exist_ok=True)
    print(f"building {out} with bcoin (blocks={args.blocks}, actions={args.actions})", flush=True)
    print(run([args.node, os.path.join(HERE, "make_chain.js"), "--modules", args.modules, "--out",
               out, "--blocks", str(args.blocks), "--actions", str(args.actions), "--seed",
               str(args.seed)]), end="")
    return out


def evaluate(args, db, truth, policy):
    out = run([args.ariadne, "eval", "clusters", "--db", db, "--truth", truth, "--policy", policy,
               "--by-kind", "--links", "--ceiling", "--json"])
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ariadne", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--modules", required=True)
    p.add_argument("--cache", required=True)
    p.add_argument("--blocks", type=int, default=60)
    p.add_argument("--actions", type=int, default=25)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep-db", action="store_true", help="keep the indexed store beside the chain")
    args = p.parse_args()
    if shutil.which(args.node) is None:
        print(f"SKIP: node ({args.node}) not found")
        return SKIP
    if not os.path.isdir(os.path.join(args.modules, "bcoin")):
        print(f"SKIP: bcoin is not installed in {args.modules} (npm ci did not run)")
        return SKIP

    chain = build_chain(args)
    truth = os.path.join(chain, "truth")
    with open(os.path.join(truth, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(truth, "entities.csv")) as f:
        entities = len(f.read().strip().splitlines()) - 1

    work = tempfile.mkdtemp(prefix="wallet-chain-")
    try:
        db = os.path.join(chain, "db") if args.keep_db else os.path.join(work, "db")
        if not os.path.exists(db):
            run([args.ariadne, "index", "btc", "--blocks", os.path.join(chain, "blocks"), "--db", db,
                 "--network", "regtest"])
        ci = evaluate(args, db, truth, "ci")
        default = evaluate(args, db, truth, "default")
        cj = run([args.ariadne, "eval", "coinjoins", "--db", db, "--truth", truth])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"chain: {summary['blocks']} blocks, {summary['txs']} transactions, "
          f"{summary['addresses']} addresses, {entities} wallets")
    for name, r in (("ci", ci), ("default", default)):
        fp = {k: v for k, v in r["coinjoins_skipped"].items() if v}
        print(f"{name:8} precision {r['pair_precision']:.4f} recall {r['pair_recall']:.4f} "
              f"(perfect change: {r['ceiling']['pair_recall']:.4f}) "
              f"largest cluster {r['largest_cluster']} (entity {r['largest_entity']}); "
              f"CoinJoins detected (all false): {fp or 'none'}")
        ceiling = r["ceiling"]
        for kind, k in r["by_kind"].items():
            print(f"  {kind:12} {k['addresses']:6} addresses precision {k['pair_precision']:.4f} "
                  f"recall {k['pair_recall']:.4f} (perfect change: {ceiling['by_kind'][kind]:.4f})")
        for rule, c in r.get("links", {}).items():
            if " / " not in rule:
                print(f"  link {rule:40} {c['links']:6} precision {c['precision']:.4f}")
    print(cj.strip())

    # What must hold on real wallets' data.
    if ci["txs"] != summary["txs"]:
        fail(f"the clustering saw {ci['txs']} transactions, the chain has {summary['txs']}")
    if ci["predicted_pairs"] == 0:
        fail("common input linked nothing: the chain has no multi-input transactions")
    if ci["pair_precision"] != 1.0:
        fail(f"common-input precision {ci['pair_precision']} on a chain without CoinJoins: "
             "a multi-input transaction of one wallet was taken for two owners' or the truth is "
             "wrong")
    if ci["entities"] != entities:
        fail(f"the evaluation covers {ci['entities']} of the {entities} wallets")
    if ci["addresses"] != summary["addresses"]:
        fail(f"{ci['addresses']} addresses scored, the truth has {summary['addresses']}")
    if ci["addresses_without_truth"] > 1:
        fail(f"{ci['addresses_without_truth']} addresses of the store are not in the truth "
             "(only the genesis output's may be)")
    # Issue 19's targets on a wallet we did not write.
    if default["pair_recall"] < 1.2 * ci["pair_recall"]:
        fail(f"the default policy's recall {default['pair_recall']:.4f} is below 1.2x common "
             f"input's ({ci['pair_recall']:.4f})")
    individual = default["by_kind"].get("individual", {}).get("pair_precision", 1.0)
    if default["pair_precision"] < 0.99 or individual < 0.99:
        fail(f"the default policy's precision {default['pair_precision']:.4f} (individuals' "
             f"{individual:.4f}) is below 0.99")
    for rule, c in default.get("links", {}).items():
        if " / " not in rule and c["links"] >= 20 and c["precision"] < 0.99:
            fail(f"the default's rule {rule} is right on {c['correct']} of {c['links']} links "
                 "(below 0.99)")
    detected = sum(ci["coinjoins_skipped"].values())
    if detected > summary["txs"] / 10000:
        fail(f"{detected} of {summary['txs']} ordinary transactions taken for CoinJoins (the chain "
             "has none; at most 1 per 10,000 is allowed)")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
