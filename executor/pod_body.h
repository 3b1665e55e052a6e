#pragma once
// Decoding a GET pod answer for the waits that poll it. They read the pod's metadata, its status and
// spec.nodeName; the rest of the spec (containers, env, volumes) is most of the body, and building an
// nlohmann tree of it was most of the executor's cost per poll.

#include <string>

#include <nlohmann/json.hpp>

namespace kexsim::executor {

/// The pod in `body` as `nlohmann::json::parse(body, nullptr, false)` gives it, except that `spec` keeps
/// only `nodeName`. A body that is not JSON gives a discarded value, exactly as the full parse does.
nlohmann::json parse_pod_body(const std::string& body);

}  // namespace kexsim::executor
