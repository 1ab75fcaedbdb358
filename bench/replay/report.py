#!/usr/bin/env python3
"""Collects the per-phase logs of bench/replay/replay.sh into one JSON report, prints a table, and
optionally draws cost per transaction against chain size as an SVG (standard library only).

    bench/replay/report.py --work /tmp/ariadne-replay --out replay.json [--plot docs/replay.svg]
    bench/replay/report.py --from replay.json --plot docs/replay.svg     # redraw from a report

The report's schema is described in docs/performance.md ("The replay report").
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import sys

SCHEMA = 1
# Phases that run as their own process, in pipeline order.
PROCESS_PHASES = ["gen", "hash", "index", "recluster", "compact", "serve", "load"]


def read_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    return out


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, errors="replace") as f:
        return f.read()


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text) if text else None


def num(s):
    return int(s.replace(",", ""))


def parse_time_v(path):
    """GNU time -v output: wall, user+system CPU seconds and peak RSS."""
    text = read_text(path)
    if not text:
        return None
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["peak_rss_bytes"] = int(m.group(1)) * 1024
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    if user and system:
        out["cpu_seconds"] = round(float(user.group(1)) + float(system.group(1)), 3)
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        parts = [float(p) for p in m.group(1).split(":")]
        secs = 0.0
        for p in parts:
            secs = secs * 60 + p
        out["time_wall_seconds"] = secs
    m = re.search(r"Exit status: (\d+)", text)
    if m:
        out["exit_status"] = int(m.group(1))
    return out


def phase_record(d, name):
    info = read_kv(os.path.join(d, name + ".phase"))
    if not info:
        return None
    rec = {"command": info.get("command", "")}
    if info.get("exit", "0") != "0":
        rec["exit"] = int(info["exit"])
        err = read_text(os.path.join(d, name + ".err")).replace("\r", "\n").strip().splitlines()
        rec["error"] = err[-1] if err else ""
    if "start" in info and "end" in info:
        rec["wall_seconds"] = round(float(info["end"]) - float(info["start"]), 3)
    if "listening" in info:
        rec["listening_seconds"] = round(float(info["listening"]) - float(info["start"]), 3)
    for k in ("loadavg_before", "loadavg_after"):
        if k in info:
            rec[k] = info[k]
    t = parse_time_v(os.path.join(d, name + ".time"))
    if t:
        rec.update({k: v for k, v in t.items() if k != "time_wall_seconds"})
        rec.setdefault("wall_seconds", t.get("time_wall_seconds"))
    return rec


def per_tx(rec, txs):
    if rec is None or not txs:
        return
    if rec.get("wall_seconds") is not None:
        rec["wall_us_per_tx"] = round(rec["wall_seconds"] / txs * 1e6, 4)
    if rec.get("cpu_seconds") is not None:
        rec["cpu_us_per_tx"] = round(rec["cpu_seconds"] / txs * 1e6, 4)
    if rec.get("peak_rss_bytes") is not None:
        rec["rss_bytes_per_tx"] = round(rec["peak_rss_bytes"] / txs, 2)


def collect_size(d):
    info = read_kv(os.path.join(d, "size.info"))
    size = {"label": info.get("label", os.path.basename(d)),
            "target_txs": int(info.get("target_txs", 0)),
            "blocks": int(info.get("blocks", 0)),
            "work_dir": d}
    for k in ("txs_per_block", "seed"):
        if k in info:
            size[k] = int(info[k])
    # The whole replay of this size: from the generator's start to the server's end.
    starts, ends = [], []
    for name in PROCESS_PHASES:
        kv = read_kv(os.path.join(d, name + ".phase"))
        if "start" in kv:
            starts.append(float(kv["start"]))
        if "end" in kv:
            ends.append(float(kv["end"]))
    if starts and ends:
        size["replay_seconds"] = round(max(ends) - min(starts), 1)
    phases = {}
    for name in PROCESS_PHASES:
        rec = phase_record(d, name)
        if rec is not None:
            phases[name] = rec

    gen = read_text(os.path.join(d, "gen.out"))
    m = re.search(r"generated ([\d,]+) blocks, ([\d,]+) txs, ([\d.]+) MB in (\d+) blk file\(s\), "
                  r"([\d,]+) addresses", gen)
    if m:
        size["blocks"] = num(m.group(1))
        size["txs"] = num(m.group(2))
        size["blk_files"] = int(m.group(4))
        if num(m.group(5)) > 0:
            size["addresses"] = num(m.group(5))

    hash_ = read_json(os.path.join(d, "hash.out"))
    if hash_:
        size["block_bytes"] = hash_["bytes"]
        if "hash" in phases:
            phases["hash"]["sha256d_seconds"] = hash_["seconds"]
            phases["hash"]["sha256d_mb_per_s"] = hash_["mb_per_s"]

    idx = read_text(os.path.join(d, "index.out"))
    m = re.search(r"indexed ([\d,]+) blocks \(([\d,]+) txs, ([\d.]+) MB\) in ([\d.]+) s", idx)
    if m and "index" in phases:
        ph = phases["index"]
        txs = num(m.group(2))
        size.setdefault("txs", txs)
        ph["indexer_seconds"] = float(m.group(4))
        ph["txs"] = txs
        wall = ph["wall_seconds"]
        ph["tx_per_s"] = round(txs / wall, 1)
        nbytes = size.get("block_bytes", float(m.group(3)) * 1e6)
        ph["mb_per_s"] = round(nbytes / wall / 1e6, 3)
        if hash_:
            ph["sha256d_mb_per_s"] = hash_["mb_per_s"]
            ph["ratio_to_sha256d"] = round(ph["mb_per_s"] / hash_["mb_per_s"], 5)
        m2 = re.search(r"([\d,]+) new addresses", idx)
        if m2:
            size["addresses"] = num(m2.group(1))
        m2 = re.search(r"([\d,]+) common-input and ([\d,]+) change links", idx)
        if m2:
            ph["common_input_links"] = num(m2.group(1))
            ph["change_links"] = num(m2.group(2))

    rc = read_text(os.path.join(d, "recluster.out"))
    m = re.search(r"([\d,]+) addresses in ([\d,]+) clusters \(largest ([\d,]+)\)", rc)
    if m and "recluster" in phases:
        ph = phases["recluster"]
        ph["addresses"] = num(m.group(1))
        ph["clusters"] = num(m.group(2))
        ph["largest_cluster"] = num(m.group(3))
        m2 = re.search(r"; ([\d.]+) s\s*$", rc.strip())
        if m2:
            ph["recluster_seconds"] = float(m2.group(1))
        if size.get("txs"):
            ph["tx_per_s"] = round(size["txs"] / ph["wall_seconds"], 1)

    db = {}
    before = read_json(os.path.join(d, "db_size.json"))
    if before:
        db["bytes"] = before["db_bytes"]
        if "txs" in before:
            size["chain"] = {k: before[k] for k in ("tip_height", "txs", "inputs", "outputs",
                                                     "addresses", "utxos") if k in before}
    compact = read_json(os.path.join(d, "compact.out"))
    if compact:
        db["bytes_compacted"] = compact["db_bytes"]
        if "compact" in phases:
            phases["compact"]["compaction_seconds"] = compact["seconds"]
    txs = size.get("txs")
    if txs:
        for k in list(db):
            db[k + "_per_tx"] = round(db[k] / txs, 2)
    size["db"] = db

    serve = read_text(os.path.join(d, "serve.out"))
    m = re.search(r"loaded in ([\d.]+) s", serve)
    if m and "serve" in phases:
        phases["serve"]["engine_load_seconds"] = float(m.group(1))

    if not size.get("addresses") and "recluster" in phases:
        size["addresses"] = phases["recluster"].get("addresses")
    for name, rec in phases.items():
        per_tx(rec, txs)
    # The server's and the load's wall times are set by the load's duration, not by the chain.
    for name in ("serve", "load"):
        if name in phases:
            phases[name].pop("wall_us_per_tx", None)
    if "serve" in phases and txs and "engine_load_seconds" in phases["serve"]:
        phases["serve"]["load_us_per_tx"] = round(
            phases["serve"]["engine_load_seconds"] / txs * 1e6, 4)
    size["phases"] = phases
    failed = [n for n, r in phases.items() if "exit" in r]
    if failed:
        size["failed"] = {"phase": failed[0], "error": phases[failed[0]].get("error", "")}

    load = read_json(os.path.join(d, "load.json"))
    if load:
        queries = {}
        for p in load.get("phases", []):
            q = {"mode": p["mode"], "concurrency": p["concurrency"], "rps": p["rps"],
                 "server_cpu_seconds": p.get("server_cpu_seconds")}
            for kind, k in p["kinds"].items():
                lat = k["latency_ms"]
                q[kind] = {"p50_ms": lat["p50"], "p90_ms": lat["p90"], "p99_ms": lat["p99"],
                           "max_ms": lat["max"], "rps": k["rps"],
                           "errors": sum(k["errors"].values())}
                if k.get("ratio_to_ping"):
                    q[kind]["ratio_to_ping"] = k["ratio_to_ping"]
                if kind == "trace":
                    q[kind]["edges_p50"] = k["edges"]["p50"]
                    q[kind]["edges_max"] = k["edges"]["max"]
            queries[p["name"]] = q
        size["queries"] = queries
        size["query_subjects"] = load.get("subjects")
        size["targets"] = load.get("targets")
        size["load_bench"] = load
    return size


def fit(points):
    """Least-squares line through (x, y) points. Returns (intercept, slope)."""
    n = len(points)
    if n == 0:
        return None
    if n == 1:
        x, y = points[0]
        return (0.0, y / x)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return (0.0, my / mx)
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx
    return (my - slope * mx, slope)


def project(report, txs, addresses):
    """Linear fits over the measured sizes (cost = fixed + per-transaction), evaluated at `txs`.

    The synthetic chains have more addresses per transaction than mainnet, so costs that follow
    addresses come out on the high side; docs/performance.md discusses the model.
    """
    sizes = [s for s in report["sizes"] if s.get("txs") and "failed" not in s]
    out = {"txs": txs, "addresses": addresses, "from_sizes": [s["label"] for s in sizes],
           "model": "least-squares line (fixed + per transaction) through the measured sizes"}
    if sizes:
        ratio = [s["chain"]["addresses"] / s["txs"] for s in sizes if "chain" in s]
        if ratio:
            out["measured_addresses_per_tx"] = round(sum(ratio) / len(ratio), 3)
    phases = {}
    for name in ("gen", "index", "recluster", "compact", "serve"):
        pts_t = [(s["txs"], s["phases"][name]["wall_seconds"]) for s in sizes
                 if name in s["phases"] and s["phases"][name].get("wall_seconds") is not None
                 and name != "serve"]
        if name == "serve":
            pts_t = [(s["txs"], s["phases"]["serve"]["engine_load_seconds"]) for s in sizes
                     if "engine_load_seconds" in s["phases"].get("serve", {})]
        pts_m = [(s["txs"], s["phases"][name]["peak_rss_bytes"]) for s in sizes
                 if s["phases"].get(name, {}).get("peak_rss_bytes") is not None]
        rec = {}
        ft = fit(pts_t)
        if ft:
            rec["us_per_tx"] = round(ft[1] * 1e6, 3)
            rec["hours"] = round((ft[0] + ft[1] * txs) / 3600, 2)
        fm = fit(pts_m)
        if fm:
            rec["rss_bytes_per_tx"] = round(fm[1], 2)
            rec["peak_rss_bytes"] = int(fm[0] + fm[1] * txs)
        if rec:
            phases[name] = rec
    out["phases"] = phases
    for key in ("bytes", "bytes_compacted"):
        pts = [(s["txs"], s["db"][key]) for s in sizes if key in s.get("db", {})]
        f = fit(pts)
        if f:
            out["db_" + key + "_per_tx"] = round(f[1], 2)
            out["db_" + key] = int(f[0] + f[1] * txs)
    pts = [(s["txs"], s["block_bytes"]) for s in sizes if "block_bytes" in s]
    f = fit(pts)
    if f:
        out["synthetic_block_bytes_per_tx"] = round(f[1], 1)
    return out


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    return {"cpu": cpu, "cpus": os.cpu_count(), "mem_bytes": mem,
            "kernel": platform.system() + " " + platform.release(),
            "flags_sha_ni": "sha_ni" in read_text("/proc/cpuinfo")}


def collect(works):
    """Sizes from one or more work folders (e.g. a size re-run with another seed), by size."""
    settings = read_kv(os.path.join(works[0], "replay.settings"))
    report = {
        "tool": "ariadne-replay",
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "git": {"commit": settings.get("git_commit"),
                "dirty_files": int(settings.get("git_dirty", "0") or 0)},
        "settings": {k: settings[k] for k in ("txs_per_block", "duration", "warmup",
                                              "concurrency", "phases", "compact", "build")
                     if k in settings},
        "sizes": [],
    }
    total = 0.0
    for work in works:
        kv = read_kv(os.path.join(work, "replay.settings"))
        if "start" in kv and "end" in kv:
            total += float(kv["end"]) - float(kv["start"])
        for label in [x for x in kv.get("sizes", "").split(",") if x]:
            d = os.path.join(work, label)
            if os.path.isdir(d):
                report["sizes"].append(collect_size(d))
    if total > 0:
        report["total_seconds"] = round(total, 1)
    report["sizes"].sort(key=lambda s: s.get("txs") or s["target_txs"])
    return report


def fmt_bytes(b):
    if b is None:
        return "-"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= scale:
            return "%.1f %s" % (b / scale, unit)
    return "%d B" % b


def print_table(report):
    m = report["machine"]
    print("\nmachine: %s, %d cores, %s RAM" % (m["cpu"], m["cpus"], fmt_bytes(m["mem_bytes"])))
    for s in report["sizes"]:
        ph = s["phases"]
        if "failed" in s:
            print("\n%s (seed %s): FAILED in phase %s: %s" % (
                s["label"], s.get("seed", "?"), s["failed"]["phase"], s["failed"]["error"]))
            continue
        print("\n%s: %s transactions, %s blocks, %.1f MB of blocks, %s addresses (seed %s); "
              "replay %.1f min" % (
                  s["label"], "{:,}".format(s.get("txs", 0)), "{:,}".format(s.get("blocks", 0)),
                  s.get("block_bytes", 0) / 1e6, "{:,}".format(s.get("addresses") or 0),
                  s.get("seed", "?"), s.get("replay_seconds", 0) / 60))
        print("  %-10s %9s %9s %10s %10s %10s" % ("phase", "wall s", "CPU s", "peak RSS",
                                                  "us/tx", "RSS B/tx"))
        for name in PROCESS_PHASES:
            r = ph.get(name)
            if not r:
                continue
            us = r.get("wall_us_per_tx")
            print("  %-10s %9.1f %9.1f %10s %10s %10.1f" % (
                name, r.get("wall_seconds") or 0, r.get("cpu_seconds") or 0,
                fmt_bytes(r.get("peak_rss_bytes")), "-" if us is None else "%.2f" % us,
                r.get("rss_bytes_per_tx") or 0))
        ch = s.get("chain")
        if ch:
            print("  chain: %s inputs, %s outputs, %s addresses, %s unspent outputs" % (
                "{:,}".format(ch.get("inputs", 0)), "{:,}".format(ch.get("outputs", 0)),
                "{:,}".format(ch.get("addresses", 0)), "{:,}".format(ch.get("utxos", 0))))
        ix = ph.get("index", {})
        if ix:
            print("  ingest: %.0f tx/s, %.2f MB/s; SHA-256d %.0f MB/s; ratio %.4f" % (
                ix.get("tx_per_s", 0), ix.get("mb_per_s", 0), ix.get("sha256d_mb_per_s", 0),
                ix.get("ratio_to_sha256d", 0)))
        rc = ph.get("recluster", {})
        if rc:
            print("  recluster: %.1f s, %s clusters (largest %s)" % (
                rc.get("wall_seconds", 0), "{:,}".format(rc.get("clusters", 0)),
                "{:,}".format(rc.get("largest_cluster", 0))))
        db = s.get("db", {})
        print("  store: %s (%.1f B/tx) after index+recluster, %s (%.1f B/tx) compacted" % (
            fmt_bytes(db.get("bytes")), db.get("bytes_per_tx", 0),
            fmt_bytes(db.get("bytes_compacted")), db.get("bytes_compacted_per_tx", 0)))
        for pname, q in s.get("queries", {}).items():
            parts = []
            for kind in ("ping", "address", "cluster", "trace"):
                if kind in q:
                    parts.append("%s %.2f/%.2f" % (kind, q[kind]["p50_ms"], q[kind]["p99_ms"]))
            print("  queries %-11s (%4d clients, %6.0f req/s) p50/p99 ms: %s" % (
                pname, q["concurrency"], q["rps"], ", ".join(parts)))
    if "total_seconds" in report:
        print("\ntotal %.1f min" % (report["total_seconds"] / 60))
    p = report.get("projection")
    if p:
        print("\nprojection to %.2g transactions (%s):" % (p["txs"], p["model"]))
        for name, r in p.get("phases", {}).items():
            print("  %-10s %8s h  %10s peak RSS" % (
                name, "%.2f" % r["hours"] if "hours" in r else "-",
                fmt_bytes(r.get("peak_rss_bytes"))))
        print("  store %s (%s compacted)" % (fmt_bytes(p.get("db_bytes")),
                                              fmt_bytes(p.get("db_bytes_compacted"))))


# ------------------------------------------------------------------------------------------------
# SVG plot

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_max(v):
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def panel(x0, y0, w, h, title, ylabel, xs, xlabels, series):
    """One line chart: log x (chain size), linear y from 0. series: [(name, [y or None])]."""
    out = []
    left, right, top, bottom = 64, 150, 28, 40
    pw, ph = w - left - right, h - top - bottom
    ox, oy = x0 + left, y0 + top
    ymax = nice_max(max([v for s in series for v in s[1] if v is not None] + [0]) * 1.1)
    lx = [math.log10(x) for x in xs]
    lo, hi = (min(lx), max(lx)) if len(xs) > 1 else (lx[0] - 0.5, lx[0] + 0.5)
    pad = (hi - lo) * 0.06

    def px(x):
        return ox + (math.log10(x) - lo + pad) / (hi - lo + 2 * pad) * pw

    def py(y):
        return oy + ph - y / ymax * ph

    out.append('<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>'
               % (x0 + 8, y0 + 18, esc(title)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>'
               % (ox, oy, pw, ph))
    for i in range(6):
        y = ymax * i / 5
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>'
                   % (ox, py(y), ox + pw, py(y)))
        label = ("%.0f" % y) if ymax >= 10 else ("%.2g" % y)
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>'
                   % (ox - 5, py(y) + 4, label))
    for x, lbl in zip(xs, xlabels):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>'
                   % (px(x), oy, px(x), oy + ph))
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'
                   % (px(x), oy + ph + 15, esc(lbl)))
    out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">transactions in the '
               'chain (log scale)</text>' % (ox + pw / 2, oy + ph + 32))
    out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="middle" '
               'transform="rotate(-90 %d %.1f)">%s</text>'
               % (x0 + 14, oy + ph / 2, x0 + 14, oy + ph / 2, esc(ylabel)))
    for i, s in enumerate(series):
        name, ys = s[0], s[1]
        color = s[2] if len(s) > 2 else COLORS[i % len(COLORS)]
        dash = ' stroke-dasharray="5,3"' if len(s) > 3 and s[3] else ""
        pts = [(px(x), py(y)) for x, y in zip(xs, ys) if y is not None]
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                       % (color, dash, " ".join("%.1f,%.1f" % p for p in pts)))
        for p in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (p[0], p[1], color))
        ly = oy + 8 + i * 17
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (ox + pw + 10, ly, ox + pw + 28, ly, color, dash))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>'
                   % (ox + pw + 32, ly + 4, esc(name)))
    return out


def plot(report, path, latency_phase=None):
    sizes = [s for s in report["sizes"] if s.get("txs") and "failed" not in s]
    if not sizes:
        print("nothing to plot", file=sys.stderr)
        return
    xs = [s["txs"] for s in sizes]
    xlabels = ["%s (%.1fM)" % (s["label"], s["txs"] / 1e6) for s in sizes]

    def series(name, fn):
        ys = []
        for s in sizes:
            try:
                v = fn(s)
            except (KeyError, TypeError):
                v = None
            ys.append(v)
        return (name, ys)

    ph = lambda s, p, k: s["phases"][p][k]
    time_series = [
        series("gen (synthetic chain)", lambda s: ph(s, "gen", "wall_us_per_tx")),
        series("index (with clustering)", lambda s: ph(s, "index", "wall_us_per_tx")),
        series("recluster", lambda s: ph(s, "recluster", "wall_us_per_tx")),
        series("compact", lambda s: ph(s, "compact", "wall_us_per_tx")),
        series("serve: engine load", lambda s: ph(s, "serve", "load_us_per_tx")),
        series("SHA-256d (floor)", lambda s: ph(s, "hash", "sha256d_seconds") / s["txs"] * 1e6),
    ]
    rss_series = [
        series("gen", lambda s: ph(s, "gen", "rss_bytes_per_tx")),
        series("index", lambda s: ph(s, "index", "rss_bytes_per_tx")),
        series("recluster", lambda s: ph(s, "recluster", "rss_bytes_per_tx")),
        series("compact", lambda s: ph(s, "compact", "rss_bytes_per_tx")),
        series("serve", lambda s: ph(s, "serve", "rss_bytes_per_tx")),
    ]
    disk_series = [
        series("store after index", lambda s: s["db"]["bytes_per_tx"]),
        series("store compacted", lambda s: s["db"]["bytes_compacted_per_tx"]),
        series("blk files", lambda s: s["block_bytes"] / s["txs"]),
    ]
    # Query latency of one load phase: by default the first (closed:1, a client alone: the cost of
    # a query without queueing, the figure that should not grow with the chain).
    qphase = latency_phase or report["settings"].get("phases", "closed:1").split(",")[0]
    lat_series = []
    for i, kind in enumerate(("ping", "address", "cluster", "trace")):
        for q in ("p50", "p99"):
            name, ys = series("%s %s" % (kind, q),
                              lambda s, k=kind, q=q: s["queries"][qphase][k][q + "_ms"])
            lat_series.append((name, ys, COLORS[i], q == "p50"))
    w, h = 560, 300
    parts = []
    parts += panel(0, 0, w, h, "Wall time per transaction", "microseconds per transaction",
                   xs, xlabels, time_series)
    parts += panel(w, 0, w, h, "Peak RSS per transaction", "bytes per transaction", xs,
                   xlabels, rss_series)
    parts += panel(0, h, w, h, "Disk per transaction", "bytes per transaction", xs, xlabels,
                   disk_series)
    parts += panel(w, h, w, h, "Query latency, load phase %s" % qphase, "milliseconds", xs,
                   xlabels, lat_series)
    m = report["machine"]
    foot = "%s, %d cores, %s RAM; %s; ariadne %s" % (
        m["cpu"], m["cpus"], fmt_bytes(m["mem_bytes"]), report["created"],
        (report["git"]["commit"] or "?")[:10])
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (2 * w, 2 * h + 24),
           '<rect width="100%" height="100%" fill="white"/>'] + parts + [
        '<text x="8" y="%d" font-size="11" fill="#555">%s</text>' % (2 * h + 16, esc(foot)),
        "</svg>"]
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")
    print("wrote %s" % path)


def markdown(report):
    """The report's tables in Markdown (docs/performance.md takes them from here)."""
    sizes = [s for s in report["sizes"] if "failed" not in s]
    out = []

    def row(cells):
        out.append("| " + " | ".join(cells) + " |")

    def n(v, fmt="{:,.0f}"):
        return "-" if v is None else fmt.format(v)

    def ph(s, p, k):
        return s["phases"].get(p, {}).get(k)

    cols = [s["label"] for s in sizes]
    out.append("Pipeline (wall seconds; CPU seconds in brackets):\n")
    row(["", *cols])
    row(["---"] * (len(cols) + 1))
    row(["transactions", *[n(s.get("txs")) for s in sizes]])
    row(["blocks / blk bytes", *["%s / %s" % (n(s.get("blocks")), fmt_bytes(s.get("block_bytes")))
                                 for s in sizes]])
    row(["addresses", *[n((s.get("chain") or {}).get("addresses")) for s in sizes]])
    for name, label in (("gen", "gen"), ("index", "index (with clustering)"),
                        ("recluster", "recluster"), ("compact", "compact")):
        row([label, *["%s (%s)" % (n(ph(s, name, "wall_seconds"), "{:.1f}"),
                                   n(ph(s, name, "cpu_seconds"), "{:.1f}")) for s in sizes]])
    row(["serve: engine load", *[n(ph(s, "serve", "engine_load_seconds"), "{:.1f}")
                                 for s in sizes]])
    row(["ingest tx/s", *[n(ph(s, "index", "tx_per_s")) for s in sizes]])
    row(["ingest MB/s", *[n(ph(s, "index", "mb_per_s"), "{:.1f}") for s in sizes]])
    row(["SHA-256d MB/s (same bytes, 1 core)", *[n(ph(s, "index", "sha256d_mb_per_s"))
                                                for s in sizes]])
    row(["ingest / SHA-256d", *[n(ph(s, "index", "ratio_to_sha256d"), "{:.4f}") for s in sizes]])
    row(["replay of the size (minutes)", *[n(s.get("replay_seconds", 0) / 60, "{:.1f}")
                                           for s in sizes]])
    out.append("\nPeak RSS (bytes per transaction in brackets):\n")
    row(["", *cols])
    row(["---"] * (len(cols) + 1))
    for name in ("gen", "index", "recluster", "compact", "serve", "load"):
        row([name, *["%s (%s)" % (fmt_bytes(ph(s, name, "peak_rss_bytes")),
                                  n(ph(s, name, "rss_bytes_per_tx"), "{:.0f}")) for s in sizes]])
    out.append("\nStore on disk:\n")
    row(["", *cols])
    row(["---"] * (len(cols) + 1))
    row(["after index + recluster", *["%s (%s B/tx)" % (fmt_bytes(s["db"].get("bytes")),
                                                       n(s["db"].get("bytes_per_tx"), "{:.1f}"))
                                     for s in sizes]])
    row(["after full compaction", *["%s (%s B/tx)" % (
        fmt_bytes(s["db"].get("bytes_compacted")), n(s["db"].get("bytes_compacted_per_tx"),
                                                     "{:.1f}")) for s in sizes]])
    row(["blk files", *["%s (%s B/tx)" % (fmt_bytes(s.get("block_bytes")),
                                         n(s.get("block_bytes", 0) / s["txs"], "{:.0f}"))
                       for s in sizes]])
    phases = []
    for s in sizes:
        for pname in s.get("queries", {}):
            if pname not in phases:
                phases.append(pname)
    for pname in phases:
        out.append("\nQueries, load phase `%s` (p50 / p99 ms; throughput of all kinds):\n" % pname)
        row(["", *cols])
        row(["---"] * (len(cols) + 1))
        row(["requests/s", *[n(s.get("queries", {}).get(pname, {}).get("rps")) for s in sizes]])
        for kind in ("ping", "address", "cluster", "trace"):
            cells = []
            for s in sizes:
                q = s.get("queries", {}).get(pname, {}).get(kind)
                if not q:
                    cells.append("-")
                    continue
                cell = "%.2f / %.2f" % (q["p50_ms"], q["p99_ms"])
                if q.get("errors"):
                    cell += " (%d errors)" % q["errors"]
                cells.append(cell)
            row([kind, *cells])
        row(["trace edges p50 / max", *["%s / %s" % (
            n(s.get("queries", {}).get(pname, {}).get("trace", {}).get("edges_p50")),
            n(s.get("queries", {}).get(pname, {}).get("trace", {}).get("edges_max")))
            for s in sizes]])
    p = report.get("projection")
    if p:
        out.append("\nProjection to %s transactions (%s):\n" % (n(p["txs"]), p["model"]))
        row(["phase", "per transaction", "time", "peak RSS"])
        row(["---", "---", "---", "---"])
        for name, r in p.get("phases", {}).items():
            row([name, "%s us, %s B" % (n(r.get("us_per_tx"), "{:.2f}"),
                                        n(r.get("rss_bytes_per_tx"), "{:.0f}")),
                 "%s h" % n(r.get("hours"), "{:.1f}"), fmt_bytes(r.get("peak_rss_bytes"))])
        row(["store", "%s B (compacted %s B)" % (n(p.get("db_bytes_per_tx"), "{:.0f}"),
                                                  n(p.get("db_bytes_compacted_per_tx"), "{:.0f}")),
             "", "%s on disk (%s compacted)" % (fmt_bytes(p.get("db_bytes")),
                                                fmt_bytes(p.get("db_bytes_compacted")))])
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------
# The streaming replay (bench/replay/stream.sh): one chain indexed in chunks.


def collect_stream(work):
    """Chunks of a streaming replay, and the reported sizes (chunks that end at a size)."""
    settings = read_kv(os.path.join(work, "stream.settings"))
    report = {
        "tool": "ariadne-stream",
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "git": {"commit": settings.get("git_commit"),
                "dirty_files": int(settings.get("git_dirty", "0") or 0)},
        "settings": {k: settings[k] for k in ("sizes", "chunk", "memory_mb", "cache_ratio",
                                              "txs_per_block", "seed", "blocks", "build")
                     if k in settings},
        "chunks": [],
    }
    if "start" in settings and "end" in settings:
        report["total_seconds"] = round(float(settings["end"]) - float(settings["start"]), 1)
    names = sorted(n for n in os.listdir(work) if n.startswith("chunk-"))
    prev = {"txs": 0, "tip_height": -1}
    for name in names:
        d = os.path.join(work, name)
        info = read_kv(os.path.join(d, "chunk.info"))
        size = read_json(os.path.join(d, "db_size.json"))
        if not size or info.get("exit", "0") != "0":
            continue
        c = {"chunk": int(info["chunk"]), "label": info.get("label"),
             "txs_before": prev["txs"], "txs_after": size["txs"],
             "txs": size["txs"] - prev["txs"], "blocks": size["tip_height"] - prev["tip_height"],
             "addresses_after": size["addresses"], "db_bytes": size["db_bytes"],
             "loadavg_before": info.get("loadavg_before"), "loadavg_after": info.get("loadavg_after")}
        for k in ("sst_bytes", "index_cache_bytes"):
            if k in size:
                c[k] = size[k]
        c["db_bytes_per_tx"] = round(size["db_bytes"] / size["txs"], 2)
        c["gen_seconds"] = round(float(info["gen_end"]) - float(info["gen_start"]), 3)
        c["blk_bytes"] = int(info.get("blk_bytes", 0))
        t = parse_time_v(os.path.join(d, "index.time")) or {}
        c["wall_seconds"] = round(float(info["index_end"]) - float(info["index_start"]), 3)
        c["cpu_seconds"] = t.get("cpu_seconds")
        c["peak_rss_bytes"] = t.get("peak_rss_bytes")
        txs = max(1, c["txs"])
        c["wall_us_per_tx"] = round(c["wall_seconds"] / txs * 1e6, 4)
        if c["cpu_seconds"] is not None:
            c["cpu_us_per_tx"] = round(c["cpu_seconds"] / txs * 1e6, 4)
        c["tx_per_s"] = round(txs / c["wall_seconds"], 1)
        h = read_json(os.path.join(d, "hash.out"))
        if h:
            c["sha256d_mb_per_s"] = h["mb_per_s"]
            c["sha256d_us_per_tx"] = round(h["seconds"] / txs * 1e6, 4)
            c["ratio_to_sha256d"] = round(c["blk_bytes"] / c["wall_seconds"] / 1e6 /
                                          h["mb_per_s"], 5)
        idx = read_text(os.path.join(d, "index.out"))
        m = re.search(r"\(([\d.]+) s to prepare\)", idx)
        if m:
            c["prepare_seconds"] = float(m.group(1))
        m = re.search(r"lookups: ([\d,]+) addresses \(([\d,]+) cached, ([\d,]+) from the store, "
                      r"([\d,]+) of them found\), ([\d,]+) prevouts \(([\d,]+) cached, ([\d,]+) "
                      r"from the store\)", idx)
        if m:
            v = [num(g) for g in m.groups()]
            c["lookups"] = {"addresses": v[0], "address_cache_hits": v[1],
                            "address_store_reads": v[2], "address_store_found": v[3],
                            "prevouts": v[4], "prevout_cache_hits": v[5],
                            "prevout_store_reads": v[6]}
        plan = re.search(r"^memory budget .*$", read_text(os.path.join(d, "index.err")), re.M)
        if plan:
            c["memory_plan"] = plan.group(0)
        m = re.search(r"--cache-addresses (\d+)", read_text(os.path.join(d, "index.time")))
        if m:
            c["address_cache_entries"] = int(m.group(1))
        report["chunks"].append(c)
        prev = size
    g = parse_time_v(os.path.join(work, "gen.time"))
    if g:
        report["gen"] = g
    comp = read_json(os.path.join(work, "compact.out"))
    if comp:
        report["compact"] = {"db_bytes": comp["db_bytes"], "seconds": comp["seconds"]}
        if report["chunks"]:
            last = report["chunks"][-1]
            report["compact"]["db_bytes_per_tx"] = round(comp["db_bytes"] / last["txs_after"], 2)
    report["sizes"] = [c for c in report["chunks"] if c.get("label")]
    return report


def project_stream(report, txs, addresses):
    """Marginal cost per transaction as a line in the chain's size (least squares over every chunk
    but the first, whose cost includes the store's creation), integrated from 0 to `txs`."""
    pts = [(c["txs_after"], c["wall_seconds"] / c["txs"]) for c in report["chunks"][1:]
           if c["txs"] > 0]
    cpu = [(c["txs_after"], c["cpu_seconds"] / c["txs"]) for c in report["chunks"][1:]
           if c["txs"] > 0 and c.get("cpu_seconds")]
    out = {"txs": txs, "addresses": addresses,
           "model": "marginal cost per transaction = a + b * chain size (least squares over the "
                    "chunks), integrated over the chain"}
    for key, p in (("wall", pts), ("cpu", cpu)):
        f = fit(p)
        if f:
            a, b = f
            out[key + "_us_per_tx_at_start"] = round(a * 1e6, 3)
            out[key + "_us_per_tx_growth_per_100m"] = round(b * 1e8 * 1e6, 3)
            out[key + "_us_per_tx_at_end"] = round((a + b * txs) * 1e6, 3)
            out[key + "_hours"] = round((a * txs + b * txs * txs / 2) / 3600, 2)
    sizes = [c for c in report["chunks"] if c.get("db_bytes")]
    f = fit([(c["txs_after"], c["db_bytes"]) for c in sizes])
    if f:
        out["db_bytes_per_tx"] = round(f[1], 2)
        out["db_bytes"] = int(f[0] + f[1] * txs)
    out["peak_rss_bytes_measured"] = max((c.get("peak_rss_bytes") or 0) for c in report["chunks"])
    return out


def plot_stream(report, path):
    chunks = [c for c in report["chunks"] if c["txs"] > 0]
    if not chunks:
        print("nothing to plot", file=sys.stderr)
        return
    xs = [c["txs_after"] for c in chunks]
    labels = {c["txs_after"]: c["label"] for c in chunks if c.get("label")}
    xlabels = [labels.get(x, "") for x in xs]
    mib = 1 << 20

    def col(key, scale=1.0):
        return [None if c.get(key) is None else c[key] * scale for c in chunks]

    def rate(num_key, den_key):
        out = []
        for c in chunks:
            lk = c.get("lookups") or {}
            out.append(100.0 * lk[num_key] / lk[den_key] if lk.get(den_key) else None)
        return out

    budget = float(report["settings"].get("memory_mb", 0) or 0)
    w, h = 560, 300
    parts = []
    parts += panel(0, 0, w, h, "Index cost per transaction (chunk ending there)",
                   "microseconds per transaction", xs, xlabels,
                   [("wall", col("wall_us_per_tx")), ("CPU (2 cores)", col("cpu_us_per_tx")),
                    ("SHA-256d (floor)", col("sha256d_us_per_tx"))])
    parts += panel(w, 0, w, h, "Indexer peak RSS", "MiB", xs, xlabels,
                   [("peak RSS", col("peak_rss_bytes", 1.0 / mib)),
                    ("budget (--memory-mb)", [budget or None] * len(xs), COLORS[1], True)])
    parts += panel(0, h, w, h, "Store on disk", "bytes per transaction", xs, xlabels,
                   [("store (as indexed)", col("db_bytes_per_tx"))])
    parts += panel(w, h, w, h, "Where lookups were answered", "percent", xs, xlabels,
                   [("addresses from the cache", rate("address_cache_hits", "addresses")),
                    ("addresses from the store", rate("address_store_reads", "addresses")),
                    ("prevouts from the cache", rate("prevout_cache_hits", "prevouts")),
                    ("prevouts from the store", rate("prevout_store_reads", "prevouts"))])
    m = report["machine"]
    foot = "streaming replay: %s, %d cores, %s RAM; %s; ariadne %s; budget %s MiB, address cache " \
           "1/%s of the addresses" % (m["cpu"], m["cpus"], fmt_bytes(m["mem_bytes"]),
                                      report["created"], (report["git"]["commit"] or "?")[:10],
                                      report["settings"].get("memory_mb"),
                                      report["settings"].get("cache_ratio"))
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (2 * w, 2 * h + 24),
           '<rect width="100%" height="100%" fill="white"/>'] + parts + [
        '<text x="8" y="%d" font-size="11" fill="#555">%s</text>' % (2 * h + 16, esc(foot)),
        "</svg>"]
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")
    print("wrote %s" % path)


def markdown_stream(report):
    out = []

    def row(cells):
        out.append("| " + " | ".join(cells) + " |")

    sizes = report["sizes"]
    row(["", *[s["label"] for s in sizes]])
    row(["---"] * (len(sizes) + 1))
    row(["chain (transactions / addresses)", *["%s / %s" % ("{:,}".format(s["txs_after"]),
                                                           "{:,}".format(s["addresses_after"]))
                                               for s in sizes]])
    row(["chunk indexed (transactions)", *["{:,}".format(s["txs"]) for s in sizes]])
    row(["wall µs/tx (CPU µs/tx)", *["%.2f (%.2f)" % (s["wall_us_per_tx"],
                                                     s.get("cpu_us_per_tx") or 0) for s in sizes]])
    row(["tx/s", *["{:,.0f}".format(s["tx_per_s"]) for s in sizes]])
    row(["of which preparing (s)", *["%.1f" % s.get("prepare_seconds", 0) for s in sizes]])
    row(["ingest / SHA-256d", *["%.4f" % s.get("ratio_to_sha256d", 0) for s in sizes]])
    row(["peak RSS", *[fmt_bytes(s.get("peak_rss_bytes")) for s in sizes]])
    row(["store bytes/tx (as indexed)", *["%.1f" % s["db_bytes_per_tx"] for s in sizes]])
    row(["files beside it (index-cache/)", *["%s (%.1f B/tx)" % (
        fmt_bytes(s.get("index_cache_bytes")), s.get("index_cache_bytes", 0) / s["txs_after"])
        for s in sizes]])
    row(["address cache entries", *["{:,}".format(s.get("address_cache_entries", 0))
                                    for s in sizes]])
    for key, label in (("address_cache_hits", "addresses: cache hits"),
                       ("address_store_reads", "addresses: store lookups"),
                       ("prevout_cache_hits", "prevouts: cache hits"),
                       ("prevout_store_reads", "prevouts: store reads")):
        den = "addresses" if key.startswith("address") else "prevouts"
        row([label, *["%.1f%%" % (100.0 * s["lookups"][key] / max(1, s["lookups"][den]))
                      if s.get("lookups") else "-" for s in sizes]])
    row(["load average (before, after)", *["%s; %s" % (s.get("loadavg_before"),
                                                       s.get("loadavg_after")) for s in sizes]])
    p = report.get("projection")
    if p:
        out.append("\nProjection to %s transactions (%s): %.1f h wall, %.1f h CPU; %s µs/tx at "
                   "the start, %s µs/tx at the end; store %s\n" % (
                       "{:,.0f}".format(p["txs"]), p["model"], p.get("wall_hours", 0),
                       p.get("cpu_hours", 0), p.get("wall_us_per_tx_at_start"),
                       p.get("wall_us_per_tx_at_end"), fmt_bytes(p.get("db_bytes"))))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", action="append",
                    help="the replay's work folder (per-size logs); repeat to merge several runs")
    ap.add_argument("--from", dest="from_json", help="an existing report to print or plot")
    ap.add_argument("--stream", help="a streaming replay's work folder (bench/replay/stream.sh)")
    ap.add_argument("--out", help="write the JSON report here")
    ap.add_argument("--plot", help="write an SVG plot here")
    ap.add_argument("--markdown", help="write the report's tables as Markdown here")
    ap.add_argument("--plot-phase", help="the load phase whose latencies are drawn (default: the "
                    "first, closed:1)")
    ap.add_argument("--project-txs", type=float, default=1.15e9,
                    help="project the costs to a chain of this many transactions "
                         "(default 1.15e9, Bitcoin mainnet; 0: no projection)")
    ap.add_argument("--project-addresses", type=float, default=1.45e9,
                    help="addresses of the projected chain (default 1.45e9)")
    args = ap.parse_args()
    if args.stream or (args.from_json and "stream" in os.path.basename(args.from_json)):
        if args.stream:
            report = collect_stream(args.stream)
        else:
            with open(args.from_json) as f:
                report = json.load(f)
        if args.project_txs:
            report["projection"] = project_stream(report, args.project_txs,
                                                  args.project_addresses)
        if args.out:
            with open(args.out, "w") as f:
                json.dump(report, f, indent=1)
                f.write("\n")
            print("wrote %s" % args.out)
        text = markdown_stream(report)
        print(text)
        if args.markdown:
            with open(args.markdown, "w") as f:
                f.write(text)
        if args.plot:
            plot_stream(report, args.plot)
        return
    if args.from_json:
        with open(args.from_json) as f:
            report = json.load(f)
    elif args.work:
        report = collect(args.work)
    else:
        ap.error("give --work or --from")
    if args.project_txs:
        report["projection"] = project(report, args.project_txs, args.project_addresses)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
        print("wrote %s" % args.out)
    print_table(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(report))
        print("wrote %s" % args.markdown)
    if args.plot:
        plot(report, args.plot, args.plot_phase)


if __name__ == "__main__":
    main()
