#include "sim/scenario_admission.h"

#include <algorithm>

#include "fakes/kube/quantity.h"
#include "sim/scenario_fields.h"

namespace kexsim::sim {
namespace {

using nlohmann::json;

const char kAdmissionHint[] = "see docs/scenarios.md, section \"Admission\"";

std::string quoted_list(const std::vector<std::string>& allowed) {
  std::string out;
  for (size_t i = 0; i < allowed.size(); ++i) out += (i ? ", " : "") + ("\"" + allowed[i] + "\"");
  return out;
}

void get_admission_choice(TomlTable& t, std::string_view key, std::string& out,
                          const std::vector<std::string>& allowed) {
  std::string value;
  if (!t.get(key, value)) return;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    t.context().fail(t.raw().get(key)->source(),
                     t.path(key) + ": expected one of " + quoted_list(allowed) + ", got \"" + value + "\"",
                     kAdmissionHint);
    return;
  }
  out = value;
}

// A table of quantities (cpu = "500m", pods = 10) as a Kubernetes ResourceList, each checked as the
// API server parses it.
json quantities(TomlTable& t, std::string_view key) {
  json out = json::object();
  const toml::table* table = t.table(key);
  if (!table) return out;
  for (const auto& [k, node] : kexsim::in_file_order(*table)) {
    const std::string name(k->str());
    const std::string at = t.path(key) + "." + name;
    std::string text;
    if (auto v = node->value<std::string>())
      text = *v;
    else if (auto i = node->as_integer())
      text = std::to_string(i->get());
    else {
      t.context().fail_type(*node, at, "a quantity such as \"500m\", \"4Gi\" or 10");
      return out;
    }
    auto q = fakes::Quantity::parse(text);
    if (!q.ok()) {
      t.context().fail(node->source(), at + ": " + q.error().message, q.error().hint);
      return out;
    }
    out[name] = text;
  }
  return out;
}

json object_meta(const std::string& name, const std::string& ns) { return {{"name", name}, {"namespace", ns}}; }

void read_namespace_labels(TomlTable& cluster, Scenario& s) {
  const toml::table* table = cluster.table("namespace_labels");
  if (!table) return;
  for (const auto& [key, node] : kexsim::in_file_order(*table)) {
    const std::string ns(key->str());
    if (!node->is_table()) {
      cluster.context().fail_type(*node, cluster.path("namespace_labels") + "." + ns, "a table of labels");
      return;
    }
    json labels = {{"kubernetes.io/metadata.name", ns}};
    for (const auto& [label, value] : kexsim::in_file_order(*node->as_table())) {
      auto v = value->value<std::string>();
      if (!v) {
        cluster.context().fail_type(
            *value, cluster.path("namespace_labels") + "." + ns + "." + std::string(label->str()), "a string");
        return;
      }
      labels[std::string(label->str())] = *v;
    }
    s.cluster_objects.push_back({{"apiVersion", "v1"},
                                 {"kind", "Namespace"},
                                 {"metadata", {{"name", ns}, {"labels", labels}}},
                                 {"spec", {{"finalizers", {"kubernetes"}}}},
                                 {"status", {{"phase", "Active"}}}});
  }
}

void read_pods(TomlTable& cluster, Scenario& s) {
  for (const toml::table* entry : cluster.tables("pods")) {
    TomlTable p(*entry, cluster.path("pods"), cluster.context());
    std::string name, ns, image = "registry.example.com/team/app:1.0";
    get_required(p, "name", name, "name the pod");
    get_required(p, "namespace", ns, "a pod lives in a namespace");
    p.get("image", image);
    json resources = json::object();
    const json requests = quantities(p, "requests");
    const json limits = quantities(p, "limits");
    if (!requests.empty()) resources["requests"] = requests;
    if (!limits.empty()) resources["limits"] = limits;
    p.reject_unread();
    json container = {{"name", "app"}, {"image", image}};
    if (!resources.empty()) container["resources"] = resources;
    s.cluster_objects.push_back({{"apiVersion", "v1"},
                                 {"kind", "Pod"},
                                 {"metadata", object_meta(name, ns)},
                                 {"spec", {{"containers", {container}}}}});
  }
}

void read_limit_ranges(TomlTable& cluster, Scenario& s) {
  for (const toml::table* entry : cluster.tables("limit_ranges")) {
    TomlTable r(*entry, cluster.path("limit_ranges"), cluster.context());
    std::string name, ns;
    get_required(r, "name", name, "name the LimitRange");
    get_required(r, "namespace", ns, "a LimitRange lives in a namespace");
    json items = json::array();
    r.require("limits", "add [[cluster.limit_ranges.limits]] with type = \"Container\" and max, min or default");
    for (const toml::table* li : r.tables("limits")) {
      TomlTable l(*li, r.path("limits"), r.context());
      std::string type = "Container";
      get_admission_choice(l, "type", type, {"Container", "Pod"});
      json item = {{"type", type}};
      for (const auto& [key, field] : {std::pair<const char*, const char*>{"max", "max"},
                                       {"min", "min"},
                                       {"default", "default"},
                                       {"default_request", "defaultRequest"},
                                       {"max_limit_request_ratio", "maxLimitRequestRatio"}}) {
        json list = quantities(l, key);
        if (!list.empty()) item[field] = list;
      }
      l.reject_unread();
      items.push_back(item);
    }
    r.reject_unread();
    s.cluster_objects.push_back({{"apiVersion", "v1"},
                                 {"kind", "LimitRange"},
                                 {"metadata", object_meta(name, ns)},
                                 {"spec", {{"limits", items}}}});
  }
}

void read_quotas(TomlTable& cluster, Scenario& s) {
  for (const toml::table* entry : cluster.tables("resource_quotas")) {
    TomlTable q(*entry, cluster.path("resource_quotas"), cluster.context());
    std::string name, ns;
    get_required(q, "name", name, "name the ResourceQuota");
    get_required(q, "namespace", ns, "a ResourceQuota lives in a namespace");
    q.require("hard", "add hard = { \"requests.cpu\" = \"4\", \"limits.memory\" = \"8Gi\" }");
    const json hard = quantities(q, "hard");
    q.reject_unread();
    s.cluster_objects.push_back({{"apiVersion", "v1"},
                                 {"kind", "ResourceQuota"},
                                 {"metadata", object_meta(name, ns)},
                                 {"spec", {{"hard", hard}}}});
  }
}

void read_webhooks(TomlTable& cluster, Scenario& s) {
  static const std::vector<std::string> kRules = {"privileged", "allow_privilege_escalation", "host_path",
                                                  "run_as_root", "latest_tag"};
  for (const toml::table* entry : cluster.tables("webhooks")) {
    TomlTable t(*entry, cluster.path("webhooks"), cluster.context());
    fakes::WebhookSpec w;
    get_required(t, "name", w.name, "name the webhook as its configuration does, e.g. \"validation.gatekeeper.sh\"");
    t.get("configuration", w.configuration);
    std::string service;
    if (t.get("service", service)) {
      const size_t slash = service.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == service.size()) {
        t.context().fail(t.raw().get("service")->source(),
                         t.path("service") + ": expected \"<namespace>/<name>\", got \"" + service + "\"",
                         kAdmissionHint);
      } else {
        w.service_namespace = service.substr(0, slash);
        w.service_name = service.substr(slash + 1);
      }
    }
    t.get("path", w.path);
    t.get("port", w.port);
    t.get("timeout_seconds", w.timeout_seconds);
    std::string policy = "Fail";
    get_admission_choice(t, "failure_policy", policy, {"Fail", "Ignore"});
    w.fail_open = policy == "Ignore";
    t.get("namespaces", w.namespaces);
    if (t.get("deny", w.deny))
      for (const std::string& rule : w.deny)
        if (std::find(kRules.begin(), kRules.end(), rule) == kRules.end())
          t.context().fail(t.raw().get("deny")->source(),
                           t.path("deny") + ": expected rules from " + quoted_list(kRules) + ", got \"" + rule + "\"",
                           kAdmissionHint);
    t.get("message", w.message);
    t.get("code", w.code);
    t.get("reason", w.reason);
    get_admission_choice(t, "failure", w.failure, {"timeout", "refused", "no-endpoints"});
    t.get("address", w.address);
    if (w.deny.empty() && w.failure.empty())
      t.context().fail(entry->source(),
                       cluster.path("webhooks") + ": webhook \"" + w.name + "\" neither denies nor fails",
                       "give deny = [\"privileged\", ...] with a message, or failure = \"timeout\"");
    t.reject_unread();
    s.webhooks.push_back(std::move(w));
  }
}

}  // namespace

void read_admission(TomlTable& cluster, Scenario& s) {
  // Seeded in this order: labelled namespaces, the pods already running, then the policies that
  // judge new pods (a quota seeded before the pods would judge them too).
  read_namespace_labels(cluster, s);
  read_pods(cluster, s);
  read_limit_ranges(cluster, s);
  read_quotas(cluster, s);
  read_webhooks(cluster, s);
}

}  // namespace kexsim::sim
