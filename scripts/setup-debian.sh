#!/usr/bin/env bash
# Installs the Debian 12 packages eventsubd needs to build, run and test, if missing.
# Uses sudo when not root. Safe to run again: installs only what is not there yet.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcaf-dev libboost-dev libboost-system-dev libsimdjson-dev libssl-dev
  libhiredis-dev libspdlog-dev libfmt-dev rapidjson-dev
  libgtest-dev libgmock-dev
  ca-certificates
)
# npm fetches Swagger UI for /docs at build time; a Node.js that already brings npm
# (e.g. NodeSource's nodejs) is used as it is.
command -v npm >/dev/null || packages+=(npm)
if [[ "${1:-}" == "--tests" ]]; then
  # chromium: the headless test of the /docs page; clang + its runtimes: the fuzz targets;
  # redis-sentinel: the Sentinel failover tests (one master, one replica, three sentinels)
  packages+=(redis-server redis-sentinel chromium clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
