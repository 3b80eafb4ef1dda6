#!/usr/bin/env bash
# Installs what is missing, builds eventsubd (Release) and runs it. Without configuration
# it serves the REST API on 0.0.0.0:8000 with memory storage; settings come from the
# environment, a .env file, or flags (see `eventsubd --help`), e.g.
#   ./scripts/run.sh --port 9000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEVENTSUBD_BUILD_TESTS=OFF
cmake --build build --target eventsubd
exec ./build/app/eventsubd "$@"
