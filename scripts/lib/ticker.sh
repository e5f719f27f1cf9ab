# shellcheck shell=bash
# Sourced by the build scripts: a ticker so a first, multi-minute Go build does not look hung.
# The caller defines say() and ends the ticker in its EXIT trap too (stop_ticker).
ticker=""
start_ticker() {
  local what=$1
  ( started=$SECONDS; while sleep 20; do say "still building $what ($((SECONDS - started))s; the first build takes several minutes)"; done ) &
  ticker=$!
}
stop_ticker() { [ -n "$ticker" ] && kill "$ticker" 2>/dev/null; ticker=""; }
