#!/usr/bin/env bash
# Builds what the end-to-end tests run besides Crossplane (scripts/tools.sh builds that): etcd,
# kube-apiserver and kube-controller-manager, and crane for a loopback OCI registry, all from
# the Go module proxy into .tools/bin (git-ignored), each named after its version so a
# checkout that already has them skips the build.
#
#   scripts/e2e-tools.sh          build what is missing, print the paths
#   scripts/e2e-tools.sh --print  print the paths only (fails if a binary is missing)
#
# The first build takes about 15 minutes on two cores (kube-apiserver alone about 9) and
# grows the Go build cache by about 3.5 GB; later builds are link-only or skipped.
set -euo pipefail

# k8s.io/kubernetes requires its staging modules at v0.0.0, so it builds only through a
# wrapper module that replaces each with its published tag: e2e/kube-tools/go.mod. The proxy
# here serves v1.35.4 as the newest 1.35; etcd is what `go mod tidy` selects for it.
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.5
CRANE_VERSION=v0.21.9 # github.com/google/go-containerregistry: `crane registry serve`

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
wrapper="$root/e2e/kube-tools"
etcd="$bin/etcd-$ETCD_VERSION"
apiserver="$bin/kube-apiserver-$KUBE_VERSION"
kcm="$bin/kube-controller-manager-$KUBE_VERSION"
crane="$bin/crane-$CRANE_VERSION"

say() { printf '[e2e-tools] %s\n' "$*" >&2; }

report() {
  printf 'ETCD=%s\nKUBE_APISERVER=%s\nKUBE_CONTROLLER_MANAGER=%s\nCRANE=%s\n' "$etcd" "$apiserver" "$kcm" "$crane"
}

if [ "${1:-}" = "--print" ]; then
  for b in "$etcd" "$apiserver" "$kcm" "$crane"; do
    [ -x "$b" ] || { say "missing $b: run scripts/e2e-tools.sh"; exit 1; }
  done
  report
  exit 0
fi

command -v go >/dev/null || { say "Go is required (https://go.dev/dl); none found on PATH"; exit 1; }
mkdir -p "$bin"
export CGO_ENABLED=0

# shellcheck source=scripts/lib/ticker.sh
source "$root/scripts/lib/ticker.sh"
trap 'stop_ticker; rm -f "$etcd.tmp" "$apiserver.tmp" "$kcm.tmp" "$crane.tmp"' EXIT

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=35 \
-X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"

# build OUT PACKAGE LDFLAGS: one binary from the wrapper module, built beside its final name
# and moved into place only when complete, so an interrupted build is never mistaken for one.
build_kube() {
  local out=$1 pkg=$2 ldflags=$3
  say "building $(basename "$out") ($pkg)"
  start_ticker "$(basename "$out")"
  (cd "$wrapper" && GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg")
  stop_ticker
  mv "$out.tmp" "$out"
}

# crane builds inside its own downloaded module, with exactly its own go.mod and go.sum.
build_crane() {
  say "building crane $CRANE_VERSION"
  local dir
  dir=$(go mod download -json "github.com/google/go-containerregistry@$CRANE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { say "could not download github.com/google/go-containerregistry@$CRANE_VERSION"; exit 1; }
  (cd "$dir" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$crane.tmp" ./cmd/crane)
  mv "$crane.tmp" "$crane"
}

[ -x "$crane" ] || build_crane
[ -x "$etcd" ] || build_kube "$etcd" go.etcd.io/etcd/server/v3 "-s -w"
[ -x "$apiserver" ] || build_kube "$apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"
[ -x "$kcm" ] || build_kube "$kcm" k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
report
