#include "executor/scripts.h"

#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

constexpr std::string_view kGreen = "\033[32;1m";
constexpr std::string_view kReset = "\033[0;m";

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

// The common head of every stage script: shell options and the job's variables.
std::string preamble(const ScriptContext& ctx) {
  std::string out = "set -eo pipefail\nset +o noclobber\n";
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

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Echo each command as the runner does ("$ cmd" in green), then run it.
std::string user_commands(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (blank(line)) continue;
    std::string echoed(kGreen);
    echoed += "$ " + line;
    echoed += kReset;
    out += "printf '%s\\n' " + shell_quote(echoed) + "\n";
    out += line + "\n";
  }
  return out;
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

}  // namespace

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

std::string notice_line(std::string_view text) { return notice(text); }

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
  const std::string dir = shell_quote(ctx.project_dir);
  std::string body;
  if (job.variable("GIT_STRATEGY") == "none") {
    body += notice(messages::skipping_repository_setup());
    return make("get_sources", "helper", ctx, body);
  }
  body += notice(messages::fetching_changes(git.depth));
  // 18.6 (W7): the job token stays out of .git/config. shells/abstract.go setupTemplateDir writes a
  // template config that includes an external file beside the project (<project>.tmp), and that file
  // rewrites the credential-less remote URL to the one with the token (url.<with>.insteadOf <without>).
  const bool external = git_token_outside_repo_config(ctx.profile);
  std::string remote_url = git.repo_url;
  const std::string tmp = ctx.project_dir + ".tmp";
  const std::string ext_config = tmp + "/.gitlab-runner.ext.conf";
  if (external) {
    remote_url = url_without_credentials(git.repo_url);
    const std::string template_config = shell_quote(tmp + "/git-template/config");
    body += "mkdir -p " + shell_quote(tmp + "/git-template") + "\n";
    body += "git config -f " + template_config + " init.defaultBranch none\n";
    body += "git config -f " + template_config + " fetch.recurseSubmodules false\n";
    body += "git config -f " + template_config + " credential.interactive never\n";
    body += "git config -f " + template_config + " gc.autoDetach false\n";
    body += "rm -f " + shell_quote(ext_config) + "\n";
    if (remote_url != git.repo_url)
      body += "git config --file " + shell_quote(ext_config) + " --replace-all " +
              shell_quote("url." + git.repo_url + ".insteadOf") + " " + shell_quote(remote_url) + " " +
              "\"" + double_quote_escape("^" + regex_quote(remote_url) + "$") + "\"" + "\n";
    body += "git config --file " + template_config + " --replace-all include.path " + shell_quote(ext_config) + " " +
            "\"" + double_quote_escape(regex_quote(".gitlab-runner.ext.conf") + "$") + "\"" + "\n";
    body += "git init " + dir + " --template " + shell_quote(tmp + "/git-template") + "\n";
  } else {
    body += "git init " + dir + "\n";
  }
  body += "cd " + dir + "\n";
  // shells/abstract.go writeRefspecFetchCmd: add the remote, or (a repeated try of the stage,
  // GET_SOURCES_ATTEMPTS) point the existing one at the URL again.
  body += "if git remote add origin " + shell_quote(remote_url) + " >/dev/null 2>&1; then\n";
  body += notice(messages::created_fresh_repository());
  body += "else\n";
  body += "git remote set-url origin " + shell_quote(remote_url) + "\n";
  if (external)
    body += "git config --file .git/config --replace-all include.path " + shell_quote(ext_config) + " " +
            "\"" + double_quote_escape(regex_quote(".gitlab-runner.ext.conf") + "$") + "\"" + "\n";
  body += "fi\n";
  body += "git fetch origin";
  if (git.refspecs.empty()) {
    body += " " + shell_quote(default_refspec(git));
  } else {
    for (const auto& r : git.refspecs) body += " " + shell_quote(r);
  }
  if (git.depth > 0) body += " --depth " + std::to_string(git.depth);
  body += " --prune --quiet || exit 1\n";  // git exits 128; the runner's stage reports 1
  // writeCloneFetchCmds: GIT_CHECKOUT=false leaves the work tree alone (no checkout, no clean).
  if (git_checkout_enabled(job)) {
    body += notice(messages::checking_out(ctx.profile, git.sha, git.ref));
    body += "git checkout -f -q " + shell_quote(git.sha) + "\n";
    const std::vector<std::string> clean = git_clean_flags(job);
    if (!clean.empty()) {
      body += "git clean";
      for (const auto& flag : clean)
        body += " " + (flag.find_first_not_of("-=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./") ==
                               std::string::npos
                           ? flag
                           : shell_quote(flag));
      body += "\n";
    }
  } else {
    body += notice("Skipping Git checkout");
  }
  body += notice(messages::skipping_submodules());
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
  std::string body = "cd " + shell_quote(ctx.project_dir) + "\n";
  if (ctx.job) body += user_commands(ctx.job->script);
  return make("step_script", "build", ctx, body);
}

StageScript after_script(const ScriptContext& ctx) {
  std::string body;
  if (!ctx.job_status.empty()) body += export_line("CI_JOB_STATUS", ctx.job_status);
  body += "cd " + shell_quote(ctx.project_dir) + "\n";
  body += notice("Running after script...");  // shells/abstract.go writeAfterScript (13.12 and 19.4)
  if (ctx.job) body += user_commands(ctx.job->after_script);
  return make("after_script", "build", ctx, body);
}

StageScript cleanup_file_variables(const ScriptContext& ctx) {
  return StageScript{"cleanup_file_variables", "helper", stage_command("helper", ctx.profile),
                     "set -eo pipefail\nrm -rf " + shell_quote(ctx.project_dir + ".tmp") + "\n"};
}

}  // namespace kexsim::executor
