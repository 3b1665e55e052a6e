#!/usr/bin/env bash
# Conformance: real kubectl against a container's own command (`kexsim serve scenarios/basics/hello.toml`):
# `kubectl run … -- sh -c '…'` runs the script when the container starts (fakes/kube/container_command.h),
# `kubectl logs` reads what it wrote, its exit ends the container (Error, exit code) under
# restartPolicy Never, and under Always the kubelet restarts it with the crash-loop back-off, so that
# `kubectl logs --previous` reads the run before.
#
# Usage: run-kubectl-run.sh KEXSIM SOURCE_DIR
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when kubectl is not installed.
set -u

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
conformance_args "run-kubectl-run.sh KEXSIM SOURCE_DIR" "$@"
k=/usr/bin/kubectl
require_client "$k"
start_serve "$kexsim" "$src/scenarios/basics/hello.toml"
ns=gitlab-runner

"$k" run once -n "$ns" --image=alpine:3.20 --restart=Never -- sh -c 'echo hi; echo oops >&2; exit 3' >/dev/null
"$k" run loop -n "$ns" --image=alpine:3.20 -- sh -c 'echo "run $(date +%s)"; exit 1' >/dev/null

# The containers start 6 s after creation (the kubelet's pending stage): poll at most 20 s.
status() { "$k" get pod "$1" -n "$ns" --no-headers 2>&1 | awk '{print $2, $3}'; }
for _ in $(seq 100); do
  [ "$(status once)" = "0/1 Error" ] && [ "$(status loop)" = "0/1 CrashLoopBackOff" ] && break
  sleep 0.2
done
check "restartPolicy Never: READY and STATUS" "0/1 Error" "$(status once)"
check "the script's exit code" "3" \
  "$("$k" get pod once -n "$ns" -o 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}')"
run "$k" logs once -n "$ns"
expect "kubectl logs: stdout and stderr, in order" 0 $'hi\noops' ""
run "$k" logs once -n "$ns" --previous
expect "kubectl logs --previous without a restart" 1 "" \
  'Error from server (BadRequest): previous terminated container "once" in pod "once" not found'

check "restartPolicy Always: READY and STATUS" "0/1 CrashLoopBackOff" "$(status loop)"
check "the back-off message" "back-off 10s restarting failed container=loop pod=loop_${ns}(" \
  "$("$k" get pod loop -n "$ns" -o 'jsonpath={.status.containerStatuses[0].state.waiting.message}' | cut -d'(' -f1)("
run "$k" logs loop -n "$ns" --previous
check "kubectl logs --previous: the run that ended" "run " "${out:0:4}"
check "kubectl logs --previous: exit status" "0" "$rc"
previous=$out
run "$k" logs loop -n "$ns"
check "kubectl logs while the back-off runs: the same run (lastState's container)" "$previous" "$out"

finish_checks run
