#!/usr/bin/env bash
# Conformance: real kubectl's view of container states from the fake (`kexsim serve
# scenarios/containers/job-image-wrong-arch.toml`): the server-side pod Table (STATUS, READY, RESTARTS as
# printPod computes them) and `kubectl get pods -w` following each transition. The image is a single
# linux/arm64 manifest on an amd64 node: under restartPolicy Never the container ends in Error, under
# Always the kubelet crash-loops it.
#
# Usage: run-kubectl-states.sh KEXSIM SOURCE_DIR
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when kubectl is not installed.
set -u

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
conformance_args "run-kubectl-states.sh KEXSIM SOURCE_DIR" "$@"
k=/usr/bin/kubectl
require_client "$k"
start_serve "$kexsim" "$src/scenarios/containers/job-image-wrong-arch.toml"
ns=gitlab-runner
image=registry.example.com/acme/node-tools:1.4

# The watch starts before the pods exist; it prints NAME READY STATUS RESTARTS AGE rows until the timeout.
timeout 40 "$k" get pods -n "$ns" -w --request-timeout=25s >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
sleep 1
"$k" run never -n "$ns" --image="$image" --restart=Never -- sleep 100 >/dev/null
"$k" run always -n "$ns" --image="$image" --restart=Always -- sleep 100 >/dev/null

# The pulls take 3 s each (serialized), the containers start 6 s after binding: poll at most 20 s.
status() { "$k" get pod "$1" -n "$ns" --no-headers 2>&1 | awk '{print $2, $3}'; }
for _ in $(seq 100); do
  [ "$(status never)" = "0/1 Error" ] && [ "$(status always)" = "0/1 CrashLoopBackOff" ] && break
  sleep 0.2
done
check "restartPolicy Never: READY and STATUS" "0/1 Error" "$(status never)"
check "restartPolicy Always: READY and STATUS" "0/1 CrashLoopBackOff" "$(status always)"
restarts=$("$k" get pod always -n "$ns" --no-headers | awk '{print $4}')
check "restartPolicy Always: RESTARTS counts the restart at once" "1" "${restarts:0:1}"
check "the back-off message" "back-off 10s restarting failed container=always pod=always_${ns}(" \
  "$("$k" get pod always -n "$ns" -o 'jsonpath={.status.containerStatuses[0].state.waiting.message}' | cut -d'(' -f1)("
check "the exit code of a binary for another platform (runc 1.2)" "255" \
  "$("$k" get pod never -n "$ns" -o 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}')"

wait "$watch_pid"
header=$(head -n1 "$tmp/watch.out" | tr -s ' ')
check "get pods -w: the Table's header" "NAME READY STATUS RESTARTS AGE" "$header"
seen() { awk -v pod="$1" '$1 == pod {print $3}' "$tmp/watch.out" | uniq | tr '\n' ' '; }
check "get pods -w: never goes ContainerCreating, then Error" "ContainerCreating Error " "$(seen never)"
check "get pods -w: always goes ContainerCreating, then CrashLoopBackOff" "ContainerCreating CrashLoopBackOff " \
  "$(seen always)"

if [ "$failures" -ne 0 ]; then
  echo "the watch printed:"
  cat "$tmp/watch.out" "$tmp/watch.err"
fi
finish_checks states
