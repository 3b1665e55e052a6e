# Sourced by the conformance scripts. start_serve KEXSIM SCENARIO starts `kexsim serve --for 60` in a
# private temporary directory (also HOME, so kubectl's discovery cache is per run), waits for its
# kubeconfig and exports KUBECONFIG; the server is stopped and the directory removed on exit.

serve_pid=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kexsim-conformance-XXXXXX")
export HOME="$tmp"

stop_serve() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
  fi
  serve_pid=""
  rm -rf "$tmp"
}
trap stop_serve EXIT

start_serve() {
  local kexsim=$1 scenario=$2
  "$kexsim" serve --for 60 --dir "$tmp/serve" "$scenario" >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  # Poll for the kubeconfig (written atomically once the listeners are up): at most 10 s.
  local i
  for i in $(seq 100); do
    [ -f "$tmp/serve/kubeconfig" ] && break
    if ! kill -0 "$serve_pid" 2>/dev/null; then
      echo "FAIL: kexsim serve exited before writing its kubeconfig:"
      cat "$tmp/serve.log"
      exit 1
    fi
    sleep 0.1
  done
  if [ ! -f "$tmp/serve/kubeconfig" ]; then
    echo "FAIL: no kubeconfig from kexsim serve after 10 s:"
    cat "$tmp/serve.log"
    exit 1
  fi
  export KUBECONFIG="$tmp/serve/kubeconfig"
}
