#include "fakes/faults/connection_faults.h"

namespace kexsim::fakes {

ConnectionFaults::ConnectionFaults(Clock& clock, const std::vector<FaultRule>& rules, Observer observer)
    : clock_(clock), observer_(std::move(observer)), start_(clock.now()) {
  std::map<std::string, std::vector<FaultRule>> by_wire;
  for (const FaultRule& rule : rules)
    if (is_connection_fault(rule)) by_wire[rule.wire].push_back(rule);
  for (auto& [wire, list] : by_wire) matchers_.emplace(wire, FaultMatcher(std::move(list)));
}

DialVerdict ConnectionFaults::on_dial(const std::string& wire, const std::string& address, int port) {
  auto it = matchers_.find(wire);
  if (it == matchers_.end()) return DialVerdict::kConnect;
  // A connection has no request yet: the rules match on nothing but the count and the window.
  HttpRequest dial;
  dial.method = "CONNECT";
  dial.target = dial.path = address + ":" + std::to_string(port);
  const FaultRule* rule = it->second.match(dial, clock_.now() - start_);
  if (!rule) return DialVerdict::kConnect;
  if (observer_) observer_(wire, dial, rule->refuse ? "refused" : "tls-alert");
  return rule->refuse ? DialVerdict::kRefuse : DialVerdict::kTlsAlert;
}

}  // namespace kexsim::fakes
