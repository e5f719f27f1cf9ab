#!/usr/bin/env bash
# Builds what the end-to-end tests run besides Crossplane (scripts/tools.sh builds that): etcd,
# kube-apiserver and kube-controller-manager, crane for a loopback OCI registry, and ArgoCD,
# all from the Go module proxy into .tools/bin (git-ignored), each named after its version so
# a checkout that already has them skips the build.
#
#   scripts/e2e-tools.sh          build what is missing, print the paths
#   scripts/e2e-tools.sh --print  print the paths only (fails if a binary is missing; reads
#                                 ArgoCD's manifests from the Go module cache)
#
# The first build takes about 12 minutes on two cores with empty Go caches (kube-apiserver
# alone about 4, ArgoCD about 5; up to twice that on busy cores) and grows the Go build cache
# by about 6 GB; later builds are link-only or skipped.
set -euo pipefail

# k8s.io/kubernetes requires its staging modules at v0.0.0, so it builds only through a
# wrapper module that replaces each with its published tag: e2e/kube-tools/go.mod. The proxy
# here serves v1.35.4 as the newest 1.35; etcd is what `go mod tidy` selects for it.
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.5
CRANE_VERSION=v0.21.9 # github.com/google/go-containerregistry: `crane registry serve`
# ArgoCD pins its own k8s libraries (v0.34), so it builds through a wrapper module of its own,
# e2e/argocd/go.mod, with ArgoCD's replace block copied as is. v3.2.12 was published broken and
# v3.3 on take gitops-engine from a path inside their repository, which the proxy can't serve.
ARGOCD_VERSION=v3.2.11

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
kube_wrapper="$root/e2e/kube-tools"
etcd="$bin/etcd-$ETCD_VERSION"
apiserver="$bin/kube-apiserver-$KUBE_VERSION"
kcm="$bin/kube-controller-manager-$KUBE_VERSION"
crane="$bin/crane-$CRANE_VERSION"
argocd="$bin/argocd-$ARGOCD_VERSION"

say() { printf '[e2e-tools] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

report() {
  # ArgoCD caches in Redis; Debian's redis-server is the one the run starts.
  local redis module
  redis=$(command -v redis-server) || { say "redis-server is required for ArgoCD: apt-get install redis-server"; exit 1; }
  # ArgoCD's CRDs and core install manifests, from its module in the Go module cache.
  module=$(module_dir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" manifests/core-install.yaml)
  printf 'ETCD=%s\nKUBE_APISERVER=%s\nKUBE_CONTROLLER_MANAGER=%s\nCRANE=%s\nARGOCD=%s\nARGOCD_MODULE=%s\nREDIS=%s\n' \
    "$etcd" "$apiserver" "$kcm" "$crane" "$argocd" "$module" "$redis"
}

if [ "${1:-}" = "--print" ]; then
  for b in "$etcd" "$apiserver" "$kcm" "$crane" "$argocd"; do
    [ -x "$b" ] || { say "missing $b: run scripts/e2e-tools.sh"; exit 1; }
  done
  report
  exit 0
fi

command -v go >/dev/null || { say "Go is required (https://go.dev/dl); none found on PATH"; exit 1; }
grep -Eq "github\.com/argoproj/argo-cd/v3 ${ARGOCD_VERSION//./\\.}( |\$)" "$root/e2e/argocd/go.mod" ||
  { say "e2e/argocd/go.mod does not require argo-cd $ARGOCD_VERSION: change both together"; exit 1; }
mkdir -p "$bin"
export CGO_ENABLED=0

trap 'stop_ticker; rm -f "$etcd.tmp" "$apiserver.tmp" "$kcm.tmp" "$crane.tmp" "$argocd.tmp"' EXIT

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=35 \
-X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"

# build WRAPPER OUT PACKAGE LDFLAGS: one binary from a wrapper module, built beside its final
# name and moved into place only when complete, so an interrupted build is never mistaken for one.
build_in() {
  local module=$1 out=$2 pkg=$3 ldflags=$4
  say "building $(basename "$out") ($pkg)"
  start_ticker "$(basename "$out")"
  (cd "$module" && GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg")
  stop_ticker
  mv "$out.tmp" "$out"
}

# crane builds inside its own downloaded module, with exactly its own go.mod and go.sum.
build_crane() {
  say "building crane $CRANE_VERSION"
  local dir
  dir=$(module_dir "github.com/google/go-containerregistry@$CRANE_VERSION")
  (cd "$dir" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$crane.tmp" ./cmd/crane)
  mv "$crane.tmp" "$crane"
}

[ -x "$crane" ] || build_crane
[ -x "$etcd" ] || build_in "$kube_wrapper" "$etcd" go.etcd.io/etcd/server/v3 "-s -w"
[ -x "$apiserver" ] || build_in "$kube_wrapper" "$apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"
[ -x "$kcm" ] || build_in "$kube_wrapper" "$kcm" k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
# One multi-call binary: ARGOCD_BINARY_NAME picks the repo server or the application controller.
[ -x "$argocd" ] || build_in "$root/e2e/argocd" "$argocd" github.com/argoproj/argo-cd/v3/cmd \
  "-s -w -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}"
report
