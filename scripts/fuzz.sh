#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang 14, ASan + UBSan) in build-fuzz and runs
# each on its corpus for a set time. Exits non-zero when a target crashes; the input that
# did it is kept under build-fuzz/artifacts/ (copy it into tests/fuzz/regressions/<target>/
# so every later run replays it first).
#
#   scripts/fuzz.sh                    every target, 30 s each (CI: --seconds 15)
#   scripts/fuzz.sh --seconds 600      every target, 10 minutes each
#   scripts/fuzz.sh fuzz_webhook ...   only these
#   --jobs N                           targets run side by side (default: number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
jobs=$(nproc)
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
all=(fuzz_webhook fuzz_http_request fuzz_rfc3339 fuzz_login fuzz_helix fuzz_stored_json fuzz_journal)
((${#targets[@]})) || targets=("${all[@]}")

for tool in clang++-14 clang-14; do
  command -v "$tool" >/dev/null || {
    echo "$tool missing: sudo apt-get install -y clang libclang-rt-14-dev" >&2
    exit 1
  }
done
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEVENTSUBD_FUZZ=ON -DEVENTSUBD_BUILD_TESTS=OFF -DEVENTSUBD_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build build-fuzz --target "${targets[@]}"

mkdir -p build-fuzz/artifacts
# shellcheck source=scripts/sanitizer-env.sh
source scripts/sanitizer-env.sh
run_one() {
  local t=$1 corpus=build-fuzz/corpus/$1 log=build-fuzz/$1.log
  mkdir -p "$corpus"
  # Past findings first: each must pass on its own.
  if compgen -G "tests/fuzz/regressions/$t/*" >/dev/null; then
    "build-fuzz/tests/fuzz/$t" tests/fuzz/regressions/"$t"/* >"$log.regressions" 2>&1 || {
      echo "$t: a past finding fails again:" >&2
      tail -n 30 "$log.regressions" >&2
      return 1
    }
  fi
  # New inputs go to build-fuzz/corpus/<target>; the checked-in seeds are read only.
  if ! "build-fuzz/tests/fuzz/$t" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$t-" "$corpus" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1; then
    echo "$t: FAILED; the input is in build-fuzz/artifacts/, the log in $log:" >&2
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -n 20 >&2
    return 1
  fi
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  echo "$t: ok, ${runs:-?} inputs in ${seconds} s, corpus $(find "$corpus" -type f | wc -l) files"
}

status=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  if ((${#pids[@]} >= jobs)); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit "$status"
