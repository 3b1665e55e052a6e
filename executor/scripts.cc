#include "executor/scripts.h"

#include <algorithm>
#include <cctype>

#include "executor/git_settings.h"
#include "executor/messages.h"
#include "executor/predefined_variables.h"
#include "executor/profile.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

constexpr std::string_view kGreen = "\033[32;1m";
constexpr std::string_view kAnsiReset = "\033[0;m";

bool is_shell_name(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A green notice line, written like the runner's Noticef: echo -e with the escapes as text.
std::string notice(std::string_view text) {
  return "echo -e " + shell_quote("\\033[32;1m" + std::string(text) + "\\033[0;m") + "\n";
}

// Inside double quotes only \ " $ ` are special.
std::string double_quote_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"' || c == '$' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

std::string export_line(std::string_view key, std::string_view value) {
  return "export " + std::string(key) + "=" + shell_quote(value) + "\n";
}

bool debug_traced(const ScriptContext& ctx) {
  return ctx.job && read_git_settings(*ctx.job, ctx.profile, ctx.debug_trace_disabled).debug_trace;
}

// The shell options line each release's BashWriter writes (shells/bash.go; 13.12 writeScript, later
// Finish), after CI_DEBUG_TRACE's `set -o xtrace`.
std::string shell_options(const ScriptContext& ctx) {
  std::string out = debug_traced(ctx) ? "set -o xtrace\n" : "";
  if (pipefail_test_without_grep(ctx.profile)) {
    // v19.1.0 shells/bash.go BashWriter.Finish
    out += "case \"$(set -o)\" in *\"pipefail\"*) set -o pipefail;; esac; set -o errexit\n";
  } else if (pipefail_only_where_listed(ctx.profile)) {
    // v14.9.0 (to v19.0.0) shells/bash.go BashWriter.Finish
    out += "if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit\n";
  } else {
    out += "set -eo pipefail\n";  // v13.12.0 shells/bash.go BashWriter.writeScript
  }
  return out;
}

// The common head of every stage script: shell options and the job's variables.
std::string preamble(const ScriptContext& ctx) {
  std::string out = shell_options(ctx);
  out += "set +o noclobber\n";  // shells/bash.go Finish / writeScript, every release
  const std::string tmp_dir = ctx.project_dir + ".tmp";
  bool made_tmp = false;
  const auto add = [&](const JobVariable& v) {
    if (!is_shell_name(v.key)) return;  // sh cannot export it; the runner skips such names too
    if (!v.file) {
      out += export_line(v.key, v.value);
      return;
    }
    if (!made_tmp) {
      out += "mkdir -p " + shell_quote(tmp_dir) + "\n";
      made_tmp = true;
    }
    const std::string path = file_variable_path(ctx.project_dir, v.key);
    out += "printf '%s' " + shell_quote(v.value) + " > " + shell_quote(path) + "\n";
    out += export_line(v.key, path);
  };
  for (const auto& v : ctx.variables) add(v);  // shells/abstract.go writeExports: GetAllVariables
  return out;
}

// Go's strings.TrimSpace over ASCII: space, \t, \n, \v, \f, \r.
std::string_view trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The get_sources hooks as guardGetSourcesScriptHooks writes them: none for GIT_STRATEGY=none, nor
// (18.2+) for empty.
std::string guarded_hooks(const ScriptContext& ctx, GitStrategy strategy, std::vector<std::string> commands) {
  if (commands.empty() || strategy == GitStrategy::kNone) return "";
  if (strategy == GitStrategy::kEmpty && get_sources_hooks_skip_empty_strategy(ctx.profile)) return "";
  return write_commands(commands);
}

std::string pre_get_sources_commands(const ScriptContext& ctx, GitStrategy strategy) {
  std::vector<std::string> commands;
  if (std::string runner = runner_pre_get_sources(ctx.runner_scripts, ctx.profile); !runner.empty())
    commands.push_back(std::move(runner));
  if (get_sources_hooks(ctx.profile) && ctx.job)  // the runner's first, then the job's
    commands.insert(commands.end(), ctx.job->pre_get_sources_hook.begin(), ctx.job->pre_get_sources_hook.end());
  return guarded_hooks(ctx, strategy, std::move(commands));
}

std::string post_get_sources_commands(const ScriptContext& ctx, GitStrategy strategy) {
  std::vector<std::string> commands;
  if (get_sources_hooks(ctx.profile) && ctx.job)  // the job's first, then the runner's
    commands = ctx.job->post_get_sources_hook;
  if (std::string runner = runner_post_get_sources(ctx.runner_scripts, ctx.profile); !runner.empty())
    commands.push_back(std::move(runner));
  return guarded_hooks(ctx, strategy, std::move(commands));
}

std::string default_refspec(const GitInfo& git) {
  if (git.ref_type == "tag") return "+refs/tags/" + git.ref + ":refs/tags/" + git.ref;
  return "+refs/heads/" + git.ref + ":refs/remotes/origin/" + git.ref;
}

StageScript make(std::string_view name, std::string_view container, const ScriptContext& ctx, std::string body) {
  return StageScript{std::string(name), std::string(container), stage_command(container, ctx.profile),
                     preamble(ctx) + body};
}

// regexp.QuoteMeta: a backslash before each regular-expression metacharacter.
std::string regex_quote(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Where a clone_url's "scheme://" ends as url.Parse sees a scheme (a letter, then letters, digits,
// '+', '-' or '.'); npos: none, and the payload's repo_url stands. kexsim reads only the
// "scheme://" form (an opaque "scheme:rest" is left to upstream's oddities).
size_t clone_url_scheme_end(std::string_view url) {
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0])))
    return std::string_view::npos;
  for (size_t i = 1; i < colon; ++i) {
    const char c = url[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return std::string_view::npos;
  }
  return colon + 3;
}

// The runner's base URL with the job token standing in for it, then with GIT_SUBMODULE_FORCE_HTTPS the
// GitLab host's SSH forms, as pairs (with, without). The base is clone_url when it has a scheme, else
// the runner's URL (getBaseURL); none when it is not HTTP: 15.11-18.5's GetURLInsteadOfArgs asks for an
// "http" prefix (http_prefix), 18.6's GetInsteadOfs for an http or https scheme.
std::vector<std::pair<std::string, std::string>> base_insteadofs(const ScriptContext& ctx, bool force_https,
                                                                 bool http_prefix) {
  const Job& job = *ctx.job;
  std::vector<std::pair<std::string, std::string>> out;
  std::string base = clone_url_scheme_end(ctx.clone_url) != std::string::npos ? ctx.clone_url : ctx.runner_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const size_t scheme = base.find("://");
  const std::string scheme_name = scheme == std::string::npos ? "" : base.substr(0, scheme);
  const bool http = http_prefix ? scheme_name.rfind("http", 0) == 0 : scheme_name == "http" || scheme_name == "https";
  if (!http) return out;
  base = url_without_credentials(base);
  const std::string authed =
      base.substr(0, scheme + 3) + "gitlab-ci-token:" + job.token + "@" + base.substr(scheme + 3);
  out.emplace_back(authed, base);
  if (!force_https) return out;
  std::string host = job.variable("CI_SERVER_SHELL_SSH_HOST");
  if (host.empty()) host = job.variable("CI_SERVER_HOST");
  const std::string port = job.variable("CI_SERVER_SHELL_SSH_PORT");
  if (port.empty() || port == "22") {
    out.emplace_back(authed + "/", "git@" + host + ":");
    out.emplace_back(authed, "ssh://git@" + host);
  } else {
    out.emplace_back(authed, "ssh://git@" + host + ":" + port);
  }
  return out;
}

// The insteadOf rewrites of 18.6's external git config (shells/abstract.go setupExternalGitConfig,
// common/build_url_helper.go authenticatedURLHelper.GetInsteadOfs): the project's credential-less
// URL, then the runner's base URL (so a submodule on the same GitLab gets the job token too), then
// with GIT_SUBMODULE_FORCE_HTTPS the SSH forms of the GitLab host. Pairs of (with, without).
std::vector<std::pair<std::string, std::string>> git_insteadofs(const ScriptContext& ctx, bool force_https) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string with = git_remote_url(ctx);
  if (url_without_credentials(with) != with) out.emplace_back(with, url_without_credentials(with));
  for (auto& entry : base_insteadofs(ctx, force_https, false))
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(std::move(entry));
  return out;
}

// A flag as a word of the script: quoted only when it holds more than a flag's characters.
std::string flag_word(const std::string& flag) {
  return flag.find_first_not_of("-=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./") ==
                 std::string::npos
             ? flag
             : shell_quote(flag);
}

// common/build.go GetURLInsteadOfArgs (15.11-18.5): base_insteadofs as "-c url.<with>.insteadOf=<without>"
// words for a git command line.
std::string url_insteadof_args(const ScriptContext& ctx, bool force_https) {
  std::string out;
  for (const auto& [with, without] : base_insteadofs(ctx, force_https, true))
    out += "-c " + shell_quote("url." + with + ".insteadOf=" + without) + " ";
  return out;
}

// shells/abstract.go writeSubmoduleUpdateNoticeMsg.
std::string submodule_notice(bool recursive, int depth) {
  if (recursive && depth > 0)
    return "Updating/initializing submodules recursively with git depth set to " + std::to_string(depth) + "...";
  if (recursive) return "Updating/initializing submodules recursively...";
  if (depth > 0) return "Updating/initializing submodules with git depth set to " + std::to_string(depth) + "...";
  return "Updating/initializing submodules...";
}

// shells/abstract.go writeSubmoduleUpdateCmd, release by release (ext_config: 18.6's external git
// config, which the submodule update includes explicitly; empty before).
std::string submodule_commands(const ScriptContext& ctx, const GitSettings& settings, const std::string& ext_config) {
  const Profile p = ctx.profile;
  const bool recursive = settings.submodules == SubmoduleStrategy::kRecursive;
  const int depth = settings.submodule_depth;
  std::string out = notice(submodule_notice(recursive, depth));
  std::string paths;
  if (!settings.submodule_paths.empty()) {
    paths = " --";
    for (const auto& path : settings.submodule_paths) paths += " " + flag_word(path);
  }
  const std::string sync = std::string("git submodule sync") + (recursive ? " --recursive" : "") + paths + "\n";
  const std::string foreach = std::string("git submodule foreach") + (recursive ? " --recursive" : "");
  std::string update = "submodule update --init";
  if (recursive) update += " --recursive";
  if (depth > 0) update += " --depth " + std::to_string(depth);
  for (const auto& flag : settings.submodule_update_flags) update += " " + flag_word(flag);
  update += paths;
  const std::string insteadofs =
      submodule_update_insteadof_args(p) ? url_insteadof_args(ctx, settings.submodule_force_https) : "";
  const std::string update_cmd =
      "git " + insteadofs +
      (ext_config.empty() ? std::string() : "-c " + shell_quote("include.path=" + ext_config) + " ") + update + "\n";
  std::string clean_flags = "-ffxd";
  if (submodule_clean_uses_clean_flags(p)) {
    const Job& job = *ctx.job;
    const std::vector<std::string> flags = git_clean_flags(job);
    clean_flags.clear();
    for (const auto& f : flags.empty() ? std::vector<std::string>{"-ffdx"} : flags)
      clean_flags += (clean_flags.empty() ? "" : " ") + f;
  }
  const std::string clean = foreach + " " + shell_quote("git clean " + clean_flags) + "\n";
  const std::string reset = foreach + " 'git reset --hard'\n";
  if (submodule_init_before_sync(p)) out += "git submodule init\n";
  out += sync;
  out += clean + reset;
  // shells/abstract.go writeSubmoduleUpdateCmds: "Updated submodules" / "Updating submodules failed. Retrying...".
  if (!submodule_update_retry(p)) {
    out += update_cmd;
  } else {
    out += "if " + update_cmd.substr(0, update_cmd.size() - 1) + "; then\n";
    out += notice("Updated submodules");
    if (git_commands_without_submodule_recursion(p)) out += sync;
    out += "else\n";
    out += warning_line("Updating submodules failed. Retrying...");
    out += sync + update_cmd + reset;
    out += "fi\n";
    out += clean;
  }
  if (submodule_parent_credentials(p) && !ext_config.empty()) {
    out += notice("Configuring submodules to use parent git credentials...");
    out += "git submodule foreach --recursive git config --replace-all include.path " + shell_quote(ext_config) + "\n";
  }
  if (!settings.lfs_skip_smudge) {
    // The submodules' LFS objects, each submodule in turn; 16.4-18.5 put GetURLInsteadOfArgs before `submodule`.
    out += if_cmd_line(p, "git lfs version");
    if (submodule_lfs_pull_notice(p)) out += notice("Pulling LFS files...");
    out += "git " + (submodule_lfs_insteadof_args(p) ? insteadofs : std::string()) +
           (ext_config.empty() ? std::string() : "-c " + shell_quote("include.path=" + ext_config) + " ") +
           foreach.substr(4) + (submodule_lfs_pull_words(p) ? " git lfs pull\n" : " 'git lfs pull'\n");
    out += "fi\n";
  }
  return out;
}

// shells/abstract.go writeGitSSLConfig (13.12 and 19.4; the Kubernetes executor is not a shared
// environment, so --global): git trusts CI_SERVER_TLS_CA_FILE for the repository's scheme://host.
std::string git_ssl_config(const ScriptContext& ctx) {
  bool has_ca = false;
  for (const auto& v : ctx.variables)
    if (v.key == "CI_SERVER_TLS_CA_FILE") has_ca = !v.value.empty();
  if (!has_ca) return "";
  const std::string url = url_without_credentials(git_remote_url(ctx));  // writeGitSSLConfig: GetRemoteURL
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  const std::string host = url.substr(0, url.find('/', scheme + 3));  // url_helpers.OnlySchemeAndHost
  return "git config --global " + shell_quote("http." + host + ".sslCAInfo") + " \"$CI_SERVER_TLS_CA_FILE\"\n";
}

}  // namespace

std::string git_remote_url(const ScriptContext& ctx) {
  const Job& job = *ctx.job;
  const std::string project = job.variable("CI_PROJECT_PATH");
  if (!clone_url_builds_path(ctx.profile)) {
    // 13.12: TrimRight "/", HasPrefix "http", then "<scheme>://gitlab-ci-token:<CI_JOB_TOKEN>@<rest>/<path>.git".
    std::string clone = ctx.clone_url;
    while (!clone.empty() && clone.back() == '/') clone.pop_back();
    const size_t split = clone.find("://");
    if (clone.rfind("http", 0) != 0 || split == std::string::npos) return job.git_info.repo_url;
    return clone.substr(0, split + 3) + "gitlab-ci-token:" + job.variable("CI_JOB_TOKEN") + "@" +
           clone.substr(split + 3) + "/" + project + ".git";
  }
  const size_t start = clone_url_scheme_end(ctx.clone_url);
  if (start == std::string::npos) return job.git_info.repo_url;
  // url.Parse, then u.Path = path.Join(u.Path, "<path>.git") and the job token as the user.
  const std::string_view rest = std::string_view(ctx.clone_url).substr(start);
  size_t host_end = rest.find_first_of("/?#");
  if (host_end == std::string_view::npos) host_end = rest.size();
  std::string host(rest.substr(0, host_end));
  std::string user;
  if (const size_t at = host.rfind('@'); at != std::string::npos) {
    user = host.substr(0, at);
    host = host.substr(at + 1);
  }
  // getURLWithAuth: ssh keeps its user (default "git"); any other scheme gets the job token.
  const std::string scheme = ctx.clone_url.substr(0, start - 3);
  user = scheme == "ssh" ? (user.empty() ? "git" : user) : "gitlab-ci-token:" + job.token;
  std::string path(rest.substr(host_end, rest.find_first_of("?#", host_end) - host_end));
  while (!path.empty() && path.back() == '/') path.pop_back();
  path += "/" + project + ".git";
  if (path[0] != '/') path = "/" + path;
  return ctx.clone_url.substr(0, start) + user + "@" + host + path;
}

std::string url_without_credentials(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t authority_end = url.find('/', scheme + 3);
  const size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < scheme) return std::string(url);
  return std::string(url.substr(0, scheme + 3)) + std::string(url.substr(at + 1));
}

bool git_checkout_enabled(const Job& job) {
  // common/build.go GetGitCheckout: unset or unparsable is true; strconv.ParseBool's false spellings.
  const std::string v = job.variable("GIT_CHECKOUT");
  return !(v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False");
}

std::vector<std::string> git_clean_flags(const Job& job) {
  // common/build.go GetGitCleanFlags: default -ffdx, "none" for no clean, else the words given.
  const std::string v = job.variable("GIT_CLEAN_FLAGS");
  if (v.empty()) return {"-ffdx"};
  if (v == "none") return {};
  std::vector<std::string> out;
  std::string word;
  for (char c : v + " ") {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

StageScript stage_with_preamble(std::string_view name, std::string_view container, const ScriptContext& ctx,
                                std::string body) {
  return make(name, container, ctx, std::move(body));
}

std::string write_commands(const std::vector<std::string>& commands) {
  std::string out;
  for (const std::string& raw : commands) {
    const std::string_view command = trim_space(raw);
    if (command.empty()) {
      out += "echo\n";  // the shell writer's EmptyLine
      continue;
    }
    const size_t newline = command.find('\n');
    std::string echoed(kGreen);
    echoed += "$ ";
    echoed += newline == std::string_view::npos
                  ? std::string(command)
                  : std::string(command.substr(0, newline)) + " # collapsed multi-line command";
    echoed += kAnsiReset;
    // printf, not the notice's echo -e: the user's text keeps its backslashes.
    out += "printf '%s\\n' " + shell_quote(echoed) + "\n";
    out += command;
    out += "\n";
  }
  return out;
}

std::string runner_pre_get_sources(const RunnerScriptsConfig& scripts, Profile p) {
  if (!get_sources_hooks(p)) return scripts.pre_clone;  // 13.12: pre_clone_script is the key
  if (scripts.pre_get_sources.empty() && clone_script_aliases(p)) return scripts.pre_clone;
  return scripts.pre_get_sources;
}

std::string runner_post_get_sources(const RunnerScriptsConfig& scripts, Profile p) {
  if (!get_sources_hooks(p)) return "";
  if (scripts.post_get_sources.empty() && clone_script_aliases(p)) return scripts.post_clone;
  return scripts.post_get_sources;
}

std::string notice_line(std::string_view text) { return notice(text); }

std::string if_cmd_line(Profile p, std::string_view command) {
  return "if " + std::string(command) + (if_cmd_stderr_to_stdout(p) ? " >/dev/null 2>&1" : " >/dev/null 2>/dev/null") +
         (if_cmd_space_before_semicolon(p) ? " ; then\n" : "; then\n");
}

std::string warning_line(std::string_view text) {
  return "echo -e " + shell_quote("\\033[0;33m" + std::string(text) + "\\033[0;m") + "\n";
}

const std::string& detect_shell_script() {
  static const std::string script = [] {
    std::string s;
    bool first = true;
    for (const char* shell : {"/usr/local/bin/bash", "/usr/bin/bash", "/bin/bash", "/usr/local/bin/sh", "/usr/bin/sh",
                              "/bin/sh", "/busybox/sh"}) {
      s += first ? "if" : "elif";
      s += std::string(" [ -x ") + shell + " ]; then\n\texec " + shell + " \n";
      first = false;
    }
    s += "else\n\techo shell not found\n\texit 1\nfi\n\n";
    return s;
  }();
  return script;
}

std::vector<std::string> stage_command(std::string_view container, Profile) {
  // executors/kubernetes/kubernetes.go runWithExecLegacy: predefined stages run the helper image's
  // Cmd (gitlab-runner-build), the others the shell's DockerCommand; 13.12 and 19.4 alike.
  if (container == "helper") return {"gitlab-runner-build"};
  return {"sh", "-c", detect_shell_script()};
}

std::string term_trap_line(Profile profile) {
  if (stage_term_trap_quoted(profile)) return "trap 'exit 1' TERM\n\n";
  return stage_term_trap(profile) ? "trap exit 1 TERM\n\n" : "";
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

StageScript prepare_script(const ScriptContext& ctx) {
  // The pod name is the container's own $(hostname); everything else is quoted literally.
  constexpr std::string_view kPod = "\x01";
  std::string text = double_quote_escape(messages::running_on(kPod, ctx.runner_hostname));
  text.replace(text.find(kPod), kPod.size(), "$(hostname)");
  return make("prepare_script", "helper", ctx, "echo \"" + text + "\"\n");
}

StageScript get_sources(const ScriptContext& ctx) {
  if (!ctx.job) return make("get_sources", "helper", ctx, "");
  const Job& job = *ctx.job;
  const GitInfo& git = job.git_info;
  const GitSettings settings = read_git_settings(job, ctx.profile, ctx.debug_trace_disabled);
  const std::string dir = shell_quote(ctx.project_dir);
  std::string body;
  // shells/abstract.go writeGetSourcesScript: git must never wait for a password on a terminal.
  if (git_terminal_prompt_disabled(ctx.profile)) {
    body += export_line("GIT_TERMINAL_PROMPT", "0");
    body += export_line("GCM_INTERACTIVE", "Never");
  }
  body += git_ssl_config(ctx);
  body += pre_get_sources_commands(ctx, settings.strategy);
  // writeCloneFetchCmds (13.12 to 19.4): LFS smudging off for the fetch and checkout, so that a big LFS
  // object is not filtered through git's memory; `git lfs pull` fetches the objects after the checkout
  // (gitlab-runner#3366, git-lfs#3524). A job that sets GIT_LFS_SKIP_SMUDGE itself gets neither.
  if (!settings.lfs_skip_smudge) body += export_line("GIT_LFS_SKIP_SMUDGE", "1");
  // handleGetSourcesStrategy.
  if (settings.strategy == GitStrategy::kNone || settings.strategy == GitStrategy::kEmpty) {
    if (settings.strategy == GitStrategy::kNone) {
      body += notice(messages::skipping_repository_setup());
    } else {
      body += notice("Skipping Git repository setup and creating an empty build directory");
      body += "rm -r -f " + dir + "\n";
    }
    body += "mkdir -p " + dir + "\n";
    // shells/abstract.go writeCloneFetchCmds: "Skipping Git checkout" (GetGitCheckout is false for none and empty).
    body += notice("Skipping Git checkout");  // writeCloneFetchCmds: GetGitCheckout is false for none and empty
    body += notice(messages::skipping_submodules());
    body += post_get_sources_commands(ctx, settings.strategy);
    return make("get_sources", "helper", ctx, body);
  }
  // clone: the same init and fetch into a directory removed first (writeCloneCmdIfPossible without
  // FF_USE_GIT_NATIVE_CLONE, 13.12's GitClone case).
  if (settings.strategy == GitStrategy::kClone) body += "rm -r -f " + dir + "\n";
  body += notice(messages::fetching_changes(git.depth));
  // 18.6 (W7): the job token stays out of .git/config. shells/abstract.go setupTemplateDir writes a
  // template config that includes an external file beside the project (<project>.tmp), and that file
  // rewrites the credential-less remote URL to the one with the token (url.<with>.insteadOf <without>).
  const bool external = git_token_outside_repo_config(ctx.profile);
  std::string remote_url = git_remote_url(ctx);
  const std::string tmp = ctx.project_dir + ".tmp";
  const std::string ext_config = tmp + "/.gitlab-runner.ext.conf";
  if (external) {
    remote_url = url_without_credentials(remote_url);
    const std::string template_config = shell_quote(tmp + "/git-template/config");
    body += "mkdir -p " + shell_quote(tmp + "/git-template") + "\n";
    body += "git config -f " + template_config + " init.defaultBranch none\n";
    body += "git config -f " + template_config + " fetch.recurseSubmodules false\n";
    body += "git config -f " + template_config + " credential.interactive never\n";
    body += "git config -f " + template_config + " gc.autoDetach false\n";
    body += "rm -f " + shell_quote(ext_config) + "\n";
    for (const auto& [with, without] : git_insteadofs(ctx, settings.submodule_force_https))
      body += "git config --file " + shell_quote(ext_config) + " --replace-all " +
              shell_quote("url." + with + ".insteadOf") + " " + shell_quote(without) + " " + "\"" +
              double_quote_escape("^" + regex_quote(without) + "$") + "\"" + "\n";
    body += "git config --file " + template_config + " --replace-all include.path " + shell_quote(ext_config) + " " +
            "\"" + double_quote_escape(regex_quote(".gitlab-runner.ext.conf") + "$") + "\"" + "\n";
    // shells/abstract.go writeRefspecFetchCmd: w.Command("git", "init", projectDir, "--template", templateDir).
    body += "git init " + dir + " --template " + shell_quote(tmp + "/git-template") + "\n";
  } else {
    body += "git init " + dir + "\n";
  }
  body += "cd " + dir + "\n";
  // shells/abstract.go writeRefspecFetchCmd: add the remote, or (a repeated try of the stage,
  // GET_SOURCES_ATTEMPTS) point the existing one at the URL again.
  body += if_cmd_line(ctx.profile, "git remote add origin " + shell_quote(remote_url));
  body += notice(messages::created_fresh_repository());
  body += "else\n";
  body += "git remote set-url origin " + shell_quote(remote_url) + "\n";
  if (external)
    body += "git config --file .git/config --replace-all include.path " + shell_quote(ext_config) + " " + "\"" +
            double_quote_escape(regex_quote(".gitlab-runner.ext.conf") + "$") + "\"" + "\n";
  body += "fi\n";
  // writeRefspecFetchCmd (13.12 to 19.4): `-c http.userAgent=<AppVersion name version os/arch>` on every fetch.
  std::string fetch =
      "git -c " +
      shell_quote("http.userAgent=gitlab-runner " + std::string(runner_version(ctx.profile)) + " linux/amd64") +
      " fetch origin";
  if (git_commands_without_submodule_recursion(ctx.profile)) fetch += " --no-recurse-submodules";
  if (git.refspecs.empty()) {
    fetch += " " + shell_quote(default_refspec(git));
  } else {
    for (const auto& r : git.refspecs) fetch += " " + shell_quote(r);
  }
  if (git.depth > 0) fetch += " --depth " + std::to_string(git.depth);
  for (const auto& flag : settings.fetch_flags) fetch += " " + flag_word(flag);
  const std::string exit_1 = " || exit 1\n";  // git exits 128; the runner's stage reports 1
  if (git.depth <= 0 && submodule_update_retry(ctx.profile)) {
    // 16.3: a full fetch into a shallow repository (an earlier job's GIT_DEPTH) deepens it.
    body += "if [ -f .git/shallow ]; then\n" + fetch + " --unshallow" + exit_1 + "else\n" + fetch + exit_1 + "fi\n";
  } else {
    body += fetch + exit_1;
  }
  // writeCloneFetchCmds: GIT_CHECKOUT=false leaves the work tree alone (no checkout, no clean).
  if (settings.checkout) {
    body += notice(messages::checking_out(ctx.profile, git.sha, git.ref));
    body += std::string("git ") +
            (git_commands_without_submodule_recursion(ctx.profile) ? "-c submodule.recurse=false " : "") +
            "checkout -f -q " + shell_quote(git.sha) + "\n";
    const std::vector<std::string> clean = git_clean_flags(job);
    if (!clean.empty()) {
      body += "git clean";
      for (const auto& flag : clean) body += " " + flag_word(flag);
      body += "\n";
    }
    if (!settings.lfs_skip_smudge) {
      // IfCmd("git", "lfs", "version"), Command("git", "lfs", "pull"), EmptyLine(), EndIf(): the blank
      // line after "Checking out ..." in every job log comes from that echo.
      body += if_cmd_line(ctx.profile, "git lfs version") + "git lfs pull\necho\nfi\n";
    }
  } else {
    body += notice("Skipping Git checkout");
  }
  if (settings.submodules == SubmoduleStrategy::kNone) {
    body += notice(messages::skipping_submodules());
  } else {
    body += submodule_commands(ctx, settings, external ? ext_config : std::string());
  }
  body += post_get_sources_commands(ctx, settings.strategy);
  return make("get_sources", "helper", ctx, body);
}

StageScript clear_worktree(const ScriptContext& ctx) {
  // shells/abstract.go writeClearWorktreeScript.
  const std::string dir = shell_quote(ctx.project_dir);
  std::string body = notice("Deleting tracked and untracked files...");
  body += "if [ -d " + dir + " ]; then\n";
  body += "cd " + dir + "\n";
  body += "git rm -rf --ignore-unmatch --quiet .\n";
  body += "git clean -ffdx -q\n";
  body += "fi\n";
  return make("clear_worktree", "helper", ctx, body);
}

StageScript step_script(const ScriptContext& ctx) {
  JobStep step;
  step.name = "script";
  if (ctx.job) step.script = ctx.job->script;
  return user_step_script(ctx, step);
}

std::string step_stage_name(const JobStep& step) {
  std::string stage = "step_";
  for (char c : step.name) stage += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return stage;
}

StageScript user_step_script(const ScriptContext& ctx, const JobStep& step) {
  const std::string stage = step_stage_name(step);
  std::vector<std::string> commands = step.script;
  // writeUserScript: "the release yaml field that gets converted to a step by the backend".
  if (step.name == "release")
    for (std::string& line : commands) line = expand_value(ctx.variables, line, ctx.profile);
  std::string body = "cd " + shell_quote(ctx.project_dir) + "\n";
  // shells/abstract.go writeUserScript: the runner's pre_build_script and post_build_script around the step.
  if (!ctx.runner_scripts.pre_build.empty()) body += write_commands({ctx.runner_scripts.pre_build});
  body += write_commands(commands);
  if (!ctx.runner_scripts.post_build.empty()) body += write_commands({ctx.runner_scripts.post_build});
  return make(stage, "build", ctx, body);
}

std::vector<JobStep> user_steps(const Job& job) {
  std::vector<JobStep> out;
  for (const JobStep& step : job.steps)
    if (step.name != "after_script") out.push_back(step);  // BuildStageAfterScript runs on its own
  if (job.steps.empty()) {
    JobStep script;
    script.name = "script";
    script.script = job.script;
    out.push_back(std::move(script));
  }
  return out;
}

StageScript after_script(const ScriptContext& ctx) {
  std::string body;
  if (!ctx.job_status.empty()) body += export_line("CI_JOB_STATUS", ctx.job_status);
  body += "cd " + shell_quote(ctx.project_dir) + "\n";
  body += notice("Running after script...");  // shells/abstract.go writeAfterScript (13.12 and 19.4)
  if (ctx.job) body += write_commands(ctx.job->after_script);
  return make("after_script", "build", ctx, body);
}

StageScript cleanup_file_variables(const ScriptContext& ctx) {
  return StageScript{"cleanup_file_variables", "helper", stage_command("helper", ctx.profile),
                     shell_options(ctx) + "rm -rf " +
                         shell_quote(ctx.project_dir + ".tmp") + "\n"};
}

}  // namespace kexsim::executor
