#!/usr/bin/env bash
# Fails when a source of ours is compiled without -Wall -Wextra (and, in a -Werror build,
# without -Werror): every target must link the eventsubd_warnings interface target.
# Usage: scripts/check-warnings.sh <build dir>   (run by ctest as guards.warnings_on)
set -euo pipefail
commands="${1:?usage: $0 <build dir>}/compile_commands.json"
[[ -f $commands ]] || { echo "no $commands (CMAKE_EXPORT_COMPILE_COMMANDS)" >&2; exit 1; }
required=(-Wall -Wextra)
grep -q -- '-Werror' "$commands" && required+=(-Werror)

total=0 missing=0
while IFS= read -r line; do
  total=$((total + 1))
  for flag in "${required[@]}"; do
    if [[ " $line " != *" $flag "* ]]; then
      echo "without $flag: ${line##* -c }"
      missing=$((missing + 1))
      break
    fi
  done
done < <(grep -E '^  "command": ' "$commands" | grep -v '/node_modules/')
((total > 0)) || { echo "no compile commands in $commands" >&2; exit 1; }
((missing == 0)) || { echo "$missing of $total sources compiled without warnings" >&2; exit 1; }
echo "all $total sources compiled with ${required[*]}"
