#!/usr/bin/env bash
# Conformance: real kubectl against the fake's admission plugins (`kexsim serve tests/data/admission-serve.toml`):
# ResourceQuota status and refusals, LimitRange defaults and maximum, Pod Security warnings (kubectl prints the
# Warning header) and enforcement, and a webhook denial, each compared with kubectl's exact output.
#
# Usage: run-kubectl-admission.sh KEXSIM SOURCE_DIR
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when kubectl is not installed.
set -u

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
conformance_args "run-kubectl-admission.sh KEXSIM SOURCE_DIR" "$@"
k=/usr/bin/kubectl
require_client "$k"
start_serve "$kexsim" "$src/tests/data/admission-serve.toml"

# pod NAME IMAGE RESOURCES [SECURITY]: a pod manifest with one container "app".
pod() {
  cat >"$tmp/$1.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  containers:
  - name: app
    image: $2
    resources: $3
    securityContext: ${4:-{\}}
YAML
}

run "$k" get resourcequota compute -n ci -o 'jsonpath={.status.used}'
expect "quota status.used counts the pods present" 0 '{"limits.memory":"3Gi","requests.cpu":"1500m"}' ""

pod fits alpine:3.20 '{requests: {cpu: "1"}, limits: {memory: 1Gi}}'
run "$k" create --validate=false -n ci -f "$tmp/fits.yaml"
warning='Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
expect "a pod that fits is created, with the restricted warning" 0 "pod/fits created" "$warning"

run "$k" get pod fits -n ci -o 'jsonpath={.spec.containers[0].resources.limits.cpu} {.metadata.annotations.kubernetes\.io/limit-ranger}'
expect "LimitRanger defaulted the cpu limit to the maximum" 0 "2 LimitRanger plugin set: cpu limit for container app" ""

pod big alpine:3.20 '{requests: {cpu: "2"}, limits: {cpu: "2", memory: 6Gi}}'
run "$k" create --validate=false -n ci -f "$tmp/big.yaml"
expect "over the quota (the warning recorded before the refusal goes out with it)" 1 "" \
  "$warning"$'\n''Error from server (Forbidden): error when creating "'"$tmp"'/big.yaml": pods "big" is forbidden: exceeded quota: compute, requested: limits.memory=6Gi,requests.cpu=2, used: limits.memory=4Gi,requests.cpu=2500m, limited: limits.memory=8Gi,requests.cpu=4'

pod wide alpine:3.20 '{limits: {cpu: "3", memory: 1Gi}}'
run "$k" create --validate=false -n ci -f "$tmp/wide.yaml"
expect "over the LimitRange maximum" 1 "" \
  'Error from server (Forbidden): error when creating "'"$tmp"'/wide.yaml": pods "wide" is forbidden: maximum cpu usage per Container is 2, but limit is 3'

pod priv alpine:3.20 '{limits: {memory: 1Gi}}' '{privileged: true}'
run "$k" create --validate=false -n ci -f "$tmp/priv.yaml"
expect "baseline is enforced" 1 "" \
  'Error from server (Forbidden): error when creating "'"$tmp"'/priv.yaml": pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)'

pod latest alpine '{limits: {memory: 1Gi}}' '{allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}'
run "$k" create --validate=false -n ci -f "$tmp/latest.yaml"
expect "the webhook denies" 1 "" \
  'Error from server (Forbidden): error when creating "'"$tmp"'/latest.yaml": admission webhook "validation.gatekeeper.sh" denied the request: [disallowed-tags] container image alpine has a disallowed tag'

run "$k" get validatingwebhookconfigurations -o 'jsonpath={.items[0].metadata.name} {.items[0].webhooks[0].clientConfig.service.name}'
expect "the webhook configuration is served" 0 "gatekeeper-validating-webhook-configuration gatekeeper-webhook-service" ""

finish_checks admission
