#include "executor/job.h"

#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "executor/predefined_variables.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

constexpr const char* kPayloadHint =
    "the job payload is GitLab's answer to POST /api/v4/jobs/request (runner API); check the "
    "GitLab version or the fake GitLab's job definition";

std::string describe_value(const json& v) {
  std::string text = v.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Reads typed fields out of JSON objects, remembering the first mismatch. Absent and null
// fields keep their defaults, as Go's encoding/json does.
class Reader {
 public:
  void str(const json& obj, const char* key, const std::string& base, std::string& out) {
    if (const json* v = field(obj, key)) {
      if (v->is_string()) {
        out = v->get<std::string>();
      } else {
        mismatch(base + key, "a string", *v);
      }
    }
  }

  void integer(const json& obj, const char* key, const std::string& base, int64_t& out) {
    if (const json* v = field(obj, key)) {
      if (v->is_number_integer()) {
        out = v->get<int64_t>();
      } else if (v->is_number()) {
        mismatch(base + key, "an integer", *v);
      } else {
        mismatch(base + key, "a number", *v);
      }
    }
  }

  void boolean(const json& obj, const char* key, const std::string& base, bool& out) {
    if (const json* v = field(obj, key)) {
      if (v->is_boolean()) {
        out = v->get<bool>();
      } else {
        mismatch(base + key, "a boolean", *v);
      }
    }
  }

  void strings(const json& obj, const char* key, const std::string& base, std::vector<std::string>& out) {
    const json* v = array(obj, key, base);
    if (!v) return;
    for (size_t i = 0; i < v->size(); ++i) {
      const json& e = (*v)[i];
      if (e.is_string()) {
        out.push_back(e.get<std::string>());
      } else {
        mismatch(base + key + "[" + std::to_string(i) + "]", "a string", e);
      }
    }
  }

  /// The array at key, or nullptr if absent/null/mismatched.
  const json* array(const json& obj, const char* key, const std::string& base) {
    const json* v = field(obj, key);
    if (v && !v->is_array()) {
      mismatch(base + key, "an array", *v);
      return nullptr;
    }
    return v;
  }

  /// The object at key (or the element e of an array), or nullptr if absent/null/mismatched.
  const json* object(const json* v, const std::string& path) {
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) {
      mismatch(path, "an object", *v);
      return nullptr;
    }
    return v;
  }

  const json* field(const json& obj, const char* key) {
    if (error) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }

  void mismatch(const std::string& path, const char* expected, const json& got) {
    if (error) return;
    error = make_error("job payload: \"" + path + "\": expected " + expected + ", got " + describe_value(got),
                       kPayloadHint, path);
  }

  std::optional<Error> error;
};

std::string index_path(const std::string& base, const char* key, size_t i) {
  return base + key + "[" + std::to_string(i) + "]";
}

void read_variables(Reader& r, const json& obj, const char* key, const std::string& base,
                    std::vector<JobVariable>& out) {
  const json* arr = r.array(obj, key, base);
  if (!arr) return;
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string path = index_path(base, key, i);
    const json* v = r.object(&(*arr)[i], path);
    if (!v) continue;
    JobVariable var;
    const std::string p = path + ".";
    r.str(*v, "key", p, var.key);
    r.str(*v, "value", p, var.value);
    r.boolean(*v, "public", p, var.is_public);
    r.boolean(*v, "masked", p, var.masked);
    r.boolean(*v, "file", p, var.file);
    r.boolean(*v, "raw", p, var.raw);
    out.push_back(std::move(var));
  }
}

// executor_opts.kubernetes.user (common/spec/spec.go ImageKubernetesOptions, StringOrInt64).
void read_kubernetes_user(Reader& r, const json& image, const std::string& p, std::string& out) {
  const json* opts = r.object(r.field(image, "executor_opts"), p + "executor_opts");
  if (!opts) return;
  const json* kube = r.object(r.field(*opts, "kubernetes"), p + "executor_opts.kubernetes");
  if (!kube) return;
  const json* user = r.field(*kube, "user");
  if (!user || user->is_null()) return;
  if (user->is_number_integer()) {
    out = std::to_string(user->get<int64_t>());
  } else if (user->is_string()) {
    out = user->get<std::string>();
  } else {
    r.mismatch(p + "executor_opts.kubernetes.user", "a string or an integer", *user);
  }
}

void read_image(Reader& r, const json& v, const std::string& path, JobImage& out) {
  const std::string p = path + ".";
  r.str(v, "name", p, out.name);
  r.str(v, "alias", p, out.alias);
  r.strings(v, "command", p, out.command);
  r.strings(v, "entrypoint", p, out.entrypoint);
  r.strings(v, "pull_policy", p, out.pull_policy);
  read_variables(r, v, "variables", p, out.variables);
  read_kubernetes_user(r, v, p, out.kubernetes_user);
  if (const json* ports = r.array(v, "ports", p)) {
    for (size_t i = 0; i < ports->size(); ++i) {
      const std::string pp = index_path(p, "ports", i);
      const json* port = r.object(&(*ports)[i], pp);
      if (!port) continue;
      ImagePort ip;
      r.integer(*port, "number", pp + ".", ip.number);
      r.str(*port, "protocol", pp + ".", ip.protocol);
      r.str(*port, "name", pp + ".", ip.name);
      out.ports.push_back(std::move(ip));
    }
  }
}

void read_job(Reader& r, const json& root, Job& job) {
  r.integer(root, "id", "", job.id);
  r.str(root, "token", "", job.token);
  r.boolean(root, "allow_git_fetch", "", job.allow_git_fetch);

  if (const json* info = r.object(r.field(root, "job_info"), "job_info")) {
    const std::string p = "job_info.";
    r.str(*info, "name", p, job.job_info.name);
    r.str(*info, "stage", p, job.job_info.stage);
    r.integer(*info, "project_id", p, job.job_info.project_id);
    r.str(*info, "project_name", p, job.job_info.project_name);
    r.str(*info, "project_full_path", p, job.job_info.project_full_path);
    r.integer(*info, "pipeline_id", p, job.job_info.pipeline_id);
    r.integer(*info, "namespace_id", p, job.job_info.namespace_id);
    r.integer(*info, "root_namespace_id", p, job.job_info.root_namespace_id);
  }

  if (const json* git = r.object(r.field(root, "git_info"), "git_info")) {
    const std::string p = "git_info.";
    r.str(*git, "repo_url", p, job.git_info.repo_url);
    r.str(*git, "ref", p, job.git_info.ref);
    r.str(*git, "sha", p, job.git_info.sha);
    r.str(*git, "before_sha", p, job.git_info.before_sha);
    r.str(*git, "ref_type", p, job.git_info.ref_type);
    r.strings(*git, "refspecs", p, job.git_info.refspecs);
    r.integer(*git, "depth", p, job.git_info.depth);
    r.boolean(*git, "protected", p, job.git_info.protected_ref);
  }

  if (const json* ri = r.object(r.field(root, "runner_info"), "runner_info")) {
    int64_t timeout = 0;
    r.integer(*ri, "timeout", "runner_info.", timeout);
    if (timeout > 0) job.timeout_seconds = timeout;
  }

  read_variables(r, root, "variables", "", job.variables);

  if (const json* steps = r.array(root, "steps", "")) {
    for (size_t i = 0; i < steps->size(); ++i) {
      const std::string path = index_path("", "steps", i);
      const json* s = r.object(&(*steps)[i], path);
      if (!s) continue;
      JobStep step;
      const std::string p = path + ".";
      r.str(*s, "name", p, step.name);
      r.strings(*s, "script", p, step.script);
      r.integer(*s, "timeout", p, step.timeout);
      r.str(*s, "when", p, step.when);
      r.boolean(*s, "allow_failure", p, step.allow_failure);
      if (step.name == "script") job.script = step.script;
      if (step.name == "after_script") job.after_script = step.script;
      job.steps.push_back(std::move(step));
    }
  }

  // common/network.go Hooks: [{name, script}]; Hooks.Get takes the first of a name.
  if (const json* hooks = r.array(root, "hooks", "")) {
    bool seen_pre = false, seen_post = false;
    for (size_t i = 0; i < hooks->size(); ++i) {
      const std::string path = index_path("", "hooks", i);
      const json* h = r.object(&(*hooks)[i], path);
      if (!h) continue;
      std::string name;
      std::vector<std::string> script;
      r.str(*h, "name", path + ".", name);
      r.strings(*h, "script", path + ".", script);
      const bool pre = name == "pre_get_sources_script";
      if (!pre && name != "post_get_sources_script") continue;  // a hook this runner does not know
      bool& seen = pre ? seen_pre : seen_post;
      if (seen) continue;
      seen = true;
      (pre ? job.pre_get_sources_hook : job.post_get_sources_hook) = std::move(script);
    }
  }

  if (const json* image = r.object(r.field(root, "image"), "image")) {
    read_image(r, *image, "image", job.image);
  }
  if (const json* services = r.array(root, "services", "")) {
    for (size_t i = 0; i < services->size(); ++i) {
      const std::string path = index_path("", "services", i);
      if (const json* s = r.object(&(*services)[i], path)) {
        JobImage service;
        read_image(r, *s, path, service);
        job.services.push_back(std::move(service));
      }
    }
  }

  if (const json* creds = r.array(root, "credentials", "")) {
    for (size_t i = 0; i < creds->size(); ++i) {
      const std::string path = index_path("", "credentials", i);
      const json* c = r.object(&(*creds)[i], path);
      if (!c) continue;
      JobCredential cred;
      const std::string p = path + ".";
      r.str(*c, "type", p, cred.type);
      r.str(*c, "url", p, cred.url);
      r.str(*c, "username", p, cred.username);
      r.str(*c, "password", p, cred.password);
      job.credentials.push_back(std::move(cred));
    }
  }

  if (const json* artifacts = r.array(root, "artifacts", "")) {
    for (size_t i = 0; i < artifacts->size(); ++i) {
      const std::string path = index_path("", "artifacts", i);
      const json* a = r.object(&(*artifacts)[i], path);
      if (!a) continue;
      JobArtifact artifact;
      const std::string p = path + ".";
      r.str(*a, "name", p, artifact.name);
      r.boolean(*a, "untracked", p, artifact.untracked);
      r.strings(*a, "paths", p, artifact.paths);
      r.strings(*a, "exclude", p, artifact.exclude);
      r.str(*a, "when", p, artifact.when);
      r.str(*a, "artifact_type", p, artifact.artifact_type);
      r.str(*a, "artifact_format", p, artifact.artifact_format);
      r.str(*a, "expire_in", p, artifact.expire_in);
      job.artifacts.push_back(std::move(artifact));
    }
  }
  if (const json* caches = r.array(root, "cache", "")) {
    for (size_t i = 0; i < caches->size(); ++i) {
      const std::string path = index_path("", "cache", i);
      const json* c = r.object(&(*caches)[i], path);
      if (!c) continue;
      JobCache cache;
      const std::string p = path + ".";
      r.str(*c, "key", p, cache.key);
      r.boolean(*c, "untracked", p, cache.untracked);
      r.str(*c, "policy", p, cache.policy);
      r.strings(*c, "paths", p, cache.paths);
      r.str(*c, "when", p, cache.when);
      r.strings(*c, "fallback_keys", p, cache.fallback_keys);
      job.cache.push_back(std::move(cache));
    }
  }
  if (const json* deps = r.array(root, "dependencies", "")) {
    for (size_t i = 0; i < deps->size(); ++i) {
      const std::string path = index_path("", "dependencies", i);
      const json* d = r.object(&(*deps)[i], path);
      if (!d) continue;
      JobDependency dep;
      const std::string p = path + ".";
      r.integer(*d, "id", p, dep.id);
      r.str(*d, "name", p, dep.name);
      r.str(*d, "token", p, dep.token);
      if (const json* file = r.object(r.field(*d, "artifacts_file"), p + "artifacts_file")) {
        r.str(*file, "filename", p + "artifacts_file.", dep.artifacts_filename);
        r.integer(*file, "size", p + "artifacts_file.", dep.artifacts_size);
      }
      job.dependencies.push_back(std::move(dep));
    }
  }

  if (const json* f = r.object(r.field(root, "features"), "features")) {
    const std::string p = "features.";
    r.boolean(*f, "trace_sections", p, job.features.trace_sections);
    r.strings(*f, "failure_reasons", p, job.features.failure_reasons);
    r.strings(*f, "token_mask_prefixes", p, job.features.token_mask_prefixes);
  }
}

}  // namespace

Result<Job> parse_job(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag: the user wants the position.
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return make_error("job payload: invalid JSON: " + what, kPayloadHint);
  }
  if (!root.is_object()) {
    return make_error("job payload: expected a JSON object, got " + describe_value(root), kPayloadHint);
  }
  Job job;
  Reader reader;
  read_job(reader, root, job);
  if (reader.error) return *reader.error;
  return job;
}

std::string Job::variable(std::string_view key) const {
  for (auto it = variables.rbegin(); it != variables.rend(); ++it) {
    if (it->key == key) return it->value;
  }
  return "";
}

bool Job::has_variable(std::string_view key) const {
  for (const auto& v : variables) {
    if (v.key == key) return true;
  }
  return false;
}

std::vector<std::string> Job::masked_values() const {
  std::vector<std::string> out;
  for (const auto& v : variables) {
    if (v.masked && !v.value.empty()) out.push_back(v.value);
  }
  return out;
}

std::string Job::expand(std::string_view text) const {
  return go_expand(text, [this](std::string_view key) {
    if (key == "$") return std::string("$");  // Variables.Get: `$$` is a dollar
    return variable(key);
  });
}

std::string file_variable_path(std::string_view project_dir, std::string_view key) {
  std::string out(project_dir);
  out += ".tmp/";
  out += key;
  return out;
}

}  // namespace kexsim::executor
