#!/usr/bin/env python3
"""Latency of following a node: block record appended -> committed -> answered by `serve`.

Generates a regtest chain (`ariadne gen`), writes all but the last K blocks into a blocks folder,
starts `ariadne index btc --follow` on it and `ariadne serve` on the store, then appends the last K
blocks one record at a time, as Bitcoin Core does, and times each one:
  commit    from the append to the indexer's "height H ... committed" line (stdout, timestamped on
            arrival),
  answered  from the append to the server's "caught up with the indexer: tip H" line (the engine
            holding block H is swapped in: every query from then on is answered from it).
  alert     with --watches N: from the append to the first alert of block H on the stream of
            `ariadne alerts --follow --json` (N `moves` watches, added before the appends, on
            addresses that the appended blocks pay and that are already on chain; a block that
            moves none of them has no alert and is skipped). This is issue 17's end-to-end figure: record complete -> alert on the stream.
The baseline in the same run is a one-shot `ariadne index btc` of one more block into a copy of
the store (what a cron job pays per block, start-up included). Peak RSS of both processes is
read from /proc (VmHWM) before they stop. Prints one line per size and a JSON summary.

usage: follow_latency.py --ariadne BUILD/tools/ariadne --out SCRATCH_DIR
           [--sizes BLOCKSxTXS,...] [--appends K] [--poll-ms 200] [--catch-up 0.25]
           [--watches N]
"""
import argparse
import json
import os
import queue
import re
import shutil
import statistics
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "watch"))
import latency  # noqa: E402  (bench/watch/latency.py: adding watches, following the alerts)

MAGIC = bytes.fromhex("fabfb5da")  # regtest


def read_records(folder):
    """The block records of a generated blocks folder, in file order (one chain, in order)."""
    out = []
    for name in sorted(n for n in os.listdir(folder) if n.startswith("blk") and n.endswith(".dat")):
        data = open(os.path.join(folder, name), "rb").read()
        pos = 0
        while pos + 8 <= len(data) and data[pos:pos + 4] == MAGIC:
            size = struct.unpack_from("<I", data, pos + 4)[0]
            out.append(data[pos:pos + 8 + size])
            pos += 8 + size
    return out


class Lines:
    """A child's stdout lines, each with the monotonic time it arrived."""

    def __init__(self, proc):
        self.q = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for line in proc.stdout:
            self.q.put((time.monotonic(), line))

    def wait_for(self, prefix, timeout=600):
        end = time.monotonic() + timeout
        while True:
            t, line = self.q.get(timeout=max(0.01, end - time.monotonic()))
            if line.startswith(prefix):
                return t, line


def peak_rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1


def start_watching(args, base, appended, server, first_alert):
    """Adds `moves` watches and follows the alert stream.

    The subjects are addresses paid in the blocks still to be appended that are already on chain
    (`watch add` refuses an address the store has not seen): each of those blocks then moves
    at least one of them, in the order they appear.
    Returns: (watches added, the `ariadne alerts --follow` process); first_alert[height] gets the
    monotonic time of the first alert of each block.
    """
    later = os.path.join(base, "appended.dat")
    with open(later, "wb") as f:
        for r in appended:
            f.write(r)
    decoded = subprocess.run([args.ariadne, "decode", later, "--network", "regtest", "--json"],
                             check=True, capture_output=True, text=True).stdout
    addresses = []
    for line in decoded.splitlines():
        for tx in json.loads(line)["txs"]:
            addresses += [o["address"] for o in tx["outputs"] if o.get("address")]
    addresses = list(dict.fromkeys(addresses))[:args.watches * 20]
    added = latency.add_watches(args.ariadne, server, addresses, args.watches)
    return added, latency.follow_alerts(args.ariadne, server, first_alert)


def run_size(args, blocks, txs):
    base = os.path.join(args.out, f"{blocks}x{txs}")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    gen = os.path.join(base, "gen")
    subprocess.run([args.ariadne, "gen", "--out", gen, "--blocks", str(blocks + args.appends + 1),
                    "--txs-per-block", str(txs), "--seed", "5", "--no-truth"], check=True,
                   stdout=subprocess.DEVNULL)
    records = read_records(os.path.join(gen, "blocks"))
    first = len(records) - args.appends - 1
    folder = os.path.join(base, "blocks")
    os.makedirs(folder)
    blk = os.path.join(folder, "blk00000.dat")
    with open(blk, "wb") as f:
        for r in records[:first]:
            f.write(r)
    db = os.path.join(base, "db")
    subprocess.run([args.ariadne, "index", "btc", "--blocks", folder, "--db", db, "--network",
                    "regtest", "--memory-mb", "1024"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    # Baseline: a one-shot run for one more block, into a copy of the store.
    copy = os.path.join(base, "db-oneshot")
    shutil.copytree(db, copy)
    one = os.path.join(base, "one.dat")
    with open(one, "wb") as f:
        f.write(records[first])
    t = time.monotonic()
    subprocess.run([args.ariadne, "index", "btc", "--blocks", folder, one, "--db", copy,
                    "--network", "regtest", "--memory-mb", "1024"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    oneshot = time.monotonic() - t
    shutil.rmtree(copy)

    indexer = subprocess.Popen(
        [args.ariadne, "index", "btc", "--blocks", folder, "--db", db, "--network", "regtest",
         "--memory-mb", "1024", "--follow", "--poll-ms", str(args.poll_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    index_lines = Lines(indexer)
    index_lines.wait_for("following ")
    watching = ["--watch-db", os.path.join(base, "watch")] if args.watches else []
    server = subprocess.Popen(
        [args.ariadne, "serve", "--db", db, "--listen", "127.0.0.1:0", "--catch-up-interval",
         str(args.catch_up)] + watching, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    serve_lines = Lines(server)
    _, listening = serve_lines.wait_for("listening on ")
    serve_lines.wait_for("serving ")
    first_alert, follower, watched = {}, None, 0
    if args.watches:
        address = listening.split()[2]
        watched, follower = start_watching(args, base, records[first:first + args.appends],
                                           address, first_alert)
    commit, answered, alert, refresh = [], [], [], []
    for k in range(args.appends):
        height = first + k
        time.sleep(0.3)  # appends apart, as blocks are
        t0 = time.monotonic()
        with open(blk, "ab") as f:
            f.write(records[height])
            f.flush()
        t1, _ = index_lines.wait_for(f"height {height} ")
        t2, caught = serve_lines.wait_for(f"caught up with the indexer: tip {height},")
        m = re.search(r"refreshed in ([0-9.]+) s", caught)
        if m:
            refresh.append(float(m.group(1)))
        commit.append(t1 - t0)
        answered.append(t2 - t0)
        if follower is not None:
            while height not in first_alert and time.monotonic() - t0 < 10:
                time.sleep(0.002)
            if height in first_alert:
                alert.append(first_alert[height] - t0)
            else:
                print(f"# block {height}: no alert within 10 s (no watched address moved)")
    rss = {"indexer_mb": peak_rss_mb(indexer.pid), "server_mb": peak_rss_mb(server.pid)}
    if follower is not None:
        follower.kill()
    for p in (indexer, server):
        p.terminate()
    indexer.wait(timeout=120)
    server.wait(timeout=120)
    res = {
        "size": f"{blocks} blocks x {txs} txs ({blocks * txs} txs)",
        "appends": args.appends,
        "commit_median_s": statistics.median(commit),
        "commit_max_s": max(commit),
        "answered_median_s": statistics.median(answered),
        "answered_max_s": max(answered),
        "oneshot_index_s": oneshot,
        "refresh_median_s": statistics.median(refresh) if refresh else None,
        "commit_vs_oneshot": statistics.median(commit) / oneshot,
        "poll_ms": args.poll_ms,
        "catch_up_s": args.catch_up,
        **rss,
    }
    if alert:
        res.update({"watches": watched, "alerted_blocks": len(alert),
                    "alert_median_s": statistics.median(alert), "alert_max_s": max(alert)})
    print(f"{res['size']}: commit median {res['commit_median_s']:.3f} s (max "
          f"{res['commit_max_s']:.3f}), answered median {res['answered_median_s']:.3f} s (max "
          f"{res['answered_max_s']:.3f}; the server's refresh median "
          f"{res['refresh_median_s'] or 0:.3f} s); one-shot index of one block {oneshot:.3f} s "
          f"(commit/one-shot {res['commit_vs_oneshot']:.2f}); peak RSS indexer "
          f"{rss['indexer_mb']:.0f} MB, server {rss['server_mb']:.0f} MB", flush=True)
    if alert:
        print(f"  alert on the stream: median {res['alert_median_s']:.3f} s (max "
              f"{res['alert_max_s']:.3f}) after the append, {len(alert)} blocks, {watched} "
              f"moves watches", flush=True)
    shutil.rmtree(base, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ariadne", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="200x100,1000x500")
    ap.add_argument("--appends", type=int, default=10)
    ap.add_argument("--poll-ms", type=int, default=200)
    ap.add_argument("--catch-up", type=float, default=0.25)
    ap.add_argument("--watches", type=int, default=0)
    args = ap.parse_args()
    results = []
    for size in args.sizes.split(","):
        blocks, txs = (int(x) for x in size.split("x"))
        results.append(run_size(args, blocks, txs))
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
