# shellcheck shell=bash disable=SC2034  # kexsim and src are for the scripts that source this
# Sourced by the conformance scripts, so that each says only what it tests. Sourcing it makes a private
# temporary directory $tmp (also HOME, so kubectl's discovery cache is per run), removed on exit.
#   conformance_args USAGE "$@"   sets kexsim and src from the script's two arguments (exits 2 without them)
#   require_client PATH...        exits 77 (ctest's skip) unless every PATH is an executable
#   start_serve KEXSIM SCENARIO   starts `kexsim serve --for 60`, waits for its kubeconfig, exports KUBECONFIG
#   run CMD... / run_stdin INPUT CMD...   runs CMD (at most 60 s) and sets rc, out and err
#   expect WHAT RC OUT ERR        compares the last run's exit code, stdout and stderr exactly (prefix: $label)
#   check WHAT WANT GOT           compares two strings
#   finish_checks [WHAT]          exits 1 (the server's output printed) if a check failed, else 0
# The server is stopped on exit.

serve_pid=""
failures=0
label=""
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

conformance_args() {
  local usage=$1
  shift
  if [ $# -lt 2 ]; then
    echo "usage: $usage" >&2
    exit 2
  fi
  kexsim=$1
  src=$2
}

require_client() {
  local c
  for c in "$@"; do
    if [ ! -x "$c" ]; then
      echo "skip: $c is not installed"
      exit 77
    fi
  done
}

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

run() {
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

run_stdin() {
  local input=$1
  shift
  printf '%s\n' "$input" | timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

expect() {
  local what=${label:+$label: }$1 want_rc=$2 want_out=$3 want_err=$4
  if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] && [ "$err" = "$want_err" ]; then
    echo "ok: $what"
  else
    failures=$((failures + 1))
    echo "FAIL: $what"
    echo "  expected exit $want_rc, stdout: $want_out"
    echo "  expected stderr: $want_err"
    echo "  got exit $rc, stdout: $out"
    echo "  got stderr: $err"
  fi
}

check() {
  local what=${label:+$label: }$1 want=$2 got=$3
  if [ "$want" = "$got" ]; then
    echo "ok: $what"
  else
    failures=$((failures + 1))
    echo "FAIL: $what"
    echo "  expected: $want"
    echo "  got:      $got"
  fi
}

finish_checks() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed; the server's output:"
    cat "$tmp/serve.log"
    exit 1
  fi
  echo "all ${1:+$1 }checks passed"
  exit 0
}
