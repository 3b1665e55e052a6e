// The command line's contract: exit codes and where-and-what error messages for bad input.
#include "sim/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/files.h"
#include "sim/scenario.h"

namespace kexsim::sim {
namespace {

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "kexsim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

std::string data_file(const std::string& name) { return std::string(KEXSIM_SOURCE_DIR) + "/tests/data/" + name; }

TEST(Cli, BrokenConfigInsideAScenarioNamesItsLineAndColumnAndExits3) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  const int code = run({"run", "--no-color", data_file("broken-config.toml")});
  const std::string err = ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 3);
  // The unterminated string starts on line 9 of the scenario file (line 4 of the embedded config).
  EXPECT_NE(err.find("broken-config.toml:9:"), std::string::npos) << err;
}

TEST(Cli, UnknownScenarioKeyIsReportedWithASuggestionAndExits3) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  const int code = run({"run", "--no-color", data_file("broken-scenario.toml")});
  const std::string err = ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.find("broken-scenario.toml:16:1"), std::string::npos) << err;
  EXPECT_NE(err.find("status"), std::string::npos) << err;
}

TEST(Cli, UsageErrorsExit2) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"run"}), 2);
  EXPECT_EQ(run({"frobnicate"}), 2);
  ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
}

TEST(Cli, AGitLabUrlWithABadPortIsAnInvalidScenarioNotPort0) {
  auto text = read_file(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/basics/hello.toml");
  ASSERT_TRUE(text) << text.error().describe();
  std::string scenario = *text;
  const std::string url = "url = \"https://gitlab.example.com\"";
  ASSERT_NE(scenario.find(url), std::string::npos);
  scenario.replace(scenario.find(url), url.size(), "url = \"https://gitlab.example.com:44x3\"");
  TempDir dir("kexsim-cli-test");
  ASSERT_TRUE(dir.ok()) << dir.error();
  ASSERT_TRUE(write_file(dir.file("bad-port.toml"), scenario));
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  const int code = run({"run", "--no-color", dir.file("bad-port.toml")});
  const std::string err = ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.find("invalid URL https://gitlab.example.com:44x3: port \"44x3\" is not a number from 1 to 65535"),
            std::string::npos)
      << err;
}

TEST(Cli, CheckOfTheLibraryPassesAndPrintsTheSummaryLine) {
  const std::string basics = std::string(KEXSIM_SOURCE_DIR) + "/scenarios/basics";
  const size_t count = list_scenarios(basics).size();
  ASSERT_GT(count, 0u);
  ::testing::internal::CaptureStdout();
  const int code = run({"check", "--no-color", basics});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\n" + std::to_string(count) + " passed, 0 failed\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace kexsim::sim

namespace kexsim::sim {
namespace {

TEST(Cli, UnsupportedConfigKeysAreWarnedAboutWithTheirPositionNotDropped) {
  ::testing::internal::CaptureStdout();
  const int code = run({"run", "--no-color", data_file("unsupported-key.toml")});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("unsupported-key.toml:20:5: key \"runners.kubernetes.suspend_pvc_size\" is not supported "
                     "by kexsim yet"),
            std::string::npos)
      << out;
}

TEST(Cli, MatrixPrintsATableWithItsCellCount) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  const int code = run({"matrix", "--cells", "3"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 0) << out << err;
  EXPECT_NE(out.find("fault matrix of fault-matrix-hello\ncall "), std::string::npos) << out;
  for (const char* fault : {"refused", "reset", "black-hole", "500", "429", "403", "dropped"})
    EXPECT_NE(out.find(fault), std::string::npos) << fault << "\n" << out;
  EXPECT_NE(out.find("\n3 cells, 0 failed\n"), std::string::npos) << out;
}

TEST(Cli, MatrixTakesAProfileOrAScenarioNotBoth) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"matrix", "--profile", "12.0"}), 2);
  EXPECT_EQ(run({"matrix", "--profile", "13.12", data_file("broken-config.toml")}), 2);
  EXPECT_EQ(run({"matrix", data_file("broken-config.toml")}), 3);
  ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
}

}  // namespace
}  // namespace kexsim::sim
