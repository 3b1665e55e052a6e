#pragma once
// The ordered record of requests the fake API server answered, for scenario expectations and digests.

#include <string>
#include <vector>

namespace kexsim::fakes {

/// One line per request: "<METHOD> <target> <status> <user>" (target exactly as received).
class CallLog {
 public:
  /// Appends one answered request; user is "-" when the request did not authenticate.
  void record(const std::string& method, const std::string& target, int status, const std::string& user) {
    lines_.push_back(method + " " + target + " " + std::to_string(status) + " " + user);
  }
  /// Appends a line as given (a fault layer's answer, e.g. "POST /api/v1/namespaces/ci/pods reset - fault").
  void record_line(std::string line) { lines_.push_back(std::move(line)); }
  /// Every line so far, in arrival order.
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

}  // namespace kexsim::fakes
