# Sourced by bench/run.sh (its globals and helpers are in scope): the nginx reference (a fixed status-sized body).
# shellcheck shell=bash

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
