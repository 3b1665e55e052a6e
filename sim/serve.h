#pragma once
// `kexsim serve`: a scenario's fakes in real time, for kubectl, the official clients and git.
// No job runs; the cluster (namespaces, RBAC, objects) and GitLab are there to inspect and poke.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace kexsim::sim {

/// What `kexsim serve` was asked to do.
struct ServeOptions {
  std::string scenario;               ///< the scenario file
  std::optional<uint64_t> seed;       ///< default: the scenario's own
  std::string dir;                    ///< where ca.crt and kubeconfig go; empty: a new temporary directory
  std::optional<double> for_seconds;  ///< stop after this long (for tests); default: until SIGINT/SIGTERM
};

/// What a kubeconfig for a served cluster names.
struct KubeconfigParams {
  std::string server;           ///< https://127.0.0.1:<port>
  std::string ca_pem;           ///< the simulation CA
  std::string admin_token;      ///< a system:masters token
  std::string runner_token;     ///< the runner's service-account token
  std::string runner_identity;  ///< who the runner token authenticates as (a comment for people)
  std::string ns;               ///< every context's default namespace
};

/// A kubeconfig with users and contexts `admin` (the current context) and `runner`.
std::string render_kubeconfig(const KubeconfigParams& params);

/// Runs `kexsim serve` on the calling thread until a signal or for_seconds; returns the exit code
/// (0 after for_seconds or SIGTERM, 130 after SIGINT, 3 for an invalid scenario, 4 when the fakes fail).
int serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace kexsim::sim
