// GIT_STRATEGY, GIT_SUBMODULE_*, GIT_FETCH_EXTRA_FLAGS and CI_DEBUG_TRACE as each release reads them,
// and the get_sources script they give (shells/abstract.go at 13.12, 15.1, 16.3, 18.7 and 19.4).

#include "executor/git_settings.h"

#include <gtest/gtest.h>

#include "executor/scripts.h"

namespace kexsim::executor {
namespace {

Job git_job(std::vector<JobVariable> variables) {
  Job job;
  job.token = "tok";
  job.allow_git_fetch = true;
  job.job_info.project_full_path = "root/mycicd";
  job.git_info.repo_url = "https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git";
  job.git_info.ref = "main";
  job.git_info.ref_type = "branch";
  job.git_info.sha = "87f5240d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f60";
  job.git_info.depth = 20;
  job.variables = std::move(variables);
  return job;
}

std::string sources(const Job& job, Profile p, bool debug_trace_disabled = false) {
  ScriptContext ctx;
  ctx.job = &job;
  ctx.profile = p;
  ctx.project_dir = "/builds/root/mycicd";
  ctx.runner_url = "https://gitlab.mylab.com/";
  ctx.debug_trace_disabled = debug_trace_disabled;
  return get_sources(ctx).script;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(GitSettings, DefaultsFollowAllowGitFetch) {
  Job job = git_job({});
  EXPECT_EQ(read_git_settings(job, Profile::kV19_4, false).strategy, GitStrategy::kFetch);
  job.allow_git_fetch = false;
  EXPECT_EQ(read_git_settings(job, Profile::kV13_12, false).strategy, GitStrategy::kClone);
  const GitSettings s = read_git_settings(job, Profile::kV19_4, false);
  EXPECT_EQ(s.fetch_flags, (std::vector<std::string>{"--prune", "--quiet"}));
  EXPECT_EQ(s.submodules, SubmoduleStrategy::kNone);
  EXPECT_TRUE(s.errors.empty());
}

TEST(GitSettings, UnknownStrategyWarnsFrom16_9AndEmptyCameIn17_3) {
  const Job odd = git_job({{"GIT_STRATEGY", "shallow", true}});
  EXPECT_TRUE(read_git_settings(odd, Profile::kV13_12, false).errors.empty());
  EXPECT_EQ(read_git_settings(odd, Profile::kV19_4, false).errors,
            std::vector<std::string>{"GIT_STRATEGY: expected either 'clone', 'fetch', 'none' or 'empty' got "
                                     "\"shallow\", using default value 'fetch'"});
  const Job empty = git_job({{"GIT_STRATEGY", "empty", true}});
  EXPECT_EQ(read_git_settings(empty, Profile::kV19_4, false).strategy, GitStrategy::kEmpty);
  EXPECT_EQ(read_git_settings(empty, Profile(17, 2), false).errors,
            std::vector<std::string>{"GIT_STRATEGY: expected either 'clone', 'fetch' or 'none' got \"empty\", using "
                                     "default value 'fetch'"});
  EXPECT_EQ(read_git_settings(empty, Profile::kV13_12, false).strategy, GitStrategy::kFetch);
}

TEST(GitSettings, ErrorsComeInValidateVariablesOrder) {
  const Job job = git_job({{"GIT_SUBMODULE_DEPTH", "x", true},
                           {"GIT_SUBMODULE_STRATEGY", "deep", true},
                           {"GIT_CHECKOUT", "maybe", true},
                           {"CI_DEBUG_TRACE", "yes", true}});
  const GitSettings s = read_git_settings(job, Profile::kV19_4, false);
  EXPECT_EQ(s.errors, (std::vector<std::string>{
                          "CI_DEBUG_TRACE: expected bool got \"yes\", using default value: false",
                          "GIT_CHECKOUT: expected bool got \"maybe\", using default value: true",
                          "GIT_SUBMODULE_STRATEGY: expected either 'normal', 'recursive' or 'none' got \"deep\"",
                          "GIT_SUBMODULE_DEPTH: expected int got \"x\", using default value: 20",
                      }));
  EXPECT_EQ(s.submodules, SubmoduleStrategy::kInvalid);
  EXPECT_EQ(get_sources_generation_error(s), "unknown GIT_SUBMODULE_STRATEGY");
  EXPECT_TRUE(read_git_settings(job, Profile::kV13_12, false).errors.empty());
}

TEST(GitSettings, DebugTraceDisabledRefusesIt) {
  const Job job = git_job({{"CI_DEBUG_TRACE", "true", true}});
  EXPECT_TRUE(read_git_settings(job, Profile::kV19_4, false).debug_trace);
  const GitSettings refused = read_git_settings(job, Profile::kV19_4, true);
  EXPECT_FALSE(refused.debug_trace);
  EXPECT_EQ(refused.debug_trace_refused, "CI_DEBUG_TRACE: usage is disabled on this Runner");
  EXPECT_EQ(read_git_settings(job, Profile::kV13_12, true).debug_trace_refused,
            "CI_DEBUG_TRACE usage is disabled on this Runner");
  EXPECT_TRUE(has(sources(job, Profile::kV19_4), "set -o xtrace\ncase \"$(set -o)\" in *\"pipefail\"*) set -o pipefail;; esac; set -o errexit\n"));
  EXPECT_FALSE(has(sources(job, Profile::kV19_4, true), "xtrace"));
}

TEST(GitSettings, CloneRemovesTheDirectoryThenFetches) {
  const std::string s = sources(git_job({{"GIT_STRATEGY", "clone", true}}), Profile::kV13_12);
  EXPECT_TRUE(has(s,
                  "rm -r -f '/builds/root/mycicd'\necho -e '\\033[32;1mFetching changes with git depth set to "
                  "20...\\033[0;m'\ngit init '/builds/root/mycicd'\n"))
      << s;
}

TEST(GitSettings, NoneAndEmptySkipCheckoutAndSubmodules) {
  const std::string none = sources(git_job({{"GIT_STRATEGY", "none", true}}), Profile::kV13_12);
  EXPECT_TRUE(has(none,
                  "Skipping Git repository setup\\033[0;m'\nmkdir -p '/builds/root/mycicd'\n"
                  "echo -e '\\033[32;1mSkipping Git checkout\\033[0;m'\n"
                  "echo -e '\\033[32;1mSkipping Git submodules setup\\033[0;m'\n"))
      << none;
  const std::string empty = sources(git_job({{"GIT_STRATEGY", "empty", true}}), Profile::kV19_4);
  EXPECT_TRUE(has(empty,
                  "Skipping Git repository setup and creating an empty build directory\\033[0;m'\n"
                  "rm -r -f '/builds/root/mycicd'\nmkdir -p '/builds/root/mycicd'\n"))
      << empty;
  EXPECT_FALSE(has(empty, "git "));
}

TEST(GitSettings, FetchExtraFlagsReplaceTheDefault) {
  const std::string s = sources(git_job({{"GIT_FETCH_EXTRA_FLAGS", "--no-tags --prune", true}}), Profile::kV13_12);
  EXPECT_TRUE(has(s, "--depth 20 --no-tags --prune || exit 1\n")) << s;
  const std::string none = sources(git_job({{"GIT_FETCH_EXTRA_FLAGS", "none", true}}), Profile::kV13_12);
  EXPECT_TRUE(has(none, "--depth 20 || exit 1\n")) << none;
  const std::string modern = sources(git_job({}), Profile::kV19_4);
  EXPECT_TRUE(has(modern,
                  "git -c 'http.userAgent=gitlab-runner 19.4.0 linux/amd64' fetch origin --no-recurse-submodules "
                  "'+refs/heads/main:refs/remotes/origin/main' "
                  "--depth 20 --prune --quiet || exit 1\n"))
      << modern;
}

TEST(GitSettings, SubmoduleCommandsIn13_12) {
  const std::string s = sources(git_job({{"GIT_SUBMODULE_STRATEGY", "recursive", true}}), Profile::kV13_12);
  EXPECT_TRUE(has(s,
                  "Updating/initializing submodules recursively with git depth set to 20...\\033[0;m'\n"
                  "git submodule sync --recursive\n"
                  "git submodule foreach --recursive 'git clean -ffxd'\n"
                  "git submodule foreach --recursive 'git reset --hard'\n"
                  "git submodule update --init --recursive --depth 20\n"))
      << s;
  EXPECT_FALSE(has(s, "Skipping Git submodules setup"));
}

// GetURLInsteadOfArgs (15.11-18.5): the runner URL with the job token stands in for the runner URL.
const std::string kInsteadOf =
    "-c 'url.https://gitlab-ci-token:tok@gitlab.mylab.com.insteadOf=https://gitlab.mylab.com' ";

TEST(GitSettings, SubmoduleUpdateRewritesSshUrlsWithForceHttpsBefore18_6) {
  const std::string s = sources(git_job({{"GIT_SUBMODULE_STRATEGY", "normal", true},
                                         {"GIT_SUBMODULE_FORCE_HTTPS", "true", true},
                                         {"CI_SERVER_HOST", "gitlab.mylab.com", true}}),
                                Profile::kV17_11);
  EXPECT_TRUE(has(s, "if git " + kInsteadOf +
                         "-c 'url.https://gitlab-ci-token:tok@gitlab.mylab.com/.insteadOf=git@gitlab.mylab.com:' "
                         "-c 'url.https://gitlab-ci-token:tok@gitlab.mylab.com.insteadOf=ssh://git@gitlab.mylab.com' "
                         "submodule update --init"))
      << s;
  // 16.4+: the submodules' LFS pull carries them too; 13.12 writes none.
  EXPECT_TRUE(has(s, "git " + kInsteadOf +
                         "-c 'url.https://gitlab-ci-token:tok@gitlab.mylab.com/.insteadOf=git@"
                         "gitlab.mylab.com:' -c 'url.https://gitlab-ci-token:tok@gitlab.mylab.com.insteadOf=ssh://"
                         "git@gitlab.mylab.com' submodule foreach 'git lfs pull'\n"))
      << s;
  const std::string old = sources(git_job({{"GIT_SUBMODULE_STRATEGY", "normal", true}}), Profile::kV13_12);
  EXPECT_FALSE(has(old, "insteadOf")) << old;
}

TEST(GitSettings, SubmoduleCommandsIn16_11) {
  const std::string s = sources(git_job({{"GIT_SUBMODULE_STRATEGY", "normal", true},
                                         {"GIT_SUBMODULE_DEPTH", "1", true},
                                         {"GIT_SUBMODULE_PATHS", "lib", true},
                                         {"GIT_SUBMODULE_UPDATE_FLAGS", "--jobs 4", true}}),
                                Profile::kV16_11);
  EXPECT_TRUE(has(s,
                  "Updating/initializing submodules with git depth set to 1...\\033[0;m'\n"
                  "git submodule init\n"
                  "git submodule sync -- lib\n"
                  "git submodule foreach 'git clean -ffdx'\n"
                  "git submodule foreach 'git reset --hard'\n"
                  "if git " +
                      kInsteadOf +
                      "submodule update --init --depth 1 --jobs 4 -- lib; then\n"
                      "echo -e '\\033[32;1mUpdated submodules\\033[0;m'\n"
                      "git submodule sync -- lib\n"
                      "else\n"
                      "echo -e '\\033[0;33mUpdating submodules failed. Retrying...\\033[0;m'\n"
                      "git submodule sync -- lib\n"
                      "git " +
                      kInsteadOf +
                      "submodule update --init --depth 1 --jobs 4 -- lib\n"
                      "git submodule foreach 'git reset --hard'\n"
                      "fi\n"
                      "git submodule foreach 'git clean -ffdx'\n"))
      << s;
}

TEST(GitSettings, SubmodulesIn19_4IncludeTheExternalConfig) {
  const std::string s = sources(git_job({{"GIT_SUBMODULE_STRATEGY", "recursive", true}}), Profile::kV19_4);
  const std::string ext = "'/builds/root/mycicd.tmp/.gitlab-runner.ext.conf'";
  EXPECT_TRUE(has(s,
                  "if git -c 'include.path=/builds/root/mycicd.tmp/.gitlab-runner.ext.conf' submodule update "
                  "--init --recursive --depth 20; then\n"))
      << s;
  EXPECT_TRUE(has(s,
                  "Configuring submodules to use parent git credentials...\\033[0;m'\n"
                  "git submodule foreach --recursive git config --replace-all include.path " +
                      ext + "\n"))
      << s;
  // The host-wide rewrite, so a submodule elsewhere on the same GitLab gets the job token too.
  EXPECT_TRUE(has(s,
                  "--replace-all 'url.https://gitlab-ci-token:tok@gitlab.mylab.com.insteadOf' "
                  "'https://gitlab.mylab.com' \"^https://gitlab\\\\.mylab\\\\.com\\$\"\n"))
      << s;
  EXPECT_TRUE(has(s, "export GIT_TERMINAL_PROMPT='0'\nexport GCM_INTERACTIVE='Never'\n"));
}

TEST(GitSettings, LfsPullFollowsTheCheckoutInTheReleasesSpelling) {
  // writeCloneFetchCmds: smudging off for fetch and checkout, `git lfs pull` after them, then an empty line.
  const std::string old = sources(git_job({}), Profile::kV13_12);
  EXPECT_TRUE(has(old, "export GIT_LFS_SKIP_SMUDGE='1'\necho -e '\\033[32;1mFetching changes")) << old;
  EXPECT_TRUE(has(old, "git clean -ffdx\nif git lfs version >/dev/null 2>/dev/null; then\ngit lfs pull\necho\nfi\n"))
      << old;
  EXPECT_TRUE(has(sources(git_job({}), Profile::kV16_11), "if git lfs version >/dev/null 2>&1; then\ngit lfs pull\n"));
  const std::string now = sources(git_job({}), Profile::kV19_4);
  EXPECT_TRUE(has(now, "if git lfs version >/dev/null 2>&1 ; then\ngit lfs pull\necho\nfi\n")) << now;
  EXPECT_TRUE(has(now, "if git remote add origin 'https://gitlab.mylab.com/root/mycicd.git' >/dev/null 2>&1 ; then\n"))
      << now;
  // GIT_STRATEGY=none still exports (before handleGetSourcesStrategy) but has no checkout to pull after.
  const std::string none = sources(git_job({{"GIT_STRATEGY", "none", true}}), Profile::kV19_4);
  EXPECT_TRUE(has(none, "export GIT_LFS_SKIP_SMUDGE='1'\n")) << none;
  EXPECT_FALSE(has(none, "git lfs"));
}

TEST(GitSettings, AJobsOwnLfsSkipSmudgeLeavesLfsAlone) {
  const Job skip = git_job({{"GIT_LFS_SKIP_SMUDGE", "true", true}, {"GIT_SUBMODULE_STRATEGY", "normal", true}});
  for (Profile p : {Profile::kV13_12, Profile::kV19_4}) {
    const std::string s = sources(skip, p);
    EXPECT_FALSE(has(s, "GIT_LFS_SKIP_SMUDGE")) << s;
    EXPECT_FALSE(has(s, "git lfs")) << s;
  }
  // Malformed: 13.12's ParseBool error is silent, 16.9+ validate reports it; both keep the default (false).
  const Job odd = git_job({{"GIT_LFS_SKIP_SMUDGE", "maybe", true}});
  EXPECT_TRUE(read_git_settings(odd, Profile::kV13_12, false).errors.empty());
  EXPECT_EQ(read_git_settings(odd, Profile::kV19_4, false).errors,
            std::vector<std::string>{"GIT_LFS_SKIP_SMUDGE: expected bool got \"maybe\", using default value: false"});
  EXPECT_TRUE(has(sources(odd, Profile::kV19_4), "git lfs pull\n"));
}

TEST(GitSettings, SubmoduleLfsPullPerRelease) {
  const Job job = git_job({{"GIT_SUBMODULE_STRATEGY", "recursive", true}});
  // 13.12: after the update, one quoted foreach command.
  EXPECT_TRUE(has(sources(job, Profile::kV13_12),
                  "git submodule update --init --recursive --depth 20\n"
                  "if git lfs version >/dev/null 2>/dev/null; then\n"
                  "git submodule foreach --recursive 'git lfs pull'\n"
                  "fi\n"));
  // 18.7+: announced, with the external config; 19.2+: three words.
  const std::string inc = "git -c 'include.path=/builds/root/mycicd.tmp/.gitlab-runner.ext.conf' submodule foreach ";
  EXPECT_TRUE(has(sources(job, Profile::kV18_11),
                  "if git lfs version >/dev/null 2>&1 ; then\n"
                  "echo -e '\\033[32;1mPulling LFS files...\\033[0;m'\n" +
                      inc + "--recursive 'git lfs pull'\nfi\n"));
  const std::string now = sources(job, Profile::kV19_4);
  EXPECT_TRUE(has(now, "Pulling LFS files...\\033[0;m'\n" + inc + "--recursive git lfs pull\nfi\n")) << now;
}

TEST(GitSettings, ForceHttpsAddsTheSshRewrites) {
  Job job = git_job({{"GIT_SUBMODULE_FORCE_HTTPS", "true", true}, {"CI_SERVER_HOST", "gitlab.mylab.com", true}});
  const std::string s = sources(job, Profile::kV19_4);
  EXPECT_TRUE(has(s, "'url.https://gitlab-ci-token:tok@gitlab.mylab.com/.insteadOf' 'git@gitlab.mylab.com:'")) << s;
  EXPECT_TRUE(has(s, "'url.https://gitlab-ci-token:tok@gitlab.mylab.com.insteadOf' 'ssh://git@gitlab.mylab.com'")) << s;
}

}  // namespace
}  // namespace kexsim::executor
