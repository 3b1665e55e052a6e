#include "executor/artifact_scripts.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

Job artifact_job() {
  Job job;
  job.id = 1000;
  job.token = "glcbt-64_tok";
  job.artifacts = {{"", false, {"public"}, {}, "", "archive", "zip", "1 week"},
                   {"logs", false, {"log/*.txt"}, {}, "on_failure", "", "", ""}};
  job.dependencies = {{998, "build", "glcbt-64_tok", "artifacts.zip", 120}, {999, "lint", "glcbt-64_tok", "", 0}};
  return job;
}

ScriptContext artifact_context(const Job& job, Profile p) {
  ScriptContext ctx;
  ctx.job = &job;
  ctx.profile = p;
  ctx.project_dir = "/builds/root/mycicd";
  ctx.runner_url = "https://gitlab.example.com";
  return ctx;
}

TEST(ArtifactScripts, UploadOnSuccessRunsTheUploaderInTheHelper) {
  const Job job = artifact_job();
  const auto stage = upload_artifacts_script(artifact_context(job, Profile::kV19_4), true);
  ASSERT_TRUE(stage);
  EXPECT_EQ(stage->name, "upload_artifacts_on_success");
  EXPECT_EQ(stage->container, "helper");
  EXPECT_NE(stage->script.find("if /usr/bin/gitlab-runner-helper --version >/dev/null 2>&1 ; then\n"),
            std::string::npos);
  EXPECT_NE(stage->script.find("/usr/bin/gitlab-runner-helper 'artifacts-uploader' '--url' "
                               "'https://gitlab.example.com' '--token' 'glcbt-64_tok' '--id' '1000' '--timeout' "
                               "'1h0m0s' '--response-header-timeout' '10m0s' '--path' 'public' '--expire-in' "
                               "'1 week' '--artifact-format' 'zip' '--artifact-type' 'archive'\n"),
            std::string::npos)
      << stage->script;
  EXPECT_EQ(stage->script.find("log/*.txt"), std::string::npos);  // on_failure only
}

TEST(ArtifactScripts, ThirteenTwelveHasNoUploadTimeouts) {
  const Job job = artifact_job();
  const auto stage = upload_artifacts_script(artifact_context(job, Profile::kV13_12), true);
  ASSERT_TRUE(stage);
  EXPECT_EQ(stage->script.find("--timeout"), std::string::npos);
}

TEST(ArtifactScripts, OnFailureTakesOnlyItsEntries) {
  const Job job = artifact_job();
  const auto stage = upload_artifacts_script(artifact_context(job, Profile::kV19_4), false);
  ASSERT_TRUE(stage);
  EXPECT_EQ(stage->name, "upload_artifacts_on_failure");
  EXPECT_NE(stage->script.find("'--path' 'log/*.txt' '--name' 'logs'"), std::string::npos);
  EXPECT_EQ(stage->script.find("'public'"), std::string::npos);
}

TEST(ArtifactScripts, NothingToDoSkipsTheStage) {
  Job job;
  EXPECT_FALSE(upload_artifacts_script(artifact_context(job, Profile::kV19_4), true));
  EXPECT_FALSE(download_artifacts_script(artifact_context(job, Profile::kV19_4)));
}

TEST(ArtifactScripts, DownloadSkipsDependenciesWithoutAFile) {
  const Job job = artifact_job();
  const auto stage = download_artifacts_script(artifact_context(job, Profile::kV19_4));
  ASSERT_TRUE(stage);
  EXPECT_NE(stage->script.find("Downloading artifacts for build (998)..."), std::string::npos);
  EXPECT_EQ(stage->script.find("lint"), std::string::npos);
  EXPECT_NE(stage->script.find("'artifacts-downloader' '--url' 'https://gitlab.example.com' '--token' "
                               "'glcbt-64_tok' '--id' '998'"),
            std::string::npos);
}

}  // namespace
}  // namespace kexsim::executor
