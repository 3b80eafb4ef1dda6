#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors, and runs the
# whole test suite with ctest (unit, actor and end-to-end tests against the real binary),
# then every fuzz target for 30 s on its corpus (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh --tests
cmake -S . -B build-tests -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTSUBD_WERROR=ON
cmake --build build-tests
(cd build-tests && ctest --output-on-failure --timeout 300 -j "$(nproc)")
./scripts/fuzz.sh --seconds 30
