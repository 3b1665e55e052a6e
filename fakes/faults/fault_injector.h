#pragma once
// An HttpHandler in front of a fake that answers the requests a FaultRule hits in the fake's place:
// a Kubernetes Status or a GitLab error body. The fake never sees a faulted request.

#include <functional>
#include <vector>

#include "base/clock.h"
#include "fakes/faults/fault_rule.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// The answer a rule gives on its wire: a real apiserver Status for "kubernetes", the rule's body
/// for "gitlab", a connection reset, or no answer at all (black_hole). 429 and 504 without a message get apiserver's
/// own wording.
HttpResponse fault_response(const FaultRule& rule);

/// Wraps the handler of one wire. Deterministic: a rule hits by call count and virtual time only.
class FaultInjector : public HttpHandler {
 public:
  /// Told about every faulted request with what the client saw, for the fake's call log: the status
  /// ("503"), "reset", "black-hole", or, when the fake itself answered (its own line comes first),
  /// "delayed 5s", "dropped after 512 bytes" or "dropped after 30s".
  using FaultObserver = std::function<void(const HttpRequest&, const std::string& verdict)>;

  /// The window of every rule counts from now. Connection-level rules (refuse, tls_alert) belong to
  /// ConnectionFaults, not here.
  FaultInjector(Clock& clock, HttpHandler& inner, std::vector<FaultRule> rules, FaultObserver observer);

  HttpResponse handle(const HttpRequest& request) override;

 private:
  Clock& clock_;
  HttpHandler& inner_;
  FaultMatcher matcher_;
  FaultObserver observer_;
  TimePoint start_;
};

}  // namespace kexsim::fakes
