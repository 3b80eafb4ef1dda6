#!/usr/bin/env bash
# Fails when a folder includes a project folder it must not, or CAF where actors are not:
#
#   core                      only itself
#   http, storage, twitch     core and themselves
#   actors                    core, storage, twitch and itself (never http or app)
#   extensions/kit            core, actors, storage, twitch and itself (the kit wraps them)
#   extensions/<name>         core, the kit (extensions/kit) and itself: one extension
#                             never reaches past the kit, nor into another extension
#   app                       anything (it is the composition root)
#
# and <caf/...> only in actors, app, extensions (and tests). Run by ctest
# (guards.include_layering, and guards.include_layering_catches_a_violation on a tree
# that breaks the rules); prints every offending line. Checks the tree at $1 if given.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

declare -A allowed=(
  [core]="core"
  [http]="core http"
  [storage]="core storage"
  [twitch]="core twitch"
  [actors]="core storage twitch actors"
  [extensions/kit]="core actors storage twitch extensions/kit"
)
for dir in extensions/*/; do
  name=$(basename "$dir")
  [[ $name == kit ]] || allowed[extensions/$name]="core extensions/kit extensions/$name"
done
caf_free=(core http storage twitch)

failures=0
report() {
  echo "$1"
  failures=$((failures + 1))
}

sources_of() {
  find "$1" \( -name '*.cpp' -o -name '*.hpp' \) -not -path '*/node_modules/*' 2>/dev/null
}

for folder in "${!allowed[@]}"; do
  [[ -d $folder ]] || continue
  pattern=$(tr ' ' '|' <<<"${allowed[$folder]}")
  while IFS= read -r line; do
    report "$line: $folder may include only ${allowed[$folder]}"
  done < <(sources_of "$folder" | xargs -r grep -HnE '^#include "[a-z_]+/' |
    grep -vE "#include \"($pattern)/" || true)
done

for folder in "${caf_free[@]}"; do
  while IFS= read -r line; do
    report "$line: CAF stays in actors, app and extensions"
  done < <(sources_of "$folder" | xargs -r grep -HnE '^#include <caf/' || true)
done

if ((failures)); then
  echo "$failures include(s) break the layering (see scripts/check-layering.sh)" >&2
  exit 1
fi
echo "layering holds"
