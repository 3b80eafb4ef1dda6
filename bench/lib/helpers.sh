# Sourced by bench/run.sh (its globals and helpers are in scope): starting and stopping processes, timing, CPU accounting, wrk runs.
# shellcheck shell=bash

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
