#!/usr/bin/env bash
# Conformance: Debian's real git clones from the fake GitLab of `kexsim serve` (basics/hello plus a
# job on a second branch) over smart HTTP and TLS (git offers protocol v2; the fake answers v0 and git
# falls back), trusting only the simulation CA: full and shallow (--depth 1) clones, each checked
# against the shas the fake lists in --dir/repositories and the files it serves; then a fetch into the
# clone, a clone with --recurse-submodules of a project with nested submodules, a wrong job token (401)
# and an untrusted certificate.
#
# Usage: run-git.sh KEXSIM SOURCE_DIR [GIT]
# Exits 0 when every check passed, 1 otherwise, 77 (ctest's skip) when git is not installed.
set -u

kexsim=${1:?usage: run-git.sh KEXSIM SOURCE_DIR [GIT]}
src=${2:?usage: run-git.sh KEXSIM SOURCE_DIR [GIT]}
git=${3:-/usr/bin/git}
if [ ! -x "$git" ]; then
  echo "skip: $git is not installed"
  exit 77
fi

# shellcheck source=serve-lib.sh
. "$(dirname "$0")/serve-lib.sh"
# hello, plus a job on a second branch, so that a shallow clone of it cuts real history; and
# root/super, whose submodule lib (root/lib) has a submodule proto (root/proto), all relative URLs.
{
  cat "$src/scenarios/basics/hello.toml"
  printf '\n[[gitlab.jobs]]\nproject = "root/mycicd"\nproject_id = 2\nref = "feature"\nscript = ["true"]\n'
  printf '\n[[gitlab.projects]]\npath = "root/proto"\n'
  printf '\n[[gitlab.projects]]\npath = "root/lib"\n[[gitlab.projects.submodules]]\npath = "proto"\n'
  printf 'project = "root/proto"\nurl = "../proto.git"\n'
  printf '\n[[gitlab.projects]]\npath = "root/super"\n[[gitlab.projects.submodules]]\npath = "lib"\n'
  printf 'project = "root/lib"\nurl = "../lib.git"\n'
} >"$tmp/two-branches.toml"
start_serve "$kexsim" "$tmp/two-branches.toml"

failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    echo "  expected: $2"
    echo "  actual:   $3"
    failures=$((failures + 1))
  fi
}

gitlab=$(sed -n 's/^  GitLab  *\(https:[^ ]*\).*/\1/p' "$tmp/serve.log")
sha=$(awk '$1 == "root/mycicd" && $2 == "refs/heads/main" { print $3 }' "$tmp/serve/repositories")
feature=$(awk '$1 == "root/mycicd" && $2 == "refs/heads/feature" { print $3 }' "$tmp/serve/repositories")
if [ -z "$gitlab" ] || [ -z "$sha" ]; then
  echo "FAIL: no GitLab URL in the serve output or no root/mycicd main in $tmp/serve/repositories"
  cat "$tmp/serve.log" "$tmp/serve/repositories"
  exit 1
fi
url="$gitlab/root/mycicd.git"
# Only the simulation CA is trusted; the fakes' certificates also name 127.0.0.1, where serve listens.
# GIT_SSL_CAINFO, not http.sslCAInfo: git lets the variable override the setting, and hosts often set it.
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset GIT_SSL_NO_VERIFY
system_ca=${GIT_SSL_CAINFO:-/etc/ssl/certs/ca-certificates.crt}
export GIT_SSL_CAINFO="$tmp/serve/ca.crt"
g() { "$git" -c protocol.version=2 "$@"; }

out=$(g clone -q "$url" "$tmp/full" 2>&1)
check "clone exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"
check "clone HEAD is the fake's sha" "$sha" "$("$git" -C "$tmp/full" rev-parse HEAD 2>&1)"
check "clone checks out README.md" "# mycicd" "$(cat "$tmp/full/README.md" 2>&1)"
check "clone's branch" "main" "$("$git" -C "$tmp/full" rev-parse --abbrev-ref HEAD 2>&1)"
check "fsck of the clone" "0" "$("$git" -C "$tmp/full" fsck --strict --no-progress >/dev/null 2>&1; echo $?)"

out=$(g clone -q --depth 1 "$url" "$tmp/shallow" 2>&1)
check "shallow clone exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"
check "shallow HEAD is the fake's sha" "$sha" "$("$git" -C "$tmp/shallow" rev-parse HEAD 2>&1)"
check "shallow history has one commit" "1" "$("$git" -C "$tmp/shallow" rev-list --count HEAD 2>&1)"

out=$(g clone -q --depth 1 -b feature "$url" "$tmp/shallow-feature" 2>&1)
check "shallow clone of feature exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"
check "shallow feature HEAD is the fake's sha" "$feature" "$("$git" -C "$tmp/shallow-feature" rev-parse HEAD 2>&1)"
check "the fake's shallow-update names the cut commit" "$feature" "$(cat "$tmp/shallow-feature/.git/shallow" 2>&1)"
check "shallow feature history has one commit" "1" "$("$git" -C "$tmp/shallow-feature" rev-list --count HEAD 2>&1)"
check "full clone has feature on top of main" "$sha" "$("$git" -C "$tmp/full" rev-parse origin/feature^ 2>&1)"

# A fetch that negotiates: the client has main and says so (have), the fake ACKs it and sends the rest.
out=$(g clone -q -b main --single-branch "$url" "$tmp/single" 2>&1 && g -C "$tmp/single" fetch -q origin feature 2>&1)
check "fetch of feature with main as a have exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"
check "FETCH_HEAD is feature" "$feature" "$("$git" -C "$tmp/single" rev-parse FETCH_HEAD 2>&1)"
check "fsck after the negotiated fetch" "0" "$("$git" -C "$tmp/single" fsck --strict --no-progress >/dev/null 2>&1; echo $?)"

out=$(g -C "$tmp/full" fetch -q origin 2>&1)
check "fetch into the clone exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"

# Submodules: real git reads the fake's .gitmodules and gitlinks and clones both levels.
lib_sha=$(awk '$1 == "root/lib" && $2 == "refs/heads/main" { print $3 }' "$tmp/serve/repositories")
out=$(g clone -q --recurse-submodules "$gitlab/root/super.git" "$tmp/super" 2>&1)
check "clone --recurse-submodules exits 0" "0" "$?"
[ -n "$out" ] && echo "  git said: $out"
check "the submodule is at the commit the gitlink pins" "$lib_sha" "$("$git" -C "$tmp/super/lib" rev-parse HEAD 2>&1)"
check "the nested submodule is checked out" "# proto" "$(cat "$tmp/super/lib/proto/README.md" 2>&1)"
check "submodule status names both" "2" "$("$git" -C "$tmp/super" submodule status --recursive 2>&1 | grep -c '^ ')"
check "fsck of the superproject" "0" "$("$git" -C "$tmp/super" fsck --strict --no-progress >/dev/null 2>&1; echo $?)"

# git sends a URL's credentials only after a 401, which a public project never answers; an
# Authorization header sent up front with a wrong job token is refused.
denied=$(printf 'gitlab-ci-token:wrong' | base64)
out=$(g -c http.extraHeader="Authorization: Basic $denied" clone -q "${url/https:\/\//https://gitlab-ci-token:wrong@}" \
  "$tmp/denied" 2>&1)
check "wrong job token exits 128" "128" "$?"
check "wrong job token message" "remote: HTTP Basic: Access denied
fatal: Authentication failed for '$url/'" "$out"

# Debian's git links libcurl with GnuTLS, whose wording differs from OpenSSL's (the pod model's).
out=$(GIT_SSL_CAINFO="$system_ca" "$git" clone -q "$url" "$tmp/untrusted" 2>&1)
check "without the simulation CA the certificate is not trusted" \
  "fatal: unable to access '$url/': server certificate verification failed. CAfile: $system_ca CRLfile: none" "$out"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all git checks passed"
