#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs Debian packages, builds with clang
# (libFuzzer targets included) in build/test, and runs ctest. The last lines are ctest's summary.
#
# Environment: ARIADNE_TESTDATA (chaindata folder, default ../shared/chaindata),
#              ARIADNE_FUZZ_SECONDS (per fuzz target, default 12), JOBS (parallel jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
JOBS=${JOBS:-$(nproc)}
export CC=clang CXX=clang++
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Release -DARIADNE_FUZZ=ON \
  -DARIADNE_FUZZ_SECONDS="${ARIADNE_FUZZ_SECONDS:-12}" >/dev/null
ninja -C build/test -j "$JOBS"
cd build/test
ctest --output-on-failure -j "$JOBS"
