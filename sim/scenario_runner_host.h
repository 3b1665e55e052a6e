#pragma once
// The runner host's environment and files beyond config.toml: [runner] env (KUBECONFIG, HOME) and
// [[runner.host_files]] (kubeconfigs, token files, certificates), written where the executor reads
// them, with placeholders for what only the run knows (the API server's address, the CAs, tokens).

#include <map>
#include <string>

#include "base/result.h"
#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

class SimWorld;

/// [runner] `env` and `[[runner.host_files]]`.
void read_runner_host_env_and_files(TomlTable& runner, Scenario& s);

/// A host file's content with its placeholders replaced: @apiserver (the API server's URL as the
/// runner reaches it), @simulation-ca-data / @untrusted-ca-data (base64 PEM, for *-data keys),
/// @runner-token; a content of exactly "simulation-ca" or "untrusted-ca" is that CA's PEM.
Result<std::string> expand_host_file(const std::string& content, const SimWorld& world);

/// Writes [runner] files and [[runner.host_files]] under root (root + the host's absolute path).
Status write_runner_host_files(const Scenario& s, const std::string& root, const SimWorld& world);

/// The runner process's env: [runner] env over HOME=/root.
std::map<std::string, std::string> runner_host_env(const Scenario& s);

}  // namespace kexsim::sim
