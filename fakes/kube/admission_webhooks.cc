#include "fakes/kube/admission_webhooks.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/json_fields.h"
#include "fakes/kube/admission_resources.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using json_fields::member;
using json_fields::text;

bool latest(const std::string& image) {
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  if (image.find('@') != std::string::npos) return false;
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return true;
  return image.substr(colon + 1) == "latest";
}

// What one rule finds in the pod: the offending names, or nothing.
std::vector<std::string> offenders(const std::string& rule, const json& pod, std::string& placeholder) {
  std::vector<std::string> out;
  if (rule == "host_path") {
    placeholder = "{volume}";
    const json& volumes = member(member(pod, "spec"), "volumes");
    if (volumes.is_array())
      for (const json& v : volumes)
        if (v.contains("hostPath")) out.push_back(text(v, "name"));
    return out;
  }
  placeholder = rule == "latest_tag" ? "{image}" : "{container}";
  const json& pod_sc = member(member(pod, "spec"), "securityContext");
  for (const json* c : pod_containers(pod)) {
    const json& sc = member(*c, "securityContext");
    bool bad = false;
    if (rule == "privileged") bad = member(sc, "privileged") == true;
    if (rule == "allow_privilege_escalation") bad = member(sc, "allowPrivilegeEscalation") != false;
    if (rule == "run_as_root") bad = member(sc, "runAsNonRoot") != true && member(pod_sc, "runAsNonRoot") != true;
    if (rule == "latest_tag") bad = latest(text(*c, "image"));
    if (bad) out.push_back(rule == "latest_tag" ? text(*c, "image") : text(*c, "name"));
  }
  return out;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// The server's message when it denies (the template once, or once per offender), or nothing.
std::optional<std::string> deny_message(const WebhookSpec& w, const json& pod) {
  std::vector<std::string> lines;
  bool denied = false;
  for (const std::string& rule : w.deny) {
    std::string placeholder;
    const std::vector<std::string> found = offenders(rule, pod, placeholder);
    if (found.empty()) continue;
    denied = true;
    if (w.message.find(placeholder) == std::string::npos) {
      if (std::find(lines.begin(), lines.end(), w.message) == lines.end()) lines.push_back(w.message);
      continue;
    }
    for (const std::string& name : found) lines.push_back(replace(w.message, placeholder, name));
  }
  if (!denied) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

std::string url(const WebhookSpec& w) {
  // client-go adds the webhook's timeout as ?timeout=<Duration>.
  return "https://" + w.service_name + "." + w.service_namespace + ".svc:" + std::to_string(w.port) + w.path +
         "?timeout=" + std::to_string(w.timeout_seconds) + "s";
}

std::string call_error(const WebhookSpec& w) {
  // Go net/url/url.go Error.Error: fmt.Sprintf("%s %q: %s", e.Op, e.URL, e.Err), the Op of client-go's POST.
  const std::string post = "Post \"" + url(w) + "\": ";
  if (w.failure == "refused")
    return post + "dial tcp " + w.address + ":" + std::to_string(w.port) + ": connect: connection refused";
  if (w.failure == "no-endpoints") return post + "no endpoints available for service \"" + w.service_name + "\"";
  return post + "context deadline exceeded";
}

}  // namespace

std::optional<ApiStatus> call_webhooks(const std::vector<WebhookSpec>& webhooks, const std::string& ns, const json& pod,
                                       int minor, Duration* waited) {
  for (const WebhookSpec& w : webhooks) {
    if (!w.namespaces.empty() && std::find(w.namespaces.begin(), w.namespaces.end(), ns) == w.namespaces.end())
      continue;
    if (!w.failure.empty()) {
      if (w.failure == "timeout" && waited) *waited += std::chrono::seconds(w.timeout_seconds);
      // failurePolicy Ignore fails open: the create goes on without a word to the client.
      if (w.fail_open) continue;
      // apiserver pkg/admission/plugin/webhook/errors/errors.go ErrCallingWebhook.Error: "failed calling webhook %q:
      // %v"; validating/dispatcher.go callHook wraps the call's error "failed to call webhook: %w" from 1.23.
      const std::string reason = minor >= 23 ? "failed to call webhook: " + call_error(w) : call_error(w);
      return status_internal_error("failed calling webhook \"" + w.name + "\": " + reason);
    }
    const std::optional<std::string> message = deny_message(w, pod);
    if (!message) continue;
    // ToStatusErr: code raised to 400, status Failure, the message prefixed with who denied it.
    const std::string denied_by = "admission webhook \"" + w.name + "\" denied the request";
    std::string full = denied_by + " without explanation";
    if (!message->empty())
      full = denied_by + ": " + *message;
    else if (!w.reason.empty())
      full = denied_by + ": " + w.reason;
    return status_failure(std::max(w.code, 400), w.reason, full);
  }
  return std::nullopt;
}

std::vector<json> webhook_configurations(const std::vector<WebhookSpec>& webhooks) {
  std::map<std::string, json> by_name;
  std::vector<std::string> order;
  for (const WebhookSpec& w : webhooks) {
    const std::string name = w.configuration.empty() ? w.name : w.configuration;
    if (!by_name.count(name)) {
      order.push_back(name);
      by_name[name] = {{"apiVersion", "admissionregistration.k8s.io/v1"},
                       {"kind", "ValidatingWebhookConfiguration"},
                       {"metadata", {{"name", name}}},
                       {"webhooks", json::array()}};
    }
    json hook = {
        {"name", w.name},
        {"clientConfig",
         {{"service",
           {{"namespace", w.service_namespace}, {"name", w.service_name}, {"path", w.path}, {"port", w.port}}}}},
        {"rules",
         {{{"apiGroups", {""}},
           {"apiVersions", {"v1"}},
           {"operations", {"CREATE"}},
           {"resources", {"pods"}},
           {"scope", "*"}}}},
        {"failurePolicy", w.fail_open ? "Ignore" : "Fail"},
        {"matchPolicy", "Equivalent"},
        {"sideEffects", "None"},
        {"timeoutSeconds", w.timeout_seconds},
        {"admissionReviewVersions", {"v1"}}};
    if (!w.namespaces.empty())
      hook["namespaceSelector"] = {
          {"matchExpressions",
           {{{"key", "kubernetes.io/metadata.name"}, {"operator", "In"}, {"values", w.namespaces}}}}};
    by_name[name]["webhooks"].push_back(hook);
  }
  std::vector<json> out;
  for (const std::string& name : order) out.push_back(by_name[name]);
  return out;
}

}  // namespace kexsim::fakes
