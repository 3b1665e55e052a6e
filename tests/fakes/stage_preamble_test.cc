// The shell model runs each GitLab Runner release's stage-script options line and gets its effect.

#include <gtest/gtest.h>

#include <string>

#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using runtime_testing::TestWorld;

// The lines shells/bash.go writes (v13.12.0 writeScript; v14.9.0-v19.0.0 and v19.1.0+ Finish).
const std::string kV13 = "set -eo pipefail\n";
const std::string kV14_9 = "if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit\n";
const std::string kV19_1 = "case \"$(set -o)\" in *\"pipefail\"*) set -o pipefail;; esac; set -o errexit\n";

class StagePreambleTest : public ::testing::TestWithParam<std::string> {
 protected:
  ShellResult run(const std::string& script) { return interpret(script, options, world); }

  TestWorld world;
  ShellOptions options;
};

TEST_P(StagePreambleTest, TurnsOnPipefailAndErrexitSilently) {
  const ShellResult r = run(GetParam() + "echo \"$-\"\nset -o | grep -E '^(errexit|pipefail) '\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 2), "");  // grep's match goes to /dev/null, the case prints nothing
  EXPECT_EQ(stream_text(r, 1), "e\nerrexit         on\npipefail        on\n");
}

TEST_P(StagePreambleTest, AFailureEarlyInAPipelineEndsTheScript) {
  // With pipefail the pipeline's status is its last failing command's (1, not cat's 0), and errexit
  // ends the script there: what a job's `false | cat` does under every release.
  const ShellResult r = run(GetParam() + "false | cat\necho after\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stream_text(r, 1), "");
}

TEST_P(StagePreambleTest, AnIfConditionStillTestsThePipelineWithoutEndingTheScript) {
  const ShellResult r = run(GetParam() + "if false | cat; then echo yes; else echo no; fi\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 1), "no\n");
}

INSTANTIATE_TEST_SUITE_P(Releases, StagePreambleTest, ::testing::Values(kV13, kV14_9, kV19_1),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::string(info.index == 0 ? "V13_12" : info.index == 1 ? "V14_9" : "V19_1");
                         });

TEST(StagePreambleXtrace, EachReleaseTracesItsOwnCommands) {
  // CI_DEBUG_TRACE's `set -o xtrace` comes first, so the options line is traced: each simple command
  // after its expansion, without redirections; the model marks the command substitution's one level
  // deeper ("++", as bash does).
  TestWorld world;
  ShellOptions options;
  const auto trace = [&](const std::string& line) {
    return stream_text(interpret("set -o xtrace\n" + line, options, world), 2);
  };
  EXPECT_EQ(trace(kV13), "+ set -eo pipefail\n");
  EXPECT_EQ(trace(kV14_9), "+ set -o\n+ grep pipefail\n+ set -o pipefail\n+ set -o errexit\n");
  EXPECT_EQ(trace(kV19_1), "++ set -o\n+ set -o pipefail\n+ set -o errexit\n");
}

}  // namespace
}  // namespace kexsim::fakes
