#include "fakes/kube/exec.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

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
  const json pod = {{"metadata", {{"name", "runner-x"}}},
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

}  // namespace
}  // namespace kexsim::fakes
