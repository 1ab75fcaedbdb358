#!/usr/bin/env python3
"""An example to adapt: a short report on the addresses of a case file.

For every address of a CSV file (a column named "address", else the first column) it asks the
server for the address's totals, its wallet cluster, and where its funds went (a forward trace),
prints one line per address and writes everything as JSON.

    export ARIADNE_TOKEN=...           # the token your administrator gave you
    PYTHONPATH=tools/python:build/tools/python/gen \\
        python3 tools/python/examples/case_report.py case.csv --case-id CASE-17 \\
        --server ariadne.example.org:50051 --ca ca.pem --out report.json

Every query is recorded in the server's audit trail under your name and the case id.
"""

import argparse
import csv
import json
import sys

from google.protobuf.json_format import MessageToDict

from ariadne import AriadneError, Client


def read_addresses(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    if "address" in header:
        col = header.index("address")
        rows = rows[1:]
    else:
        col = 0
    return [r[col].strip() for r in rows if len(r) > col and r[col].strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", help="case file with the addresses")
    p.add_argument("--server", default="127.0.0.1:50051")
    p.add_argument("--token", help="bearer token (default: $ARIADNE_TOKEN)")
    p.add_argument("--case-id", help="case id for the audit trail (default: $ARIADNE_CASE_ID)")
    p.add_argument("--ca", help="the server's CA certificate (TLS)")
    p.add_argument("--cert", help="client certificate (mutual TLS)")
    p.add_argument("--key", help="client key (mutual TLS)")
    p.add_argument("--hops", type=int, default=3, help="trace depth (default 3)")
    p.add_argument("--out", help="write the JSON report here (default: stdout)")
    args = p.parse_args()

    report = {"addresses": []}
    with Client(args.server, token=args.token, case_id=args.case_id, ca_file=args.ca,
                cert_file=args.cert, key_file=args.key) as client:
        status = client.status()
        report["chain"] = MessageToDict(status, preserving_proto_field_name=True)
        print(f"chain {status.network}, tip {status.tip_height}", file=sys.stderr)
        for address in read_addresses(args.csv):
            entry = {"address": address}
            try:
                summary = client.address(address)
                entry["summary"] = MessageToDict(summary, preserving_proto_field_name=True)
                if summary.cluster_id >= 0:
                    cluster = client.cluster(address=address)
                    entry["cluster"] = MessageToDict(cluster, preserving_proto_field_name=True)
                trace = client.trace(address, hops=args.hops)
                entry["trace"] = MessageToDict(trace.summary, preserving_proto_field_name=True)
                entry["trace"]["endpoints"] = [
                    MessageToDict(e, preserving_proto_field_name=True) for e in trace.endpoints]
                print(f"{address}  received {summary.received / 1e8:.8f} BTC  "
                      f"balance {summary.balance / 1e8:.8f} BTC  cluster {summary.cluster_id}  "
                      f"trace: {len(trace.edges)} edges, {len(trace.endpoints)} endpoints",
                      file=sys.stderr)
            except AriadneError as e:
                if e.code in ("UNAUTHENTICATED", "PERMISSION_DENIED", "UNAVAILABLE"):
                    raise SystemExit(f"error: {e}")
                entry["error"] = {"code": e.code, "message": e.message}
                print(f"{address}  {e.code}: {e.message}", file=sys.stderr)
            report["addresses"].append(entry)

    text = json.dumps(report, indent=2, sort_keys=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
