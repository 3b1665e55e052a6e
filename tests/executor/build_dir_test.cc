#include "executor/build_dir.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(GoPath, CleanAsGoDoes) {
  EXPECT_EQ(go_path_clean(""), ".");
  EXPECT_EQ(go_path_clean("/builds/a/../b/"), "/builds/b");
  EXPECT_EQ(go_path_clean("/builds//x/./y"), "/builds/x/y");
  EXPECT_EQ(go_path_clean("/.."), "/");
  EXPECT_EQ(go_path_clean("a/../../b"), "../b");
}

TEST(GoPath, RelAsFilepathRel) {
  EXPECT_EQ(*go_path_rel("/builds", "/builds"), ".");
  EXPECT_EQ(*go_path_rel("/builds", "/builds/grp/app"), "grp/app");
  EXPECT_EQ(*go_path_rel("/builds", "/tmp/app"), "../tmp/app");
  EXPECT_EQ(*go_path_rel("/builds", "/builds/../etc"), "../etc");
  const auto relative = go_path_rel("/builds", "app");
  ASSERT_FALSE(relative.ok());
  EXPECT_EQ(relative.error().message, "Rel: can't make app relative to /builds");
}

TEST(JobBuildDir, TheDefaultWithoutGitClonePath) {
  EXPECT_EQ(*job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "", false), "/builds/grp/app");
}

TEST(JobBuildDir, GitClonePathWithinTheBuildsDir) {
  EXPECT_EQ(*job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "/builds/go/src/app", true),
            "/builds/go/src/app");
  // 15.3 cleans the path; 13.12 keeps it as written.
  EXPECT_EQ(*job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "/builds/x/../app/", true), "/builds/app");
  EXPECT_EQ(*job_build_dir(Profile::kV13_12, "/builds", "/builds/grp/app", "/builds/x/../app/", true),
            "/builds/x/../app/");
}

TEST(JobBuildDir, RefusedWhenNotEnabledOrOutside) {
  const auto off = job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "/builds/app", false);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().message, "setting GIT_CLONE_PATH is not allowed, enable `custom_build_dir` feature");
  const auto outside = job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "/tmp/app", true);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message, R"(the GIT_CLONE_PATH="/tmp/app" has to be within "/builds")");
  // strings.HasPrefix(relDir, ".."): a name starting with two dots is refused too.
  EXPECT_FALSE(job_build_dir(Profile::kV19_4, "/builds", "/builds/grp/app", "/builds/..cache", true).ok());
}

TEST(JobBuildDir, KubernetesEnablesCustomBuildDirsByDefault) {
  RunnerConfig runner;
  EXPECT_TRUE(custom_build_dir_enabled(runner));
  runner.custom_build_dir_enabled = false;
  EXPECT_FALSE(custom_build_dir_enabled(runner));
}

}  // namespace
}  // namespace kexsim::executor
