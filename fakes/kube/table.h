#pragma once
// Server-side Table output (meta.k8s.io/v1 Table) for the kinds whose kubectl columns matter here:
// nodes (NAME STATUS ROLES AGE VERSION …), events (LAST SEEN TYPE REASON OBJECT MESSAGE …) and pods
// (NAME READY STATUS RESTARTS AGE …), as pkg/printers/internalversion/printers.go prints them.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"

namespace kexsim::fakes {

/// Whether an Accept header asks for a Table (as=Table;g=meta.k8s.io).
bool wants_table(const std::string& accept);

/// The Table of Node objects at `now`.
nlohmann::json node_table(const std::vector<nlohmann::json>& nodes, TimePoint now, const std::string& rv);

/// The Table of Event objects at `now`.
nlohmann::json event_table(const std::vector<nlohmann::json>& events, TimePoint now, const std::string& rv);

/// The Table of Pod objects (as a read presents them) at `now`.
nlohmann::json pod_table(const std::vector<nlohmann::json>& pods, TimePoint now, const std::string& rv);

/// One pod's cells as printPod computes them: name, READY ("1/2"), STATUS (ErrImagePull, CrashLoopBackOff,
/// Init:0/1, PodInitializing, Completed, Error, Terminating, …), RESTARTS ("3 (40s ago)"), AGE; then (wide)
/// IP, NODE, NOMINATED NODE, READINESS GATES.
nlohmann::json pod_cells(const nlohmann::json& pod, TimePoint now);

/// apimachinery's duration.HumanDuration: "45s", "5m", "2m30s", "3h", "4d".
std::string human_duration(Duration d);

}  // namespace kexsim::fakes
