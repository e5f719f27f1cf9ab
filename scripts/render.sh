#!/bin/sh
# `npm run render -- FILE... [-- crossplane flags]`, and `npm run render -- --stop`.
#
# The fast path: one XR file, a function kept running from an earlier render of the current
# build (scripts/lib/function-daemon.ts wrote function.env with the exact CLI command per kind),
# and no source newer than that build. Then the CLI runs at once, without starting Node, which
# with npm's own start is what makes a warm render cost about what a bare CLI render does.
# Anything else (several files, a changed source, no kept function, an unknown kind) goes to
# scripts/render.ts through the build check, which starts or replaces the kept function.
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
STATE_DIR=${K8TRE_RENDER_STATE_DIR:-$ROOT/.cache/render}
STATE=$STATE_DIR/function.env

slow_path() {
  node "$ROOT/scripts/build.mjs" --if-stale || exit $?
  exec node "$ROOT/dist/scripts/render.js" --keep-function "$@"
}

if [ "${1:-}" = "--stop" ]; then exec node "$ROOT/dist/scripts/render.js" --stop; fi
# One file, then only crossplane flags after --.
if [ $# -eq 0 ]; then slow_path; fi
if [ $# -gt 1 ] && [ "$2" != "--" ]; then slow_path "$@"; fi
[ -f "$STATE" ] && [ -f "$1" ] || slow_path "$@"
. "$STATE"
kill -0 "$K8TRE_DAEMON_PID" 2>/dev/null || slow_path "$@"
read -r build < "$ROOT/dist/.build-stamp" 2>/dev/null || slow_path "$@"
[ "$build" = "$K8TRE_BUILD" ] || slow_path "$@"
# A file newer than the last build where build.mjs looks (K8TRE_SOURCES): compile first.
# shellcheck disable=SC2086 # the list splits into paths on purpose
stale=$(cd "$ROOT" && find $K8TRE_SOURCES \( -name node_modules -o -name '.*' \) -prune -o -newer dist/.build-stamp -print -quit 2>/dev/null)
[ -z "$stale" ] || slow_path "$@"
# A single-document file's kind; a second document goes to the slow path, which refuses it.
kind=$(awk '/^kind:/ && k == "" { k = $2 } /^---/ && NR > 1 { docs++ } END { if (docs == 0) print k }' "$1")
case "$kind" in
  '' | *[!A-Za-z0-9]*) slow_path "$@" ;;
esac
command -v "k8tre_render_$kind" > /dev/null 2>&1 || slow_path "$@"

file=$1
shift
[ "${1:-}" = "--" ] && shift
# Used: the kept function's idle clock starts again.
touch "$STATE"
# The stream to stdout; the CLI's errors are told as render.ts tells them.
exec 3>&1
errors=$("k8tre_render_$kind" "$file" "$@" 2>&1 >&3)
status=$?
exec 3>&-
if [ $status -ne 0 ]; then
  printf 'render of %s failed:\n%s\n' "$file" "$errors" >&2
  exit 1
fi
[ -z "$errors" ] || printf '%s\n' "$errors" >&2
