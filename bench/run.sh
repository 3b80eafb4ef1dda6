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

# ------------------------------------------------------------------ helpers
# Runs a command as a tracked background child and waits for it: `wait` returns as soon
# as a trapped signal arrives (with a foreground child the trap would wait for it, up to
# a whole wrk run), and cleanup() then stops the child too.
run_child() {
  local pid rc=0
  "$@" &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

# A sleep that forks nothing (fine-grained polling in the start-up measurement).
exec {SLEEP_FD}<> <(:)
nap() { read -r -t "$1" -u "$SLEEP_FD" _ || true; }
# Microseconds since the epoch in NOW_US (a variable, not $(...): no fork in poll loops).
now_us() { local t=$EPOCHREALTIME; NOW_US=$((10#${t//[.,]/})); }

result() { echo "$1" >>"$RESULTS"; }
measure() {  # label value: a non-wrk line of the report
  result "{\"kind\":\"measure\",\"label\":\"$1\",\"value\":\"$2\"}"
  log "$1: $2"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# True if GET PATH on 127.0.0.1:PORT answers 200 (bash's /dev/tcp: no curl, no fork).
http_ok() {
  local fd line=""
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  read -r -t 5 line <&"$fd" || true
  exec {fd}>&-
  [[ $line == "HTTP/1.1 200"* ]]
}

# Waits until PID listens: PORT_FILE holds the port once it does, and a TCP connect
# proves it. Sets PORT and ACCEPT_MS (from T0, in us, taken just before the process was
# started). Polls every 0.5 ms without forking, so polling barely disturbs the start.
wait_accepting() {
  local pid=$1 port_file=$2 t0=$3 what=$4 logfile=$5 fd
  PORT=""
  while :; do
    if [[ -s $port_file ]]; then
      read -r PORT <"$port_file" || true
      if [[ $PORT =~ ^[0-9]+$ ]] && { exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then
        exec {fd}>&-
        break
      fi
    fi
    kill -0 "$pid" 2>/dev/null || die "$what exited at start: $(tail -n 20 "$logfile")"
    now_us; ((NOW_US < t0 + 30000000)) || die "$what not accepting after 30 s"
    nap 0.0005
  done
  now_us; ACCEPT_MS=$(((NOW_US - t0 + 500) / 1000))
}

# Starts eventsubd; sets SERVER_PID, SERVER_PORT, SERVER_LOG, ACCEPT_MS (process start to
# first accepted connection) and READY_MS (to the first GET /health 200, which with
# Redis means the stored state is loaded).
SERVER_SEQ=0
start_eventsubd() {
  local storage=$1 redis_url=${2:-} dir t0
  dir=$TMP/server-$((++SERVER_SEQ))
  mkdir -p "$dir"
  SERVER_LOG=$dir/eventsubd.log
  local env=(PORT=0 PORT_FILE="$dir/port" HOST=127.0.0.1 WEBHOOK_SECRET="$SECRET"
    LOG_LEVEL=warning STORAGE_TYPE="$storage")
  [[ -n $redis_url ]] && env+=(REDIS_URL="$redis_url")
  # shellcheck disable=SC2206  # word splitting of the user's extra settings is wanted
  [[ -n ${BENCH_SERVER_ENV:-} ]] && env+=($BENCH_SERVER_ENV)
  now_us; t0=$NOW_US
  # None of the caller's settings (Twitch credentials, API key, ...) and, with its own
  # cwd, no .env file. Not `env -i`: its extra exec would count as start-up time.
  (cd "$dir" && unset "${SERVER_VARS[@]}" && export "${env[@]}" && exec "$BIN") \
    >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_accepting "$SERVER_PID" "$dir/port" "$t0" eventsubd "$SERVER_LOG"
  SERVER_PORT=$PORT
  while ! http_ok "$SERVER_PORT" /health; do
    now_us; ((NOW_US < t0 + 30000000)) || die "eventsubd not healthy after 30 s: $(tail -n 20 "$SERVER_LOG")"
    nap 0.001
  done
  now_us; READY_MS=$(((NOW_US - t0 + 500) / 1000))
}

stop_eventsubd() {
  stop_pid "$SERVER_PID"
  forget_pid "$SERVER_PID"
  # Anything it logged at warning or above during a run is worth seeing.
  if grep -qE ' (error|critical) ' "$SERVER_LOG"; then
    log "eventsubd logged errors:"
    grep -E ' (error|critical) ' "$SERVER_LOG" | head -n 5 >&2
  fi
}

REDIS_PID="" REDIS_URL=""
start_redis() {
  local port dir=$TMP/redis i
  mkdir -p "$dir"
  port=$("${TOOL[@]}" free-port)
  # No persistence: a background save forking mid-run would only add noise.
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  REDIS_URL=redis://127.0.0.1:$port
  for ((i = 0; i < 100; i++)); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server exited: $(tail -n 5 "$dir/redis.log")"
    sleep 0.1
  done
  die "redis-server not answering on port $port"
}

stop_redis() {
  stop_pid "$REDIS_PID"
  forget_pid "$REDIS_PID"
  REDIS_PID=""
}

# CPU accounting around a measured run, in clock ticks (USER_HZ), to show how busy the
# server was and whether something else (a build, another job) was taking CPU.
machine_ticks() {  # sets MACHINE_BUSY and MACHINE_ALL from /proc/stat's "cpu" line
  local c  # cpu user nice system idle iowait irq softirq steal ...
  read -r -a c </proc/stat
  MACHINE_BUSY=$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8]))
  MACHINE_ALL=$((MACHINE_BUSY + c[4] + c[5]))
}
pids_ticks() {  # sets PIDS_TICKS: user + system time of the given processes
  local pid s f
  PIDS_TICKS=0
  for pid; do
    read -r s <"/proc/$pid/stat" 2>/dev/null || continue
    read -r -a f <<<"${s##*) }"  # fields from 3 (state) on: utime is 14, stime 15
    PIDS_TICKS=$((PIDS_TICKS + f[11] + f[12]))
  done
}
children_ticks() {  # sets CHILD_TICKS: CPU of this shell's finished children (wrk)
  local user sys t
  times >"$TMP/times"  # not $(times): a subshell has its own (empty) child times
  { read -r _ _; read -r user sys; } <"$TMP/times"
  CHILD_TICKS=0
  for t in "$user" "$sys"; do  # "1m2.345s"
    local min=${t%%m*} sec=${t#*m}
    sec=${sec%s}
    CHILD_TICKS=$((CHILD_TICKS + 10#$min * 6000 + 10#${sec%.*} * 100 + 10#${sec#*.} / 10))
  done
}

# Runs wrk (warm-up, then the measured run) and appends its BENCH_RESULT as JSON.
# run_wrk SCENARIO MODE URL SCRIPT WARMUP_ARG RUN_ARG (the Lua script's argument for the
# warm-up and for the run: the webhook pools differ, so no message id is sent twice).
# SERVER_SIDE_PIDS: the processes serving (eventsubd and redis-server, or nginx's).
run_wrk() {
  local scenario=$1 mode=$2 url=$3 script=$4 warm_arg=$5 run_arg=$6 out line kv
  local common=(-t"$THREADS" -c"$CONNECTIONS" -s "$LUA/$script" "$url")
  run_child wrk -d"${WARMUP}s" "${common[@]}" -- "$warm_arg" >/dev/null
  out=$TMP/wrk-$scenario-$mode.txt
  local busy0 all0 srv0 kids0
  machine_ticks; busy0=$MACHINE_BUSY all0=$MACHINE_ALL
  pids_ticks "${SERVER_SIDE_PIDS[@]}"; srv0=$PIDS_TICKS
  children_ticks; kids0=$CHILD_TICKS
  run_child wrk -d"${DURATION}s" --latency "${common[@]}" -- "$run_arg" >"$out" 2>&1
  machine_ticks
  pids_ticks "${SERVER_SIDE_PIDS[@]}"
  children_ticks
  # Per cent of one core: ticks / (all ticks / cores) * 100.
  local core=$(((MACHINE_ALL - all0) / $(nproc)))
  ((core > 0)) || core=1
  local srv=$((PIDS_TICKS - srv0)) client=$((CHILD_TICKS - kids0))
  local other=$((MACHINE_BUSY - busy0 - srv - client))
  ((other > 0)) || other=0
  line=$(grep '^BENCH_RESULT ' "$out") || die "wrk printed no result: $(cat "$out")"
  # key=value pairs -> one JSON object per line, read back by `benchtool.py table`.
  local json="{\"kind\":\"wrk\",\"scenario\":\"$scenario\",\"mode\":\"$mode\""
  for kv in ${line#BENCH_RESULT }; do json+=",\"${kv%%=*}\":${kv#*=}"; done
  json+=",\"server_cpu\":$((100 * srv / core)),\"wrk_cpu\":$((100 * client / core))"
  json+=",\"other_cpu\":$((100 * other / core))"
  result "$json}"
  log "$(printf '%-9s %-6s %s' "$scenario" "$mode" "$(awk '/^Requests\/sec/ {print $2 " req/s"}' "$out")")" \
    "(server $((100 * srv / core))% of a core, wrk $((100 * client / core))%, other $((100 * other / core))%)"
}

# ------------------------------------------------------------------ nginx reference
# A fixed body shaped like GET /streamers/bench0/status after seeding (379 bytes, as that one).
STATUS_BODY='{"user_id":"100000","username":"bench0","display_name":"Bench0","is_live":true,"stream_data":{"id":"seed-00000000-0","broadcaster_user_id":"100000","broadcaster_user_login":"bench0","broadcaster_user_name":"Bench0","type":"live","started_at":"2024-01-01T00:00:00.000000000Z"},"last_updated":"2024-01-01T01:00:00.000000+00:00","last_event_type":"stream.online","source":"storage"}'

# Starts nginx on a free port with its own config in a temp dir; sets NGINX_PID,
# NGINX_PORT and ACCEPT_MS (measured like eventsubd's).
NGINX_SEQ=0
start_nginx() {
  local dir=$TMP/nginx-$((++NGINX_SEQ)) t0
  mkdir -p "$dir/tmp"
  NGINX_PORT=$("${TOOL[@]}" free-port)
  # One worker (eventsubd serves HTTP on one Asio thread by default), keep-alive for
  # the whole run, no access log, every path kept inside the temp dir.
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid nginx.pid;
error_log error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  keepalive_requests 1000000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      default_type application/json;
      return 200 '$STATUS_BODY';
    }
  }
}
EOF
  echo "$NGINX_PORT" >"$dir/port"  # nginx has no PORT_FILE: the port is chosen here
  now_us; t0=$NOW_US
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_accepting "$NGINX_PID" "$dir/port" "$t0" nginx "$dir/error.log"
  while ! http_ok "$NGINX_PORT" /; do
    now_us; ((NOW_US < t0 + 30000000)) || die "nginx not answering after 30 s"
    nap 0.001
  done
}

stop_nginx() {
  stop_pid "$NGINX_PID"
  forget_pid "$NGINX_PID"
}

run_nginx_reference() {
  start_nginx
  log "nginx reference on port $NGINX_PORT"
  mapfile -t SERVER_SIDE_PIDS < <(echo "$NGINX_PID"; pgrep -P "$NGINX_PID")  # + workers
  run_wrk reference nginx "http://127.0.0.1:$NGINX_PORT/" static.lua "" ""
  stop_nginx
}

# ------------------------------------------------------------------ eventsubd modes
run_mode() {
  local mode=$1 url="" s
  if [[ $mode == redis ]]; then
    start_redis
    url=$REDIS_URL
  fi
  start_eventsubd "$mode" "$url"
  log "eventsubd ($mode) on port $SERVER_PORT: accepting after ${ACCEPT_MS} ms"
  run_child "${TOOL[@]}" seed "$SERVER_PORT" "$SECRET" "$SEED_STREAMERS" >&2
  local base=http://127.0.0.1:$SERVER_PORT
  SERVER_SIDE_PIDS=("$SERVER_PID" ${REDIS_PID:+"$REDIS_PID"})
  for s in "${WRK_SCENARIOS[@]}"; do
    case $s in
      status)
        run_wrk status "$mode" "$base/streamers/bench0/status" status.lua \
          "$SEED_STREAMERS" "$SEED_STREAMERS" ;;
      live) run_wrk live "$mode" "$base/streams/live" static.lua "" "" ;;
      events) run_wrk events "$mode" "$base/events?limit=50" static.lua "" "" ;;
      webhook)
        # Both pools are signed now, so their timestamps are a few minutes (never 10)
        # old when sent; the warm-up's are older, so in every streamer's Twitch time
        # its events come before the run's.
        log "signing $((WEBHOOK_RATE * WARMUP)) + $((WEBHOOK_RATE * DURATION)) webhook requests"
        run_child "${TOOL[@]}" gen "$TMP/pool-warm" "$SERVER_PORT" "$SECRET" --tag "w$mode" \
          --threads "$THREADS" --count $((WEBHOOK_RATE * WARMUP)) \
          --streamers "$SEED_STREAMERS" --age 240
        run_child "${TOOL[@]}" gen "$TMP/pool-run" "$SERVER_PORT" "$SECRET" --tag "r$mode" \
          --threads "$THREADS" --count $((WEBHOOK_RATE * DURATION)) \
          --streamers "$SEED_STREAMERS" --age 120
        run_wrk webhook "$mode" "$base/webhooks/eventsub" webhook.lua \
          "$TMP/pool-warm" "$TMP/pool-run"
        rm -f "$TMP"/pool-*
        ;;
    esac
  done
  if selected startup && ((${#WRK_SCENARIOS[@]})) && [[ $mode == redis ]]; then
    # Restart against the Redis the run filled: start-up includes loading the state.
    local keys
    stop_eventsubd
    keys=$(redis-cli -u "$url" dbsize)
    start_eventsubd redis "$url"
    measure "start-up, redis after the run ($keys keys): accepting / healthy" \
      "${ACCEPT_MS} ms / ${READY_MS} ms"
  fi
  stop_eventsubd
  [[ $mode == redis ]] && stop_redis
  return 0
}

# RSS with many live statuses: "monitored streamers" need Twitch (POST /streamers), so
# this seeds live statuses through the webhook instead; events are capped at 1000.
run_rss() {
  local mode=$1 url="" idle
  if [[ $mode == redis ]]; then
    start_redis
    url=$REDIS_URL
  fi
  start_eventsubd "$mode" "$url"
  idle=$(rss_kb "$SERVER_PID")
  run_child "${TOOL[@]}" seed "$SERVER_PORT" "$SECRET" "$RSS_STREAMERS" >&2
  sleep 1  # let deferred work (metadata timers, writer batches) settle
  measure "RSS, $mode, empty" "$((idle / 1024)) MiB (${idle} kB)"
  local full
  full=$(rss_kb "$SERVER_PID")
  measure "RSS, $mode, $RSS_STREAMERS live statuses + 1000 events" \
    "$((full / 1024)) MiB (${full} kB)"
  # Then every /events limit once (issue 14: each had its own cached body). Writing 5
  # to clear_refs resets the peak (VmHWM) to the current RSS, so it covers the sweep.
  local swept peak
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  run_child "${TOOL[@]}" sweep "$SERVER_PORT" >&2
  swept=$(rss_kb "$SERVER_PID")
  peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
  measure "RSS, $mode, after GET /events?limit=1..1000 (peak)" \
    "$((swept / 1024)) MiB (${swept} kB; peak $((peak / 1024)) MiB, ${peak} kB)"
  stop_eventsubd
  [[ $mode == redis ]] && stop_redis
  return 0
}

# Start-up: process start (fork+exec) to the first accepted connection, empty memory
# storage, several runs; nginx measured the same way shows what starting a process
# costs on this machine by itself.
median_line() {  # values... -> "min X ms, median Y ms, max Z ms"
  local sorted
  mapfile -t sorted < <(printf '%s\n' "$@" | sort -n)
  echo "min ${sorted[0]} ms, median ${sorted[$# / 2]} ms, max ${sorted[-1]} ms"
}

run_startup() {
  local i ev=() ready=() ng=()
  for ((i = 0; i < STARTUP_RUNS; i++)); do
    start_eventsubd memory
    ev+=("$ACCEPT_MS")
    ready+=("$READY_MS")
    stop_eventsubd
    if command -v nginx >/dev/null; then
      start_nginx
      ng+=("$ACCEPT_MS")
      stop_nginx
    fi
  done
  measure "start-up, memory, empty: accepting ($STARTUP_RUNS runs)" "$(median_line "${ev[@]}")"
  measure "start-up, memory, empty: first GET /health 200" "$(median_line "${ready[@]}")"
  ((${#ng[@]})) && measure "start-up, nginx reference: accepting" "$(median_line "${ng[@]}")"
  return 0
}

# Helix calls for one refresh of REFRESH_STREAMERS monitored streamers, against the fake
# Twitch the tests use, with the streamers and their subscriptions already in Redis
# (creating 20,000 subscriptions at Twitch's 800 points a minute would take 25 minutes).
# The end-to-end test asserts ceil(N/100) calls; this reports what it counted.
run_refresh() {
  local tests=$ROOT/build/tests/e2e_tests out
  [[ -x $tests ]] || die "refresh: $tests is missing (build with tests, the default)"
  out=$(EVENTSUBD_REFRESH_STREAMERS=$REFRESH_STREAMERS run_child "$tests" \
    --gtest_filter='refresh_scale_e2e.*' 2>&1) || die "refresh: the test failed: $out"
  local line
  line=$(grep -o 'BENCH refresh of .*' <<<"$out") || die "refresh: no result: $out"
  measure "Helix: one refresh of $REFRESH_STREAMERS monitored streamers" \
    "${line#BENCH refresh of $REFRESH_STREAMERS streamers: }"
  return 0
}

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
