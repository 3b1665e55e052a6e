#pragma once
// Resource lists of pods as the admission plugins see them: container requests and limits, a pod's
// effective requests and limits (init containers included) and the text quota messages print them in.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/kube/quantity.h"

namespace kexsim::fakes {

/// A ResourceList (resource name -> quantity), sorted by name as prettyPrint and sets.List() need.
using ResourceList = std::map<std::string, Quantity>;

/// The parsable quantities of a JSON resource list ({"cpu": "500m"}); unparsable entries are left out.
ResourceList resource_list(const nlohmann::json& list);

/// The container's resources.requests or resources.limits ("requests" / "limits").
ResourceList container_resources(const nlohmann::json& container, const char* part);

/// A pod's requests as resourcehelper.PodRequests computes them: the containers' sum, raised to any
/// larger init container (init containers run one at a time, before the others).
ResourceList pod_request_list(const nlohmann::json& pod);
/// A pod's limits, computed the same way (resourcehelper.PodLimits).
ResourceList pod_limit_list(const nlohmann::json& pod);

/// apiserver defaulting (core/v1 SetDefaults_Pod): a limit without a request makes the request equal to it.
void default_requests_from_limits(nlohmann::json& pod);

/// Every container of a pod in the order admission visits them: init containers first.
std::vector<const nlohmann::json*> pod_containers(const nlohmann::json& pod);

/// quota's prettyPrint: "key=value" sorted by key, joined with ",".
std::string pretty_print(const ResourceList& list);

/// a + b per resource, a's format kept (quota.Add).
ResourceList add_lists(const ResourceList& a, const ResourceList& b);

}  // namespace kexsim::fakes
