#include "executor/scripts.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

Job field_job() {
  Job job;
  job.id = 7;
  job.allow_git_fetch = true;  // GitLab's default: fetch (else the default strategy is clone)
  job.job_info.project_full_path = "root/mycicd";
  job.git_info.repo_url = "https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git";
  job.git_info.ref = "master";
  job.git_info.ref_type = "branch";
  job.git_info.sha = "87f5240d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f60";
  job.git_info.depth = 50;
  job.git_info.refspecs = {"+refs/heads/master:refs/remotes/origin/master"};
  job.variables = {{"GITLAB_USER_LOGIN", "root", true},
                   {"QUOTED", "it's $HOME", true},
                   {"CI_JOB_TOKEN", "tok", false, true},
                   {"not-a-name", "x", true}};
  job.script = {"echo \"Hello, $GITLAB_USER_LOGIN!\"", "  "};
  job.after_script = {"echo bye"};
  return job;
}

ScriptContext context(const Job& job, Profile p) {
  ScriptContext ctx;
  ctx.job = &job;
  ctx.profile = p;
  ctx.runner_hostname = "gitlab-runner-gitlab-runner-6854dbc547-9ktrg";
  ctx.project_dir = p == Profile::kV13_12 ? "/builds/LBxMyCry/0/root/mycicd" : "/builds/root/mycicd";
  ctx.variables = {{"CI_PROJECT_DIR", ctx.project_dir, true, false, false, false, true}};
  ctx.variables.insert(ctx.variables.end(), job.variables.begin(), job.variables.end());
  return ctx;
}

const std::string kPreamble1312 =
    "set -eo pipefail\n"
    "set +o noclobber\n"
    "export CI_PROJECT_DIR='/builds/LBxMyCry/0/root/mycicd'\n"
    "export GITLAB_USER_LOGIN='root'\n"
    "export QUOTED='it'\\''s $HOME'\n"
    "export CI_JOB_TOKEN='tok'\n";

TEST(Scripts, DetectShellScriptMatchesTheRunner) {
  const std::string& s = detect_shell_script();
  const std::string head = "if [ -x /usr/local/bin/bash ]; then\n\texec /usr/local/bin/bash \nelif ";
  const std::string tail = "else\n\techo shell not found\n\texit 1\nfi\n\n";
  EXPECT_EQ(s.substr(0, head.size()), head);
  EXPECT_NE(s.find("elif [ -x /busybox/sh ]; then\n\texec /busybox/sh \n"), std::string::npos);
  EXPECT_EQ(s.substr(s.size() - tail.size()), tail);
}

TEST(Scripts, CommandsPerContainerAndProfile) {
  EXPECT_EQ(stage_command("helper", Profile::kV13_12), std::vector<std::string>{"gitlab-runner-build"});
  const std::vector<std::string> sh = {"sh", "-c", detect_shell_script()};
  // 19.4 with FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY: the helper image's Cmd too (runWithExecLegacy).
  EXPECT_EQ(stage_command("helper", Profile::kV19_4), std::vector<std::string>{"gitlab-runner-build"});
  EXPECT_EQ(stage_command("build", Profile::kV13_12), sh);
}

TEST(Scripts, PrepareScriptPrintsRunningOn) {
  const Job job = field_job();
  const StageScript s = prepare_script(context(job, Profile::kV13_12));
  EXPECT_EQ(s.container, "helper");
  EXPECT_EQ(s.script, kPreamble1312 +
                          "echo \"Running on $(hostname) via "
                          "gitlab-runner-gitlab-runner-6854dbc547-9ktrg...\"\n");
}

TEST(Scripts, GetSourcesIn1312) {
  const Job job = field_job();
  const StageScript s = get_sources(context(job, Profile::kV13_12));
  EXPECT_EQ(s.container, "helper");
  EXPECT_EQ(s.command, std::vector<std::string>{"gitlab-runner-build"});
  EXPECT_EQ(s.script, kPreamble1312 + "export GIT_LFS_SKIP_SMUDGE='1'\n" +
                          "echo -e '\\033[32;1mFetching changes with git depth set to 50...\\033[0;m'\n"
                          "git init '/builds/LBxMyCry/0/root/mycicd'\n"
                          "cd '/builds/LBxMyCry/0/root/mycicd'\n"
                          "if git remote add origin 'https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git' "
                          ">/dev/null 2>/dev/null; then\n"
                          "echo -e '\\033[32;1mCreated fresh repository.\\033[0;m'\n"
                          "else\n"
                          "git remote set-url origin 'https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git'\n"
                          "fi\n"
                          "git -c 'http.userAgent=gitlab-runner 13.12.0 linux/amd64' fetch origin "
                          "'+refs/heads/master:refs/remotes/origin/master' --depth 50 --prune "
                          "--quiet || exit 1\n"
                          "echo -e '\\033[32;1mChecking out 87f5240d as master...\\033[0;m'\n"
                          "git checkout -f -q '87f5240d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f60'\n"
                          "git clean -ffdx\n"
                          "if git lfs version >/dev/null 2>/dev/null; then\n"
                          "git lfs pull\n"
                          "echo\n"
                          "fi\n"
                          "echo -e '\\033[32;1mSkipping Git submodules setup\\033[0;m'\n");
}

TEST(Scripts, GetSourcesIn194UsesDetachedHeadWordingAndDefaultRefspec) {
  Job job = field_job();
  job.git_info.refspecs.clear();
  job.git_info.depth = 0;
  const std::string s = get_sources(context(job, Profile::kV19_4)).script;
  EXPECT_NE(s.find("echo -e '\\033[32;1mFetching changes...\\033[0;m'\n"), std::string::npos);
  EXPECT_NE(s.find("git -c 'http.userAgent=gitlab-runner 19.4.0 linux/amd64' fetch origin --no-recurse-submodules "
                   "'+refs/heads/master:refs/remotes/origin/master' --prune "
                   "--quiet || exit 1\n"),
            std::string::npos);
  EXPECT_NE(s.find("Checking out 87f5240d as detached HEAD (ref is master)..."), std::string::npos);
}

TEST(Scripts, GetSourcesTrustsCiServerTlsCaFileForTheRepositoryHost) {
  // shells/abstract.go writeGitSSLConfig: --global, for scheme://host of the remote, also with GIT_STRATEGY none.
  Job job = field_job();
  job.variables.push_back({"GIT_STRATEGY", "none", true});
  ScriptContext ctx = context(job, Profile::kV19_4);
  EXPECT_EQ(get_sources(ctx).script.find("sslCAInfo"), std::string::npos);
  ctx.variables.push_back({"CI_SERVER_TLS_CA_FILE", "PEM", true, false, true, false, true});
  EXPECT_NE(get_sources(ctx).script.find(
                "git config --global 'http.https://gitlab.mylab.com.sslCAInfo' \"$CI_SERVER_TLS_CA_FILE\"\n"),
            std::string::npos);
}

TEST(Scripts, GetSourcesSkipsWithGitStrategyNone) {
  Job job = field_job();
  job.variables.push_back({"GIT_STRATEGY", "none", true});
  const std::string s = get_sources(context(job, Profile::kV19_4)).script;
  EXPECT_NE(s.find("Skipping Git repository setup"), std::string::npos);
  EXPECT_EQ(s.find("git "), std::string::npos);
}

TEST(Scripts, StepScriptEchoesEachCommandInGreenThenRunsIt) {
  const Job job = field_job();
  const StageScript s = step_script(context(job, Profile::kV13_12));
  EXPECT_EQ(s.container, "build");
  EXPECT_EQ(s.script, kPreamble1312 +
                          "cd '/builds/LBxMyCry/0/root/mycicd'\n"
                          "printf '%s\\n' '\033[32;1m$ echo \"Hello, $GITLAB_USER_LOGIN!\"\033[0;m'\n"
                          "echo \"Hello, $GITLAB_USER_LOGIN!\"\n"
                          "echo\n");  // the blank command: the shell writer's EmptyLine
}

TEST(Scripts, WriteCommandsTrimsAndCollapsesMultiLineCommands) {
  EXPECT_EQ(write_commands({"  echo a  ", "", "if true; then\n  echo b\nfi\n"}),
            "printf '%s\\n' '\033[32;1m$ echo a\033[0;m'\n"
            "echo a\n"
            "echo\n"
            "printf '%s\\n' '\033[32;1m$ if true; then # collapsed multi-line command\033[0;m'\n"
            "if true; then\n  echo b\nfi\n");
}

TEST(Scripts, RunnerGetSourcesScriptsPerRelease) {
  RunnerScriptsConfig only_clone;
  only_clone.pre_clone = "pre-clone";
  only_clone.post_clone = "post-clone";
  // 13.12: pre_clone_script is the key, and there is nothing after the fetch.
  EXPECT_EQ(runner_pre_get_sources(only_clone, Profile::kV13_12), "pre-clone");
  EXPECT_EQ(runner_post_get_sources(only_clone, Profile::kV13_12), "");
  // 15.9-16.x: the deprecated keys fill in unset pre_/post_get_sources_script.
  EXPECT_EQ(runner_pre_get_sources(only_clone, Profile::kV15_11), "pre-clone");
  EXPECT_EQ(runner_post_get_sources(only_clone, Profile::kV16_11), "post-clone");
  RunnerScriptsConfig both = only_clone;
  both.pre_get_sources = "pre-get";
  both.post_get_sources = "post-get";
  EXPECT_EQ(runner_pre_get_sources(both, Profile::kV15_11), "pre-get");
  EXPECT_EQ(runner_pre_get_sources(both, Profile::kV13_12), "pre-clone");
  // 17.0 removed the clone keys.
  EXPECT_EQ(runner_pre_get_sources(only_clone, Profile::kV17_11), "");
  EXPECT_EQ(runner_post_get_sources(both, Profile::kV19_4), "post-get");
}

TEST(Scripts, GetSourcesHooksAroundTheFetchRunnersAndJobsInUpstreamOrder) {
  Job job = field_job();
  job.pre_get_sources_hook = {"echo job-pre"};
  job.post_get_sources_hook = {"echo job-post"};
  ScriptContext ctx = context(job, Profile::kV19_4);
  ctx.runner_scripts.pre_get_sources = "echo runner-pre";
  ctx.runner_scripts.post_get_sources = "echo runner-post";
  std::string s = get_sources(ctx).script;
  const size_t runner_pre = s.find("\necho runner-pre\n"), job_pre = s.find("\necho job-pre\n");
  const size_t fetch = s.find(" fetch origin"), skipping = s.find("Skipping Git submodules setup");
  const size_t job_post = s.find("\necho job-post\n"), runner_post = s.find("\necho runner-post\n");
  ASSERT_NE(runner_post, std::string::npos);
  EXPECT_LT(runner_pre, job_pre);
  EXPECT_LT(job_pre, fetch);
  EXPECT_LT(skipping, job_post);
  EXPECT_LT(job_post, runner_post);
  // 13.12 reads no hooks of the job's.
  s = get_sources(context(job, Profile::kV13_12)).script;
  EXPECT_EQ(s.find("job-pre"), std::string::npos);
  // GIT_STRATEGY=none runs neither; empty runs them in 17.3-18.1 and not from 18.2.
  job.variables.push_back({"GIT_STRATEGY", "none", true});
  EXPECT_EQ(get_sources(context(job, Profile::kV19_4)).script.find("job-pre"), std::string::npos);
  job.variables.back().value = "empty";
  EXPECT_NE(get_sources(context(job, Profile::kV17_11)).script.find("job-post"), std::string::npos);
  EXPECT_EQ(get_sources(context(job, Profile::kV18_11)).script.find("job-pre"), std::string::npos);
}

TEST(Scripts, StepScriptRunsTheRunnersBuildScriptsAroundTheJobsAndAfterScriptNeither) {
  const Job job = field_job();
  ScriptContext ctx = context(job, Profile::kV19_4);
  ctx.runner_scripts.pre_build = "echo pre-build";
  ctx.runner_scripts.post_build = "echo post-build";
  const std::string s = step_script(ctx).script;
  const size_t pre = s.find("\necho pre-build\n"), hello = s.find("\necho \"Hello"),
               post = s.find("\necho post-build\n");
  ASSERT_NE(post, std::string::npos);
  EXPECT_LT(pre, hello);
  EXPECT_LT(hello, post);
  EXPECT_EQ(after_script(ctx).script.find("pre-build"), std::string::npos);
}

TEST(Scripts, UserStepsAreEveryStepButAfterScriptAsStepStages) {
  Job job = field_job();
  job.steps = {{"script", {"echo a"}},
               {"Release", {"release-cli create --name \"$GITLAB_USER_LOGIN\""}},
               {"after_script", {"echo bye"}}};
  const std::vector<JobStep> steps = user_steps(job);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(step_stage_name(steps[0]), "step_script");
  EXPECT_EQ(step_stage_name(steps[1]), "step_release");  // StepToBuildStage lower-cases
  // Only a step named exactly "release" is expanded by the runner before the shell.
  JobStep release = steps[1];
  release.name = "release";
  const std::string s = user_step_script(context(job, Profile::kV19_4), release).script;
  EXPECT_NE(s.find("\nrelease-cli create --name \"root\"\n"), std::string::npos) << s;
  EXPECT_NE(user_step_script(context(job, Profile::kV19_4), steps[1]).script.find("\"$GITLAB_USER_LOGIN\""),
            std::string::npos);
  job.steps.clear();  // a Job built without steps runs its script lines
  EXPECT_EQ(user_steps(job).at(0).script, job.script);
}

TEST(Scripts, CloneUrlBuildsTheRemoteAsEachReleaseDoes) {
  Job job = field_job();
  job.token = "tok";
  job.variables.push_back({"CI_PROJECT_PATH", "root/mycicd", true});
  ScriptContext ctx = context(job, Profile::kV19_4);
  EXPECT_EQ(git_remote_url(ctx), job.git_info.repo_url);  // no clone_url: the payload's
  ctx.clone_url = "https://gitlab.svc:8443/gitlab/";
  EXPECT_EQ(git_remote_url(ctx), "https://gitlab-ci-token:tok@gitlab.svc:8443/gitlab/root/mycicd.git");
  ctx.clone_url = "ssh://gitlab.svc";
  EXPECT_EQ(git_remote_url(ctx), "ssh://git@gitlab.svc/root/mycicd.git");  // getURLWithAuth: ssh keeps "git"
  ctx.clone_url = "gitlab.svc";
  EXPECT_EQ(git_remote_url(ctx), job.git_info.repo_url);  // no scheme
  // 13.12: an "http" prefix, the trailing slash trimmed, then concatenated.
  ScriptContext old = context(job, Profile::kV13_12);
  old.clone_url = "http://10.0.0.5:8080/";
  EXPECT_EQ(git_remote_url(old), "http://gitlab-ci-token:tok@10.0.0.5:8080/root/mycicd.git");
  old.clone_url = "ssh://gitlab.svc";
  EXPECT_EQ(git_remote_url(old), job.git_info.repo_url);
  // get_sources adds the remote at that URL (18.6+: without the token, which the external config adds).
  ctx.clone_url = "https://gitlab.svc";
  EXPECT_NE(get_sources(ctx).script.find("git remote add origin 'https://gitlab.svc/root/mycicd.git'"),
            std::string::npos);
}

TEST(Scripts, AfterScriptSetsTheJobStatus) {
  const Job job = field_job();
  ScriptContext ctx = context(job, Profile::kV19_4);
  ctx.job_status = "failed";
  const StageScript s = after_script(ctx);
  EXPECT_EQ(s.container, "build");
  // writeAfterScript: exports, cd, the green "Running after script..." notice, then the commands.
  EXPECT_NE(s.script.find("export CI_JOB_STATUS='failed'\ncd '/builds/root/mycicd'\n"
                          "echo -e '\\033[32;1mRunning after script...\\033[0;m'\n"
                          "printf '%s\\n' '\033[32;1m$ echo bye\033[0;m'\necho bye\n"),
            std::string::npos)
      << s.script;
}

TEST(Scripts, FileVariablesAreWrittenUnderTheTmpDir) {
  Job job = field_job();
  job.variables = {{"MY_FILE", "line'1", false, false, true}};
  const std::string s = step_script(context(job, Profile::kV19_4)).script;
  EXPECT_NE(s.find("mkdir -p '/builds/root/mycicd.tmp'\n"
                   "printf '%s' 'line'\\''1' > '/builds/root/mycicd.tmp/MY_FILE'\n"
                   "export MY_FILE='/builds/root/mycicd.tmp/MY_FILE'\n"),
            std::string::npos);
}

TEST(Scripts, CleanupRemovesTheTmpDirSilently) {
  const Job job = field_job();
  const StageScript s = cleanup_file_variables(context(job, Profile::kV19_4));
  EXPECT_EQ(s.container, "helper");
  EXPECT_EQ(s.script,
            "case \"$(set -o)\" in *\"pipefail\"*) set -o pipefail;; esac; set -o errexit\n"
            "rm -rf '/builds/root/mycicd.tmp'\n");
}

// shells/bash.go: v13.12.0 writeScript, v14.9.0-v19.0.0 and v19.1.0+ BashWriter.Finish.
TEST(Scripts, ShellOptionsLinePerRelease) {
  const Job job = field_job();
  const std::string grep_form =
      "if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit\nset +o noclobber\n";
  const std::string case_form =
      "case \"$(set -o)\" in *\"pipefail\"*) set -o pipefail;; esac; set -o errexit\nset +o noclobber\n";
  const auto head = [&](Profile p) { return step_script(context(job, p)).script; };
  EXPECT_EQ(head(Profile::kV13_12).rfind("set -eo pipefail\nset +o noclobber\n", 0), 0u);
  for (Profile p : {Profile::kV15_11, Profile::kV16_11, Profile::kV17_11, Profile::kV18_11}) {
    EXPECT_EQ(head(p).rfind(grep_form, 0), 0u);
  }
  EXPECT_EQ(head(Profile(19, 0)).rfind(grep_form, 0), 0u);
  EXPECT_EQ(head(Profile(19, 1)).rfind(case_form, 0), 0u);
  EXPECT_EQ(head(Profile::kV19_4).rfind(case_form, 0), 0u);
}

TEST(Scripts, NoBashOnlySyntax) {
  const Job job = field_job();
  const ScriptContext ctx = context(job, Profile::kV19_4);
  for (const StageScript& s :
       {prepare_script(ctx), get_sources(ctx), step_script(ctx), after_script(ctx), cleanup_file_variables(ctx)}) {
    EXPECT_EQ(s.script.find("$'"), std::string::npos) << s.script;
    EXPECT_EQ(s.script.find("[["), std::string::npos) << s.script;
    EXPECT_EQ(s.script.find("eval"), std::string::npos) << s.script;
  }
}

}  // namespace
}  // namespace kexsim::executor

namespace kexsim::executor {
namespace {

TEST(Scripts, GitCheckoutFalseSkipsCheckoutAndClean) {
  Job job = field_job();
  job.variables.push_back({"GIT_CHECKOUT", "false", true});
  const std::string script = get_sources(context(job, Profile::kV19_4)).script;
  EXPECT_NE(script.find("Skipping Git checkout"), std::string::npos);
  EXPECT_EQ(script.find("git checkout"), std::string::npos);
  EXPECT_EQ(script.find("git clean"), std::string::npos);
}

TEST(Scripts, GitCleanFlagsReplaceTheDefault) {
  Job job = field_job();
  job.variables.push_back({"GIT_CLEAN_FLAGS", "-ffdx -e vendor/", true});
  EXPECT_EQ(git_clean_flags(job), (std::vector<std::string>{"-ffdx", "-e", "vendor/"}));
  EXPECT_NE(get_sources(context(job, Profile::kV19_4)).script.find("git clean -ffdx -e vendor/\n"), std::string::npos);
  job.variables.push_back({"GIT_CLEAN_FLAGS", "none", true});
  EXPECT_EQ(get_sources(context(job, Profile::kV19_4)).script.find("git clean"), std::string::npos);
}

}  // namespace
}  // namespace kexsim::executor

namespace kexsim::executor {
namespace {

TEST(Scripts, JobTokenStaysOutOfTheRemoteUrlFrom18_6) {
  const Job job = field_job();
  const std::string modern = get_sources(context(job, Profile::kV19_4)).script;
  EXPECT_NE(modern.find("git remote add origin 'https://gitlab.mylab.com/root/mycicd.git'"), std::string::npos);
  EXPECT_NE(modern.find("'url.https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git.insteadOf' "
                        "'https://gitlab.mylab.com/root/mycicd.git'"),
            std::string::npos)
      << modern;
  EXPECT_NE(modern.find("git init '/builds/root/mycicd' --template '/builds/root/mycicd.tmp/git-template'"),
            std::string::npos);
  const std::string old = get_sources(context(job, Profile::kV17_11)).script;
  EXPECT_NE(old.find("git remote add origin 'https://gitlab-ci-token:tok@gitlab.mylab.com/root/mycicd.git'"),
            std::string::npos);
  EXPECT_EQ(url_without_credentials("https://u:p@h:8443/a.git"), "https://h:8443/a.git");
}

}  // namespace
}  // namespace kexsim::executor
