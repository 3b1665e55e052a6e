#!/usr/bin/env bash
# Conformance: the official Python client (Debian python3-kubernetes, run by Debian's /usr/bin/python3)
# against `kexsim serve scenarios/rbac/secrets-forbidden.toml`; the checks are in python_client.py.
# Usage: run-python.sh KEXSIM SOURCE_DIR. Exits 77 (ctest's skip) when the client is not installed.
set -u

here=$(dirname "$0")

if ! /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
  echo "skip: Debian's python3-kubernetes is not installed (scripts/install-deps installs it)"
  exit 77
fi

# shellcheck source=serve-lib.sh
. "$here/serve-lib.sh"
conformance_args "run-python.sh KEXSIM SOURCE_DIR" "$@"
start_serve "$kexsim" "$src/scenarios/rbac/secrets-forbidden.toml"

timeout 60 /usr/bin/python3 "$here/python_client.py" "$KUBECONFIG"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
  echo "the server's output:"
  cat "$tmp/serve.log"
fi
exit $rc
