#include "fakes/faults/fault_injector.h"

#include <chrono>
#include <cstdio>

#include "fakes/kube/status.h"

namespace kexsim::fakes {
namespace {

using ojson = nlohmann::ordered_json;

// apiserver pkg/server/filters/timeout.go: NewTimeoutError("request did not complete within requested
// timeout - " + ctx.Err().Error(), 0); apimachinery errors.NewTimeoutError prefixes "Timeout: ".
constexpr const char* kTimeoutMessage =
    "Timeout: request did not complete within requested timeout - context deadline exceeded";

HttpResponse kube_fault(const FaultRule& rule) {
  if (rule.status == 429 && rule.message.empty())
    return status_too_many_requests(rule.retry_after_seconds > 0 ? rule.retry_after_seconds : 1).response();
  std::string reason = rule.reason;
  std::string message = rule.message;
  if (rule.status == 504 && message.empty()) {
    message = kTimeoutMessage;
    if (reason.empty()) reason = "Timeout";
  }
  std::optional<ojson> details;
  if (rule.retry_after_seconds > 0)
    details = ojson{{"retryAfterSeconds", rule.retry_after_seconds}};
  else if (reason == "Timeout" || reason == "TooManyRequests")
    details = ojson::object();  // RetryAfterSeconds 0
  ApiStatus status = status_failure(rule.status, reason, message, details ? &*details : nullptr);
  if (rule.retry_after_seconds > 0)
    status.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_seconds));
  return status.response();
}

}  // namespace

HttpResponse fault_response(const FaultRule& rule) {
  if (rule.black_hole) {
    HttpResponse r;
    r.status = 0;
    r.black_hole = true;
    return r;
  }
  if (rule.reset) {
    HttpResponse r;
    r.status = 0;
    r.reset_connection = true;
    return r;
  }
  if (rule.wire == "kubernetes") return kube_fault(rule);
  HttpResponse r;
  r.status = rule.status;
  r.headers.emplace_back("Content-Type", rule.content_type.empty() ? "text/plain; charset=utf-8" : rule.content_type);
  if (rule.retry_after_seconds > 0) r.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_seconds));
  r.body = rule.body;
  return r;
}

FaultInjector::FaultInjector(Clock& clock, HttpHandler& inner, std::vector<FaultRule> rules, FaultObserver observer)
    : clock_(clock), inner_(inner), matcher_(std::move(rules)), observer_(std::move(observer)), start_(clock.now()) {}

HttpResponse FaultInjector::handle(const HttpRequest& request) {
  const FaultRule* rule = matcher_.match(request, clock_.now() - start_);
  if (!rule) return inner_.handle(request);
  const Duration delay = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(rule->latency_seconds));
  if (rule->drop_after_bytes || rule->drop_after_seconds) {
    // A stream fault: the fake accepts the upgrade (or starts the streamed body) as usual, and the server
    // cuts the stream later.
    HttpResponse accepted = inner_.handle(request);
    const bool streamed = accepted.status == 200 && accepted.stream;
    if (accepted.status != 101 && !streamed) return accepted;  // refused by the fake itself: nothing to drop
    char verdict[64];
    if (rule->drop_after_bytes) {
      accepted.drop_after_bytes = static_cast<uint64_t>(*rule->drop_after_bytes);
      std::snprintf(verdict, sizeof verdict, "dropped after %lld bytes",
                    static_cast<long long>(*rule->drop_after_bytes));
    } else {
      accepted.drop_after =
          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*rule->drop_after_seconds));
      std::snprintf(verdict, sizeof verdict, "dropped after %gs", *rule->drop_after_seconds);
    }
    if (observer_) observer_(request, verdict);
    return accepted;
  }
  if (rule->delay_only) {
    HttpResponse late = inner_.handle(request);
    late.delay = delay;
    char verdict[48];
    std::snprintf(verdict, sizeof verdict, "delayed %gs", rule->latency_seconds);
    if (observer_) observer_(request, verdict);
    return late;
  }
  HttpResponse response = fault_response(*rule);
  response.delay = delay;
  // GitLab's rate limiter (Rack::Attack) says when the window resets as an HTTP date.
  if (rule->rate_limit_reset_seconds > 0)
    response.headers.emplace_back("RateLimit-ResetTime",
                                  format_rfc1123(clock_.now() + std::chrono::seconds(rule->rate_limit_reset_seconds)));
  const std::string verdict = response.black_hole         ? "black-hole"
                              : response.reset_connection ? "reset"
                                                          : std::to_string(response.status);
  if (observer_) observer_(request, verdict);
  return response;
}

}  // namespace kexsim::fakes
