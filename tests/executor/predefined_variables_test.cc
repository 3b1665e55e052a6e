#include "executor/predefined_variables.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/temp_dir.h"

namespace kexsim::executor {
namespace {

JobVariable variable(std::string key, std::string value, bool is_public = true, bool file = false, bool raw = false) {
  JobVariable v;
  v.key = std::move(key);
  v.value = std::move(value);
  v.is_public = is_public;
  v.file = file;
  v.raw = raw;
  return v;
}

std::vector<std::string> keys(const std::vector<JobVariable>& vars) {
  std::vector<std::string> out;
  for (const auto& v : vars) out.push_back(v.key);
  return out;
}

std::string value(const std::vector<JobVariable>& vars, std::string_view key) {
  for (auto it = vars.rbegin(); it != vars.rend(); ++it)
    if (it->key == key) return it->value;
  return "<absent>";
}

BuildVariablesInput input(const Job& job, Profile p) {
  BuildVariablesInput in;
  in.profile = p;
  in.job = &job;
  in.feature_flags = {variable("FF_X", "false")};
  in.builds_dir = "/builds";
  in.project_dir = "/builds/grp/app";
  in.short_token = "aaacccbb";
  in.environment = {"FOO=bar=baz", "NOEQUALS"};
  return in;
}

TEST(GoExpand, FollowsOsExpand) {
  const auto lookup = [](std::string_view k) { return k == "$" ? std::string("$") : "<" + std::string(k) + ">"; };
  EXPECT_EQ(go_expand("a$B-${C}d", lookup), "a<B>-<C>d");
  EXPECT_EQ(go_expand("$$ $1x ${*} $-", lookup), "$ <1>x <*> <->");
  EXPECT_EQ(go_expand("${} ${open", lookup), " open");  // bad syntax is eaten
  EXPECT_EQ(go_expand("100% $ $/ end$", lookup), "100% $ $/ end$");
  EXPECT_EQ(go_expand("no dollars", lookup), "no dollars");
}

TEST(PredefinedVariables, UpstreamOrderAroundTheJobsVariables) {
  Job job;
  job.image.name = "alpine:$TAG";
  job.timeout_seconds = 600;
  job.variables = {variable("CI_JOB_ID", "7"), variable("FF_X", "true")};
  const auto vars = build_variables(input(job, Profile::kV19_4));
  EXPECT_EQ(keys(vars), (std::vector<std::string>{
                            "FF_X", "CI_JOB_IMAGE", "CI_RUNNER_SHORT_TOKEN", "FOO", "CI_BUILDS_DIR", "CI_PROJECT_DIR",
                            "CI_CONCURRENT_ID", "CI_CONCURRENT_PROJECT_ID", "CI_SERVER", "CI_JOB_STATUS",
                            "CI_JOB_TIMEOUT", "CI_JOB_ID", "CI_DISPOSABLE_ENVIRONMENT", "CI_RUNNER_VERSION",
                            "CI_RUNNER_REVISION", "CI_RUNNER_EXECUTABLE_ARCH", "RUNNER_TEMP_PROJECT_DIR"}));
  EXPECT_EQ(value(vars, "FOO"), "bar=baz");
  EXPECT_FALSE(vars[3].is_public);  // parseVariable: internal only
  EXPECT_TRUE(vars[3].internal);
  EXPECT_EQ(value(vars, "CI_JOB_TIMEOUT"), "600");
  EXPECT_EQ(value(vars, "CI_JOB_STATUS"), "running");
  EXPECT_EQ(value(vars, "CI_JOB_IMAGE"), "alpine:");  // expanded like every other value
  EXPECT_EQ(value(vars, "RUNNER_TEMP_PROJECT_DIR"), "/builds/grp/app.tmp");
}

TEST(PredefinedVariables, BeforeFifteenSevenNoTimeoutNorTempDirAndJobFlagsStay) {
  Job job;
  job.variables = {variable("FF_X", "true")};
  const auto vars = build_variables(input(job, Profile::kV13_12));
  EXPECT_EQ(vars.front().key, "FF_X");
  EXPECT_EQ(value(vars, "CI_JOB_TIMEOUT"), "<absent>");
  EXPECT_EQ(value(vars, "RUNNER_TEMP_PROJECT_DIR"), "<absent>");
  EXPECT_EQ(value(vars, "CI_JOB_IMAGE"), "<absent>");  // no image in the payload
  EXPECT_EQ(std::count_if(vars.begin(), vars.end(), [](const JobVariable& v) { return v.key == "FF_X"; }), 2);
}

TEST(PredefinedVariables, ExpandsOnceExceptRawAndFilesGiveTheirPath) {
  Job job;
  job.variables = {variable("A", "$B-$CI_PROJECT_DIR"),
                   variable("B", "$C"),
                   variable("C", "c"),
                   variable("RAW", "$A", true, false, true),
                   variable("CERT", "pem", false, true),
                   variable("USE", "${CERT}"),
                   variable("COST", "$$5")};
  const auto vars = build_variables(input(job, Profile::kV19_4));
  EXPECT_EQ(value(vars, "A"), "$C-/builds/grp/app");  // one pass against the unexpanded list
  EXPECT_EQ(value(vars, "RAW"), "$A");
  EXPECT_EQ(value(vars, "USE"), "/builds/grp/app.tmp/CERT");
  EXPECT_EQ(value(vars, "COST"), "$5");
  const auto old = build_variables(input(job, Profile::kV13_12));
  EXPECT_EQ(value(old, "USE"), "pem");  // 13.12: a file variable expands to its content
}

TEST(PredefinedVariables, ImagesExpandBeforeStartBuildFromFourteenTwo) {
  Job job;
  job.variables = {variable("TAG", "v1")};
  const auto now = image_expansion_variables(input(job, Profile::kV19_4));
  EXPECT_EQ(value(now, "CI_PROJECT_DIR"), "");  // StartBuild has not set RootDir and BuildDir yet
  EXPECT_EQ(value(now, "CI_BUILDS_DIR"), "");
  EXPECT_EQ(value(now, "TAG"), "v1");
  EXPECT_EQ(value(now, "CI_RUNNER_REVISION"), "4d1a0ea3");
  const auto old = image_expansion_variables(input(job, Profile::kV13_12));
  EXPECT_EQ(value(old, "CI_PROJECT_DIR"), "/builds/grp/app");  // 13.12's Prepare ran AbstractExecutor.Prepare first
  EXPECT_EQ(keys(runner_version_variables(Profile::kV15_11)),
            (std::vector<std::string>{"CI_RUNNER_VERSION", "CI_RUNNER_REVISION", "CI_RUNNER_EXECUTABLE_ARCH"}));
}

TEST(PredefinedVariables, CaChainFallsBackToTheVerifiedChain) {
  // network/client.go buildCAChain: tls-ca-file's data first, else the connection's verified chain.
  kexsim::testing::TestDir dir;
  RunnerConfig runner;
  EXPECT_EQ(runner_ca_chain(runner, "CHAIN"), "CHAIN");
  runner.tls_ca_file = dir.file("ca.pem");
  ASSERT_TRUE(write_file(runner.tls_ca_file, "FILE").ok());
  EXPECT_EQ(runner_ca_chain(runner, "CHAIN"), "FILE");
}

TEST(PredefinedVariables, CaFileBecomesAFileVariable) {
  kexsim::testing::TestDir dir;
  RunnerConfig runner;
  EXPECT_EQ(runner_ca_chain(runner), "");
  runner.tls_ca_file = dir.file("ca.pem");
  ASSERT_TRUE(write_file(runner.tls_ca_file, "-----BEGIN CERTIFICATE-----\n").ok());
  Job job;
  BuildVariablesInput in = input(job, Profile::kV19_4);
  in.ca_chain = runner_ca_chain(runner);
  const auto vars = build_variables(in);
  auto it =
      std::find_if(vars.begin(), vars.end(), [](const JobVariable& v) { return v.key == "CI_SERVER_TLS_CA_FILE"; });
  ASSERT_NE(it, vars.end());
  EXPECT_TRUE(it->file);
  EXPECT_EQ(it->value, "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ((it - 1)->key, "CI_JOB_TIMEOUT");  // GetCITLSVariables follow GetDefaultVariables
}

}  // namespace
}  // namespace kexsim::executor
