// set -x in the shell model: bash 5.2's "+ " lines, its quoting, "++" inside $(...), assignments.

#include "fakes/runtime/xtrace.h"

#include <gtest/gtest.h>

#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes::shell {
namespace {

TEST(Xtrace, QuotesWordsAsBashDoes) {
  EXPECT_EQ(xtrace_word(""), "''");
  EXPECT_EQ(xtrace_word("plain"), "plain");
  EXPECT_EQ(xtrace_word("a=b"), "a=b");
  EXPECT_EQ(xtrace_word("x#y"), "x#y");
  EXPECT_EQ(xtrace_word("#x"), "'#x'");
  EXPECT_EQ(xtrace_word("~x"), "'~x'");
  EXPECT_EQ(xtrace_word("a b"), "'a b'");
  EXPECT_EQ(xtrace_word("it's"), "'it'\\''s'");
  EXPECT_EQ(xtrace_word("["), "'['");
  EXPECT_EQ(xtrace_command(2, {"echo", "a"}), "++ echo a\n");
  EXPECT_EQ(xtrace_assignment(1, "Y", "a b"), "+ Y='a b'\n");
  EXPECT_EQ(xtrace_assignment(1, "Y", ""), "+ Y=\n");
}

TEST(Xtrace, SetXTracesEachSimpleCommandToStderr) {
  // What `bash -xc` prints for the same lines (bash 5.2.15).
  runtime_testing::TestWorld world;
  const ShellResult r = interpret(
      "set -o xtrace\n(echo hi)\nx=$(echo a)\nexport Y=\"a b\"\n[ -f /x ] || true\necho \"$x\" >/dev/null 2>&1\n"
      "set +x\necho quiet\n",
      ShellOptions{}, world);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(runtime_testing::stream_text(r, 2),
            "+ echo hi\n++ echo a\n+ x=a\n+ export 'Y=a b'\n+ Y='a b'\n+ '[' -f /x ']'\n+ true\n+ echo a\n+ set +x\n");
  EXPECT_EQ(runtime_testing::stream_text(r, 1), "hi\nquiet\n");
}

}  // namespace
}  // namespace kexsim::fakes::shell
