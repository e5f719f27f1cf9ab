#!/usr/bin/env bash
# Builds actionlint from the Go module proxy into .tools/bin (once per version) and runs it on
# the GitHub Actions workflows. The function test suite calls it (test/workflow.test.ts).
set -euo pipefail

VERSION=v1.7.7
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin/actionlint-$VERSION"

if [ ! -x "$bin" ]; then
  printf '[tools] building actionlint %s\n' "$VERSION" >&2
  # As in tools.sh: build inside the downloaded module, since the proxy may refuse @v/list.
  dir=$(go mod download -json "github.com/rhysd/actionlint@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "could not download github.com/rhysd/actionlint@$VERSION" >&2; exit 1; }
  mkdir -p "$(dirname "$bin")"
  # Go reports each dependency it downloads on stderr; tagged like the other build messages, so
  # that callers can tell them from actionlint's own findings.
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$bin.tmp" ./cmd/actionlint) 2>&1 | sed 's/^/[tools] /' >&2
  mv "$bin.tmp" "$bin"
fi

cd "$root"
exec "$bin" -no-color "$@"
