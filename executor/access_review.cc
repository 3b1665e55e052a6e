#include "executor/access_review.h"

#include "base/json_fields.h"
#include "executor/messages.h"

namespace kexsim::executor {
namespace {

using json_fields::member;
using json_fields::text;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

bool flag_of(const json& object, const char* key) {
  const json& v = member(object, key);
  return v.is_boolean() && v.get<bool>();
}

}  // namespace

json access_review_request(const std::string& ns, const std::string& resource, const std::string& verb) {
  // authorization/v1 ResourceAttributes in field order, empty fields omitted (group "" included neither).
  const ojson attributes = {{"namespace", ns}, {"verb", verb}, {"version", "v1"}, {"resource", resource}};
  const ojson review = {{"kind", "SelfSubjectAccessReview"},
                        {"apiVersion", "authorization.k8s.io/v1"},
                        {"metadata", ojson::object()},
                        {"spec", {{"resourceAttributes", attributes}}},
                        {"status", {{"allowed", false}}}};
  return json::parse(review.dump());
}

AccessAnswer read_access_review(const Result<json>& created, const std::string& resource, const std::string& verb) {
  // executors/kubernetes/feature.go IsResourceVerbAllowed.
  if (!created) return {false, "SelfSubjectAccessReview creation: " + created.error().message};
  const json& status = member(*created, "status");
  if (const std::string ee = text(status, "evaluationError"); !ee.empty())
    return {false, "SelfSubjectAccessReview evaluation error: " + ee};
  if (flag_of(status, "allowed") && !flag_of(status, "denied")) return {true, ""};
  std::string reason = "not allowed: " + verb + " on " + resource;
  if (const std::string r = text(status, "reason"); !r.empty()) reason += " (reason: " + r + ")";
  return {false, reason};
}

std::string informers_refused(const std::string& reason) {
  // executors/kubernetes/kubernetes.go newPodWatcher: fmt.Sprintf("won't use informers: %q, see: %s", ...).
  return "won't use informers: " + messages::go_quote(reason) +
         ", see: https://docs.gitlab.com/runner/executors/kubernetes/#informers";
}

asio::awaitable<std::optional<std::string>> informer_refusal(KubeClient& kube, std::string ns) {
  for (const char* verb : {"list", "watch"}) {
    json review = access_review_request(ns, "pods", verb);
    Result<json> created = co_await kube.create_at(kSelfSubjectAccessReviewsPath, std::move(review));
    AccessAnswer answer = read_access_review(created, "pods", verb);
    if (!answer.allowed) co_return answer.reason;
  }
  co_return std::nullopt;
}

}  // namespace kexsim::executor
