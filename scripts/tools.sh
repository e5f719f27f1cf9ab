#!/usr/bin/env bash
# Builds the Crossplane binaries this project renders, validates and packages with, from the
# Go module proxy, into .tools/ (git-ignored). Each binary is named after its version, so a
# checkout that already has the right versions skips the build entirely.
#
#   scripts/tools.sh          build what is missing, print the bin directory
#   scripts/tools.sh --print  print the paths only (fails if a binary is missing)
set -euo pipefail

CLI_VERSION=v2.5.0     # github.com/crossplane/cli/v2: the `crossplane` command
CORE_VERSION=v2.3.4    # github.com/crossplane/crossplane/v2: the render engine (--crossplane-binary)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
cli="$bin/crossplane-cli-$CLI_VERSION"
core="$bin/crossplane-core-$CORE_VERSION"

say() { printf '[tools] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

# Crossplane's own CRDs (packages, Usages) ship in the core module; the Go module cache is
# where they are read from, so validation needs no container image.
report() {
  local core_module
  core_module=$(module_dir "github.com/crossplane/crossplane/v2@$CORE_VERSION" cluster/crds)
  printf 'CROSSPLANE_CLI=%s\nCROSSPLANE_CORE=%s\nCROSSPLANE_CORE_CRDS=%s\n' "$cli" "$core" "$core_module/cluster/crds"
}

if [ "${1:-}" = "--print" ]; then
  [ -x "$cli" ] && [ -x "$core" ] || { say "missing binaries: run scripts/tools.sh"; exit 1; }
  report
  exit 0
fi

command -v go >/dev/null || { say "Go is required (https://go.dev/dl); none found on PATH"; exit 1; }
mkdir -p "$bin"
export CGO_ENABLED=0

trap 'stop_ticker; rm -f "$cli.tmp" "$core.tmp"' EXIT

# `go install pkg@version` asks the proxy for the module's version list to check for
# deprecations, and some proxies refuse that list while serving the version itself. Building
# inside the downloaded module uses exactly its own go.mod and go.sum, as go install would.
build_cli() {
  say "building crossplane CLI $CLI_VERSION (github.com/crossplane/cli/v2)"
  start_ticker "the CLI"
  local dir
  dir=$(module_dir "github.com/crossplane/cli/v2@$CLI_VERSION")
  (cd "$dir" && GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CLI_VERSION" \
    -o "$cli.tmp" ./cmd/crossplane)
  stop_ticker
  mv "$cli.tmp" "$cli"
}

# The core go.mod replaces its apis module with a local path, which `go install pkg@version`
# refuses. A throw-away wrapper module that pins apis/v2 at the same tag is equivalent: both
# tags point at one commit.
build_core() {
  say "building crossplane core $CORE_VERSION (the render engine)"
  start_ticker "the core binary"
  local wrap; wrap=$(mktemp -d)
  (
    cd "$wrap"
    go mod init local/crossplane-core >/dev/null 2>&1
    go get "github.com/crossplane/crossplane/v2/cmd/crossplane@$CORE_VERSION" \
           "github.com/crossplane/crossplane/apis/v2@$CORE_VERSION" 2>&1 | grep -v '^go: added' >&2 || true
    GOFLAGS=-mod=mod go build -trimpath \
      -ldflags "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CORE_VERSION" \
      -o "$core.tmp" github.com/crossplane/crossplane/v2/cmd/crossplane
  )
  stop_ticker
  mv "$core.tmp" "$core"
  rm -rf "$wrap"
}

[ -x "$cli" ] || build_cli
[ -x "$core" ] || build_core
report
