#pragma once
// The admission chain a pod create passes before it is stored, in the API server's plugin order:
// LimitRanger defaults (mutating), then LimitRanger, PodSecurity, validating webhooks and
// ResourceQuota (validating; after name generation, so messages name the generated pod).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/kube/admission_webhooks.h"
#include "fakes/kube/status.h"
#include "fakes/kube/store.h"

namespace kexsim::fakes {

/// What admission answers a pod create: a refusal or not, and the warnings sent with the answer.
struct AdmissionOutcome {
  std::optional<ApiStatus> rejected;
  std::vector<std::string> warnings;  ///< texts for `Warning: 299 - "<text>"` headers
};

/// The pod admission plugins, reading ResourceQuotas, LimitRanges and namespace labels from the store.
class PodAdmission {
 public:
  /// The release whose wording and checks apply (Kubernetes minor version, e.g. 33).
  void set_minor(int minor) { minor_ = minor; }
  /// The scenario's validating webhooks, called in order.
  void set_webhooks(std::vector<WebhookSpec> webhooks) { webhooks_ = std::move(webhooks); }

  /// Runs the chain on a pod about to be stored in ns (named, defaulted; mutated in place).
  /// `pods` are the pods already in ns, as a GET shows them.
  AdmissionOutcome admit(const Store& store, const std::string& ns, nlohmann::json& pod,
                         const std::vector<nlohmann::json>& pods) const;

 private:
  int minor_ = 33;
  std::vector<WebhookSpec> webhooks_;
};

/// The HTTP Warning header value for a warning text: `299 - "<text>"`, quoted as Go's strconv.Quote.
std::string warning_header(const std::string& text);

}  // namespace kexsim::fakes
