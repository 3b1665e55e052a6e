#include "executor/resource_check.h"

#include <chrono>

namespace kexsim::executor {
namespace {

// kubernetes.go resourceAvailabilityCheckMaxPollInterval.
constexpr Duration kPollInterval = std::chrono::seconds(5);

// waitForResource: a check, then a pause, until a check succeeds or max_attempts + 1 checks failed
// (the pause follows the last check too). Any error of the GET counts as "not there yet".
// `resource` and `type` are string literals (safe to hold in the coroutine frame).
boost::asio::awaitable<Status> wait_for_resource(KubeClient* kube, Clock* clock, std::string ns, const char* resource,
                                                 const char* type, std::string name, int max_attempts) {
  for (int attempt = -1; attempt < max_attempts; ++attempt) {
    auto found = co_await kube->get(ns, resource, name);
    if (found) co_return Status{};
    co_await clock->sleep_for(kPollInterval);
  }
  // kubernetes.go resourceCheckError.Error.
  co_return make_error(
      "Timed out while waiting for " + std::string(type) + "/" + name + " to be present in the cluster",
      "create the " + std::string(type) + " in namespace " + ns +
          ", fix its name in config.toml, or set resource_availability_check_max_attempts = 0",
      "runners.kubernetes.resource_availability_check_max_attempts");
}

}  // namespace

boost::asio::awaitable<Status> check_dependant_resources(KubeClient* kube, Clock* clock, std::string ns,
                                                         const KubernetesConfig* config) {
  const int attempts = config->extras.resource_availability_check_max_attempts;
  if (attempts == 0) co_return Status{};  // "Resources check has been disabled"
  if (!config->service_account.empty()) {
    auto sa = co_await wait_for_resource(kube, clock, ns, "serviceaccounts", "ServiceAccount", config->service_account,
                                         attempts);
    if (!sa) co_return sa;
  }
  for (const std::string& secret : config->image_pull_secrets) {
    auto found = co_await wait_for_resource(kube, clock, ns, "secrets", "ImagePullSecret", secret, attempts);
    if (!found) co_return found;
  }
  co_return Status{};
}

}  // namespace kexsim::executor
