#!/usr/bin/env bash
# Conformance: Debian's ruby-kubeclient (the kubeclient gem, run by Debian's /usr/bin/ruby) against
# `kexsim serve tests/conformance/data/clients-serve.toml`; the checks are in ruby_client.rb.
# Usage: run-ruby.sh KEXSIM SOURCE_DIR. Exits 77 (ctest's skip) when the gem is not installed.
set -u
here=$(dirname "$0")

# shellcheck source=serve-lib.sh
. "$here/serve-lib.sh"
conformance_args "run-ruby.sh KEXSIM SOURCE_DIR" "$@"
if ! [ -x /usr/bin/ruby ] || ! /usr/bin/ruby -e 'require "kubeclient"' 2>/dev/null; then
  echo "skip: Debian's ruby-kubeclient is not installed (scripts/install-deps installs it)"
  exit 77
fi
start_serve "$kexsim" "$src/tests/conformance/data/clients-serve.toml"

timeout 60 /usr/bin/ruby "$here/ruby_client.rb" "$KUBECONFIG"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
  echo "the server's output:"
  cat "$tmp/serve.log"
fi
exit $rc
