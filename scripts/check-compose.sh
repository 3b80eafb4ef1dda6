#!/usr/bin/env bash
# Checks docker/docker-compose.yml with the compose client's own parser (`docker compose
# config`, or the older `docker-compose config`), which needs no Docker engine: it must
# resolve with a .env made from .env.example, with and without REDIS_PASSWORD, and keep
# what the deployment relies on. Exits 77 (ctest: skipped) when no compose client is
# installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif docker-compose version >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "SKIPPED: neither 'docker compose' nor 'docker-compose' can run here"
  exit 77
fi

# The layout the file expects (docker/ beside the repository's .env), copied, so a real
# .env is neither needed nor touched.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/docker"
cp "$root/docker/docker-compose.yml" "$root/docker/Dockerfile" "$tmp/docker/"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Prints the resolved configuration for .env.example with the given lines instead of
# its STORAGE_TYPE and REDIS_PASSWORD; nothing from the caller's environment may leak
# into compose's interpolation.
resolve() {
  {
    grep -vE '^(STORAGE_TYPE|REDIS_PASSWORD)=' "$root/.env.example"
    printf '%s\n' "$@"
  } >"$tmp/.env"
  (cd "$tmp" && env -i PATH="$PATH" HOME="${HOME:-/root}" \
    "${compose[@]}" -f docker/docker-compose.yml config)
}

# One service's block of the resolved configuration.
service() {
  awk -v name="  $2:" '
    /^services:/ { in_services = 1; next }
    in_services && /^[^ ]/ { in_services = 0 }
    in_services && /^  [^ ]/ { current = ($0 == name) }
    in_services && current' <<<"$1"
}

# Whether TEXT, on one line (an emitter may fold a long string), matches PATTERN.
expect() {  # expect TEXT PATTERN WHAT
  tr -s ' \n' ' ' <<<"$1" | grep -qE -- "$2" || fail "$3"
}

# Memory storage without a password, Redis storage with one: the same file for both.
for run in "memory:" "redis:check-password-0123"; do
  storage="${run%%:*}" password="${run#*:}"
  echo "--- STORAGE_TYPE=$storage REDIS_PASSWORD=${password:-(unset)}"
  config="$(resolve "STORAGE_TYPE=$storage" ${password:+"REDIS_PASSWORD=$password"})" ||
    fail "compose could not resolve the file"
  app="$(service "$config" eventsubd)"
  redis="$(service "$config" redis)"
  [[ -n "$app" && -n "$redis" ]] || fail "services eventsubd and redis expected"
  expect "$app" "dockerfile: docker/Dockerfile" "eventsubd is built from docker/Dockerfile"
  expect "$app" "target: 8000" "eventsubd publishes port 8000"
  expect "$app" "condition: service_healthy" "eventsubd waits for a healthy redis"
  expect "$app" "restart: unless-stopped" "eventsubd restarts unless stopped"
  expect "$app" "STORAGE_TYPE: $storage" "eventsubd gets STORAGE_TYPE from .env"
  expect "$app" 'REDIS_URL="redis://[$]+\{REDIS_PASSWORD:\+:[$]+REDIS_PASSWORD@\}redis:6379"' \
    "eventsubd's REDIS_URL points at the redis service, with REDIS_PASSWORD when set"
  expect "$app" "DATA_DIR: /var/lib/eventsubd" "eventsubd's journal directory is pinned"
  expect "$app" "eventsubd-journal" "eventsubd's journal on the named volume"
  expect "$redis" "image: redis:7" "redis is redis:7"
  expect "$redis" "--appendonly yes" "redis keeps an append-only file"
  expect "$redis" "redis-data" "redis data on the named volume"
  expect "$redis" "REDIS_PASSWORD:\+--requirepass" "redis requires REDIS_PASSWORD when set"
  expect "$redis" "redis-cli ping" "redis has a health check"
  expect "$redis" "restart: unless-stopped" "redis restarts unless stopped"
  if grep -qE "^    ports:" <<<"$redis"; then fail "redis must not be published"; fi
  if [[ -n "$password" ]]; then
    expect "$redis" "REDIS_PASSWORD: $password" "redis reads REDIS_PASSWORD from .env"
    expect "$app" "REDIS_PASSWORD: $password" "eventsubd reads REDIS_PASSWORD from .env"
  fi
done
echo "docker/docker-compose.yml: OK (${compose[*]} config)"
