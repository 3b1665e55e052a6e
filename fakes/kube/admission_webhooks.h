#pragma once
// Validating admission webhooks a scenario declares: which pods a webhook denies (a rule on pod
// fields) and with what message, or how calling it fails (timeout, refused, no endpoints) under
// failurePolicy Fail or Ignore. Wording of apiserver pkg/admission/plugin/webhook/errors/statuserror.go
// (ToStatusErr) and pkg/util/webhook/error.go (ErrCallingWebhook).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/status.h"

namespace kexsim::fakes {

/// One webhook of a ValidatingWebhookConfiguration, and what its server does with a pod create.
struct WebhookSpec {
  std::string name;           ///< webhooks[].name, e.g. "validation.gatekeeper.sh"
  std::string configuration;  ///< the ValidatingWebhookConfiguration's name ("" = the webhook's name)
  std::string service_namespace = "default";
  std::string service_name = "webhook";
  std::string path = "/";
  int port = 443;
  int timeout_seconds = 10;
  bool fail_open = false;               ///< failurePolicy Ignore (default Fail)
  std::vector<std::string> namespaces;  ///< only pods in these namespaces are sent (empty: all)
  /// Pod rules that make the server deny: "privileged", "allow_privilege_escalation" (not set to
  /// false), "host_path", "run_as_root" (runAsNonRoot not true), "latest_tag".
  std::vector<std::string> deny;
  /// The deny message; {container}, {volume} or {image} give one line per offender, joined by "\n".
  std::string message;
  int code = 403;                       ///< status.code the server answers a denial with
  std::string reason = "Forbidden";     ///< status.reason it sends ("" for none)
  std::string failure;                  ///< "" (answers) | "timeout" | "refused" | "no-endpoints"
  std::string address = "10.96.0.100";  ///< the service's ClusterIP, for "refused"
};

/// The first webhook's refusal of the pod, as the API server returns it, or nothing. `minor` picks
/// the call-failure wording (1.22 has no "failed to call webhook: " layer).
std::optional<ApiStatus> call_webhooks(const std::vector<WebhookSpec>& webhooks, const std::string& ns,
                                       const nlohmann::json& pod, int minor);

/// The ValidatingWebhookConfiguration objects that declare the webhooks (one per configuration name).
std::vector<nlohmann::json> webhook_configurations(const std::vector<WebhookSpec>& webhooks);

}  // namespace kexsim::fakes
