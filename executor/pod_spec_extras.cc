#include "executor/pod_spec_extras.h"

#include <chrono>

#include "base/toml_reader.h"
#include "executor/config.h"
#include "executor/release_features.h"
#include "executor/stage_timeouts.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

// common/consts.go KubernetesCleanupResourcesTimeout.
constexpr Duration kDefaultCleanupResourcesTimeout = std::chrono::minutes(5);
// common/consts.go KubernetesResourceAvailabilityCheckMaxAttempts.
constexpr int kDefaultResourceAvailabilityCheckMaxAttempts = 5;

// A sub-table reader: each function reads one Go struct of common/config.go into the API's JSON.
using ExtraReader = json (*)(TomlTable&);

json read_sub_table(TomlTable& parent, std::string_view key, ExtraReader reader) {
  const toml::table* raw = parent.table(key);
  if (!raw) return nullptr;
  TomlTable t(*raw, parent.path(key), parent.context());
  json out = reader(t);
  warn_unknown_sub_keys(t);
  return out;
}

json read_sub_tables(TomlTable& parent, std::string_view key, ExtraReader reader) {
  json out = json::array();
  for (const toml::table* raw : parent.tables(key)) {
    TomlTable t(*raw, parent.path(key), parent.context());
    out.push_back(reader(t));
    warn_unknown_sub_keys(t);
  }
  return out;
}

void put_strings(TomlTable& t, std::string_view key, json& out, const char* field) {
  std::vector<std::string> v;
  if (t.get(key, v) && !v.empty()) out[field] = v;
}

// NodeSelectorRequirement (also the LabelSelector's expressions): key and operator always, values omitempty.
json requirement(TomlTable& t) {
  std::string key, op;
  t.get("key", key);
  t.get("operator", op);
  json out = {{"key", key}, {"operator", op}};
  put_strings(t, "values", out, "values");
  return out;
}

json node_selector_term(TomlTable& t) {
  json out = json::object();
  if (json e = read_sub_tables(t, "match_expressions", requirement); !e.empty()) out["matchExpressions"] = e;
  if (json f = read_sub_tables(t, "match_fields", requirement); !f.empty()) out["matchFields"] = f;
  return out;
}

json node_selector(TomlTable& t) {
  return {{"nodeSelectorTerms", read_sub_tables(t, "node_selector_terms", node_selector_term)}};
}

json preferred_scheduling_term(TomlTable& t) {
  int64_t weight = 0;
  t.get("weight", weight);
  json preference = read_sub_table(t, "preference", node_selector_term);
  return {{"weight", weight}, {"preference", preference.is_null() ? json::object() : preference}};
}

json node_affinity(TomlTable& t) {
  json out = json::object();
  if (json r = read_sub_table(t, "required_during_scheduling_ignored_during_execution", node_selector); !r.is_null())
    out["requiredDuringSchedulingIgnoredDuringExecution"] = r;
  if (json p = read_sub_tables(t, "preferred_during_scheduling_ignored_during_execution", preferred_scheduling_term);
      !p.empty())
    out["preferredDuringSchedulingIgnoredDuringExecution"] = p;
  return out;
}

json read_label_selector(TomlTable& t) {
  json out = json::object();
  std::map<std::string, std::string> labels;
  if (t.get("match_labels", labels) && !labels.empty()) out["matchLabels"] = labels;
  if (json e = read_sub_tables(t, "match_expressions", requirement); !e.empty()) out["matchExpressions"] = e;
  return out;
}

json pod_affinity_term(TomlTable& t) {
  json out = json::object();
  if (json s = read_sub_table(t, "label_selector", read_label_selector); !s.is_null()) out["labelSelector"] = s;
  put_strings(t, "namespaces", out, "namespaces");
  std::string topology_key;
  t.get("topology_key", topology_key);
  out["topologyKey"] = topology_key;
  if (json s = read_sub_table(t, "namespace_selector", read_label_selector); !s.is_null()) out["namespaceSelector"] = s;
  put_strings(t, "match_label_keys", out, "matchLabelKeys");
  put_strings(t, "mismatch_label_keys", out, "mismatchLabelKeys");
  return out;
}

json weighted_pod_affinity_term(TomlTable& t) {
  int64_t weight = 0;
  t.get("weight", weight);
  json term = read_sub_table(t, "pod_affinity_term", pod_affinity_term);
  return {{"weight", weight}, {"podAffinityTerm", term.is_null() ? json{{"topologyKey", ""}} : term}};
}

json pod_affinity(TomlTable& t) {
  json out = json::object();
  if (json r = read_sub_tables(t, "required_during_scheduling_ignored_during_execution", pod_affinity_term); !r.empty())
    out["requiredDuringSchedulingIgnoredDuringExecution"] = r;
  if (json p = read_sub_tables(t, "preferred_during_scheduling_ignored_during_execution", weighted_pod_affinity_term);
      !p.empty())
    out["preferredDuringSchedulingIgnoredDuringExecution"] = p;
  return out;
}

json affinity(TomlTable& t) {
  json out = json::object();
  if (json n = read_sub_table(t, "node_affinity", node_affinity); !n.is_null()) out["nodeAffinity"] = n;
  if (json p = read_sub_table(t, "pod_affinity", pod_affinity); !p.is_null()) out["podAffinity"] = p;
  if (json a = read_sub_table(t, "pod_anti_affinity", pod_affinity); !a.is_null()) out["podAntiAffinity"] = a;
  return out;
}

// KubernetesLifecycleHandler.ToKubernetesLifecycleHandler.
json http_header(TomlTable& t) {
  std::string name, value;
  t.get("name", name);
  t.get("value", value);
  return {{"name", name}, {"value", value}};
}

json exec_action(TomlTable& t) {
  json out = json::object();
  put_strings(t, "command", out, "command");
  return out;
}

json http_get(TomlTable& t) {
  std::string host, path, scheme;
  int64_t port = 0;
  t.get("host", host);
  t.get("path", path);
  t.get("port", port);
  t.get("scheme", scheme);
  json out = {{"port", port}};
  if (!host.empty()) out["host"] = host;
  if (!path.empty()) out["path"] = path;
  if (!scheme.empty()) out["scheme"] = scheme;
  if (json h = read_sub_tables(t, "http_headers", http_header); !h.empty()) out["httpHeaders"] = h;
  return out;
}

json tcp_socket(TomlTable& t) {
  std::string host;
  int64_t port = 0;
  t.get("host", host);
  t.get("port", port);
  json out = {{"port", port}};
  if (!host.empty()) out["host"] = host;
  return out;
}

json lifecycle_handler(TomlTable& t) {
  json out = json::object();
  if (json e = read_sub_table(t, "exec", exec_action); !e.is_null()) out["exec"] = e;
  if (json h = read_sub_table(t, "http_get", http_get); !h.is_null()) out["httpGet"] = h;
  if (json s = read_sub_table(t, "tcp_socket", tcp_socket); !s.is_null()) out["tcpSocket"] = s;
  return out;
}

json lifecycle(TomlTable& t) {
  json out = json::object();
  if (json p = read_sub_table(t, "post_start", lifecycle_handler); !p.is_null()) out["postStart"] = p;
  if (json p = read_sub_table(t, "pre_stop", lifecycle_handler); !p.is_null()) out["preStop"] = p;
  return out;
}

void read_dns_config(TomlTable& k8s, PodExtrasConfig& out) {
  const toml::table* raw = k8s.table("dns_config");
  if (!raw) return;
  TomlTable t(*raw, k8s.path("dns_config"), k8s.context());
  t.get("nameservers", out.dns_nameservers);
  t.get("searches", out.dns_searches);
  for (const toml::table* o : t.tables("options")) {
    TomlTable ot(*o, t.path("options"), t.context());
    DnsOptionConfig option;
    ot.get("name", option.name);
    ot.get("value", option.value);
    warn_unknown_sub_keys(ot);
    out.dns_options.push_back(std::move(option));
  }
  warn_unknown_sub_keys(t);
}

// A Go time.Duration in TOML: a duration string ("5m") or an integer of nanoseconds.
void read_duration(TomlTable& k8s, std::string_view key, std::optional<Duration>& out) {
  const toml::node* n = k8s.node(key);
  if (!n) return;
  if (n->is_integer()) {
    out = std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(n->as_integer()->get()));
    return;
  }
  std::string text;
  if (!n->is_string() || !(out = parse_go_duration(*n->value<std::string>())))
    k8s.context().fail_type(*n, k8s.path(key), "a duration such as \"5m\" or \"1h30m\"");
}

// Drops the keys a release does not know from an affinity object (any depth).
void erase_keys(json& j, const std::vector<std::string>& keys) {
  if (j.is_object()) {
    for (const auto& k : keys) j.erase(k);
    for (auto& v : j) erase_keys(v, keys);
  } else if (j.is_array()) {
    for (auto& v : j) erase_keys(v, keys);
  }
}

}  // namespace

void warn_unknown_sub_keys(TomlTable& t) {
  for (const auto& [key, node] : t.unread()) {
    const std::string name(key->str());
    t.context().warn(key->source(), unknown_key_message(t.path(name), name, t.declared()));
  }
}

void read_pod_extras(TomlTable& k8s, PodExtrasConfig& out) {
  k8s.get("dns_policy", out.dns_policy);
  read_dns_config(k8s, out);
  if (json a = read_sub_table(k8s, "affinity", affinity); !a.is_null()) out.affinity = a;
  out.lifecycle = read_sub_table(k8s, "container_lifecycle", lifecycle);
  k8s.get("scheduler_name", out.scheduler_name);
  k8s.get("priority_class_name", out.priority_class_name);
  k8s.get("runtime_class_name", out.runtime_class_name);
  k8s.get("helper_image_flavor", out.helper_image_flavor);
  k8s.get("scripts_base_dir", out.scripts_base_dir);
  k8s.get("logs_base_dir", out.logs_base_dir);
  read_duration(k8s, "cleanup_resources_timeout", out.cleanup_resources_timeout);
  // GetResourceAvailabilityCheckMaxAttempts: a negative value means the default.
  if (k8s.get("resource_availability_check_max_attempts", out.resource_availability_check_max_attempts) &&
      out.resource_availability_check_max_attempts < 0)
    out.resource_availability_check_max_attempts = kDefaultResourceAvailabilityCheckMaxAttempts;
}

std::string dns_policy_value(const std::string& v) {
  if (v.empty() || v == "cluster-first") return "ClusterFirst";
  if (v == "none") return "None";
  if (v == "default") return "Default";
  if (v == "cluster-first-with-host-net") return "ClusterFirstWithHostNet";
  return "";
}

std::optional<std::string> dns_policy_warning(const KubernetesConfig& kube) {
  const std::string& v = kube.extras.dns_policy;
  if (!dns_policy_value(v).empty()) return std::nullopt;
  // kubernetes.go getDNSPolicy, common/config.go KubernetesDNSPolicy.Get ("%q" of the value).
  return "falling back to cluster's default policy: unsupported kubernetes-dns-policy: " + json(v).dump();
}

void apply_pod_extras(const KubernetesConfig& kube, Profile profile, json& spec) {
  const PodExtrasConfig& x = kube.extras;
  // preparePodConfig: Affinity is never nil, DNSPolicy is "" only for an unknown value.
  json affinity = x.affinity;
  if (!affinity_match_label_keys(profile)) erase_keys(affinity, {"matchLabelKeys", "mismatchLabelKeys"});
  spec["affinity"] = affinity;
  if (const std::string policy = dns_policy_value(x.dns_policy); !policy.empty()) spec["dnsPolicy"] = policy;
  // GetDNSConfig: nil when all three lists are empty.
  if (!x.dns_nameservers.empty() || !x.dns_searches.empty() || !x.dns_options.empty()) {
    json dns = json::object();
    if (!x.dns_nameservers.empty()) dns["nameservers"] = x.dns_nameservers;
    if (!x.dns_searches.empty()) dns["searches"] = x.dns_searches;
    if (!x.dns_options.empty()) {
      dns["options"] = json::array();
      for (const auto& o : x.dns_options) {
        json option = json::object();
        if (!o.name.empty()) option["name"] = o.name;
        if (o.value) option["value"] = *o.value;
        dns["options"].push_back(option);
      }
    }
    spec["dnsConfig"] = dns;
  }
  if (has_scheduler_name(profile) && !x.scheduler_name.empty()) spec["schedulerName"] = x.scheduler_name;
  if (has_priority_class_name(profile) && !x.priority_class_name.empty())
    spec["priorityClassName"] = x.priority_class_name;
  if (has_runtime_class_name(profile) && x.runtime_class_name) spec["runtimeClassName"] = *x.runtime_class_name;
}

json container_lifecycle(const KubernetesConfig& kube, Profile profile) {
  // prepareLifecycleHooks: nil unless post_start or pre_stop is set.
  if (!container_lifecycle_hooks(profile) || !kube.extras.lifecycle.is_object() || kube.extras.lifecycle.empty())
    return nullptr;
  return kube.extras.lifecycle;
}

Duration cleanup_resources_timeout(const KubernetesConfig& kube, Profile profile) {
  const auto& t = kube.extras.cleanup_resources_timeout;
  if (!has_cleanup_resources_timeout(profile) || !t || t->count() <= 0) return kDefaultCleanupResourcesTimeout;
  return *t;
}

std::string helper_flavor_prefix(const KubernetesConfig& kube, Profile profile) {
  const std::string& f = kube.extras.helper_image_flavor;
  // helperimage/linux_info.go Create: alpine (the default) is not written into the tag.
  if (!helper_image_flavors(profile) || f.empty() || f == "alpine") return "";
  return f + "-";
}

}  // namespace kexsim::executor
