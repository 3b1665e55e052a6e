#include "executor/predefined_variables.h"

#include "base/files.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

JobVariable internal_variable(std::string key, std::string value, bool is_public = true, bool file = false) {
  JobVariable v;
  v.key = std::move(key);
  v.value = std::move(value);
  v.is_public = is_public;
  v.internal = true;
  v.file = file;
  return v;
}

bool flag_variable_on(const std::vector<JobVariable>& flags, std::string_view key) {
  for (const auto& f : flags) {
    if (f.key == key) return true;
  }
  return false;
}

// os.isShellSpecialVar.
bool is_shell_special(char c) { return std::string_view("*#$@!?-0123456789").find(c) != std::string_view::npos; }

// os.isAlphaNum.
bool is_alpha_num(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// os.getShellName: the name after a '$' and how many bytes it takes (name empty, width > 0: bad syntax).
std::pair<std::string_view, size_t> shell_name(std::string_view s) {
  if (s[0] == '{') {
    if (s.size() > 2 && is_shell_special(s[1]) && s[2] == '}') return {s.substr(1, 1), 3};
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '}') {
        if (i == 1) return {{}, 2};  // "${}"
        return {s.substr(1, i - 1), i + 1};
      }
    }
    return {{}, 1};  // "${" without its brace
  }
  if (is_shell_special(s[0])) return {s.substr(0, 1), 1};
  size_t i = 0;
  while (i < s.size() && is_alpha_num(s[i])) ++i;
  return {s.substr(0, i), i};
}

}  // namespace

std::string go_expand(std::string_view text, const std::function<std::string(std::string_view)>& lookup) {
  std::string out;
  size_t copied = 0;
  for (size_t j = 0; j < text.size(); ++j) {
    if (text[j] != '$' || j + 1 >= text.size()) continue;
    out.append(text.substr(copied, j - copied));
    auto [name, width] = shell_name(text.substr(j + 1));
    if (name.empty() && width == 0) {
      out += '$';  // no name follows: the dollar stays
    } else if (!name.empty()) {
      out += lookup(name);
    }
    j += width;
    copied = j + 1;
  }
  out.append(text.substr(std::min(copied, text.size())));
  return out;
}

std::string variable_for_expansion(const std::vector<JobVariable>& vars, std::string_view key, Profile profile) {
  if (key == "$") return "$";
  if (key.size() == 1 && std::string_view("*#@!?0123456789").find(key[0]) != std::string_view::npos) return "";
  for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
    if (it->key != key) continue;
    if (!it->file || !temp_project_dir_variable(profile)) return it->value;
    // Variables.tmpFile: path.Join(RUNNER_TEMP_PROJECT_DIR, key).
    std::string dir;
    for (auto d = vars.rbegin(); d != vars.rend(); ++d) {
      if (d->key == "RUNNER_TEMP_PROJECT_DIR") {
        dir = d->value;
        break;
      }
    }
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    return dir.empty() ? std::string(key) : dir + "/" + std::string(key);
  }
  return "";
}

std::string expand_value(const std::vector<JobVariable>& vars, std::string_view text, Profile profile) {
  return go_expand(text, [&](std::string_view key) { return variable_for_expansion(vars, key, profile); });
}

std::vector<JobVariable> expand_with(std::vector<JobVariable> vars, const std::vector<JobVariable>& source,
                                     Profile profile) {
  for (auto& v : vars) {
    if (!v.raw) v.value = expand_value(source, v.value, profile);
  }
  return vars;
}

std::vector<JobVariable> build_variables(const BuildVariablesInput& in) {
  const Profile p = in.profile;
  std::vector<JobVariable> out = in.feature_flags;
  const Job* job = in.job;
  // getBaseVariablesBeforeJob.
  if (job && !job->image.name.empty()) out.push_back(internal_variable("CI_JOB_IMAGE", job->image.name));
  out.push_back(internal_variable("CI_RUNNER_SHORT_TOKEN", in.short_token));  // common/config.go GetVariables
  for (const auto& kv : in.environment) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;  // parseVariable fails: the entry is skipped
    // parseVariable makes a plain variable; GetVariables marks it internal (not public).
    out.push_back(internal_variable(kv.substr(0, eq), kv.substr(eq + 1), false));
  }
  // GetDefaultVariables.
  out.push_back(internal_variable("CI_BUILDS_DIR", in.builds_dir));
  out.push_back(internal_variable("CI_PROJECT_DIR", in.project_dir));
  out.push_back(internal_variable("CI_CONCURRENT_ID", std::to_string(in.concurrent_id)));
  out.push_back(internal_variable("CI_CONCURRENT_PROJECT_ID", std::to_string(in.concurrent_project_id)));
  out.push_back(internal_variable("CI_SERVER", "yes"));
  out.push_back(internal_variable("CI_JOB_STATUS", "running"));  // BuildRunRuntimeRunning
  if (exposes_job_timeout_variable(p)) {
    const int64_t timeout = job && job->timeout_seconds > 0 ? job->timeout_seconds : 7200;  // GetBuildTimeout
    out.push_back(internal_variable("CI_JOB_TIMEOUT", std::to_string(timeout)));
  }
  // GetCITLSVariables (helpers/tls: VariableCAFile).
  if (!in.ca_chain.empty()) out.push_back(internal_variable("CI_SERVER_TLS_CA_FILE", in.ca_chain, true, true));
  if (job) {
    // 18.4 getNonFeatureFlagJobVariables: the resolved FF_* above stand for the job's.
    const bool drop_flags = feature_flag_variables_resolved(p);
    for (const auto& v : job->variables) {
      if (drop_flags && flag_variable_on(in.feature_flags, v.key)) continue;
      out.push_back(v);
    }
  }
  // getBaseVariablesAfterJob: the kubernetes executor is not shared (ExecutorFeatures.Shared).
  out.push_back(internal_variable("CI_DISPOSABLE_ENVIRONMENT", "true"));
  for (JobVariable& v : runner_version_variables(p)) out.push_back(std::move(v));
  if (temp_project_dir_variable(p))
    out.push_back(internal_variable("RUNNER_TEMP_PROJECT_DIR", in.project_dir + ".tmp"));
  return expand_with(out, out, p);
}

std::vector<JobVariable> image_expansion_variables(BuildVariablesInput in) {
  // common/build.go StartBuild sets RootDir and BuildDir; 14.2+'s Kubernetes Prepare (and 16.0+'s
  // Build.Run expandContainerOptions) expand the images before it runs.
  if (build_dir_checked_after_images(in.profile)) {
    in.builds_dir.clear();
    in.project_dir.clear();
  }
  return build_variables(in);
}

std::vector<JobVariable> runner_version_variables(Profile p) {
  return {internal_variable("CI_RUNNER_VERSION", std::string(runner_version(p))),  // common/version.go Variables
          internal_variable("CI_RUNNER_REVISION", std::string(runner_revision(p))),
          internal_variable("CI_RUNNER_EXECUTABLE_ARCH", "linux/amd64")};
}

std::vector<JobVariable> feature_flag_variables(Profile p, const FeatureFlagValues& flags) {
  std::vector<JobVariable> out;
  for (const auto& f : feature_flags(p)) {
    const bool on = feature_flag_variables_resolved(p) ? flags.on(f.name) : f.default_value;
    out.push_back(internal_variable(std::string(f.name), on ? "true" : "false"));
  }
  return out;
}

std::string runner_ca_chain(const RunnerConfig& runner, std::string_view verified_chain) {
  // network/client.go buildCAChain (13.12 and 19.4): the tls-ca-file data as read when the client
  // was made, else the connection's verified chains (helpers/tls/ca_chain/builder.go).
  if (!runner.tls_ca_file.empty()) {
    auto data = read_file(runner.tls_ca_file);
    if (data && !data->empty()) return *data;
  }
  return std::string(verified_chain);
}

std::vector<JobVariable> runner_variables(const BuildVariablesInput& in) {
  BuildVariablesInput copy = in;
  copy.job = nullptr;
  return build_variables(copy);
}

}  // namespace kexsim::executor
