// The git model: GitLab Runner's get_sources script against each connection outcome, and the
// git commands around it (init, remote, fetch, checkout, clone, rev-parse, log).

#include <gtest/gtest.h>

#include "tests/fakes/git_test_rig.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using runtime_testing::transcript;
using Outcome = ConnectOutcome::Kind;

// A commit id nobody has.
constexpr const char* kOtherSha = "0123456789abcdef0123456789abcdef01234567";

// What GitLab Runner's get_sources runs for a job at commit sha.
std::string get_sources(const std::string& sha, const std::string& token) {
  return "set -eo pipefail\n"
         "echo \"Fetching changes with git depth set to 50...\"\n"
         "git init /builds/LBxMyCry/0/root/mycicd\n"
         "echo \"Created fresh repository.\"\n"
         "cd /builds/LBxMyCry/0/root/mycicd\n"
         "git remote add origin \"https://gitlab-ci-token:" +
         token +
         "@gitlab.mylab.com/root/mycicd.git\"\n"
         "git fetch origin +refs/heads/master:refs/remotes/origin/master --depth 50 --prune --quiet\n"
         "echo \"Checking out " +
         sha.substr(0, 8) +
         " as master...\"\n"
         "git checkout -f -q " +
         sha +
         "\n"
         "echo \"Skipping Git submodules setup\"\n";
}

class GitToolTest : public runtime_testing::GitLabRig {
 protected:
  GitToolTest() {
    // The fake GitLab serves root/mycicd (master, feature) as a real repository over smart HTTP.
    gitlab.add_repository("root/mycicd", "master", {"feature"});
    job_token = queue_job("root/mycicd", "master");
    master_sha = head("root/mycicd", "master");
    feature_sha = head("root/mycicd", "feature");
    get_sources_script = get_sources(master_sha, job_token);
  }

  std::string master_sha, feature_sha, get_sources_script, job_token;
};

TEST_F(GitToolTest, FetchAsksTheFakeGitLabOverSmartHttp) {
  const ShellResult r = run(get_sources_script);
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  // The ref advertisement, then the negotiation whose answer carries the pack.
  EXPECT_EQ(gitlab.call_log(), (std::vector<std::string>{"GET /root/mycicd.git/info/refs 200",
                                                         "POST /root/mycicd.git/git-upload-pack 200"}));
}

TEST_F(GitToolTest, HttpUserAgentNamesTheClientAsTheRunnersFetchAsks) {
  // GitLab Runner fetches with `git -c http.userAgent=gitlab-runner <version> linux/amd64` (shells/abstract.go
  // writeRefspecFetchCmd); without it git names itself.
  const ShellResult r = run(
      "git -c 'http.userAgent=gitlab-runner 19.4.0 linux/amd64' clone -q https://gitlab.mylab.com/root/mycicd.git /a\n"
      "git clone -q https://gitlab.mylab.com/root/mycicd.git /b\n");
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(gitlab.git_user_agents(),
            (std::vector<std::string>{"gitlab-runner 19.4.0 linux/amd64", "gitlab-runner 19.4.0 linux/amd64",
                                      "git/2.45.2", "git/2.45.2"}));
}

TEST_F(GitToolTest, ExtraCaFilesAreReadFromThePod) {
  const ShellResult r = run(
      "echo PEM-TEXT > /ca.crt\n"
      "git -c http.https://gitlab.mylab.com.sslCAInfo=/ca.crt clone -q https://gitlab.mylab.com/root/mycicd.git /a\n"
      "GIT_SSL_CAINFO=/ca.crt git clone -q https://gitlab.mylab.com/root/mycicd.git /b\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(world.trusted, (std::vector<std::vector<std::string>>{{"PEM-TEXT\n"}, {"PEM-TEXT\n"}}));
}

TEST_F(GitToolTest, CredentialsAreSentOnlyWhenAsked) {
  // The project is public: git (libcurl) never sends the URL's credentials, so a wrong token passes.
  const ShellResult r = run("git clone -q https://gitlab-ci-token:wrong@gitlab.mylab.com/root/mycicd.git /a\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(gitlab.call_log().size(), 2u);
}

TEST_F(GitToolTest, CheckoutWritesTheCommitsFiles) {
  // get_sources fetches into .git/objects, then checkout writes the tree of the commit it names.
  const ShellResult r = run(get_sources_script +
                            "cat README.md\n"
                            "git fetch -q origin +refs/heads/feature:refs/remotes/origin/feature\n"
                            "git checkout -q origin/feature && cat README.md\n"
                            "ls .git/objects/" +
                            master_sha.substr(0, 2) + "\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1),
            "Fetching changes with git depth set to 50...\n"
            "Initialized empty Git repository in /builds/LBxMyCry/0/root/mycicd/.git/\n"
            "Created fresh repository.\n"
            "Checking out " +
                master_sha.substr(0, 8) +
                " as master...\n"
                "Skipping Git submodules setup\n"
                "# mycicd\n"
                "# mycicd\n\nWork on feature.\n" +
                master_sha.substr(2) + "\n");
}

TEST_F(GitToolTest, ShallowCloneOfABranchOnTopOfMaster) {
  const ShellResult r =
      run("git clone -q --depth 1 -b feature https://gitlab.mylab.com/root/mycicd.git /a\n"
          "cd /a && git rev-parse HEAD && cat .git/shallow README.md\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1), feature_sha + "\n" + feature_sha + "\n# mycicd\n\nWork on feature.\n");
}

TEST_F(GitToolTest, LogWalksTheFetchedHistoryInGitsFormats) {
  const ShellResult r =
      run("git clone -q -b feature https://gitlab.mylab.com/root/mycicd.git /a\n"
          "cd /a\ngit log\ngit log --oneline\ngit log -1 --format='%h|%an|%ae|%ad|%at|%aI|%s|%P'\n"
          "git log --pretty=format:%s\necho\ngit log -n1 --pretty=oneline " +
          master_sha.substr(0, 8) + "\n");
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  const std::string date = "Thu Jan 1 00:00:00 2026 +0000";
  EXPECT_EQ(stream_text(r, 1),
            "commit " + feature_sha + "\nAuthor: Administrator <admin@example.com>\nDate:   " + date +
                "\n\n    Update README.md for feature\n\ncommit " + master_sha +
                "\nAuthor: Administrator <admin@example.com>\nDate:   " + date + "\n\n    Initial commit\n" +
                feature_sha.substr(0, 7) + " Update README.md for feature\n" + master_sha.substr(0, 7) +
                " Initial commit\n" + feature_sha.substr(0, 7) + "|Administrator|admin@example.com|" + date +
                "|1767225600|2026-01-01T00:00:00+00:00|Update README.md for feature|" + master_sha +
                "\nUpdate README.md for feature\nInitial commit\n" + master_sha + " Initial commit\n");
}

TEST_F(GitToolTest, LogStopsAtAShallowBoundaryAndNamesWhatItDoesNotKnow) {
  const ShellResult r =
      run("git clone -q --depth 1 -b feature https://gitlab.mylab.com/root/mycicd.git /a\n"
          "cd /a && git log --oneline\n"
          "git log --graph || echo \"rc=$?\"\n"
          "git log nope || echo \"rc=$?\"\n");
  ASSERT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1), feature_sha.substr(0, 7) + " Update README.md for feature\nrc=128\nrc=128\n");
  const std::string err = stream_text(r, 2);
  EXPECT_EQ(err.rfind("fatal: unrecognized argument: --graph\nhint: kexsim's git model knows log's -n", 0), 0u) << err;
  EXPECT_NE(err.find("\nfatal: ambiguous argument 'nope': unknown revision or path not in the working tree.\n"),
            std::string::npos)
      << err;
}

TEST_F(GitToolTest, GetSourcesSucceedsWithExactOutput) {
  world.outcomes["gitlab.mylab.com"] = ConnectOutcome{Outcome::kOk, "10.0.0.5", std::chrono::milliseconds(20)};
  const ShellResult r = run(get_sources_script);
  EXPECT_EQ(r.exit_code, 0);
  // The fetch costs the connection (20 ms) plus a second of transfer; the rest is instant.
  EXPECT_EQ(transcript(r),
            "0 1: Fetching changes with git depth set to 50...\n"
            "Initialized empty Git repository in /builds/LBxMyCry/0/root/mycicd/.git/\n"
            "Created fresh repository.\n"
            "1020 1: Checking out " +
                master_sha.substr(0, 8) +
                " as master...\n"
                "Skipping Git submodules setup\n");
  EXPECT_EQ(r.duration, std::chrono::milliseconds(1020));
  EXPECT_EQ(world.connects, std::vector<std::string>{"gitlab.mylab.com:443:tls"});
}

struct FailureCase {
  Outcome kind;
  const char* reason;
};

class GetSourcesFailureTest : public GitToolTest, public ::testing::WithParamInterface<FailureCase> {};

TEST_P(GetSourcesFailureTest, StopsAfterTheFatalLineWithExit128) {
  // Given the pod cannot reach GitLab the way this case says,
  world.fail("gitlab.mylab.com", GetParam().kind, std::chrono::seconds(2));
  const ShellResult r = run(get_sources_script);
  // then git's fatal line is the last output and set -e ends the script with git's status.
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(transcript(r),
            "0 1: Fetching changes with git depth set to 50...\n"
            "Initialized empty Git repository in /builds/LBxMyCry/0/root/mycicd/.git/\n"
            "Created fresh repository.\n"
            "2000 2: fatal: unable to access 'https://gitlab.mylab.com/root/mycicd.git/': " +
                std::string(GetParam().reason) + "\n");
  EXPECT_EQ(r.duration, std::chrono::seconds(2));
}

INSTANTIATE_TEST_SUITE_P(
    EachOutcome, GetSourcesFailureTest,
    ::testing::Values(
        FailureCase{Outcome::kResolveFailed, "Could not resolve host: gitlab.mylab.com"},
        FailureCase{Outcome::kUnreachable, "Failed to connect to gitlab.mylab.com port 443: Host is unreachable"},
        FailureCase{Outcome::kRefused, "Failed to connect to gitlab.mylab.com port 443: Connection refused"},
        FailureCase{Outcome::kTimeout, "Failed to connect to gitlab.mylab.com port 443: Connection timed out"},
        FailureCase{Outcome::kTlsReset,
                    "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to gitlab.mylab.com:443 "},
        FailureCase{Outcome::kTlsUntrusted, "SSL certificate problem: unable to get local issuer certificate"},
        FailureCase{Outcome::kTlsWrongName,
                    "SSL: no alternative certificate subject name matches target host name 'gitlab.mylab.com'"}));

TEST_F(GitToolTest, MissingRepositoryIsReportedAsNotFound) {
  std::string script = get_sources_script;
  script.replace(script.find("root/mycicd.git"), 15, "root/missing.git");
  const ShellResult r = run(script);
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2),
            "remote: The project you were looking for could not be found or you don't have permission to view it.\n"
            "fatal: repository 'https://gitlab.mylab.com/root/missing.git/' not found\n");
  EXPECT_EQ(stream_text(r, 1).find("Checking out"), std::string::npos);
}

TEST_F(GitToolTest, CheckoutOfAnUnknownCommitFails) {
  const std::string prefix =
      "git init -q /b\ncd /b\ngit remote add origin https://gitlab.mylab.com/root/mycicd.git\n"
      "git fetch -q origin +refs/heads/master:refs/remotes/origin/master\n";
  ShellResult r = run(prefix + "git checkout -f -q " + kOtherSha + "\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2), std::string("fatal: reference is not a tree: ") + kOtherSha + "\n");

  r = run(prefix + "git checkout -q nope\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stream_text(r, 2), "error: pathspec 'nope' did not match any file(s) known to git\n");

  r = run(prefix + "git checkout -q " + master_sha.substr(0, 8) +
          " && git checkout -q origin/master && git rev-parse HEAD\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 1), master_sha + "\n");
}

TEST_F(GitToolTest, FetchWithoutQuietListsNewRefs) {
  const ShellResult r =
      run("git init -q /b && cd /b\n"
          "git remote add origin https://gitlab-ci-token:" +
          job_token +
          "@gitlab.mylab.com/root/mycicd.git\n"
          "git fetch origin\n"
          "git fetch origin\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 2),
            "From https://gitlab.mylab.com/root/mycicd\n"
            " * [new branch]      feature    -> origin/feature\n"
            " * [new branch]      master     -> origin/master\n");
}

TEST_F(GitToolTest, FetchOfAMissingRefFails) {
  const ShellResult r = run(
      "git init -q /b && cd /b && git remote add origin https://gitlab.mylab.com/root/mycicd.git\n"
      "git fetch -q origin +refs/heads/master:refs/remotes/origin/master +refs/heads/gone:refs/remotes/origin/gone\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2), "fatal: couldn't find remote ref refs/heads/gone\n");
}

TEST_F(GitToolTest, RemoteCommandsBehaveLikeGit) {
  const ShellResult r =
      run("git init /b >/dev/null; cd /b\n"
          "git remote set-url origin https://gitlab.mylab.com/x.git || git remote add origin "
          "https://gitlab.mylab.com/root/mycicd.git\n"
          "git remote add origin https://other\necho \"add=$?\"\n"
          "git remote -v\n"
          "git init /b\n");
  EXPECT_EQ(stream_text(r, 2), "error: No such remote 'origin'\nerror: remote origin already exists.\n");
  EXPECT_EQ(stream_text(r, 1),
            "add=3\n"
            "origin\thttps://gitlab.mylab.com/root/mycicd.git (fetch)\n"
            "origin\thttps://gitlab.mylab.com/root/mycicd.git (push)\n"
            "Reinitialized existing Git repository in /b/.git/\n");
}

TEST_F(GitToolTest, CommandsOutsideARepositoryFail) {
  const ShellResult r = run("cd /tmp\ngit fetch origin\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2), "fatal: not a git repository (or any of the parent directories): .git\n");
}

TEST_F(GitToolTest, LfsAnswersItsVersionAndPullsNothingInAWorkTree) {
  const ShellResult r =
      run("git lfs version\ngit init /b >/dev/null; cd /b\ngit lfs pull\necho \"pull=$?\"\n"
          "cd /tmp\ngit lfs pull\n");
  EXPECT_EQ(stream_text(r, 1), "git-lfs/3.5.1 (GitHub; linux amd64; go 1.22.2)\npull=0\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2), "fatal: not a git repository (or any of the parent directories): .git\n");
}

TEST_F(GitToolTest, CloneCreatesTheWorkTree) {
  const ShellResult r =
      run("cd /builds\n"
          "git clone https://gitlab.mylab.com/root/mycicd.git\n"
          "cd mycicd && git rev-parse --short HEAD\n"
          "git clone https://gitlab.mylab.com/root/mycicd.git /builds/mycicd\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 1), master_sha.substr(0, 7) + "\n");
  EXPECT_EQ(stream_text(r, 2),
            "Cloning into 'mycicd'...\n"
            "fatal: destination path '/builds/mycicd' already exists and is not an empty directory.\n");
  EXPECT_EQ(r.duration, std::chrono::seconds(1));
}

TEST_F(GitToolTest, CloneFailureNamesTheUrlWithItsPort) {
  world.fail("gitlab.mylab.com", Outcome::kRefused);
  const ShellResult r = run("git clone -b feature https://gitlab.mylab.com:8443/root/mycicd.git /src\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2),
            "Cloning into '/src'...\n"
            "fatal: unable to access 'https://gitlab.mylab.com:8443/root/mycicd.git/': "
            "Failed to connect to gitlab.mylab.com port 8443: Connection refused\n");
  EXPECT_EQ(world.connects, std::vector<std::string>{"gitlab.mylab.com:8443:tls"});
}

TEST_F(GitToolTest, SslVerificationCanBeTurnedOff) {
  world.fail("gitlab.mylab.com", Outcome::kTlsUntrusted);
  const ShellResult r = run("GIT_SSL_NO_VERIFY=1 git clone -q https://gitlab.mylab.com/root/mycicd.git /src\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 2), "");
}

TEST_F(GitToolTest, AWorkTreeOutlivesTheExecWhenThePodsVolumesArePassed) {
  // Given get_sources ran in one exec of the pod,
  ShellOptions options;
  options.volumes = make_volumes();
  ASSERT_EQ(interpret(get_sources_script, options, world).exit_code, 0);
  // a later stage's exec finds the checked-out work tree.
  const ShellResult r = interpret("cd /builds/LBxMyCry/0/root/mycicd && git rev-parse HEAD\n", options, world);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 1), master_sha + "\n");
  // Without them each exec starts from an empty file system.
  EXPECT_EQ(run("cd /builds/LBxMyCry/0/root/mycicd\n").exit_code, 2);
}

TEST_F(GitToolTest, GlobalConfigTurnsVerificationOff) {
  world.fail("gitlab.mylab.com", Outcome::kTlsUntrusted);
  const ShellResult r =
      run("git clone -q https://gitlab.mylab.com/root/mycicd.git /a || echo failed\n"
          "git config --global http.sslVerify false\n"
          "git clone -q https://gitlab.mylab.com/root/mycicd.git /b && echo cloned\n"
          "cat /root/.gitconfig\n");
  EXPECT_EQ(stream_text(r, 1), "failed\ncloned\n[http]\n\tsslVerify = false\n");
}

TEST_F(GitToolTest, TemplateConfigGivesTheCaFileForTheServersUrl) {
  // GitLab Runner's way: http.<url>.sslCAInfo in the template's config, then git init --template.
  const ShellResult r =
      run("echo PEM > /ca.crt\n"
          "git config -f /tpl/config http.https://gitlab.mylab.com.sslCAInfo /ca.crt\n"
          "git config -f /tpl/config http.https://other.example.sslCAInfo /other.crt\n"
          "git init -q --template /tpl /b && cd /b\n"
          "git config --get http.https://gitlab.mylab.com.sslcainfo\n"
          "git remote add origin https://gitlab.mylab.com/root/mycicd.git\n"
          "git fetch -q origin\n");
  EXPECT_EQ(r.exit_code, 0) << stream_text(r, 2);
  EXPECT_EQ(stream_text(r, 1), "/ca.crt\n");
  EXPECT_EQ(world.trusted, (std::vector<std::vector<std::string>>{{"PEM\n"}}));
}

TEST_F(GitToolTest, AMissingCaFileFailsAfterTheConnect) {
  const ShellResult r = run("GIT_SSL_CAINFO=/nope.crt git clone -q https://gitlab.mylab.com/root/mycicd.git /a\n");
  EXPECT_EQ(r.exit_code, 128);
  EXPECT_EQ(stream_text(r, 2),
            "fatal: unable to access 'https://gitlab.mylab.com/root/mycicd.git/': "
            "error setting certificate file: /nope.crt\n");
}

TEST_F(GitToolTest, ConfigGetListUnset) {
  const ShellResult r =
      run("git init -q /b && cd /b\n"
          "git config user.name CI; git config User.Name Bot; git config --get user.name\n"
          "git config --get core.missing; echo \"missing=$?\"\n"
          "git config nosection 1; echo \"nosection=$?\"\n"
          "git config --unset user.name; git config --unset user.name; echo \"unset=$?\"\n"
          "git -c http.sslVerify=false config --list\n");
  // git init writes the core settings into .git/config, as git does.
  EXPECT_EQ(stream_text(r, 1),
            "Bot\nmissing=1\nnosection=1\nunset=5\ncore.repositoryformatversion=0\ncore.filemode=true\n"
            "core.bare=false\ncore.logallrefupdates=true\nhttp.sslverify=false\n");
  EXPECT_EQ(stream_text(r, 2), "error: key does not contain a section: nosection\n");
}

TEST_F(GitToolTest, VersionAndSilentCommands) {
  const ShellResult r =
      run("git --version\n"
          "git config --global http.sslVerify true\n"
          "git init -q /b && cd /b && git clean -ffdx && git reset --hard && git submodule sync && git lfs pull\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(transcript(r), "0 1: git version 2.45.2\n");
}

}  // namespace
}  // namespace kexsim::fakes
