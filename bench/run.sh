#!/usr/bin/env bash
# The eventsubd benchmark suite (issue 6). See bench/README.md.
#
#   ./bench/run.sh [--quick] [--only LIST] [--modes LIST] [--no-build] [...]
#
# Builds Release, starts eventsubd (memory, then Redis storage), seeds it through its
# own webhook, drives it with wrk, compares with nginx serving a fixed body, measures
# RSS and start-up time, prints a table. Exits non-zero if any request failed.
set -euo pipefail
export LC_ALL=C  # "." as decimal point in EPOCHREALTIME and printf

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
LUA="$BENCH_DIR/lua"

usage() {
  cat <<EOF
Usage: $0 [options]
  --quick               3 s runs after a 1 s warm-up (default: 10 s after 2 s)
  --duration S          seconds per measured run (default 10)
  --warmup S            seconds of warm-up before each run (default 2)
  --only LIST           comma-separated subset of:
                        status,live,events,webhook,rss,startup,refresh
                        (default: all; the nginx reference runs whenever a wrk
                        scenario does)
  --modes LIST          storage modes, comma-separated: memory,redis (default both)
  --threads N           wrk threads (default 2)
  --connections N       wrk connections (default 64)
  --webhook-rate R      size the pre-signed webhook pool for R req/s (default 100000)
  --no-build            use the existing build/ (default: configure and build Release)
  --keep                keep the temporary directory (logs, pools) and print its path
  -h, --help            this text
Environment: BENCH_SERVER_ENV="IO_THREADS=2 ..." is passed to every eventsubd started.
EOF
}

# ------------------------------------------------------------------ options
DURATION=10 WARMUP=2 THREADS=2 CONNECTIONS=64 WEBHOOK_RATE=100000
BUILD=1 KEEP=0 MODES=memory,redis ONLY=status,live,events,webhook,rss,startup,refresh
SEED_STREAMERS=1000   # live statuses and events the request scenarios run against
RSS_STREAMERS=10000   # live statuses for the memory figure
REFRESH_STREAMERS=10000  # monitored streamers for the Helix call count
STARTUP_RUNS=5        # start-up is short and noisy: report min / median / max
SECRET=bench-webhook-secret-0123456789

while (($#)); do
  case $1 in
    --quick) DURATION=3 WARMUP=1 ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --webhook-rate) WEBHOOK_RATE=$2; shift ;;
    --no-build) BUILD=0 ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

selected() { [[ ",$ONLY," == *",$1,"* ]]; }
mode_selected() { [[ ",$MODES," == *",$1,"* ]]; }
for s in ${ONLY//,/ }; do
  case $s in status | live | events | webhook | rss | startup | refresh) ;;
    *) echo "--only: unknown scenario '$s'" >&2; exit 2 ;; esac
done
for m in ${MODES//,/ }; do
  case $m in memory | redis) ;; *) echo "--modes: unknown mode '$m'" >&2; exit 2 ;; esac
done
WRK_SCENARIOS=()
for s in status live events webhook; do selected "$s" && WRK_SCENARIOS+=("$s"); done

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ prerequisites
# Nothing is installed here: say which Debian package provides what is missing.
PATH=$PATH:/usr/sbin:/sbin  # nginx and redis-server live in sbin for non-root users
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need python3 python3
((${#WRK_SCENARIOS[@]})) && { need wrk wrk; need nginx nginx-light; }
mode_selected redis && { need redis-server redis-server; need redis-cli redis-tools; }
selected refresh && need redis-server redis-server
((BUILD)) && need cmake cmake
if ((${#missing[@]})); then
  echo "Missing tools. On Debian 12 install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3  # skips pyenv shims (slow to start)
TOOL=("$PY" "$BENCH_DIR/lib/benchtool.py")

# ------------------------------------------------------------------ cleanup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/eventsubd-bench.XXXXXX")
RESULTS=$TMP/results.jsonl
: >"$RESULTS"
PIDS=()  # every process this script started, stopped by cleanup()
SERVER_SIDE_PIDS=()  # what serves the current wrk runs (CPU accounting)

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do  # eventsubd has a 5 s shutdown grace
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if ((KEEP)); then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {  # after stopping a process by hand
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# ------------------------------------------------------------------ build
if ((BUILD)); then
  log "building Release (cmake --build build -j2)"
  if ! (cd "$ROOT" && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
    cmake --build build -j2) >"$TMP/build.log" 2>&1; then
    tail -n 30 "$TMP/build.log" >&2
    die "build failed (output above)"
  fi
fi
BIN=$ROOT/build/app/eventsubd
if [[ ! -x $BIN ]]; then
  BIN=$(find "$ROOT/build" -type f -name eventsubd -perm -u+x 2>/dev/null | head -n1)
  [[ -n $BIN ]] || die "no eventsubd binary under $ROOT/build (drop --no-build?)"
fi
log "binary: $BIN"
# Every variable eventsubd reads, from its --help ("--port (PORT)"), to unset for it.
mapfile -t SERVER_VARS < <("$BIN" --help | sed -n 's/^ *--[a-z-]* (\([A-Z_]*\)).*/\1/p')
((${#SERVER_VARS[@]} > 5)) || die "could not read the variables from $BIN --help"

# ------------------------------------------------------------------ the parts
# shellcheck source=bench/lib/helpers.sh
source "$BENCH_DIR/lib/helpers.sh"
# shellcheck source=bench/lib/nginx.sh
source "$BENCH_DIR/lib/nginx.sh"
# shellcheck source=bench/lib/scenarios.sh
source "$BENCH_DIR/lib/scenarios.sh"

# ------------------------------------------------------------------ main
log "runs: ${WARMUP} s warm-up + ${DURATION} s, wrk -t$THREADS -c$CONNECTIONS; modes: $MODES; only: $ONLY"
# Anything else busy on the machine skews every number: measure how busy the CPUs are
# over one second before starting (the load average lags, e.g. right after the build).
sleep 2  # let a just-finished build's processes go
machine_ticks
busy0=$MACHINE_BUSY all0=$MACHINE_ALL
sleep 1
machine_ticks
BUSY_BEFORE=$((100 * (MACHINE_BUSY - busy0) / (MACHINE_ALL - all0 > 0 ? MACHINE_ALL - all0 : 1)))
log "CPU busy before the runs: ${BUSY_BEFORE}% of $(nproc) cores"
((BUSY_BEFORE < 15)) || log "WARNING: something else is using the CPU; expect low, noisy numbers"
((${#WRK_SCENARIOS[@]})) && run_nginx_reference
for mode in memory redis; do
  mode_selected "$mode" || continue
  ((${#WRK_SCENARIOS[@]})) && run_mode "$mode"
  selected rss && run_rss "$mode"
done
selected startup && run_startup
selected refresh && run_refresh

echo
echo "eventsubd benchmark: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s" \
  "(after ${WARMUP} s warm-up), $SEED_STREAMERS seeded live streamers; $(git -C "$ROOT" \
  describe --always --dirty 2>/dev/null || echo "unknown version")"
echo "CPU busy before the runs: ${BUSY_BEFORE}%; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"${TOOL[@]}" table "$RESULTS"
