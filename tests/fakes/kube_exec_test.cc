#include "fakes/kube/exec.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kDetect =
    "if [ -x /usr/local/bin/bash ]; then\n\texec /usr/local/bin/bash \nelif [ -x /usr/bin/bash ]; then\n\texec "
    "/usr/bin/bash \nelif [ -x /bin/sh ]; then\n\texec /bin/sh \nelse\n\techo shell not found\n\texit 1\nfi\n\n";

TEST(KubeExecScript, ShellsAndTheRunnerWrappersReadStdin) {
  EXPECT_TRUE(exec_script({"sh"}).from_stdin);
  EXPECT_TRUE(exec_script({"/bin/bash"}).from_stdin);
  EXPECT_TRUE(exec_script({"bash", "-l"}).from_stdin);
  EXPECT_TRUE(exec_script({"gitlab-runner-build"}).from_stdin);
  EXPECT_TRUE(exec_script({"sh", "-c", kDetect}).from_stdin);
  EXPECT_TRUE(exec_script({"/scripts-1-2/dumb-init", "--", "sh", "-c", kDetect}).from_stdin);
  EXPECT_TRUE(exec_script({"sh", "-c", "exec /bin/bash -l"}).from_stdin);
}

TEST(KubeExecScript, ScriptsFromArgv) {
  const ExecScript c = exec_script({"sh", "-c", "echo hi && exit 3"});
  EXPECT_FALSE(c.from_stdin);
  EXPECT_EQ(c.script, "echo hi && exit 3");
  EXPECT_EQ(exec_script({"/bin/bash", "-l", "-c", "make"}).script, "make");
  EXPECT_EQ(exec_script({"sh", "-c", "exec /bin/bash /scripts/step"}).script, "exec /bin/bash /scripts/step");
  const ExecScript helper = exec_script({"gitlab-runner-helper", "read-logs", "--path", "/logs-1-2/output.log"});
  EXPECT_FALSE(helper.from_stdin);
  EXPECT_EQ(helper.script, "gitlab-runner-helper read-logs --path /logs-1-2/output.log");
  EXPECT_EQ(exec_script({"echo", "a b", "it's"}).script, R"(echo 'a b' 'it'\''s')");
}

TEST(KubeExecOptions, ContainerEnvValuesHostnameAndWorkingDir) {
  const json pod = {
      {"metadata", {{"name", "runner-x"}}},
      {"spec",
       {{"containers",
         {{{"name", "build"},
           {"workingDir", "/builds"},
           {"env",
            {{{"name", "CI"}, {"value", "true"}},
             {{"name", "FROM_SECRET"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}}}},
          {{"name", "helper"}}}}}}};
  const ShellOptions build = exec_options(pod, "build");
  EXPECT_EQ(build.env, (std::map<std::string, std::string>{{"CI", "true"}, {"HOSTNAME", "runner-x"}}));
  EXPECT_EQ(build.cwd, "/builds");
  const ShellOptions helper = exec_options(pod, "helper");
  EXPECT_EQ(helper.env, (std::map<std::string, std::string>{{"HOSTNAME", "runner-x"}}));
  EXPECT_EQ(helper.cwd, "/");
}

TEST(KubeExecStatus, SuccessAndNonZeroExitCode) {
  EXPECT_EQ(exec_status_json(0, {"sh"}), R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(exec_status_json(3, {"sh", "-c", "exit 3"}),
            R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: )"
            R"(error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode",)"
            R"("details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
}

TEST(KubeExecOutcome, ChannelsOffsetsDurationAndStatusComeFromTheProcess) {
  ShellResult result;
  result.output = {{milliseconds(0), 1, "hi\n"}, {seconds(2), 2, "warn\n"}};
  result.duration = seconds(3);
  result.exit_code = 5;
  const ExecOutcome outcome = exec_outcome(result, {"sh"});
  ASSERT_EQ(outcome.output.size(), 2u);
  EXPECT_EQ(outcome.output[0].at, milliseconds(0));
  EXPECT_EQ(outcome.output[0].channel, 1);
  EXPECT_EQ(outcome.output[0].data, "hi\n");
  EXPECT_EQ(outcome.output[1].at, seconds(2));
  EXPECT_EQ(outcome.output[1].channel, 2);
  EXPECT_EQ(outcome.output[1].data, "warn\n");
  EXPECT_EQ(outcome.duration, seconds(3));
  EXPECT_EQ(outcome.status_json, exec_status_json(5, {"sh"}));
}

TEST(KubeExecUpgradeFailure, AnsweredAsApiStatus) {
  const HttpResponse not_ws = upgrade_failure_response(UpgradeFailure::kNotWebSocket);
  EXPECT_EQ(not_ws.status, 400);
  EXPECT_EQ(not_ws.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                         R"("message":"Upgrade request required","reason":"BadRequest","code":400})");
  const HttpResponse no_protocol = upgrade_failure_response(UpgradeFailure::kNoCommonProtocol);
  EXPECT_EQ(no_protocol.status, 400);
  EXPECT_EQ(json::parse(no_protocol.body)["message"], "unable to upgrade connection: no supported stream protocol");
  const HttpResponse no_runner = upgrade_failure_response(UpgradeFailure::kNoExecRunner);
  EXPECT_EQ(no_runner.status, 500);
  EXPECT_EQ(json::parse(no_runner.body)["reason"], "InternalError");
}

}  // namespace
}  // namespace kexsim::fakes
