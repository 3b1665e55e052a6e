#pragma once
// The stage scripts of the legacy exec strategy: POSIX sh text fed to an exec's stdin.
//
// A model shell (not bash) runs these in simulation, so they keep to plain POSIX sh:
// variables, single quotes, echo/printf, cd, export, set -e, && ||, if, $(...).

#include <string>
#include <string_view>
#include <vector>

#include "executor/config.h"
#include "executor/job.h"
#include "executor/profile.h"

namespace kexsim::executor {

/// One stage as an exec: which container, the exec's argv, and the script on its stdin.
struct StageScript {
  std::string name;                  ///< the build stage ("step_script"), the attach strategy's script name
  std::string container;             ///< "build" | "helper"
  std::vector<std::string> command;  ///< argv of the exec
  std::string script;                ///< POSIX sh text written to stdin
};

/// Everything a stage script needs besides the job.
struct ScriptContext {
  const Job* job = nullptr;
  Profile profile = Profile::kV19_4;
  std::string runner_hostname;         ///< "Running on ... via <this>..."
  std::string project_dir;             ///< CI_PROJECT_DIR, e.g. "/builds/root/mycicd"
  std::vector<JobVariable> variables;  ///< every variable, in order (executor/predefined_variables.h)
  std::string job_status;              ///< after_script: CI_JOB_STATUS ("success", "failed", "canceled")
  std::string runner_url;              ///< [[runners]] url: the helper commands' --url
  bool debug_trace_disabled = false;   ///< [[runners]] debug_trace_disabled: CI_DEBUG_TRACE is refused
  RunnerScriptsConfig runner_scripts;  ///< [[runners]] pre_/post_ get_sources and build scripts
  std::string clone_url;               ///< [[runners]] clone_url: git's remote base instead of the payload's
};

/// The shell-detection script containers start with (`sh -c <this>`): exec the first shell found.
const std::string& detect_shell_script();

/// The legacy exec strategy's argv for a stage in container ("build" or "helper").
std::vector<std::string> stage_command(std::string_view container, Profile p);

/// prepare_script (helper): prints "Running on $(hostname) via <runner hostname>...".
StageScript prepare_script(const ScriptContext& ctx);
/// get_sources (helper): GIT_STRATEGY's setup (init + fetch, clone into a removed directory, none,
/// empty), the checkout and GIT_SUBMODULE_STRATEGY's commands, with the runner's messages.
StageScript get_sources(const ScriptContext& ctx);
/// clear_worktree (helper, 19.4): before the second try of get_sources, removes tracked and untracked files.
StageScript clear_worktree(const ScriptContext& ctx);
/// step_script (build): pre_build_script, the script's commands and post_build_script, each as
/// write_commands writes it.
StageScript step_script(const ScriptContext& ctx);
/// The build stage of one payload step (common/build.go StepToBuildStage: "step_" + its lower-cased
/// name), written as step_script is; a `release` step's lines expand with every variable first.
StageScript user_step_script(const ScriptContext& ctx, const JobStep& step);
/// common/build.go StepToBuildStage: "step_" and the step's name in lower case.
std::string step_stage_name(const JobStep& step);
/// The steps executeUserScripts runs, in payload order: every one but after_script (a Job built
/// without steps: its `script` lines as the script step).
std::vector<JobStep> user_steps(const Job& job);
/// after_script (build): like step_script with the after_script lines; the caller ignores its
/// exit code, as the runner does.
StageScript after_script(const ScriptContext& ctx);
/// cleanup_file_variables (helper): removes the file-variable directory, silently.
StageScript cleanup_file_variables(const ScriptContext& ctx);

/// A stage script in container with the common preamble (shell options, variables) before body.
StageScript stage_with_preamble(std::string_view name, std::string_view container, const ScriptContext& ctx,
                                std::string body);
/// shells/abstract.go writeCommands: each command trimmed, echoed as "$ <command>" in green (a
/// multi-line one as "$ <first line> # collapsed multi-line command", an empty one as a blank line),
/// then run.
std::string write_commands(const std::vector<std::string>& commands);

/// The [[runners]] get_sources scripts the release runs, before and after the fetch (13.12
/// pre_clone_script; 15.9+ pre_/post_get_sources_script, 15.9-16.x falling back to the clone keys).
std::string runner_pre_get_sources(const RunnerScriptsConfig& scripts, Profile p);
std::string runner_post_get_sources(const RunnerScriptsConfig& scripts, Profile p);

/// A green notice line as the runner's shell writer prints it (Noticef).
std::string notice_line(std::string_view text);
/// A yellow warning line as the runner's shell writer prints it (Warningf: no "WARNING:" prefix).
std::string warning_line(std::string_view text);

/// The shell writer's IfCmd: `if <command> >/dev/null 2>&1; then` and a newline, quiet about the
/// command's output, in the release's spelling. `command` is already quoted.
std::string if_cmd_line(Profile p, std::string_view command);

/// The repository URL git fetches, with the job token (common/build.go GetRemoteURL): the payload's
/// repo_url, or with clone_url set the project's path under it (13.12: any clone_url starting "http").
std::string git_remote_url(const ScriptContext& ctx);

/// The URL with any user:password@ removed ("https://gitlab-ci-token:T@host/p.git" -> "https://host/p.git").
std::string url_without_credentials(std::string_view url);

/// GIT_CHECKOUT: whether get_sources checks the commit out (default true).
bool git_checkout_enabled(const Job& job);
/// GIT_CLEAN_FLAGS: the `git clean` flags after checkout (default -ffdx; "none": no clean).
std::vector<std::string> git_clean_flags(const Job& job);

/// Single-quotes s for sh ('it'\''s').
std::string shell_quote(std::string_view s);
/// The TERM trap every stage script of the release opens with (shells/bash.go Finish,
/// bashExitOnScriptTerminationSignal, then a blank line); empty before 17.4.
std::string term_trap_line(Profile profile);

}  // namespace kexsim::executor
