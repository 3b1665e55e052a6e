// The git model's submodules against the fake GitLab's projects: .gitmodules and gitlinks in the
// served commits, init / sync / update --init [--recursive] / foreach / status with git's lines,
// relative URLs taking the superproject's credentials, and a private submodule without them.

#include <gtest/gtest.h>

#include "tests/fakes/git_test_rig.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;

class GitSubmoduleTest : public runtime_testing::GitLabRig {
 protected:
  // root/app with lib (relative URL) and, when asked, a private tools (absolute URL); lib has nested.
  void declare(bool private_tools) {
    ProjectDefinition nested{"root/nested", "main", false, std::nullopt, {}};
    EXPECT_TRUE(gitlab.add_project(nested));
    ProjectDefinition lib{"root/lib", "main", true, std::nullopt, {{"nested", "root/nested", "../nested.git"}}};
    EXPECT_TRUE(gitlab.add_project(lib));
    ProjectDefinition app{"root/app", "main", false, std::nullopt, {{"lib", "root/lib", "../lib.git"}}};
    if (private_tools) {
      EXPECT_TRUE(gitlab.add_project({"root/tools", "main", true, std::nullopt, {}}));
      app.submodules.push_back({"tools", "root/tools", "https://gitlab.mylab.com/root/tools.git"});
    }
    EXPECT_TRUE(gitlab.add_project(app));
    token = queue_job("root/app", "main");
    sha = head("root/app", "main");
    lib_sha = head("root/lib", "main");
    nested_sha = head("root/nested", "main");
  }
  std::string checkout() {
    return "git init -q /builds/root/app && cd /builds/root/app\n"
           "git remote add origin https://gitlab-ci-token:" +
           token +
           "@gitlab.mylab.com/root/app.git\n"
           "git fetch -q origin +refs/heads/main:refs/remotes/origin/main\n"
           "git checkout -f -q " +
           sha + "\n";
  }
  std::string token, sha, lib_sha, nested_sha;
};

TEST_F(GitSubmoduleTest, CommitsCarryGitmodulesAndAGitlink) {
  declare(false);
  const ShellResult r = run(checkout() + "cat .gitmodules; test -d lib && echo empty-dir\ngit submodule status\n");
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1),
            "[submodule \"lib\"]\n\tpath = lib\n\turl = ../lib.git\nempty-dir\n-" + lib_sha + " lib\n");
}

TEST_F(GitSubmoduleTest, UpdateInitRecursiveClonesWithTheSuperprojectsCredentials) {
  declare(false);
  const ShellResult r = run(checkout() +
                            "git submodule sync --recursive\n"
                            "git submodule update --init --recursive\n"
                            "cat lib/README.md lib/nested/README.md\n"
                            "git submodule foreach --recursive 'echo $displaypath'\n"
                            "git submodule status\n");
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  const std::string lib_url = "https://gitlab-ci-token:" + token + "@gitlab.mylab.com/root/lib.git";
  const std::string nested_url = "https://gitlab-ci-token:" + token + "@gitlab.mylab.com/root/nested.git";
  EXPECT_EQ(stream_text(r, 2), "Submodule 'lib' (" + lib_url + ") registered for path 'lib'\n" +
                                   "Cloning into '/builds/root/app/lib'...\n" + "Submodule 'nested' (" + nested_url +
                                   ") registered for path 'lib/nested'\n" +
                                   "Cloning into '/builds/root/app/lib/nested'...\n");
  EXPECT_EQ(stream_text(r, 1), "Submodule path 'lib': checked out '" + lib_sha + "'\n" +
                                   "Submodule path 'lib/nested': checked out '" + nested_sha + "'\n" +
                                   "# lib\n# nested\nEntering 'lib'\nlib\nEntering 'lib/nested'\nlib/nested\n " +
                                   lib_sha + " lib (heads/main)\n");
}

TEST_F(GitSubmoduleTest, APrivateSubmoduleWithoutCredentialsFailsTwice) {
  declare(true);
  const ShellResult r = run(checkout() + "export GIT_TERMINAL_PROMPT=0\ngit submodule update --init tools\n");
  EXPECT_EQ(r.exit_code, 1);
  const std::string url = "https://gitlab.mylab.com/root/tools.git";
  const std::string clone_failed =
      "Cloning into '/builds/root/app/tools'...\n"
      "fatal: could not read Username for 'https://gitlab.mylab.com': terminal prompts "
      "disabled\n"
      "fatal: clone of '" +
      url + "' into submodule path '/builds/root/app/tools' failed\n";
  EXPECT_EQ(stream_text(r, 2), "Submodule 'tools' (" + url + ") registered for path 'tools'\n" + clone_failed +
                                   "Failed to clone 'tools'. Retry scheduled\n" + clone_failed +
                                   "Failed to clone 'tools' a second time, aborting\n");
}

TEST_F(GitSubmoduleTest, WithoutTheEnvironmentVariableThereIsNoTerminal) {
  declare(true);
  const ShellResult r = run(checkout() + "git submodule update --init tools\n");
  EXPECT_NE(stream_text(r, 2).find("fatal: could not read Username for 'https://gitlab.mylab.com': No such device or "
                                   "address\n"),
            std::string::npos);
}

TEST_F(GitSubmoduleTest, AJobTokenOutsideTheAllowlistFindsNothing) {
  ProjectDefinition lib{"root/lib", "main", true, std::vector<std::string>{"root/other"}, {}};
  EXPECT_TRUE(gitlab.add_project(lib));
  EXPECT_TRUE(gitlab.add_project({"root/app", "main", false, std::nullopt, {{"lib", "root/lib", "../lib.git"}}}));
  JobDefinition job;
  job.project = "root/app";
  EXPECT_TRUE(gitlab.enqueue(job));
  token = gitlab.jobs().front().token;
  sha = gitlab.repository("root/app")->refs().at("refs/heads/main");
  const ShellResult r = run(checkout() + "git submodule update --init -q\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(stream_text(r, 2).find("remote: The project you were looking for could not be found or you don't have "
                                   "permission to view it.\nfatal: repository "
                                   "'https://gitlab.mylab.com/root/lib.git/' not found\n"),
            std::string::npos)
      << stream_text(r, 2);
}

TEST_F(GitSubmoduleTest, IncludedConfigGivesAbsoluteUrlsTheJobToken) {
  // 18.6's external config: the host-wide insteadOf, handed to the update with -c include.path.
  declare(true);
  const ShellResult r = run(checkout() + "git config --file /ext.conf url.https://gitlab-ci-token:" + token +
                            "@gitlab.mylab.com.insteadOf https://gitlab.mylab.com\n"
                            "git -c include.path=/ext.conf submodule update --init -q tools && cat tools/README.md\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1), "Submodule path 'tools': checked out '" +
                                   gitlab.repository("root/tools")->refs().at("refs/heads/main") + "'\n# tools\n");
}

}  // namespace
}  // namespace kexsim::fakes
