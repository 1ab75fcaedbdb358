#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the demo need. Idempotent: packages that
# are already installed are skipped, so a second run costs a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev
  libabsl-dev libssl-dev librocksdb-dev libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libbz2-dev
  libsecp256k1-dev libcrypto++-dev libsimdjson-dev libyaml-cpp-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libboost-dev libboost-graph-dev libbenchmark-dev libgtest-dev libgmock-dev
  graphviz xxd python3 python3-grpcio python3-protobuf python3-grpc-tools
  chromium chromium-driver curl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
