#!/usr/bin/env bash
# Runs a command in a network namespace of its own whose only interface is loopback, so that
# nothing outside can connect to what it starts. Crossplane's webhook, metrics and health
# ports and ArgoCD's application controller metrics bind every interface with no flag for the
# host; in here every interface is loopback. The command sees no network beyond 127.0.0.1,
# so whatever it needs from the registries must be fetched before.
#
#   scripts/lib/loopback-only.sh <command> [args...]
#
# Where unprivileged user namespaces are disabled it runs the command as is, says so, and
# sets K8TRE_E2E_ISOLATED=0 (out/e2e.json reports it).
set -euo pipefail

# Tried first exactly as used below, so that a missing `ip` (iproute2) or a namespace that may
# not configure its loopback falls back too, rather than failing the run.
if unshare --user --map-root-user --net -- bash -c 'ip link set lo up' 2>/dev/null; then
  exec unshare --user --map-root-user --net -- bash -c 'ip link set lo up && K8TRE_E2E_ISOLATED=1 exec "$@"' loopback-only "$@"
fi
echo "[loopback-only] no network namespace here (unshare --user --net, or ip from iproute2, refused):" \
  "ports that bind every interface are reachable from outside while the run lasts" >&2
K8TRE_E2E_ISOLATED=0 exec "$@"
