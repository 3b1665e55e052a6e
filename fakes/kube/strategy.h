#pragma once
// Per-kind create strategy, as a real server's registry applies it: the defaults it fills in and the
// validation that answers 422 Invalid. Only what clients of the fake rely on.

#include <optional>

#include <nlohmann/json.hpp>

#include "fakes/kube/status.h"
#include "fakes/kube/store.h"

namespace kexsim::fakes {

/// Fills in server-side defaults on a new object whose name is final: pod spec and container defaults
/// and status.phase Pending; Secret type Opaque with stringData folded into base64 data; Namespace
/// finalizers, phase Active and the kubernetes.io/metadata.name label.
void apply_create_defaults(const ResourceType& type, nlohmann::json& object);

/// The 422 Invalid a real server gives for this new object (name format, required pod fields), or nothing.
std::optional<ApiStatus> validate_create(const ResourceType& type, const nlohmann::json& object);

}  // namespace kexsim::fakes
