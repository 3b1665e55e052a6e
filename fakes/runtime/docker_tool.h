#pragma once
// The docker CLI model: `docker info`, `version`, `build`, `push`, `pull`, `run`, `login`, `ps`,
// `images` against a docker:dind service on the pod's localhost (dind.h), reached as DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH say, with the CLI's own messages (docker/cli v24.0.6) when it
// cannot: nothing listening, plain HTTP to the TLS port, TLS to the plain port, missing certificates.

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace kexsim::fakes::docker {

/// Where and how the client connects, as docker/cli resolves it (flags, then the environment).
struct Endpoint {
  std::string host;  ///< as the CLI prints it: "tcp://docker:2375", "unix:///var/run/docker.sock"
  bool unix_socket = false;
  std::string address;                       ///< tcp: the host name or address ("docker")
  int port = 0;                              ///< tcp: the port (2375 by default, 2376 with TLS)
  bool tls = false;                          ///< --tls, --tlsverify, DOCKER_TLS or DOCKER_TLS_VERIFY
  bool verify = false;                       ///< --tlsverify or DOCKER_TLS_VERIFY: check the daemon's certificate
  std::string ca_file, cert_file, key_file;  ///< under DOCKER_CERT_PATH (~/.docker by default)
};

/// The global options before the command (-H, --tls, --tlsverify, --tlscacert ...) and the rest.
struct Invocation {
  std::vector<std::string> hosts;  ///< -H/--host values
  bool tls = false, tlsverify = false;
  std::string tlscacert, tlscert, tlskey;  ///< explicit files (empty: DOCKER_CERT_PATH's)
  std::vector<std::string> rest;           ///< the command and its arguments
};

/// Splits docker's argv (without argv[0]) into global options and the command.
Invocation parse_invocation(const std::vector<std::string>& args);

/// The endpoint from the options and the environment (DOCKER_HOST, DOCKER_TLS, DOCKER_TLS_VERIFY,
/// DOCKER_CERT_PATH, HOME); an error carries the CLI's text (opts.ParseHost's "Invalid bind address format: ...").
Result<Endpoint> resolve_endpoint(const Invocation& inv, const std::map<std::string, std::string>& env);

}  // namespace kexsim::fakes::docker
