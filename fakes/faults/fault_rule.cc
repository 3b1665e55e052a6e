#include "fakes/faults/fault_rule.h"

#include <cctype>
#include <chrono>

namespace kexsim::fakes {
namespace {

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool query_true(const HttpRequest& r, const std::string& key) {
  const std::string v = r.query_value(key);
  return v == "true" || v == "1";
}

}  // namespace

bool is_connection_fault(const FaultRule& rule) { return rule.refuse || rule.tls_alert; }

KubeRequestKind kube_request_kind(const HttpRequest& request) {
  // apiserver RequestInfoFactory: /api/v1/... or /apis/<group>/<version>/..., then
  // [namespaces/<ns>/]<resource>[/<name>[/<subresource>]].
  std::vector<std::string> s = path_segments(request.path);
  size_t i;
  if (s.size() >= 2 && s[0] == "api")
    i = 2;
  else if (s.size() >= 3 && s[0] == "apis")
    i = 3;
  else
    return {};
  if (s.size() >= i + 3 && s[i] == "namespaces") i += 2;  // namespaced; "namespaces/<ns>" alone is a namespace
  if (s.size() <= i) return {};
  KubeRequestKind kind;
  kind.resource = s[i];
  const bool named = s.size() > i + 1;
  if (s.size() > i + 2) kind.resource += "/" + s[i + 2];
  const std::string& m = request.method;
  if (m == "GET")
    kind.verb = !named ? (query_true(request, "watch") ? "watch" : "list") : "get";
  else if (m == "POST")
    kind.verb = "create";
  else if (m == "PUT")
    kind.verb = "update";
  else if (m == "PATCH")
    kind.verb = "patch";
  else if (m == "DELETE")
    kind.verb = named ? "delete" : "deletecollection";
  else
    for (char c : m) kind.verb += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kind;
}

bool path_glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return path.empty();
  if (pattern.substr(0, 2) == "**") {
    for (size_t k = 0; k <= path.size(); ++k)
      if (path_glob_match(pattern.substr(2), path.substr(k))) return true;
    return false;
  }
  if (pattern[0] == '*') {
    for (size_t k = 0; k <= path.size(); ++k) {
      if (path_glob_match(pattern.substr(1), path.substr(k))) return true;
      if (k < path.size() && path[k] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (pattern[0] != '?' && pattern[0] != path[0]) return false;
  if (pattern[0] == '?' && path[0] == '/') return false;
  return path_glob_match(pattern.substr(1), path.substr(1));
}

FaultMatcher::FaultMatcher(std::vector<FaultRule> rules) : rules_(std::move(rules)), seen_(rules_.size(), 0) {}

const FaultRule* FaultMatcher::match(const HttpRequest& request, Duration elapsed) {
  const double at = std::chrono::duration<double>(elapsed).count();
  const FaultRule* hit = nullptr;
  std::optional<KubeRequestKind> kind;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const FaultRule& r = rules_[i];
    if (!r.method.empty() && r.method != request.method) continue;
    if (!r.path.empty() && !path_glob_match(r.path, request.path)) continue;
    if (!r.verb.empty() || !r.resource.empty()) {
      if (!kind) kind = kube_request_kind(request);
      if (!r.verb.empty() && r.verb != kind->verb) continue;
      if (!r.resource.empty() && r.resource != kind->resource) continue;
    }
    if (r.after_seconds && at < *r.after_seconds) continue;
    if (r.until_seconds && at >= *r.until_seconds) continue;
    const int n = ++seen_[i];
    if (!hit && n >= r.nth && n < r.nth + r.count) hit = &r;
  }
  return hit;
}

}  // namespace kexsim::fakes
