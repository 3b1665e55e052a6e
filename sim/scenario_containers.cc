#include "sim/scenario_containers.h"

#include <string>

#include "fakes/kube/quantity.h"

namespace kexsim::sim {
namespace {

// A byte quantity ("3Gi", "1536Mi", 1073741824) at key; false (with the loader's error) when invalid.
bool get_bytes(TomlTable& t, const toml::node& node, const std::string& at, uint64_t& out) {
  std::string text;
  if (auto v = node.value<std::string>()) {
    text = *v;
  } else if (auto i = node.as_integer()) {
    text = std::to_string(i->get());
  } else {
    t.context().fail_type(node, at, "a quantity such as \"3Gi\" or \"512Mi\"");
    return false;
  }
  auto q = fakes::Quantity::parse(text);
  if (!q.ok()) {
    t.context().fail(node.source(), at + ": " + q.error().message, q.error().hint);
    return false;
  }
  if (q.value().value() < 0) {
    t.context().fail(node.source(), at + ": expected a size >= 0", "write a size such as \"3Gi\"");
    return false;
  }
  out = static_cast<uint64_t>(q.value().value());
  return true;
}

}  // namespace

void read_container_keys(TomlTable& t, Scenario& s) {
  int64_t cgroup = s.cgroup_version;
  if (t.get("cgroup_version", cgroup)) {
    if (cgroup != 1 && cgroup != 2)
      t.context().fail(t.raw().get("cgroup_version")->source(), t.path("cgroup_version") + ": expected 1 or 2",
                       "cgroup_version is the nodes' cgroup hierarchy: 1 (legacy) or 2 (unified, the default)");
    s.cgroup_version = static_cast<int>(cgroup);
  }
  t.get("single_process_oom_kill", s.single_process_oom_kill);
  int64_t deadline = 0;
  if (t.get("run_once_active_deadline_seconds", deadline)) {
    if (deadline <= 0)
      t.context().fail(t.raw().get("run_once_active_deadline_seconds")->source(),
                       t.path("run_once_active_deadline_seconds") + ": expected a number of seconds > 0",
                       "RunOnceDurationOverride only accepts a positive activeDeadlineSeconds");
    s.run_once_deadline = deadline;
  }
  if (const toml::table* sandbox = t.table("sandbox_failure")) {
    TomlTable f(*sandbox, t.path("sandbox_failure"), t.context());
    fakes::SandboxFailure failure;
    f.require("plugin", "name the CNI plugin's type, e.g. plugin = \"aws-cni\"");
    f.require("error",
              "give the plugin's error, e.g. error = \"add cmd: failed to assign an IP address to container\"");
    f.get("plugin", failure.plugin);
    f.get("plugin_name", failure.plugin_name);
    f.get("error", failure.error);
    f.reject_unread();
    s.sandbox_failure = std::move(failure);
  }
  for (const toml::table* entry : t.tables("secrets")) {
    TomlTable secret(*entry, t.path("secrets"), t.context());
    std::string name, ns, type = "Opaque";
    std::map<std::string, std::string> data;
    secret.require("name", "name the Secret, e.g. name = \"db-creds\"");
    secret.require("namespace", "a Secret lives in a namespace");
    secret.get("name", name);
    secret.get("namespace", ns);
    secret.get("type", type);
    secret.get("string_data", data);
    secret.reject_unread();
    nlohmann::json string_data = nlohmann::json::object();
    for (const auto& [key, value] : data) string_data[key] = value;
    s.cluster_objects.push_back({{"apiVersion", "v1"},
                                 {"kind", "Secret"},
                                 {"metadata", {{"name", name}, {"namespace", ns}}},
                                 {"type", type},
                                 {"stringData", string_data}});
  }
}

void read_repository_sizes(TomlTable& t, Scenario& s) {
  const toml::table* table = t.table("repository_sizes");
  if (!table) return;
  for (const auto& [key, node] : kexsim::in_file_order(*table)) {
    const std::string project(key->str());
    uint64_t bytes = 0;
    if (get_bytes(t, *node, t.path("repository_sizes") + "." + project, bytes)) s.repository_sizes[project] = bytes;
  }
}

void read_command_memory(TomlTable& t, fakes::CommandSpec& spec) {
  const toml::node* node = t.node("memory");
  if (!node) return;
  uint64_t bytes = 0;
  if (get_bytes(t, *node, t.path("memory"), bytes)) spec.memory_bytes = bytes;
}

}  // namespace kexsim::sim
