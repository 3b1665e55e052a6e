// What a fault layer answers in a fake's place (fakes/faults/fault_injector.h).

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/faults/fault_injector.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

/// Answers 200 "inner" and counts the requests it saw.
class Inner : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest&) override {
    ++calls;
    return HttpResponse::text(200, "inner");
  }
  int calls = 0;
};

HttpRequest post_pods() {
  HttpRequest r;
  r.method = "POST";
  r.path = r.target = "/api/v1/namespaces/ci/pods";
  return r;
}

std::string header_of(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

FaultRule kube_rule(int status) {
  FaultRule r;
  r.wire = "kubernetes";
  r.status = status;
  return r;
}

TEST(FaultResponse, EtcdTimeoutIsAStatusWithoutReason) {
  FaultRule r = kube_rule(500);
  r.message = "etcdserver: request timed out";
  const HttpResponse res = fault_response(r);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                      R"("message":"etcdserver: request timed out","code":500})");
  EXPECT_EQ(header_of(res, "Content-Type"), "application/json");
}

TEST(FaultResponse, GatewayTimeoutUsesTheTimeoutFilterWording) {
  const HttpResponse res = fault_response(kube_rule(504));
  EXPECT_EQ(res.status, 504);
  EXPECT_EQ(res.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Timeout: request did not complete within requested timeout - context deadline exceeded",)"
            R"("reason":"Timeout","details":{},"code":504})");
}

TEST(FaultResponse, TooManyRequestsCarriesRetryAfter) {
  FaultRule r = kube_rule(429);
  r.retry_after_seconds = 2;
  const HttpResponse res = fault_response(r);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(header_of(res, "Retry-After"), "2");
  const auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["message"], "Too many requests, please try again later.");
  EXPECT_EQ(body["reason"], "TooManyRequests");
  EXPECT_EQ(body["details"]["retryAfterSeconds"], 2);
}

TEST(FaultResponse, GitLabBodyIsVerbatim) {
  FaultRule r;
  r.wire = "gitlab";
  r.status = 503;
  r.body = "<html>503</html>";
  r.content_type = "text/html";
  const HttpResponse res = fault_response(r);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.body, "<html>503</html>");
  EXPECT_EQ(header_of(res, "Content-Type"), "text/html");
}

TEST(FaultResponse, ResetAsksTheServerToDropTheConnection) {
  FaultRule r = kube_rule(500);
  r.reset = true;
  const HttpResponse res = fault_response(r);
  EXPECT_TRUE(res.reset_connection);
  EXPECT_EQ(res.status, 0);
}

TEST(FaultInjector, AnswersHitsAndPassesTheRestThrough) {
  testing::ManualClock clock;
  Inner inner;
  FaultRule r = kube_rule(500);
  r.message = "etcdserver: request timed out";
  r.count = 2;
  std::vector<std::string> seen;
  FaultInjector injector(clock, inner, {r}, [&](const HttpRequest&, const std::string& v) { seen.push_back(v); });
  EXPECT_EQ(injector.handle(post_pods()).status, 500);
  EXPECT_EQ(injector.handle(post_pods()).status, 500);
  EXPECT_EQ(inner.calls, 0);
  EXPECT_EQ(injector.handle(post_pods()).status, 200);
  EXPECT_EQ(inner.calls, 1);
  EXPECT_EQ(seen, (std::vector<std::string>{"500", "500"}));
}

TEST(FaultInjector, LatencyAloneLetsTheFakeAnswerLate) {
  testing::ManualClock clock;
  Inner inner;
  FaultRule r;
  r.wire = "gitlab";
  r.latency_seconds = 2.5;
  r.delay_only = true;
  std::vector<std::string> seen;
  FaultInjector injector(clock, inner, {r}, [&](const HttpRequest&, const std::string& v) { seen.push_back(v); });
  const HttpResponse late = injector.handle(post_pods());
  EXPECT_EQ(late.status, 200);
  EXPECT_EQ(late.body, "inner");
  EXPECT_EQ(late.delay, std::chrono::milliseconds(2500));
  EXPECT_EQ(inner.calls, 1);
  EXPECT_EQ(seen, (std::vector<std::string>{"delayed 2.5s"}));
  EXPECT_EQ(injector.handle(post_pods()).delay, Duration(0));  // count = 1: the next call is on time
}

TEST(FaultInjector, LatencyWithAStatusDelaysTheFaultsOwnAnswer) {
  testing::ManualClock clock;
  Inner inner;
  FaultRule r = kube_rule(504);
  r.latency_seconds = 60;
  const HttpResponse late = FaultInjector(clock, inner, {r}, nullptr).handle(post_pods());
  EXPECT_EQ(late.status, 504);
  EXPECT_EQ(late.delay, std::chrono::seconds(60));
  EXPECT_EQ(inner.calls, 0);
}

TEST(FaultInjector, WindowCountsFromConstruction) {
  testing::ManualClock clock;
  clock.advance(std::chrono::seconds(100));
  Inner inner;
  FaultRule r = kube_rule(500);
  r.message = "x";
  r.after_seconds = 5;
  FaultInjector injector(clock, inner, {r}, nullptr);
  EXPECT_EQ(injector.handle(post_pods()).status, 200);
  clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(injector.handle(post_pods()).status, 500);
}

TEST(FaultInjector, BlackHoleNeverAnswersAndTheFakeNeverSees) {
  testing::ManualClock clock;
  Inner inner;
  FaultRule r = kube_rule(500);
  r.black_hole = true;
  std::vector<std::string> seen;
  FaultInjector injector(clock, inner, {r}, [&](const HttpRequest&, const std::string& v) { seen.push_back(v); });
  const HttpResponse res = injector.handle(post_pods());
  EXPECT_TRUE(res.black_hole);
  EXPECT_FALSE(res.reset_connection);
  EXPECT_EQ(inner.calls, 0);
  EXPECT_EQ(seen, std::vector<std::string>{"black-hole"});
  EXPECT_FALSE(injector.handle(post_pods()).black_hole);  // count = 1
}

/// Accepts every request as an exec upgrade (101 with a runner), or refuses it with 403.
class Upgrader : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest&) override {
    if (refuse) return HttpResponse::text(403, "forbidden");
    HttpResponse r;
    r.status = 101;
    r.exec = [](const std::string&) { return ExecOutcome{}; };
    return r;
  }
  bool refuse = false;
};

TEST(FaultInjector, DroppedStreamsAreTheFakesUpgradeCutLater) {
  testing::ManualClock clock;
  Upgrader inner;
  FaultRule bytes;
  bytes.wire = "kubernetes";
  bytes.resource = "pods/exec";
  bytes.drop_after_bytes = 512;
  FaultRule seconds = bytes;
  seconds.drop_after_bytes.reset();
  seconds.drop_after_seconds = 2.5;
  seconds.nth = 2;
  std::vector<std::string> seen;
  FaultInjector injector(clock, inner, {bytes, seconds},
                         [&](const HttpRequest&, const std::string& v) { seen.push_back(v); });
  HttpRequest exec;
  exec.method = "POST";
  exec.path = exec.target = "/api/v1/namespaces/ci/pods/p/exec";
  HttpResponse first = injector.handle(exec);
  EXPECT_EQ(first.status, 101);
  EXPECT_EQ(first.drop_after_bytes, 512u);
  EXPECT_FALSE(first.drop_after);
  HttpResponse second = injector.handle(exec);
  EXPECT_EQ(second.drop_after, std::chrono::milliseconds(2500));
  EXPECT_EQ(seen, (std::vector<std::string>{"dropped after 512 bytes", "dropped after 2.5s"}));
  inner.refuse = true;  // nothing to drop when the fake refuses the upgrade itself
  FaultRule again = bytes;
  FaultInjector refusing(clock, inner, {again}, [&](const HttpRequest&, const std::string& v) { seen.push_back(v); });
  EXPECT_EQ(refusing.handle(exec).status, 403);
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
}  // namespace kexsim::fakes
