#!/usr/bin/env python3
"""Commit -> alert-on-stream latency of watchlists (issue 17, docs/alerts.md).

A generated chain is indexed up to block P; `ariadne serve --watch-db` follows the store with
--catch-up-interval C; W addresses get a `moves` watch; `ariadne alerts --follow --json` runs.
Then blocks P..P+K-1 are indexed one `ariadne index` run each. For each block it measures, from
the end of the index run (its commit is done when the process exits):
  baseline: the moment the server prints that it caught up with the new tip (the replica's
            catch-up alone: the engine with the new block swapped in),
  alert:    the moment the follower prints the first alert of that block.
The difference is what evaluation and the stream add. Medians and maxima are printed, with the
server's peak RSS (VmHWM).

usage: bench/watch/latency.py ARIADNE_BINARY WORKDIR [--txs-per-block T] [--watches W]
       [--blocks-after K] [--catch-up S]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time


def copy_prefix(src, dst, blocks):
    with open(src, "rb") as f, open(dst, "wb") as o:
        for _ in range(blocks):
            head = f.read(8)
            size = struct.unpack("<I", head[4:8])[0]
            o.write(head)
            o.write(f.read(size))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def add_watches(binary, server, addresses, n):
    """Adds `moves` watches on the first n of `addresses` that the server accepts (it refuses an
    address the store has not seen). Returns: how many were added."""
    added = 0
    for addr in addresses:
        if added == n:
            break
        r = subprocess.run([binary, "watch", "add", addr, "--case", "BENCH", "--server", server],
                           capture_output=True, text=True)
        added += r.returncode == 0
    return added


def follow_alerts(binary, server, first_alert):
    """Runs `ariadne alerts --follow --json`: first_alert[height] gets the monotonic time the first
    alert of each block arrived. Returns: the process."""
    follower = subprocess.Popen([binary, "alerts", "--follow", "--json", "--server", server],
                                stdout=subprocess.PIPE, text=True)

    def read_alerts():
        for line in follower.stdout:
            now = time.monotonic()
            m = re.search(r'"block_height":(\d+)', line)
            if m:
                first_alert.setdefault(int(m.group(1)), now)
    threading.Thread(target=read_alerts, daemon=True).start()
    return follower


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("work")
    ap.add_argument("--txs-per-block", type=int, default=50)
    ap.add_argument("--watches", type=int, default=100)
    ap.add_argument("--prefix", type=int, default=100)
    ap.add_argument("--blocks-after", type=int, default=10)
    ap.add_argument("--catch-up", default="0.1")
    a = ap.parse_args()
    work = a.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    run = lambda *args: subprocess.run([a.bin, *args], check=True, capture_output=True, text=True)
    total = a.prefix + a.blocks_after
    run("gen", "--out", f"{work}/chain", "--blocks", str(total), "--seed", "11",
        "--txs-per-block", str(a.txs_per_block))
    blk = f"{work}/chain/blocks/blk00000.dat"
    db = f"{work}/db"
    copy_prefix(blk, f"{work}/part.blk", a.prefix)
    run("index", "btc", "--blocks", f"{work}/part.blk", "--db", db, "--network", "regtest")
    port = free_port()
    server = f"127.0.0.1:{port}"
    serve = subprocess.Popen([a.bin, "serve", "--db", db, "--listen", server, "--watch-db",
                              f"{work}/watch", "--catch-up-interval", a.catch_up],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while True:
        line = serve.stdout.readline()
        if not line:
            sys.exit("serve ended")
        if line.startswith("serving "):
            break
    caught_up = {}  # tip -> monotonic time the server swapped in its engine

    def read_serve():
        for line in serve.stdout:
            m = re.match(r"caught up with the indexer: tip (\d+)", line)
            if m:
                caught_up.setdefault(int(m.group(1)), time.monotonic())
    threading.Thread(target=read_serve, daemon=True).start()
    with open(f"{work}/chain/truth/addresses.csv") as f:
        addresses = [l.split(",")[0] for l in f.readlines()[1:]]
    added = add_watches(a.bin, server, addresses, a.watches)
    first_alert = {}  # height -> monotonic time of its first alert on the stream
    follower = follow_alerts(a.bin, server, first_alert)
    base, alert = [], []
    for k in range(a.prefix + 1, total + 1):
        height = k - 1
        copy_prefix(blk, f"{work}/part.blk", k)
        run("index", "btc", "--blocks", f"{work}/part.blk", "--db", db, "--network", "regtest")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            if height in caught_up and height in first_alert:
                break
            time.sleep(0.002)
        if height not in caught_up or height not in first_alert:
            print(f"# block {height}: no alert within 30 s (no watched address moved?)")
            continue
        base.append(caught_up[height] - t0)
        alert.append(first_alert[height] - t0)
    with open(f"/proc/{serve.pid}/status") as f:
        hwm = [l.split()[1] for l in f if l.startswith("VmHWM")][0]
    follower.kill()
    serve.terminate()
    serve.wait()
    med_b, med_a = statistics.median(base), statistics.median(alert)
    print(f"# {time.strftime('%FT%TZ', time.gmtime())} {os.cpu_count()} cores, load "
          f"{open('/proc/loadavg').read().split()[0]}; chain {total} blocks x "
          f"{a.txs_per_block} txs, {added} moves watches, catch-up {a.catch_up} s")
    print(f"blocks {len(alert)}  engine-swapped-in median {med_b*1000:.0f} ms (max "
          f"{max(base)*1000:.0f})  alert-on-stream median {med_a*1000:.0f} ms (max "
          f"{max(alert)*1000:.0f})  ratio {med_a/med_b:.2f}x  serve peak RSS {int(hwm)//1024} MiB")


if __name__ == "__main__":
    main()
