#pragma once
// The runner's question to the API server before it starts its pod informer (17.9+ kubernetes.go
// newPodWatcher, feature.go IsResourceVerbAllowed): one SelfSubjectAccessReview per verb (list, then
// watch) on pods in the job's namespace; a denial, an evaluation error or a failed review means no informer
// and the `WARNING: won't use informers: ...` line.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "executor/kube_client.h"

namespace kexsim::executor {

/// Where SelfSubjectAccessReviews are created.
inline constexpr const char* kSelfSubjectAccessReviewsPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

/// The review client-go sends for verb on the core/v1 resource in ns.
nlohmann::json access_review_request(const std::string& ns, const std::string& resource, const std::string& verb);

/// IsResourceVerbAllowed's answer: allowed, or the reason it is not (what the WARNING quotes).
struct AccessAnswer {
  bool allowed = false;
  std::string reason;
};

/// Reads the created review (or the error creating it) as IsResourceVerbAllowed does.
AccessAnswer read_access_review(const Result<nlohmann::json>& created, const std::string& resource,
                                const std::string& verb);

/// `won't use informers: "<reason>", see: https://docs.gitlab.com/runner/executors/kubernetes/#informers`
/// (the text after "WARNING: ").
std::string informers_refused(const std::string& reason);

/// Asks for list, then watch, on pods in ns; nullopt when both are allowed, else the first refusal's reason.
asio::awaitable<std::optional<std::string>> informer_refusal(KubeClient& kube, std::string ns);

}  // namespace kexsim::executor
