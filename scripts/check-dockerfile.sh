#!/usr/bin/env bash
# Checks docker/Dockerfile against what CI does natively: its build stage installs
# packages only through scripts/setup-debian.sh (the script .ci/run uses) on Debian 12
# and builds Release; its runtime stage is Debian 12 slim, non-root, with the health
# check. Given the built binary (optional first argument), also checks that every
# shared library it needs comes from a package the runtime stage installs or the slim
# base image already has.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dockerfile="$root/docker/Dockerfile"
binary="${1:-}"

fail() {
  echo "FAIL: docker/Dockerfile: $*" >&2
  exit 1
}

# The instructions of each stage, continuation lines joined, comments dropped.
instructions="$(sed -e '/^[[:space:]]*#/d' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')"
build="$(awk '/^FROM /{n++} n==1' <<<"$instructions")"
runtime="$(awk '/^FROM /{n++} n==2' <<<"$instructions")"
[[ "$(grep -c '^FROM ' <<<"$instructions")" == 2 ]] || fail "expected two stages"

grep -qE '^FROM debian:bookworm AS build$' <<<"$build" || fail "build stage: debian:bookworm"
grep -qE '^COPY scripts/setup-debian.sh ' <<<"$build" || fail "build stage: COPY setup-debian.sh"
grep -qE '^RUN \./scripts/setup-debian.sh( |$)' <<<"$build" ||
  fail "build stage: RUN ./scripts/setup-debian.sh"
if grep -qE 'apt-get|apt |dpkg ' <<<"$build"; then
  fail "build stage: packages must come from scripts/setup-debian.sh alone"
fi
grep -qE '^RUN cmake -S \. -B build -DCMAKE_BUILD_TYPE=Release' <<<"$build" ||
  fail "build stage: the README's Release build"

grep -qE '^FROM debian:bookworm-slim$' <<<"$runtime" || fail "runtime stage: bookworm-slim"
if ! grep -qE '^USER ' <<<"$runtime" || grep -qE '^USER (root|0)(:|$)' <<<"$runtime"; then
  fail "runtime stage: a non-root USER"
fi
grep -qE '^EXPOSE 8000$' <<<"$runtime" || fail "runtime stage: EXPOSE 8000"
grep -qE '^HEALTHCHECK .*CMD \["eventsubd", "--healthcheck"\]' <<<"$runtime" ||
  fail "runtime stage: HEALTHCHECK eventsubd --healthcheck"
grep -qE '^ENTRYPOINT \["eventsubd"\]$' <<<"$runtime" || fail "runtime stage: ENTRYPOINT"
grep -qE '^ENV DATA_DIR=/var/lib/eventsubd$' <<<"$runtime" ||
  fail "runtime stage: ENV DATA_DIR=/var/lib/eventsubd (the journal)"
grep -qE '^VOLUME /var/lib/eventsubd$' <<<"$runtime" ||
  fail "runtime stage: VOLUME /var/lib/eventsubd"
grep -qE 'install -d -o eventsubd .*/var/lib/eventsubd' <<<"$runtime" ||
  fail "runtime stage: /var/lib/eventsubd owned by the user eventsubd"

if [[ -n "$binary" ]]; then
  command -v dpkg >/dev/null || { echo "no dpkg: library check skipped"; exit 0; }
  installed="$(grep -E '^RUN .*apt-get install' <<<"$runtime")"
  base="libc6 libstdc++6 libgcc-s1"  # in debian:bookworm-slim
  for lib in $(objdump -p "$binary" | awk '/NEEDED/ {print $2}'); do
    path="$(ldd "$binary" | awk -v l="$lib" '$1 == l {print $3}')"
    [[ -n "$path" ]] || fail "$lib is not found on this machine"
    package=""
    # With merged /usr, dpkg knows a library under /lib or /usr/lib, whichever it shipped.
    for candidate in "$path" "$(realpath "$path")" "${path#/usr}" "/usr$path"; do
      package="$(dpkg -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1)" || true
      [[ -n "$package" ]] && break
    done
    [[ -n "$package" ]] || fail "no package owns $path"
    if [[ " $base " != *" $package "* ]] && ! grep -qw -- "$package" <<<"$installed"; then
      fail "runtime stage does not install $package (for $lib)"
    fi
  done
fi
echo "docker/Dockerfile: OK"
