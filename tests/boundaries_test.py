#!/usr/bin/env python3
"""Fails when a source file includes across a module boundary that DESIGN.md forbids.

The dependency direction is engine/core <- engine/store <- {indexer, heuristics, engine/graph
<- engine/query <- engine/trace <- engine/utxo, engine/account <- engine/backends} <- engine/service
<- tools (docs/architecture.md draws it). Each rule below names the folders whose
files it applies to and the include prefixes they must not use; the first rule whose folder
matches a file decides. Run with the repository root as the argument (ctest does), or with
--self-test to prove on a made-up tree that every rule can fail.
"""
import os
import re
import sys
import tempfile

# What no engine module below the service may include.
OUTSIDE_ENGINE = ["indexer/", "heuristics/", "proto/", "gen/", "tools/", "bench/"]
# The engine's layers, bottom up: a module may include the layers below it, never one above.
ENGINE_LAYERS = ["engine/core/", "engine/store/", "engine/graph/", "engine/query/",
                 "engine/trace/", "engine/utxo/", "engine/account/", "engine/backends/",
                 "engine/service/"]


def above(layer, also=()):
    """The engine layers above `layer` (what it must not include), and `also`."""
    return ENGINE_LAYERS[ENGINE_LAYERS.index(layer) + 1:] + list(also)


# (folder prefix of the including file, include prefixes it must not use, why). The first rule
# whose folder matches a file decides.
RULES = [
    ("engine/core/", above("engine/core/", ["engine/files/"]) + OUTSIDE_ENGINE,
     "engine/core is the leaf: value types and encodings only"),
    ("engine/store/", above("engine/store/") + OUTSIDE_ENGINE,
     "engine/store sits on engine/core only"),
    ("engine/graph/", above("engine/graph/") + OUTSIDE_ENGINE,
     "the in-memory structures sit on engine/store and engine/core"),
    ("engine/query/", above("engine/query/") + OUTSIDE_ENGINE,
     "the queries written once know no chain's backend and no algorithm of one"),
    ("engine/trace/", above("engine/trace/") + OUTSIDE_ENGINE,
     "the flow-of-funds algorithms know no backend"),
    ("engine/utxo/", ["engine/account/", "engine/backends/", "engine/service/"] + OUTSIDE_ENGINE,
     "a backend never includes another backend, the registry or the service"),
    ("engine/account/", ["engine/utxo/", "engine/backends/", "engine/service/"] + OUTSIDE_ENGINE,
     "a backend never includes another backend, the registry or the service"),
    ("engine/backends/", ["engine/service/"] + OUTSIDE_ENGINE,
     "the registry of backends sits below the service"),
    ("engine/render/", ENGINE_LAYERS + ["engine/files/", "engine/http/", "engine/report/",
                                        "indexer/", "heuristics/", "gen/", "tools/", "bench/"],
     "the JSON of replies is made from the protobuf messages alone"),
    ("engine/report/", ENGINE_LAYERS + ["engine/files/", "engine/http/", "indexer/", "heuristics/",
                                        "gen/", "tools/", "bench/"],
     "the report asks the service through its stub and renders the replies; it reads no store"),
    ("engine/http/", ENGINE_LAYERS[1:-1] + ["engine/files/", "indexer/", "heuristics/", "gen/",
                                           "tools/", "bench/"],
     "the HTTP API reaches the engine only through the service's gateway (core's strings aside)"),
    ("engine/watch/", ["engine/trace/", "engine/utxo/", "engine/account/", "engine/backends/",
                       "engine/service/", "engine/http/", "engine/render/", "engine/files/"]
     + OUTSIDE_ENGINE,
     "watchlists evaluate their rules through the chain-neutral queries; the service wires them"),
    ("engine/service/", ["engine/http/", "indexer/", "gen/", "tools/", "bench/"],
     "the service may use heuristics/, never the indexer, the generator, tools or benchmarks"),
    ("engine/", OUTSIDE_ENGINE,
     "engine modules below the service use neither the indexer nor heuristics nor protobuf"),
    ("indexer/", ["heuristics/", "engine/service/", "proto/", "gen/", "tools/", "bench/"],
     "the indexer and heuristics never include each other"),
    ("heuristics/", ["indexer/", "engine/service/", "proto/", "gen/", "tools/", "bench/"],
     "the indexer and heuristics never include each other"),
    ("gen/", ["engine/store/", "engine/graph/", "engine/query/", "engine/trace/", "engine/utxo/",
              "engine/account/", "engine/backends/", "engine/service/", "indexer/",
              "heuristics/", "proto/", "tools/", "bench/"],
     "the generator writes blk files from engine/core's types only"),
    ("proto/", ["engine/", "indexer/", "heuristics/", "gen/", "tools/", "bench/"],
     "the API contract depends on nothing"),
    ("tools/", ["bench/"], "nothing outside bench/ includes bench/"),
    ("bench/", ["tools/"], "the benchmarks measure the modules, not the command line"),
    ("tests/", ["bench/", "tools/"], "tests run the binary; they do not link tools/ or bench/"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_DIRS = ["engine", "indexer", "heuristics", "gen", "proto", "tools", "bench", "tests"]
SUFFIXES = (".h", ".cc", ".cpp", ".hpp")


def rule_for(path):
    for folder, banned, why in RULES:
        if path.startswith(folder):
            return banned, why
    return None


def violations(root):
    found = []
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", "build")]
            for name in filenames:
                if not name.endswith(SUFFIXES):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                rule = rule_for(rel)
                if rule is None:
                    continue
                banned, why = rule
                with open(full, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        for prefix in banned:
                            if target.startswith(prefix):
                                found.append(f"{rel}:{number}: includes \"{target}\" ({why})")
                                break
    return found


def self_test():
    """Every ban must be able to fail: per rule, one file that includes its own folder (allowed)
    and one banned prefix per line; each banned line, and only those, must be reported."""
    with tempfile.TemporaryDirectory() as root:
        expected = set()
        for i, (folder, banned, _) in enumerate(RULES):
            rel = f"{folder}offender{i}.cc"
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            lines = [f'#include "{folder}ok.h"'] + [f'#include "{b}x.h"' for b in banned]
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            expected.update(f"{rel}:{n}" for n in range(2, len(lines) + 1))
        got = {v.split(": ")[0] for v in violations(root)}
        if got != expected:
            print(f"self-test: {len(expected)} banned includes, reported differ:")
            print("missed:", sorted(expected - got))
            print("extra:", sorted(got - expected))
            return 1
    print(f"self-test: each of the {len(expected)} bans of the {len(RULES)} rules is reported")
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    found = violations(root)
    if found:
        print(f"{len(found)} includes cross a forbidden module boundary:")
        print("\n".join(found))
        return 1
    print("no include crosses a forbidden module boundary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
