// The helper's artifact commands as the runtime models them: the logrus lines, path matching,
// the zip they send, and the upload/download against the fake GitLab's artifact endpoints.

#include <gtest/gtest.h>

#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/runtime/artifacts_tool.h"
#include "fakes/runtime/shell.h"
#include "fakes/runtime/shell_state.h"
#include "fakes/runtime/zip_archive.h"
#include "tests/fakes/runtime_test_world.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using runtime_testing::TestWorld;
using shell::helper_log_line;
using shell::helper_release_of;
using shell::HelperRelease;
using shell::LogLevel;

TEST(HelperLogLine, PadsTheMessageAndSortsTheFields) {
  EXPECT_EQ(
      helper_log_line(LogLevel::kInfo, "Downloading artifacts from coordinator... ok",
                      {{"token", "zaM3ywFV"}, {"id", "1280281190"}}),
      "Downloading artifacts from coordinator... ok      \033[0;m  id\033[0;m=1280281190 token\033[0;m=zaM3ywFV\n");
  EXPECT_EQ(helper_log_line(LogLevel::kWarning, "dist: no matching files"),
            "\033[0;33mWARNING: dist: no matching files" + std::string(18, ' ') + "\033[0;m \n");
  EXPECT_EQ(helper_log_line(LogLevel::kError, "No files to upload"),
            "\033[31;1mERROR: No files to upload" + std::string(25, ' ') + "\033[0;m \n");
}

TEST(HelperRelease, ReadsVersionTagsAndOldRevisionTags) {
  EXPECT_TRUE(helper_release_of("registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v19.4.0")
                  .at_least(19, 4));
  const HelperRelease old = helper_release_of("gitlab/gitlab-runner-helper:x86_64-7a6612da");
  EXPECT_EQ(old.major, 13);
  EXPECT_EQ(old.minor, 12);
  EXPECT_TRUE(helper_release_of("my/helper:latest").at_least(19, 4));
}

TEST(ShortenToken, StripsTheJobTokenPrefixFrom17_9) {
  EXPECT_EQ(shell::shorten_token("glcbt-64_abcdefghijkl", HelperRelease{19, 4}), "64_abcdef");
  EXPECT_EQ(shell::shorten_token("glcbt-64_abcdefghijkl", HelperRelease{13, 12}), "glcbt-64");
}

TEST(SelectFiles, WalksEachMatchAndCountsDirectoriesToo) {
  shell::FileSystem fs;
  for (const char* d : {"/b", "/b/p", "/b/p/public", "/b/p/public/css", "/b/p/out"}) fs.make_dir(d);
  fs.write("/b/p/public/index.html", "x", false);
  fs.write("/b/p/public/css/site.css", "y", false);
  fs.write("/b/p/out/a.log", "z", false);
  fs.write("/b/p/out/b.txt", "z", false);
  const auto selection = shell::select_files(fs, "/b/p", {"public", "out/*.log", "dist"}, {}, HelperRelease{});
  EXPECT_EQ(selection.files, (std::vector<std::string>{"out/a.log", "public/", "public/css/", "public/css/site.css",
                                                       "public/index.html"}));
  EXPECT_NE(selection.log.find("public: found 4 matching artifact files and directories"), std::string::npos);
  EXPECT_NE(selection.log.find("out/*.log: found 1 matching artifact files and directories"), std::string::npos);
  EXPECT_NE(selection.log.find("WARNING: dist: no matching files. Ensure that the artifact path is relative to the "
                               "working directory (/b/p)"),
            std::string::npos);
  const auto old = shell::select_files(fs, "/b/p", {"public/**"}, {"public/css/*"}, HelperRelease{13, 12});
  EXPECT_NE(old.log.find("public/**: found 5 matching files and directories"), std::string::npos) << old.log;
}

TEST(ZipArchive, RoundTripsStoredEntries) {
  const std::vector<shell::ZipEntry> entries = {{"public/", ""}, {"public/index.html", "<h1>hi</h1>\n"}};
  const std::string zip = shell::zip_store(entries);
  EXPECT_EQ(zip.substr(0, 4), std::string("PK\x03\x04", 4));
  auto back = shell::zip_read(zip);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].content, "<h1>hi</h1>\n");
  EXPECT_FALSE(shell::zip_read("not a zip"));
}

class ArtifactsToolTest : public ::testing::Test {
 protected:
  ArtifactsToolTest() : gitlab(clock, Random(3), "https://gitlab.mylab.com", "runner-token") {
    JobDefinition job;
    job.project = "root/mycicd";
    job.name = "build";
    EXPECT_TRUE(gitlab.enqueue(job));
    job.name = "test";
    job.dependencies = {"build"};
    EXPECT_TRUE(gitlab.enqueue(job));
    world.server = &gitlab;
  }
  void start_next_job() {
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/api/v4/jobs/request";
    r.body = R"({"token":"runner-token"})";
    ASSERT_EQ(gitlab.handle(r).status, 201);
  }
  ShellResult run(const std::string& script) {
    ShellOptions options;
    options.volumes = volumes;
    return interpret(script, options, world);
  }

  kexsim::testing::ManualClock clock;
  FakeGitLab gitlab;
  TestWorld world;
  std::shared_ptr<shell::Volumes> volumes = std::make_shared<shell::Volumes>();
};

TEST_F(ArtifactsToolTest, UploadsAZipThatALaterJobDownloads) {
  start_next_job();
  const JobRecord& build = gitlab.jobs()[0];
  const ShellResult up =
      run("mkdir -p /builds/p/public && echo hi > /builds/p/public/index.html && cd /builds/p && "
          "gitlab-runner-helper artifacts-uploader --url https://gitlab.mylab.com --token " +
          build.token + " --id 1000 --path public --artifact-format zip --artifact-type archive");
  EXPECT_EQ(up.exit_code, 0) << stream_text(up, 2);
  const std::string log = stream_text(up, 2);
  EXPECT_NE(log.find("public: found 2 matching artifact files and directories"), std::string::npos) << log;
  EXPECT_NE(log.find("Uploading artifacts as \"archive\" to coordinator... 201 Created"), std::string::npos) << log;
  EXPECT_NE(log.find(" status\033[0;m=201"), std::string::npos) << log;
  ASSERT_EQ(gitlab.job(1000)->artifacts.size(), 1u);
  EXPECT_EQ(gitlab.job(1000)->artifacts[0].filename, "artifacts.zip");

  start_next_job();
  volumes = std::make_shared<shell::Volumes>();
  const ShellResult down =
      run("mkdir -p /builds/q && cd /builds/q && gitlab-runner-helper artifacts-downloader "
          "--url https://gitlab.mylab.com --token " +
          gitlab.jobs()[1].token + " --id 1000 && cat public/index.html");
  EXPECT_EQ(down.exit_code, 0) << stream_text(down, 2);
  EXPECT_NE(stream_text(down, 2).find("Downloading artifacts from coordinator... ok"), std::string::npos);
  EXPECT_EQ(stream_text(down, 1), "hi\n");
}

TEST_F(ArtifactsToolTest, NothingMatchingUploadsNothing) {
  start_next_job();
  const ShellResult r =
      run("mkdir -p /builds/p && cd /builds/p && gitlab-runner-helper artifacts-uploader --url "
          "https://gitlab.mylab.com --token " +
          gitlab.jobs()[0].token + " --id 1000 --path dist");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(stream_text(r, 2).find("ERROR: No files to upload"), std::string::npos);
  EXPECT_TRUE(gitlab.job(1000)->artifacts.empty());
}

TEST_F(ArtifactsToolTest, AnUnreachableGitLabFailsAfterThreeTries) {
  start_next_job();
  world.fail("gitlab.mylab.com", ConnectOutcome::Kind::kRefused);
  const ShellResult r =
      run("mkdir -p /builds/p/out && touch /builds/p/out/x && cd /builds/p && "
          "gitlab-runner-helper artifacts-uploader --url https://gitlab.mylab.com --token " +
          gitlab.jobs()[0].token + " --id 1000 --path out --artifact-type archive");
  EXPECT_EQ(r.exit_code, 1);
  const std::string log = stream_text(r, 2);
  EXPECT_NE(log.find("dial tcp 10.0.0.5:443: connect: connection refused"), std::string::npos) << log;
  EXPECT_NE(log.find("WARNING: Retrying..."), std::string::npos);
  EXPECT_NE(log.find("FATAL: execute request: Post \"https://gitlab.mylab.com/api/v4/jobs/1000/artifacts?"
                     "artifact_type=archive\": dial tcp 10.0.0.5:443: connect: connection refused"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace kexsim::fakes
