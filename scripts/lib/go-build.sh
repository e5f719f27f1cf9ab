# shellcheck shell=bash
# Sourced by the build scripts (scripts/tools.sh, scripts/e2e-tools.sh). The caller defines
# say() and ends the ticker in its EXIT trap too (stop_ticker).

# A ticker so a first, multi-minute Go build does not look hung.
ticker=""
start_ticker() {
  local what=$1
  ( started=$SECONDS; while sleep 20; do say "still building $what ($((SECONDS - started))s; the first build takes several minutes)"; done ) &
  ticker=$!
}
stop_ticker() { [ -n "$ticker" ] && kill "$ticker" 2>/dev/null; ticker=""; }

# module_dir MODULE@VERSION [PATH]: the module's folder in the Go module cache, downloaded from
# the proxy if missing; fails, saying so, if it or PATH inside it is not there. Assign it on a
# line of its own (dir=$(module_dir ...)): inside another command's arguments a failure would
# not stop the script.
module_dir() {
  local dir
  dir=$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$dir" ] || [ ! -e "$dir/${2:-}" ]; then say "could not download $1${2:+ with $2}"; return 1; fi
  printf '%s' "$dir"
}
