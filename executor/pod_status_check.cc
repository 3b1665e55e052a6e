#include "executor/pod_status_check.h"

#include <cstdint>
#include <limits>

#include "executor/messages.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

// The answer does not decode into an api.Pod. The wording is kexsim's (client-go's decode error names Go
// struct fields); the path says which field broke the shape.
Error malformed(const std::string& field, const char* expected) {
  return Error{"invalid pod in the answer: " + field + " is not " + expected,
               "the API server (or a proxy in front of it) answered GET pod with a body that is not a v1 Pod", field};
}

// An optional member: absent or null is fine, any other type than the wanted one is a decode error.
const json* optional_member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Result<PodStatusVerdict> check_pod_status(const json& pod, std::string_view pod_name, CheckedContainers checked) {
  if (!pod.is_object()) return malformed("the body", "an object");
  PodStatusVerdict verdict;
  std::string phase;
  const json* status = optional_member(pod, "status");
  if (status && !status->is_object()) return malformed("status", "an object");
  if (status) {
    if (const json* p = optional_member(*status, "phase")) {
      if (!p->is_string()) return malformed("status.phase", "a string");
      phase = p->get<std::string>();
    }
  }
  if (phase != "Running") {
    // kubernetes.go podPhaseError: fmt.Sprintf("pod %q status is %q", name, phase).
    verdict.failure = "pod " + messages::go_quote(pod_name) + " status is " + messages::go_quote(phase);
    verdict.unknown_failure = phase != "Failed";
    return verdict;
  }
  const json* statuses = optional_member(*status, "containerStatuses");
  if (!statuses) return verdict;
  if (!statuses->is_array()) return malformed("status.containerStatuses", "an array");
  for (size_t i = 0; i < statuses->size(); ++i) {
    const json& c = (*statuses)[i];
    const std::string at = "status.containerStatuses[" + std::to_string(i) + "]";
    if (c.is_null()) continue;
    if (!c.is_object()) return malformed(at, "an object");
    std::string name;
    if (const json* n = optional_member(c, "name")) {
      if (!n->is_string()) return malformed(at + ".name", "a string");
      name = n->get<std::string>();
    }
    const json* state = optional_member(c, "state");
    if (state && !state->is_object()) return malformed(at + ".state", "an object");
    const json* terminated = state ? optional_member(*state, "terminated") : nullptr;
    if (terminated && !terminated->is_object()) return malformed(at + ".state.terminated", "an object");
    int64_t code = 0;
    std::string reason;
    if (terminated) {
      if (const json* e = optional_member(*terminated, "exitCode")) {
        // ContainerStateTerminated.ExitCode is an int32.
        if (!e->is_number_integer()) return malformed(at + ".state.terminated.exitCode", "an integer");
        const bool fits = e->is_number_unsigned() ? e->get<uint64_t>() <= uint64_t(std::numeric_limits<int32_t>::max())
                                                  : e->get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
                                                        e->get<int64_t>() <= std::numeric_limits<int32_t>::max();
        if (!fits) return malformed(at + ".state.terminated.exitCode", "an int32");
        code = e->get<int64_t>();
      }
      if (const json* r = optional_member(*terminated, "reason")) {
        if (!r->is_string()) return malformed(at + ".state.terminated.reason", "a string");
        reason = r->get<std::string>();
      }
    }
    // Decoding fails on any entry, so every entry is checked before the first match counts.
    const bool watched = checked == CheckedContainers::kAll || name == "build" || name == "helper";
    if (verdict.failure || !watched || !terminated || code < 0) continue;
    // kubernetes.go podContainerError: "Error in container %s: exit code: %d, reason: '%s'".
    verdict.failure =
        "Error in container " + name + ": exit code: " + std::to_string(code) + ", reason: '" + reason + "'";
  }
  return verdict;
}

}  // namespace kexsim::executor
