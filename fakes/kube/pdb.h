#pragma once
// PodDisruptionBudgets (policy/v1): the status the disruption controller keeps (healthy pods against
// the budget) and the Eviction API's verdict on a pod they cover (pkg/registry/core/pod/storage/
// eviction.go). A drain's or an evict plan's eviction of a pod the budget protects is refused.

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "fakes/kube/status.h"

namespace kexsim::fakes {

/// Whether the PDB's spec.selector (matchLabels, matchExpressions) selects these labels; an empty
/// selector selects every pod (policy/v1), a missing one none.
bool pdb_selects(const nlohmann::json& pdb, const nlohmann::json& labels);

/// The PDB with the status pkg/controller/disruption/disruption.go computes from the namespace's pods as
/// presented now: expectedPods, desiredHealthy, currentHealthy (Ready, not being deleted) and disruptionsAllowed.
nlohmann::json pdb_with_status(const nlohmann::json& pdb, const std::vector<nlohmann::json>& pods);

/// The Eviction API's refusal for a running pod under the namespace's PDBs (with status), or nothing when the
/// eviction may go on: 429 when the budget allows no disruption, 500 when several PDBs cover the pod.
std::optional<ApiStatus> eviction_refusal(const nlohmann::json& pod, const std::vector<nlohmann::json>& pdbs);

}  // namespace kexsim::fakes
