#!/usr/bin/env bash
# Installs what is missing, then
#   1. builds everything with GCC, warnings as errors, and runs the whole test suite with
#      ctest (unit, actor and end-to-end tests against the real binary);
#   2. builds it again with clang, AddressSanitizer and UndefinedBehaviorSanitizer
#      (build-san), and runs the whole suite again: any report fails the test;
#   3. runs every fuzz target for 15 s on its corpus (scripts/fuzz.sh; CI time).
#
#   scripts/test.sh                    all three (what CI runs)
#   scripts/test.sh --no-sanitizers    skips step 2, for a quicker local run
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=1
for arg in "$@"; do
  case $arg in
    --no-sanitizers) sanitizers=0 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

./scripts/setup-debian.sh --tests
# Line tables only (-g1, -gline-tables-only): enough for symbolized backtraces and
# sanitizer reports, and full debug info cost a quarter of the compile time. Sanitizer
# builds use -O1, as the sanitizers recommend (faster to build, reports as precise).
cmake -S . -B build-tests -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTSUBD_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build build-tests
(cd build-tests && ctest --output-on-failure --timeout 300 -j "$(nproc)")

if ((sanitizers)); then
  # shellcheck source=scripts/sanitizer-env.sh
  source scripts/sanitizer-env.sh
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-san -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTSUBD_SANITIZE=ON -DEVENTSUBD_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG"
  cmake --build build-san
  (cd build-san && ctest --output-on-failure --timeout 600 -j "$(nproc)")
fi

./scripts/fuzz.sh --seconds 15
