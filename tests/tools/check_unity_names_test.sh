#!/usr/bin/env bash
# scripts/check-unity-names on small trees: the clashes it must find in library files, and what it must let
# pass (one using-declaration in two files, overloads of a named namespace's API, members defined out of
# their class). Usage: check_unity_names_test.sh SOURCE_DIR
set -euo pipefail
script="$1/scripts/check-unity-names"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree"/{base,executor,fakes/kube,sim,tests/base}
fail() { echo "check_unity_names_test: $*"; exit 1; }

# Allowed: the same using-declaration twice, named-namespace overloads, out-of-class members, default args.
cat > "$tree/base/result.h" <<'H'
namespace kexsim { template <class T> class Result {}; }
H
cat > "$tree/fakes/kube/a.cc" <<'C'
namespace kexsim::fakes {
namespace {
using json_fields::text;
int cond(const char* type, const std::string& reason = {}, const std::string& message = {}) { return 0; }
}  // namespace
std::string to_string(int v) { return ""; }
int Store::size() const { return 0; }
}  // namespace kexsim::fakes
C
cat > "$tree/fakes/kube/b.cc" <<'C'
namespace kexsim::fakes {
namespace {
using json_fields::text;
}  // namespace
std::string to_string(double v) { return ""; }
int Watch::size() const { return 0; }
}  // namespace kexsim::fakes
C
out=$("$script" "$tree") || fail "a clean tree was refused: $out"

# Refused: one anonymous helper in two files, a definition beside a using-declaration, a macro twice,
# and an anonymous name that hides kexsim::Result from the files after it.
cat > "$tree/executor/a.cc" <<'C'
#define KEXSIM_TRY(x) x
namespace kexsim::executor { namespace { std::string lower(std::string s) { return s; } } }
C
cat > "$tree/executor/b.cc" <<'C'
#define KEXSIM_TRY(x) x
namespace kexsim::executor { namespace { std::string lower(std::string_view s) { return {}; } } }
C
cat > "$tree/fakes/kube/c.cc" <<'C'
namespace kexsim::fakes {
namespace {
std::string text(const json& o, const char* k) { return {}; }
struct Result { bool ok; };
}  // namespace
}  // namespace kexsim::fakes
C
if out=$("$script" "$tree"); then fail "clashes passed: $out"; fi
for want in "kexsim_executor: \`lower\` is declared at namespace scope in executor/a.cc:2, executor/b.cc:2" \
            "kexsim_executor: \`KEXSIM_TRY\`" \
            "kexsim_fakes: \`text\` is declared at namespace scope in fakes/kube/a.cc:3, fakes/kube/b.cc:3, fakes/kube/c.cc:3" \
            "kexsim_fakes: \`Result\` in an anonymous namespace of fakes/kube/c.cc:4 hides kexsim::Result (base/result.h:1)"; do
  grep -qF "$want" <<<"$out" || fail "missing \"$want\" in: $out"
done
[ "$(grep -c 'to_string\|size\|cond\|message' <<<"$out")" = 0 ] || fail "false clashes: $out"
echo "check_unity_names_test: ok"
