#!/usr/bin/env bash
# Sets everything up and runs the main job: installs Debian packages, builds Ariadne in
# build/release, and decodes the Bitcoin genesis block.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
JOBS=${JOBS:-$(nproc)}
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DARIADNE_BUILD_TESTS=OFF >/dev/null
ninja -C build/release -j "$JOBS" ariadne
A=build/release/tools/ariadne
WORK=${ARIADNE_DEMO_DIR:-build/demo}
mkdir -p "$WORK"

# The genesis block as Bitcoin Core stores it in blocks/blk00000.dat (magic, size, block).
GENESIS="f9beb4d91d0100000100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000"
echo "$GENESIS" | xxd -r -p > "$WORK/genesis.blk"

echo
echo "== ariadne decode $WORK/genesis.blk"
$A decode "$WORK/genesis.blk"
echo
echo "== ariadne decode $WORK/genesis.blk --json"
$A decode "$WORK/genesis.blk" --json
