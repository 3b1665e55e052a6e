#include "sim/scenario.h"
#include "sim/scenario_containers.h"
#include "sim/scenario_disruption.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "base/files.h"
#include "executor/config.h"
#include "executor/profile.h"
#include "base/toml_reader.h"
#include "fakes/kube/quantity.h"
#include "sim/scenario_cluster_extras.h"
#include "sim/scenario_git.h"
#include "sim/scenario_images.h"
#include "sim/scenario_services.h"
#include "sim/scenario_jobs.h"
#include "sim/scenario_payload.h"
#include "sim/scenario_admission.h"
#include "sim/scenario_faults.h"
#include "sim/scenario_fields.h"

namespace kexsim::sim {
namespace {

using kexsim::TomlContext;
using kexsim::TomlTable;
using nlohmann::json;

const char kHint[] = "see docs/scenarios.md for the scenario format";
const char kRbacGroup[] = "rbac.authorization.k8s.io";

// [runner]: the host name, and config.toml embedded verbatim.
void read_runner(TomlTable& root, const std::string& text, Scenario& s) {
  if (!root.require("runner", "add a [runner] table with config = '''<your config.toml>'''")) return;
  const toml::table* table = root.table("runner");
  if (!table) return;
  TomlTable t(*table, "runner", root.context());
  t.get("hostname", s.runner_hostname);
  read_runner_host(t, s);
  get_required(t, "config", s.runner_config, "paste your config.toml into config = '''...'''");
  t.reject_unread();
  if (t.context().failed()) return;

  // toml++ gives the line of the opening quotes; a newline right after ''' or """ is dropped, so
  // config.toml's first line is then the next scenario line.
  const auto begin = table->get("config")->source().begin;
  std::istringstream lines(text);
  std::string line;
  for (uint32_t i = 0; i < begin.line && std::getline(lines, line);) ++i;
  std::string rest = begin.column >= 1 && begin.column - 1 <= line.size() ? line.substr(begin.column - 1) : "";
  bool multi_line = rest.rfind("'''", 0) == 0 || rest.rfind("\"\"\"", 0) == 0;
  bool newline_dropped = multi_line && (rest.size() == 3 || rest.substr(3) == "\r");
  s.runner_config_line = static_cast<int>(begin.line) + (newline_dropped ? 1 : 0);
}

// `kubernetes: user:` of an image or service: "uid[:gid]" or an integer, as .gitlab-ci.yml takes it.
void read_kubernetes_user(TomlTable& t, std::string_view key, std::string& out, bool& is_int) {
  const toml::node* n = t.node(key);
  if (!n) return;
  if (const auto* i = n->as_integer()) {
    out = std::to_string(i->get());
    is_int = true;
  } else if (const auto* str = n->as_string()) {
    out = str->get();
  } else {
    t.context().fail_type(*n, t.path(key), "a user id such as \"1000\" or \"1000:1000\" (or an integer)");
  }
}

std::vector<fakes::JobService> read_job_services(TomlTable& job) {
  std::vector<fakes::JobService> out;
  const toml::node* n = job.node("services");
  if (!n) return out;
  if (!n->is_array()) {
    job.context().fail_type(*n, job.path("services"), "an array");
    return out;
  }
  size_t i = 0;
  for (const toml::node& e : *n->as_array()) {
    std::string where = job.path("services") + "[" + std::to_string(i++) + "]";
    fakes::JobService service;
    if (e.is_string()) {
      service.name = e.as_string()->get();
    } else if (e.is_table()) {
      TomlTable t(*e.as_table(), job.path("services"), job.context());
      get_required(t, "name", service.name, "a service needs the image name: { name = \"docker:dind\" }");
      t.get("alias", service.alias);
      t.get("command", service.command);
      t.get("entrypoint", service.entrypoint);
      t.get("variables", service.variables);
      read_kubernetes_user(t, "user", service.user, service.user_is_int);
      t.reject_unread();
    } else {
      job.context().fail_type(e, where, "an image name or { name = \"...\", alias = \"...\" }");
    }
    out.push_back(std::move(service));
  }
  return out;
}

std::vector<fakes::JobVariable> read_variables(TomlTable& job) {
  std::vector<fakes::JobVariable> out;
  const toml::table* table = job.table("variables");
  if (!table) return out;
  for (const auto& [key, node] : kexsim::in_file_order(*table)) {
    fakes::JobVariable var;
    var.key = std::string(key->str());
    std::string where = job.path("variables") + "." + var.key;
    if (node->is_string()) {
      var.value = node->as_string()->get();
    } else if (node->is_table()) {
      TomlTable t(*node->as_table(), where, job.context());
      t.require("value", "write { value = \"...\", masked = true }");
      t.get("value", var.value);
      t.get("masked", var.masked);
      t.get("public", var.is_public);
      t.get("file", var.file);
      t.get("raw", var.raw);
      t.reject_unread();
    } else {
      job.context().fail_type(*node, where, "a string or { value = \"...\", masked = true }");
    }
    out.push_back(std::move(var));
  }
  return out;
}

fakes::JobDefinition read_job(TomlTable& t) {
  fakes::JobDefinition job;
  t.get("name", job.name);
  t.get("stage", job.stage);
  t.get("project", job.project);
  t.get("project_id", job.project_id);
  t.get("ref", job.ref);
  if (t.get("sha", job.sha)) {
    bool hex = job.sha.size() == 40 && std::all_of(job.sha.begin(), job.sha.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
    if (!hex)
      t.context().fail(t.raw().get("sha")->source(), t.path("sha") + ": expected 40 lowercase hexadecimal digits",
                       kHint);
  }
  get_non_negative(t, "depth", job.depth);
  if (get_non_negative(t, "timeout", job.timeout_seconds) && job.timeout_seconds == 0)
    t.context().fail(t.raw().get("timeout")->source(), t.path("timeout") + ": expected seconds > 0", kHint);
  t.get("image", job.image);
  read_kubernetes_user(t, "image_user", job.image_user, job.image_user_is_int);
  if (!job.image_user.empty() && job.image.empty())
    t.context().fail(t.raw().get("image_user")->source(),
                     t.path("image_user") + ": needs the job's image (image: {name, kubernetes: {user}})", kHint);
  job.services = read_job_services(t);
  t.require("script", "a job needs script = ['...'], as in .gitlab-ci.yml");
  t.get("script", job.script);
  t.get("after_script", job.after_script);
  t.get("release_script", job.release_script);
  if (const toml::table* hooks = t.table("hooks")) {
    TomlTable h(*hooks, t.path("hooks"), t.context());
    h.get("pre_get_sources_script", job.pre_get_sources_hook);
    h.get("post_get_sources_script", job.post_get_sources_hook);
    h.reject_unread();
  }
  job.variables = read_variables(t);
  for (const toml::table* entry : t.tables("credentials")) {
    TomlTable c(*entry, t.path("credentials"), t.context());
    fakes::JobCredential credential;
    c.get("type", credential.type);
    c.get("url", credential.url);
    c.get("username", credential.username);
    c.get("password", credential.password);
    c.reject_unread();
    job.credentials.push_back(std::move(credential));
  }
  t.get("failure_reasons", job.failure_reasons);
  t.get("trace_sections", job.trace_sections);
  double cancel_after = 0;
  if (get_non_negative(t, "cancel_after_seconds", cancel_after))
    job.cancel_after_ms = static_cast<int64_t>(std::llround(cancel_after * 1000));
  if (const toml::table* cancel = t.table("cancel")) {
    TomlTable c(*cancel, t.path("cancel"), t.context());
    if (c.require("after_seconds", "cancel = { after_seconds = 20, mode = \"graceful\" }") &&
        get_non_negative(c, "after_seconds", cancel_after))
      job.cancel_after_ms = static_cast<int64_t>(std::llround(cancel_after * 1000));
    std::string mode = "graceful";
    get_one_of(c, "mode", mode, {"graceful", "force"});
    job.cancel_graceful = mode == "graceful";
    c.reject_unread();
  }
  read_job_payload(t, job);
  t.reject_unread();
  return job;
}

// [gitlab] and its [[gitlab.jobs]].
void read_gitlab(TomlTable& root, Scenario& s) {
  const toml::table* table = root.table("gitlab");
  if (table) {
    TomlTable t(*table, "gitlab", root.context());
    t.get("url", s.gitlab_url);
    read_gitlab_tokens(t, s);
    read_git_projects(t, s);
    for (const toml::table* entry : t.tables("jobs")) {
      TomlTable job(*entry, "gitlab.jobs", root.context());
      const int copies = read_job_copies(job);
      const fakes::JobDefinition definition = read_job(job);
      s.jobs.insert(s.jobs.end(), static_cast<size_t>(copies), definition);
    }
    read_repository_sizes(t, s);
    t.reject_unread();
  }
  if (s.jobs.empty() && !root.context().failed()) {
    root.context().fail(table ? table->source() : root.raw().source(), "at least one [[gitlab.jobs]] is required",
                        "add a job: [[gitlab.jobs]] with image = \"...\" and script = ['...']");
  }
}

/// One rule of a Role or ClusterRole, as the scenario writes it.
struct RoleRule {
  std::vector<std::string> api_groups, resources, verbs, resource_names;
};

json rules_json(TomlTable& t) {
  json rules = json::array();
  for (const toml::table* entry : t.tables("rules")) {
    TomlTable r(*entry, t.path("rules"), t.context());
    RoleRule rule;
    rule.api_groups = {""};  // the core group, where everything the runner touches lives
    r.get("api_groups", rule.api_groups);
    r.get("resources", rule.resources);
    r.require("verbs", "a rule needs verbs, e.g. verbs = [\"get\", \"create\"]");
    r.get("verbs", rule.verbs);
    r.get("resource_names", rule.resource_names);
    r.reject_unread();
    json j = {{"apiGroups", rule.api_groups}, {"resources", rule.resources}, {"verbs", rule.verbs}};
    if (!rule.resource_names.empty()) j["resourceNames"] = rule.resource_names;
    rules.push_back(std::move(j));
  }
  return rules;
}

json metadata(const std::string& name, const std::string& ns) {
  json m = {{"name", name}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

json role_json(TomlTable& t, const char* kind, bool namespaced) {
  std::string name, ns;
  get_required(t, "name", name, "give the role a name");
  if (namespaced) get_required(t, "namespace", ns, "a Role lives in a namespace");
  json role = {{"apiVersion", std::string(kRbacGroup) + "/v1"},
               {"kind", kind},
               {"metadata", metadata(name, ns)},
               {"rules", rules_json(t)}};
  t.reject_unread();
  return role;
}

json binding_json(TomlTable& t, const char* kind, bool namespaced) {
  std::string name, ns, role;
  std::string role_kind = namespaced ? "Role" : "ClusterRole";
  get_required(t, "name", name, "give the binding a name");
  if (namespaced) get_required(t, "namespace", ns, "a RoleBinding lives in a namespace");
  get_required(t, "role", role, "name the Role or ClusterRole to bind");
  get_one_of(t, "role_kind", role_kind,
             namespaced ? std::vector<std::string>{"Role", "ClusterRole"} : std::vector<std::string>{"ClusterRole"});
  json subjects = json::array();
  for (const toml::table* entry : t.tables("subjects")) {
    TomlTable sub(*entry, t.path("subjects"), t.context());
    std::string subject_kind, subject_name, subject_ns;
    sub.require("kind", "kind is ServiceAccount, User or Group");
    get_one_of(sub, "kind", subject_kind, {"ServiceAccount", "User", "Group"});
    get_required(sub, "name", subject_name, "name the subject");
    sub.get("namespace", subject_ns);
    sub.reject_unread();
    json j = {{"kind", subject_kind}, {"name", subject_name}};
    if (subject_kind == "ServiceAccount") {
      if (subject_ns.empty()) subject_ns = ns;
      if (subject_ns.empty())
        t.context().fail(entry->source(), sub.prefix() + ": a ServiceAccount subject needs a namespace", kHint);
      j["namespace"] = subject_ns;
    } else {
      j["apiGroup"] = kRbacGroup;
    }
    subjects.push_back(std::move(j));
  }
  t.reject_unread();
  return {{"apiVersion", std::string(kRbacGroup) + "/v1"},
          {"kind", kind},
          {"metadata", metadata(name, ns)},
          {"roleRef", {{"apiGroup", kRbacGroup}, {"kind", role_kind}, {"name", role}}},
          {"subjects", subjects}};
}

void read_commands(TomlTable& cluster, Scenario& s) {
  const toml::table* table = cluster.table("commands");
  if (!table) return;
  for (const auto& [key, node] : kexsim::in_file_order(*table)) {
    std::string name(key->str());
    if (!node->is_table()) {
      cluster.context().fail_type(*node, cluster.path("commands") + "." + name, "a table");
      return;
    }
    TomlTable t(*node->as_table(), cluster.path("commands") + "." + name, cluster.context());
    fakes::CommandSpec spec;
    t.get("stdout", spec.stdout_text);
    t.get("stderr", spec.stderr_text);
    t.get("exit_code", spec.exit_code);
    double seconds = 0;
    if (get_non_negative(t, "seconds", seconds))
      spec.duration = Duration(static_cast<int64_t>(std::llround(seconds * 1e6)));
    read_command_memory(t, spec);
    t.reject_unread();
    s.commands[name] = spec;
  }
}

// A table of resource quantities (cpu = "500m", pods = 110), each checked as the API server parses it.
void read_quantities(TomlTable& t, std::string_view key, std::map<std::string, std::string>& out) {
  const toml::table* table = t.table(key);
  if (!table) return;
  for (const auto& [k, node] : kexsim::in_file_order(*table)) {
    const std::string name(k->str());
    const std::string at = t.path(key) + "." + name;
    std::string text;
    if (auto v = node->value<std::string>())
      text = *v;
    else if (auto i = node->as_integer())
      text = std::to_string(i->get());
    else {
      t.context().fail_type(*node, at, "a quantity such as \"500m\", \"4Gi\" or 110");
      return;
    }
    auto q = fakes::Quantity::parse(text);
    if (!q.ok()) {
      t.context().fail(node->source(), at + ": " + q.error().message, q.error().hint);
      return;
    }
    out[name] = text;
  }
}

// The node keys [[cluster.nodes]] and [[cluster.autoscaler]] share: labels, taints, resources, platform.
void read_node_keys(TomlTable& t, fakes::NodeSpec& node) {
  t.get("labels", node.labels);
  for (const toml::table* entry : t.tables("taints")) {
    TomlTable taint(*entry, t.path("taints"), t.context());
    fakes::Taint x;
    get_required(taint, "key", x.key, "a taint is {key = \"dedicated\", value = \"ci\", effect = \"NoSchedule\"}");
    taint.get("value", x.value);
    x.effect = "NoSchedule";
    get_one_of(taint, "effect", x.effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"});
    taint.reject_unread();
    node.taints.push_back(x);
  }
  read_quantities(t, "capacity", node.capacity);
  read_quantities(t, "allocatable", node.allocatable);
  read_quantities(t, "used", node.used);
  t.get("arch", node.arch);
  t.get("os", node.os);
  get_non_negative(t, "kubelet_serving_cert_seconds", node.kubelet_serving_cert_seconds);
}

// "1.29", "v1.29" or "v1.29.3": the minor, for releases whose wording the simulation knows (1.22-1.35).
void read_kubernetes_version(TomlTable& t, Scenario& s) {
  std::string v;
  if (!t.get("kubernetes_version", v)) return;
  std::string rest = v.rfind('v', 0) == 0 ? v.substr(1) : v;
  int minor = -1;
  if (rest.rfind("1.", 0) == 0) {
    const std::string tail = rest.substr(2);
    const size_t dot = tail.find('.');
    const std::string digits = tail.substr(0, dot);
    bool ok = !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
    if (ok && dot != std::string::npos)
      ok = tail.size() > dot + 1 && tail.find_first_not_of("0123456789", dot + 1) == std::string::npos;
    if (ok) minor = std::atoi(digits.c_str());
  }
  if (minor < 22 || minor > 35) {
    t.context().fail(
        t.raw().get("kubernetes_version")->source(),
        t.path("kubernetes_version") + ": expected a release from 1.22 to 1.35 such as \"1.29\", got \"" + v + "\"",
        kHint);
    return;
  }
  s.kubernetes_version = v;
  s.kubernetes_minor = minor;
}

// [[cluster.nodes]] and [[cluster.autoscaler]].
void read_nodes(TomlTable& t, Scenario& s) {
  for (const toml::table* entry : t.tables("nodes")) {
    TomlTable n(*entry, t.path("nodes"), t.context());
    fakes::NodeSpec node;
    get_required(n, "name", node.name, "name the node, e.g. name = \"node-2\"");
    read_node_keys(n, node);
    n.get("ready", node.ready);
    n.get("unschedulable", node.unschedulable);
    n.reject_unread();
    for (const auto& other : s.nodes)
      if (!node.name.empty() && other.name == node.name)
        t.context().fail(entry->source(), t.path("nodes") + ": node \"" + node.name + "\" is declared twice", kHint);
    s.nodes.push_back(std::move(node));
  }
  for (const toml::table* entry : t.tables("autoscaler")) {
    TomlTable a(*entry, t.path("autoscaler"), t.context());
    fakes::NodeGroup group;
    get_required(a, "node_group", group.name, "name the node group, e.g. node_group = \"ci-pool\"");
    double seconds = 60;
    get_non_negative(a, "scale_up_seconds", seconds);
    group.scale_up = Duration(static_cast<int64_t>(std::llround(seconds * 1e6)));
    int max_size = 1;
    if (a.get("max_size", max_size)) {
      if (max_size < 1)
        a.context().fail(a.raw().get("max_size")->source(), a.path("max_size") + ": expected a value >= 1", kHint);
      group.max_size = max_size;
    }
    read_node_keys(a, group.node);
    a.reject_unread();
    s.node_groups.push_back(std::move(group));
  }
}

// [cluster]: namespaces, identities and RBAC, pod timings, commands and DNS records.
void read_cluster(TomlTable& root, Scenario& s) {
  const toml::table* table = root.table("cluster");
  if (!table) return;
  TomlTable t(*table, "cluster", root.context());
  t.get("namespaces", s.namespaces);
  t.get("runner_identity", s.runner_identity);
  get_non_negative(t, "pod_pending_seconds", s.pod_pending_seconds);
  t.get("pod_never_starts", s.pod_never_starts);
  t.get("anonymous_auth", s.anonymous_auth);
  read_kubernetes_version(t, s);
  read_nodes(t, s);
  read_images(t, s);
  read_cluster_extras(t, s);
  for (const toml::table* entry : t.tables("service_accounts")) {
    TomlTable sa(*entry, t.path("service_accounts"), t.context());
    std::string name, ns;
    get_required(sa, "name", name, "name the service account");
    get_required(sa, "namespace", ns, "a ServiceAccount lives in a namespace");
    sa.reject_unread();
    s.cluster_objects.push_back({{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", metadata(name, ns)}});
  }
  for (const toml::table* entry : t.tables("roles")) {
    TomlTable r(*entry, t.path("roles"), t.context());
    s.cluster_objects.push_back(role_json(r, "Role", true));
  }
  for (const toml::table* entry : t.tables("role_bindings")) {
    TomlTable b(*entry, t.path("role_bindings"), t.context());
    s.cluster_objects.push_back(binding_json(b, "RoleBinding", true));
  }
  for (const toml::table* entry : t.tables("cluster_roles")) {
    TomlTable r(*entry, t.path("cluster_roles"), t.context());
    s.cluster_objects.push_back(role_json(r, "ClusterRole", false));
  }
  for (const toml::table* entry : t.tables("cluster_role_bindings")) {
    TomlTable b(*entry, t.path("cluster_role_bindings"), t.context());
    s.cluster_objects.push_back(binding_json(b, "ClusterRoleBinding", false));
  }
  read_commands(t, s);
  read_container_keys(t, s);
  read_disruption_keys(t, s);
  t.get("dns", s.cluster_dns);
  read_admission(t, s);
  read_services(t, s);
  t.reject_unread();
}

void read_view(TomlTable& network, std::string_view key, NetworkView& view) {
  const toml::table* table = network.table(key);
  if (!table) return;
  TomlTable t(*table, network.path(key), network.context());
  t.get("dns", view.dns);
  t.get("unreachable", view.unreachable);
  t.get("refused", view.refused);
  t.get("timeout", view.timeout);
  t.reject_unread();
}

// [network]: the hosts that exist, and what the runner host and pods see of them.
void read_network(TomlTable& root, Scenario& s) {
  const toml::table* table = root.table("network");
  if (!table) return;
  TomlTable t(*table, "network", root.context());
  for (const toml::table* entry : t.tables("hosts")) {
    TomlTable h(*entry, t.path("hosts"), t.context());
    NetworkHost host;
    get_required(h, "name", host.name, "name the host as the field does, e.g. \"gitlab.mylab.com\"");
    get_one_of(h, "serves", host.serves, {"gitlab", "kubernetes", ""});
    h.get("address", host.address);
    if (h.get("port", host.port) && (host.port < 1 || host.port > 65535))
      h.context().fail(entry->get("port")->source(), h.path("port") + ": expected 1 to 65535", kHint);
    get_one_of(h, "tls", host.tls, {"ok", "reset", "untrusted", "wrong-name", "expired", "none"});
    h.reject_unread();
    s.hosts.push_back(std::move(host));
  }
  read_view(t, "runner", s.runner_view);
  read_view(t, "pod", s.pod_view);
  t.reject_unread();
}

// [expect]: what the run must show.
void read_expect(TomlTable& root, Scenario& s) {
  const toml::table* table = root.table("expect");
  if (!table) return;
  TomlTable t(*table, "expect", root.context());
  Expectations& e = s.expect;
  get_one_of(t, "status", e.status, {"success", "failed", "canceled"});
  get_one_of(
      t, "failure_reason", e.failure_reason,
      {"script_failure", "runner_system_failure", "job_execution_timeout", "image_pull_failure", "unknown_failure",
       "runner_configuration_error", "runner_external_dependency_failure", "runner_interrupted", "job_canceled"});
  t.get("exit_code", e.exit_code);
  t.get("log_contains", e.log_contains);
  t.get("log_not_contains", e.log_not_contains);
  t.get("log_contains_text", e.log_contains_text);
  t.get("api_calls_contain", e.api_calls_contain);
  t.get("gitlab_calls_contain", e.gitlab_calls_contain);
  get_non_negative(t, "leftover_pods", e.leftover_pods);
  get_non_negative(t, "leftover_secrets", e.leftover_secrets);
  get_non_negative(t, "min_virtual_seconds", e.min_virtual_seconds);
  get_non_negative(t, "max_virtual_seconds", e.max_virtual_seconds);
  read_job_expectations(t, e);
  t.reject_unread();
}

}  // namespace

Result<Scenario> parse_scenario(const std::string& text, const std::string& path) {
  auto doc = kexsim::parse_toml(text, path, 0, "scenario files are TOML; " + std::string(kHint));
  if (!doc.ok()) return doc.error();
  TomlContext ctx(path, 0, kHint);
  TomlTable root(*doc, "", ctx);

  Scenario s;
  s.path = path;
  s.group = std::filesystem::path(path).parent_path().filename().string();
  get_required(root, "name", s.name, "every scenario starts with name = \"what-it-shows\"");
  root.get("reproduces", s.reproduces);
  root.get("cause", s.cause);
  root.get("fix", s.fix);
  root.get("description", s.description);
  get_one_of(root, "profile", s.profile, executor::offered_profile_names());
  int64_t seed = 1;
  if (get_non_negative(root, "seed", seed)) s.seed = static_cast<uint64_t>(seed);
  read_runner(root, text, s);
  read_gitlab(root, s);
  read_cluster(root, s);
  read_network(root, s);
  read_faults(root, s);
  read_expect(root, s);
  root.reject_unread();
  if (ctx.failed()) return ctx.error();

  // The embedded config.toml is validated as the runner will read it, with positions in this file.
  auto config = executor::parse_config(s.runner_config, path, s.runner_config_line - 1);
  if (!config.ok()) return config.error();
  if (config->runners.empty()) {
    return make_error("runner.config: config.toml has no [[runners]] entry",
                      "add a [[runners]] entry with url, token and executor = \"kubernetes\"",
                      ctx.where(doc->at_path("runner.config").node()->source().begin));
  }
  s.config = std::move(*config);
  if (s.gitlab_url.empty()) s.gitlab_url = s.config.runners.front().url;
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  auto text = read_file(path);
  if (!text) return make_error("cannot read scenario file: " + text.error().message, "check the scenario path", path);
  return parse_scenario(*text, path);
}

std::vector<std::string> list_scenarios(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) {
    if (fs::path(dir).extension() == ".toml") out.push_back(dir);
    return out;
  }
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".toml") out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kexsim::sim
