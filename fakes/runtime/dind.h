#pragma once
// A model of the docker:dind service: what docker-library/docker's dockerd-entrypoint.sh and then
// dockerd do with the container's settings (TLS or not, the port, the client certificates it
// generates under $DOCKER_TLS_CERTDIR/client, failing without privilege), and the engine's version
// facts a docker client reports.

#include <map>
#include <optional>
#include <string>

namespace kexsim::fakes {

/// The engine (and CLI) version the model reports when an image's tag names none (docker:dind).
inline constexpr const char* kDefaultDockerVersion = "24.0.6";

/// Whether image is Docker's Docker-in-Docker image: docker:dind, docker:24.0.6-dind-alpine3.18,
/// docker.io/library/docker:27-dind, docker:dind-rootless.
bool is_dind_image(const std::string& image);

/// Whether image is Docker's CLI image (docker:24.0.6, docker:cli, docker:24-git): the docker CLI is installed.
bool is_docker_image(const std::string& image);

/// The engine version a docker image's tag names ("24.0.6" for docker:24.0.6-dind; a bare series such
/// as docker:27-dind or docker:dind gets the model's release for it).
std::string docker_image_version(const std::string& image);

/// The API version an engine release speaks (24.0 -> 1.43, 27.3 -> 1.47).
std::string docker_api_version(const std::string& version);

/// The service container's settings the dind entrypoint and dockerd act on.
struct DindSettings {
  std::string image;
  std::optional<std::string> tls_certdir;  ///< DOCKER_TLS_CERTDIR from its env; none: the image's /certs
  bool privileged = false;                 ///< securityContext.privileged
  bool certs_shared = false;  ///< a volume of this container, mounted in the build container too, holds $certdir/client
  std::optional<bool> fails;  ///< the scenario's override of the privilege rule
};

/// What the daemon becomes.
struct DindDaemon {
  std::string version;
  bool tls = false;  ///< --tlsverify on tcp://0.0.0.0:2376 (else plain on 2375)
  int port = 2375;
  std::string certdir;        ///< $DOCKER_TLS_CERTDIR when TLS is on
  bool certs_shared = false;  ///< the build container sees $certdir/client
  bool fails = false;         ///< dockerd exits at start (no privilege): nothing ever listens
  int exit_code = 0;          ///< the container's exit code when it fails
  std::string log;            ///< what the container prints (its log)
};

/// Plans the daemon as the entrypoint's branches and dockerd's start-up decide.
DindDaemon plan_dind(const DindSettings& settings);

/// The files the entrypoint leaves in $certdir/client (ca.pem, cert.pem, key.pem, csr.pem,
/// openssl.cnf), keyed by absolute path. The PEM bodies are modelled (deterministic per seed), not keys.
std::map<std::string, std::string> dind_client_files(const DindDaemon& daemon, const std::string& seed);

}  // namespace kexsim::fakes
