#!/usr/bin/env bash
# Conformance: real kubectl builds against `kexsim serve scenarios/rbac/secrets-forbidden.toml`.
#
# Usage: run-kubectl.sh KEXSIM SOURCE_DIR [KUBECTL...]
# Without KUBECTL: /usr/bin/kubectl (gcloud's dispatcher, which runs kubectl.1.<minor of our /version>)
# and every versioned build /usr/lib/google-cloud-sdk/bin/kubectl.1.27 ... 1.33 present.
# Each check compares kubectl's exact output and exit code. What a version cannot do against the
# fake (protobuf bodies from 1.32) is printed as "known gap: ..." and skipped. Exec is checked over
# SPDY/3.1 (the only transport up to 1.29, forced with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false from 1.30)
# and over WebSocket v5 (1.30 and later). `kubectl logs` reads pods/log (check_logs).
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when kubectl is not installed.
set -u

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
conformance_args "run-kubectl.sh KEXSIM SOURCE_DIR [KUBECTL...]" "$@"
shift 2
sdk=/usr/lib/google-cloud-sdk/bin

if [ ! -x /usr/bin/kubectl ]; then
  echo "skip: /usr/bin/kubectl is not installed (the Google Cloud SDK's kubectl builds are needed)"
  exit 77
fi
kubectls=("$@")
if [ ${#kubectls[@]} -eq 0 ]; then
  kubectls=(/usr/bin/kubectl)
  for minor in 27 28 29 30 31 32 33; do
    [ -x "$sdk/kubectl.1.$minor" ] && kubectls+=("$sdk/kubectl.1.$minor")
  done
fi
require_client "${kubectls[@]}"
start_serve "$kexsim" "$src/scenarios/rbac/secrets-forbidden.toml"

namespaces=(cicd default)  # every namespace the cluster has, kept up to date as versions add some

json_field() {
  /usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[k]
print(d)' "$1"
}

check_kubectl() {
  local k=$1 minor tag
  run "$k" version -o json
  minor=$(printf '%s' "$out" | json_field clientVersion.minor 2>/dev/null)
  label="kubectl 1.$minor ($k)"
  out=$(printf '%s' "$out" | json_field serverVersion.gitVersion 2>/dev/null)
  local skew=""  # kubectl warns when the server is more than one minor version ahead of it
  [ "$minor" -lt 32 ] &&
    skew="WARNING: version difference between client (1.$minor) and server (1.33) exceeds the supported minor version skew of +/-1"
  expect "version -o json: serverVersion.gitVersion" 0 "v1.33.0" "$skew"
  tag=$(basename "$k" | tr -c 'a-z0-9\n' '-')
  tag=${tag#kubectl-}

  run "$k" get ns --no-headers -o custom-columns=NAME:.metadata.name
  expect "get ns lists the namespaces" 0 "$(printf '%s\n' "${namespaces[@]}" | sort)" ""
  run "$k" get pods -n cicd
  expect "get pods -n cicd" 0 "" "No resources found in cicd namespace."

  run "$k" --context runner create secret generic x -n cicd --from-literal=a=b
  expect "create secret as the runner is forbidden" 1 "" \
    'error: failed to create secret secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets" in API group "" in the namespace "cicd"'

  if [ "$minor" -le 31 ]; then
    run "$k" auth can-i create secrets -n cicd --as=system:serviceaccount:cicd:default
    expect "auth can-i as the runner's service account" 1 "no" ""
    run "$k" auth can-i create secrets -n cicd
    expect "auth can-i as admin" 0 "yes" ""
    run "$k" create namespace "extra-$tag"
    expect "create namespace" 0 "namespace/extra-$tag created" ""
    namespaces+=("extra-$tag")
    run "$k" get ns "extra-$tag" -o name
    expect "get the new namespace" 0 "namespace/extra-$tag" ""
  else
    echo "known gap: $label: auth can-i and create namespace send protobuf bodies, which the fake answers with 415"
  fi

  local pod="p-$tag"
  # A watch started before the pod exists: LIST, then WATCH from the list's resourceVersion, which ends
  # when the server closes it at timeoutSeconds (kubectl sends --request-timeout as that), exit 0.
  timeout 20 "$k" get pods -n cicd -w --field-selector "metadata.name=$pod" --request-timeout=4s \
    -o 'jsonpath={.metadata.name} {.status.phase}{"\n"}' >"$tmp/watch.out" 2>"$tmp/watch.err" &
  local watch_pid=$!
  run "$k" run "$pod" --image=alpine:3.20 -n cicd --restart=Never --stdin --attach=false -- sh
  expect "run a pod" 0 "pod/$pod created" ""
  local i phase=""
  for i in $(seq 100); do  # the scenario's pod_pending_seconds pass in real time: poll at most 10 s
    run "$k" get pod "$pod" -n cicd -o 'jsonpath={.status.phase}'
    phase=$out
    [ "$phase" = Running ] && break
    sleep 0.1
  done
  expect "the pod becomes Running" 0 "Running" ""
  wait "$watch_pid"
  rc=$?
  out=$(cat "$tmp/watch.out")
  err=$(cat "$tmp/watch.err")
  expect "get pods -w: the pod Pending, then Running, then the end at --request-timeout" 0 \
    "$pod Pending
$pod Running" ""

  # Up to 1.29 kubectl execs over SPDY/3.1 only; from 1.30 over WebSocket v5, SPDY when told so.
  local transport="SPDY/3.1 (v4.channel.k8s.io)"
  [ "$minor" -ge 30 ] && transport="WebSocket v5"
  run "$k" exec -n cicd "$pod" -c "$pod" -- sh -c 'echo hi; exit 3'
  expect "exec over $transport: output and exit code" 3 "hi" "command terminated with exit code 3"
  run_stdin 'echo hi; echo oops >&2; exit 3' "$k" exec -i -n cicd "$pod" -c "$pod" -- sh
  expect "exec -i over $transport: the script from stdin, stdout, stderr, exit code" 3 "hi" \
    "oops
command terminated with exit code 3"
  if [ "$minor" -ge 30 ]; then
    KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false run "$k" exec -n cicd "$pod" -c "$pod" -- sh -c 'echo hi; exit 3'
    expect "exec forced onto SPDY/3.1: output and exit code" 3 "hi" "command terminated with exit code 3"
  fi

  # kubectl attach types stdin into the container's shell (the attach strategy's path, fakes/kube/attach.h).
  run_stdin 'echo hi' "$k" attach -q -i -n cicd "$pod" -c "$pod"
  expect "attach -i over $transport: a line typed into the container's shell" 0 "hi" ""

  check_logs "$k" "$pod" "$tag"

  run "$k" delete pod "$pod" -n cicd
  expect "delete the pod (and wait until it is gone)" 0 "pod \"$pod\" deleted" ""
  run "$k" get pod "$pod" -n cicd
  expect "the pod is gone" 1 "" "Error from server (NotFound): pods \"$pod\" not found"
}

# kubectl logs (pods/log, fakes/kube/pod_logs.h): what the container's shell wrote, once typed into it by
# attach. The kubelet's words for a container without a log, the API server's for an unnamed container
# (kubectl names the first itself), and -f on a container that ends: an unprivileged dind, whose dockerd fails.
check_logs() {
  local k=$1 pod=$2 tag=$3
  run_stdin 'echo two; echo err >&2' "$k" attach -q -i -n cicd "$pod" -c "$pod"
  run "$k" logs "$pod" -n cicd
  expect "logs: what the attached shell wrote, stdout and stderr" 0 "hi
two
err" ""
  run "$k" logs "$pod" -n cicd -c "$pod" --tail=1
  expect "logs -c --tail=1" 0 "err" ""
  run "$k" logs "$pod" -n cicd --timestamps --tail=2
  local stamp='20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9]{9}Z'
  check "logs --timestamps: the kubelet's RFC3339 with nine digits" "yes" \
    "$(printf '%s\n' "$out" | grep -Ecx "$stamp (two|err)" | sed 's/^2$/yes/')"
  run "$k" logs "$pod" -n cicd --limit-bytes=5
  expect "logs --limit-bytes=5 cuts mid-line" 0 "hi
tw" ""
  run "$k" logs "$pod" -n cicd --previous
  expect "logs --previous of a container that never restarted" 1 "" \
    "Error from server (BadRequest): previous terminated container \"$pod\" in pod \"$pod\" not found"

  local two="logs-$tag"
  cat >"$tmp/two.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $two
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: alpine:3.20}
  - {name: side, image: alpine:3.20}
YAML
  run "$k" create --validate=false -n cicd -f "$tmp/two.yaml"
  run "$k" logs "$two" -n cicd -c side
  expect "logs of a container still being created" 1 "" \
    "Error from server (BadRequest): container \"side\" in pod \"$two\" is waiting to start: ContainerCreating"
  run "$k" get --raw "/api/v1/namespaces/cicd/pods/$two/log"
  expect "pods/log without a container of a pod with two" 1 "" \
    "Error from server (BadRequest): a container name must be specified for pod $two, choose one of: [app side]"
  run "$k" delete pod "$two" -n cicd --wait=false

  local dind="dind-$tag"
  run "$k" run "$dind" --image=docker:24.0.6-dind -n cicd --restart=Never
  local i state=""
  for i in $(seq 100); do
    state=$("$k" get pod "$dind" -n cicd -o 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}' 2>&1)
    [ -n "$state" ] && break
    sleep 0.1
  done
  check "an unprivileged dind: dockerd exits 1" "1" "$state"
  run "$k" logs -f "$dind" -n cicd
  check "logs -f of the dind container: dockerd's reason, then the end with the container" \
    "0 failed to start daemon: Error initializing network controller" \
    "$rc $(printf '%s\n' "$out" | grep -o '^failed to start daemon: Error initializing network controller')"
  run "$k" delete pod "$dind" -n cicd --wait=false
}

for k in "${kubectls[@]}"; do
  check_kubectl "$k"
done

finish_checks kubectl
