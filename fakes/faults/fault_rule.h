#pragma once
// A declarative fault on an API wire: which requests it hits (method, path glob, Kubernetes
// verb+resource, the n-th match, a virtual-time window) and the answer they get instead.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "fakes/http/types.h"

namespace kexsim::fakes {

/// One [[faults]] entry, already validated. Empty match fields match anything.
struct FaultRule {
  std::string wire;      ///< "kubernetes" | "gitlab"
  std::string method;    ///< "POST", ... (upper case)
  std::string path;      ///< glob on the decoded path: `*` within a segment, `**` across segments
  std::string verb;      ///< Kubernetes only: get, list, watch, create, update, patch, delete, deletecollection
  std::string resource;  ///< Kubernetes only: "pods", "secrets", "pods/exec"
  int nth = 1;           ///< the first matching call hit (1-based)
  int count = 1;         ///< how many matching calls from nth on are hit
  std::optional<double> after_seconds, until_seconds;  ///< virtual-time window since the world started

  // The answer.
  bool reset = false;       ///< reset the connection (RST) instead of answering; the client reads ECONNRESET
  bool refuse = false;      ///< connection level: the dial is refused (ECONNREFUSED); counts dials, not requests
  bool tls_alert = false;   ///< connection level: the TLS handshake ends with a fatal internal_error alert
  bool black_hole = false;  ///< the request is read and never answered; the client's own deadline ends it
  std::optional<int64_t> drop_after_bytes;   ///< exec/attach: the stream ends after this many output bytes
  std::optional<double> drop_after_seconds;  ///< exec/attach: the stream ends this long after the upgrade
  int status = 500;
  std::string message;               ///< Kubernetes: the Status message
  std::string reason;                ///< Kubernetes: the Status reason ("" leaves it out, as for etcd errors)
  int retry_after_seconds = 0;       ///< > 0: a Retry-After header (and details.retryAfterSeconds on Kubernetes)
  int rate_limit_reset_seconds = 0;  ///< GitLab, > 0: RateLimit-ResetTime that many seconds after the answer
  double latency_seconds = 0;        ///< > 0: the answer comes this many virtual seconds late
  bool delay_only = false;           ///< latency without an answer of its own: the fake answers, late
  std::string body;                  ///< GitLab: the body, verbatim
  std::string content_type;          ///< GitLab: the body's type (default text/plain; charset=utf-8)
};

/// Whether a rule acts on the connection (refuse, tls_alert) rather than on a request: it counts dials.
bool is_connection_fault(const FaultRule& rule);

/// What a Kubernetes API request asks for, as RBAC names it.
struct KubeRequestKind {
  std::string verb;
  std::string resource;  ///< plural, with "/subresource" when one is named
};

/// The verb and resource of a Kubernetes API path ("" for non-resource paths like /version).
KubeRequestKind kube_request_kind(const HttpRequest& request);

/// Whether `path` matches the glob `pattern` (`*`: any run of characters but '/', `**`: any run, `?`: one).
bool path_glob_match(std::string_view pattern, std::string_view path);

/// Counts the calls each rule matches and says which rule, if any, hits a request. One per wire.
class FaultMatcher {
 public:
  explicit FaultMatcher(std::vector<FaultRule> rules);

  /// The rule that hits this request at `elapsed` since the world started, or nullptr. Every rule
  /// whose match fields and window fit counts the call, hit or not; the first rule in file order wins.
  const FaultRule* match(const HttpRequest& request, Duration elapsed);

 private:
  std::vector<FaultRule> rules_;
  std::vector<int> seen_;  ///< matching calls so far, per rule
};

}  // namespace kexsim::fakes
