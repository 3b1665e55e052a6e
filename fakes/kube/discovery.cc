#include "fakes/kube/discovery.h"

#include <nlohmann/json.hpp>

#include "fakes/kube/store.h"

namespace kexsim::fakes {
namespace {

using ojson = nlohmann::ordered_json;

ojson group_entry(const std::string& group) {
  const ojson version = {{"groupVersion", group + "/v1"}, {"version", "v1"}};
  return {{"name", group}, {"versions", ojson::array({version})}, {"preferredVersion", version}};
}

ojson resource_entry(const ResourceType& t) {
  ojson e = {{"name", t.resource},
             {"singularName", t.singular},
             {"namespaced", t.namespaced},
             {"kind", t.kind},
             {"verbs", t.verbs}};
  if (!t.short_names.empty()) e["shortNames"] = t.short_names;
  if (t.resource == "pods") e["categories"] = {"all"};
  return e;
}

ojson subresource_entry(const std::string& name, const std::string& kind, const std::vector<std::string>& verbs) {
  return {{"name", name}, {"singularName", ""}, {"namespaced", true}, {"kind", kind}, {"verbs", verbs}};
}

}  // namespace

std::string version_document(const VersionInfo& version) {
  const ojson doc = {{"major", version.major},
                     {"minor", version.minor},
                     {"gitVersion", version.git_version},
                     {"gitCommit", "0c5b6b9e7c5f8d7e0f0a1b2c3d4e5f6a7b8c9d0e"},
                     {"gitTreeState", "clean"},
                     {"buildDate", "2025-04-22T00:00:00Z"},
                     {"goVersion", "go1.24.2"},
                     {"compiler", "gc"},
                     {"platform", "linux/amd64"}};
  return doc.dump();
}

std::string api_versions_document() {
  const ojson doc = {{"kind", "APIVersions"},
                     {"versions", {"v1"}},
                     {"serverAddressByClientCIDRs",
                      ojson::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "kubernetes.default.svc:443"}}})}};
  return doc.dump();
}

std::string api_group_list_document() {
  ojson groups = ojson::array();
  std::string last;
  for (const ResourceType& t : served_resources()) {
    if (t.group.empty() || t.group == last) continue;
    groups.push_back(group_entry(t.group));
    last = t.group;
  }
  const ojson doc = {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
  return doc.dump();
}

std::optional<std::string> api_resource_list_document(const std::string& group_version) {
  ojson resources = ojson::array();
  for (const ResourceType& t : served_resources()) {
    if (t.api_version() != group_version) continue;
    resources.push_back(resource_entry(t));
    if (t.resource == "pods") {
      resources.push_back(subresource_entry("pods/attach", "PodAttachOptions", {"create", "get"}));
      // The Eviction subresource, of group policy (kubectl drain's CheckEvictionSupport looks for it).
      ojson eviction = subresource_entry("pods/eviction", "Eviction", {"create"});
      eviction["group"] = "policy";
      eviction["version"] = "v1";
      resources.push_back(eviction);
      resources.push_back(subresource_entry("pods/exec", "PodExecOptions", {"create", "get"}));
      resources.push_back(subresource_entry("pods/log", "Pod", {"get"}));
    }
  }
  if (resources.empty()) return std::nullopt;
  const ojson doc = {
      {"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group_version}, {"resources", resources}};
  return doc.dump();
}

}  // namespace kexsim::fakes
