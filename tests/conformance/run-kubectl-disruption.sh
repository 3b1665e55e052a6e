#!/usr/bin/env bash
# Conformance: real kubectl against the fake's disruption model (`kexsim serve tests/data/disruption-serve.toml`):
# a pod evicted through the Eviction subresource (201 Success Status), its DisruptionTarget condition,
# deletion timestamp and the kubelet's Killing event, then removed by `kubectl delete pod`.
#
# Usage: run-kubectl-disruption.sh KEXSIM SOURCE_DIR
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when kubectl is not installed.
set -u

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
conformance_args "run-kubectl-disruption.sh KEXSIM SOURCE_DIR" "$@"
k=/usr/bin/kubectl
require_client "$k"
start_serve "$kexsim" "$src/tests/data/disruption-serve.toml"

cat >"$tmp/web.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 600
  containers:
  - name: app
    image: alpine:3.20
YAML
run "$k" create --validate=false -n ci -f "$tmp/web.yaml"
expect "the pod is created" 0 "pod/web created" ""

cat >"$tmp/eviction.json" <<JSON
{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web","namespace":"ci"}}
JSON
run "$k" create --raw /api/v1/namespaces/ci/pods/web/eviction -f "$tmp/eviction.json"
expect "the Eviction subresource answers a Success Status" 0 \
  '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}' ""

run "$k" get pod web -n ci -o 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason} {.metadata.deletionGracePeriodSeconds} {.status.phase}'
expect "the evicted pod is disrupted and terminating" 0 "EvictionByEvictionAPI 600 Running" ""

run "$k" get events -n ci --field-selector reason=Killing -o 'jsonpath={.items[*].message}'
expect "the kubelet stops the container" 0 "Stopping container app" ""

run "$k" create --raw /api/v1/namespaces/ci/pods/gone/eviction -f "$tmp/eviction.json"
expect "a name that does not match the URL is refused" 1 "" \
  'Error from server (BadRequest): name in URL does not match name in Eviction object'

run "$k" delete pod web -n ci --wait=false
expect "kubectl delete ends the terminating pod" 0 'pod "web" deleted' ""

finish_checks disruption
