#!/usr/bin/env bash
# Runs clang-tidy 14 with the checked-in .clang-tidy on the project's own sources
# (actors, app, core, http, storage, twitch and their headers). Compile commands come
# from a clang configuration in build-tidy (nothing is compiled). Exits non-zero on any
# finding. About 15 minutes on 2 cores, so it is not part of scripts/test.sh.
#
#   scripts/tidy.sh                 every source file
#   scripts/tidy.sh http/server.cpp ...   only these
set -euo pipefail
cd "$(dirname "$0")/.."
command -v run-clang-tidy-14 >/dev/null || {
  echo "clang-tidy 14 missing: sudo apt-get install -y clang-tidy" >&2
  exit 1
}
CC=clang-14 CXX=clang++-14 cmake -S . -B build-tidy -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DEVENTSUBD_BUILD_TESTS=OFF >/dev/null
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'actors/*.cpp' 'app/*.cpp' 'core/*.cpp' 'http/*.cpp' \
    'storage/*.cpp' 'twitch/*.cpp')
fi
run-clang-tidy-14 -p build-tidy -quiet -j "$(nproc)" "${files[@]}"
