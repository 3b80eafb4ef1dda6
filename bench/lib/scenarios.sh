# Sourced by bench/run.sh (its globals and helpers are in scope): the scenarios of one storage mode (wrk runs, RSS), start-up and refresh.
# shellcheck shell=bash

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
