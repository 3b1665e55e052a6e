#include "fakes/kube/strategy.h"

#include <set>
#include <string>
#include <vector>

#include "base/base64.h"
#include "base/json_fields.h"
#include "fakes/kube/quantity.h"

namespace kexsim::fakes {
namespace {

using json_fields::text;
using nlohmann::json;

const char* kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
// The double space is in apimachinery's message too.
const char* kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_label(const std::string& s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-') return false;
  return true;
}

bool is_subdomain(const std::string& s) {
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!is_label(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// apimachinery IsDNS1123Subdomain / IsDNS1123Label messages for one name.
std::vector<std::string> name_problems(const std::string& name, bool label) {
  std::vector<std::string> out;
  const size_t limit = label ? 63 : 253;
  if (name.size() > limit) out.push_back("must be no more than " + std::to_string(limit) + " characters");
  if (!(label ? is_label(name) : is_subdomain(name))) out.push_back(label ? kLabelMessage : kSubdomainMessage);
  return out;
}

FieldCause required(const std::string& field, const std::string& detail = {}) {
  return {"FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail, field};
}

FieldCause invalid(const std::string& field, const std::string& value, const std::string& detail) {
  return {"FieldValueInvalid", "Invalid value: " + json(value).dump() + ": " + detail, field};
}

void validate_meta(const ResourceType& type, const json& meta, std::vector<FieldCause>& causes) {
  // Namespaces are DNS labels; the RBAC kinds accept any path segment; the rest are DNS subdomains.
  const bool rbac = type.group == "rbac.authorization.k8s.io";
  const bool label = type.resource == "namespaces";
  const std::string generate = text(meta, "generateName");
  const std::string name = text(meta, "name");
  if (!generate.empty() && !rbac) {
    std::string prefix = generate;
    if (prefix.back() == '-') prefix.pop_back();
    if (!prefix.empty())
      for (const auto& p : name_problems(prefix, label))
        causes.push_back(invalid("metadata.generateName", generate, p));
  }
  if (name.empty()) {
    causes.push_back(required("metadata.name", "name or generateName is required"));
    return;
  }
  if (rbac) {
    if (name == "." || name == ".." || name.find_first_of("/%") != std::string::npos)
      causes.push_back(invalid("metadata.name", name, "may not contain '/' or '%'"));
    return;
  }
  for (const auto& p : name_problems(name, label)) causes.push_back(invalid("metadata.name", name, p));
}

void validate_containers(const json& spec, const char* list, bool required_list, std::vector<FieldCause>& causes,
                         std::set<std::string>& seen) {
  const std::string base = std::string("spec.") + list;
  if (!spec.is_object() || !spec.contains(list) || !spec[list].is_array() || spec[list].empty()) {
    if (required_list) causes.push_back(required(base));
    return;
  }
  for (size_t i = 0; i < spec[list].size(); ++i) {
    const json& c = spec[list][i];
    const std::string at = base + "[" + std::to_string(i) + "]";
    const std::string name = text(c, "name");
    if (name.empty())
      causes.push_back(required(at + ".name"));
    else if (!seen.insert(name).second)
      causes.push_back({"FieldValueDuplicate", "Duplicate value: " + json(name).dump(), at + ".name"});
    else
      for (const auto& p : name_problems(name, true)) causes.push_back(invalid(at + ".name", name, p));
    if (text(c, "image").empty()) causes.push_back(required(at + ".image"));
  }
}

std::string pull_policy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  const size_t colon = image.rfind(':');
  const bool tagged = colon != std::string::npos && image.find('/', colon) == std::string::npos;
  return !tagged || image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void default_container(json& c) {
  if (!c.is_object()) return;
  if (!c.contains("terminationMessagePath")) c["terminationMessagePath"] = "/dev/termination-log";
  if (!c.contains("terminationMessagePolicy")) c["terminationMessagePolicy"] = "File";
  if (!c.contains("imagePullPolicy")) c["imagePullPolicy"] = pull_policy(text(c, "image"));
  if (!c.contains("resources")) c["resources"] = json::object();
  // Quantities are stored in their canonical form (a request of "0.5" reads back as "500m").
  if (!c["resources"].is_object()) return;
  for (const char* part : {"limits", "requests"}) {
    auto it = c["resources"].find(part);
    if (it == c["resources"].end() || !it->is_object()) continue;
    json& list = *it;
    for (auto& [name, value] : list.items()) {
      if (!value.is_string()) continue;
      if (auto q = Quantity::parse(value.get<std::string>()); q.ok()) value = q->to_string();
    }
  }
}

void default_pod(json& pod) {
  json& spec = pod["spec"];
  if (!spec.is_object()) spec = json::object();
  const std::pair<const char*, json> defaults[] = {{"restartPolicy", "Always"},
                                                   {"terminationGracePeriodSeconds", 30},
                                                   {"dnsPolicy", "ClusterFirst"},
                                                   {"securityContext", json::object()},
                                                   {"schedulerName", "default-scheduler"},
                                                   {"serviceAccountName", "default"},
                                                   {"enableServiceLinks", true},
                                                   {"priority", 0},
                                                   {"preemptionPolicy", "PreemptLowerPriority"}};
  for (const auto& [key, value] : defaults)
    if (!spec.contains(key)) spec[key] = value;
  spec["serviceAccount"] = spec["serviceAccountName"];
  for (const char* list : {"containers", "initContainers"})
    if (spec.contains(list) && spec[list].is_array())
      for (auto& c : spec[list]) default_container(c);
  pod["status"] = {{"phase", "Pending"}};
}

void default_secret(json& secret) {
  if (text(secret, "type").empty()) secret["type"] = "Opaque";
  if (!secret.contains("stringData")) return;
  if (secret["stringData"].is_object()) {
    json& data = secret["data"];
    if (!data.is_object()) data = json::object();
    for (const auto& [key, value] : secret["stringData"].items())
      if (value.is_string()) data[key] = base64_encode(value.get<std::string>());
  }
  secret.erase("stringData");
}

void default_namespace(json& ns) {
  json& labels = ns["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  labels["kubernetes.io/metadata.name"] = ns["metadata"]["name"];
  ns["spec"] = {{"finalizers", {"kubernetes"}}};
  ns["status"] = {{"phase", "Active"}};
}

}  // namespace

void apply_create_defaults(const ResourceType& type, json& object) {
  if (type.resource == "pods") default_pod(object);
  if (type.resource == "secrets") default_secret(object);
  if (type.resource == "namespaces") default_namespace(object);
}

std::optional<ApiStatus> validate_create(const ResourceType& type, const json& object) {
  std::vector<FieldCause> causes;
  const json& meta = object.contains("metadata") ? object["metadata"] : json();
  validate_meta(type, meta, causes);
  if (type.resource == "pods") {
    const json& spec = object.contains("spec") ? object["spec"] : json();
    std::set<std::string> seen;
    validate_containers(spec, "containers", true, causes, seen);
    validate_containers(spec, "initContainers", false, causes, seen);
  }
  if (causes.empty()) return std::nullopt;
  return status_invalid(type.group, type.kind, text(meta, "name"), causes);
}

}  // namespace kexsim::fakes
