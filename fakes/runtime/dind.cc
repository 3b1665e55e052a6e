#include "fakes/runtime/dind.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

// "docker.io/library/docker:24.0.6-dind" -> {"docker", "24.0.6-dind"}; no tag: "latest".
std::pair<std::string, std::string> repository_and_tag(const std::string& image) {
  std::string ref = image;
  if (const size_t at = ref.find('@'); at != std::string::npos) ref.resize(at);
  const size_t slash = ref.rfind('/');
  const size_t colon = ref.rfind(':');
  std::string repo = ref, tag = "latest";
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
  }
  for (const char* prefix :
       {"docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/", "docker.io/", "library/"})
    if (starts_with(repo, prefix)) {
      repo = repo.substr(std::string(prefix).size());
      break;
    }
  return {repo, tag};
}

// The leading dotted number of a tag ("24.0.6" of "24.0.6-dind-alpine3.18"), or "".
std::string leading_version(const std::string& tag) {
  size_t i = 0;
  while (i < tag.size() && (std::isdigit(static_cast<unsigned char>(tag[i])) || tag[i] == '.')) ++i;
  std::string v = tag.substr(0, i);
  while (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

// Base64-looking lines derived from a seed: the modelled body of a PEM block.
std::string pem_block(const std::string& label, const std::string& seed, int lines) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "-----BEGIN " + label + "-----\n";
  uint64_t state = fnv1a(seed + "/" + label);
  for (int l = 0; l < lines; ++l) {
    for (int c = 0; c < 64; ++c) {
      out.push_back(kAlphabet[splitmix64(state) % 64]);
    }
    out.push_back('\n');
  }
  return out + "-----END " + label + "-----\n";
}

}  // namespace

bool is_dind_image(const std::string& image) {
  const auto [repo, tag] = repository_and_tag(image);
  return repo == "docker" && (tag == "dind" || tag.find("-dind") != std::string::npos || starts_with(tag, "dind-"));
}

bool is_docker_image(const std::string& image) { return repository_and_tag(image).first == "docker"; }

std::string docker_image_version(const std::string& image) {
  const std::string v = leading_version(repository_and_tag(image).second);
  if (v.empty()) return kDefaultDockerVersion;
  if (std::count(v.begin(), v.end(), '.') >= 2) return v;
  // A series tag (docker:27-dind, docker:24.0-dind): the model's release of that series.
  static const std::vector<std::pair<std::string, std::string>> kSeries = {
      {"19.03", "19.03.15"}, {"20.10", "20.10.24"}, {"23.0", "23.0.6"}, {"23", "23.0.6"},
      {"24.0", "24.0.9"},    {"24", "24.0.9"},      {"25.0", "25.0.5"}, {"25", "25.0.5"},
      {"26.1", "26.1.4"},    {"26", "26.1.4"},      {"27.5", "27.5.1"}, {"27", "27.5.1"},
      {"28.5", "28.5.2"},    {"28", "28.5.2"},      {"29.0", "29.0.0"}, {"29", "29.0.0"}};
  for (const auto& [series, release] : kSeries)
    if (v == series) return release;
  return v + (std::count(v.begin(), v.end(), '.') == 1 ? ".0" : ".0.0");
}

std::string docker_api_version(const std::string& version) {
  // The engine's api.DefaultVersion per release (docker/cli's vendored api/common.go of each tag).
  const std::vector<std::string> parts = split(version, '.');
  const int major = parts.empty() ? 24 : std::atoi(parts[0].c_str());
  const int minor = parts.size() > 1 ? std::atoi(parts[1].c_str()) : 0;
  if (major <= 19) return "1.40";
  if (major == 20) return "1.41";
  if (major == 23) return "1.42";
  if (major == 24) return "1.43";
  if (major == 25) return "1.44";
  if (major == 26) return "1.45";
  if (major == 27) return minor >= 2 ? "1.47" : "1.46";
  if (major == 28) return minor == 0 ? "1.48" : minor == 1 ? "1.49" : minor == 2 ? "1.50" : "1.51";
  return "1.52";
}

DindDaemon plan_dind(const DindSettings& settings) {
  DindDaemon d;
  d.version = docker_image_version(settings.image);
  // The image sets ENV DOCKER_TLS_CERTDIR=/certs; the entrypoint turns TLS on when it is non-empty
  // (docker-library/docker dockerd-entrypoint.sh: `if [ -n "${DOCKER_TLS_CERTDIR:-}" ]`).
  const std::string certdir = settings.tls_certdir.value_or("/certs");
  d.tls = !certdir.empty();
  d.port = d.tls ? 2376 : 2375;
  d.certdir = d.tls ? certdir : "";
  d.certs_shared = d.tls && settings.certs_shared;
  d.fails = settings.fails.value_or(!settings.privileged);
  if (d.fails) {
    // Unprivileged: the mount in moby's hack/dind wrapper is refused (busybox mount's wording), then
    // dockerd cannot create its NAT chain (libnetwork's iptables driver quoting iptables' own error)
    // and exits 1. Abridged to the lines that say why; dockerd's info lines are left out.
    d.exit_code = 1;
    d.log =
        "mount: permission denied (are you root?)\n"
        "Could not mount /sys/kernel/security.\n"
        "AppArmor detection and --privileged mode might break.\n"
        "failed to start daemon: Error initializing network controller: error obtaining controller instance: "
        "failed to create NAT chain DOCKER: iptables failed: iptables --wait -t nat -N DOCKER: iptables v1.8.9 "
        "(legacy): can't initialize iptables table `nat': Permission denied (you must be root)\n"
        "Perhaps iptables or your kernel needs to be upgraded.\n"
        " (exit status 3)\n";
    return d;
  }
  d.log = "API listen on [::]:" + std::to_string(d.port) + "\nAPI listen on /var/run/docker.sock\n";
  return d;
}

std::map<std::string, std::string> dind_client_files(const DindDaemon& daemon, const std::string& seed) {
  std::map<std::string, std::string> files;
  if (!daemon.tls) return files;  // generated before dockerd starts, so also when it then fails
  const std::string dir = daemon.certdir + "/client";
  // The CA is copied to client/ca.pem; key.pem is `openssl genrsa` output (PKCS#8 since OpenSSL 3).
  files[dir + "/ca.pem"] = pem_block("CERTIFICATE", seed + "/ca", 8);
  files[dir + "/cert.pem"] = pem_block("CERTIFICATE", seed + "/client", 8);
  files[dir + "/key.pem"] = pem_block("PRIVATE KEY", seed + "/client-key", 12);
  files[dir + "/csr.pem"] = pem_block("CERTIFICATE REQUEST", seed + "/client-csr", 6);
  files[dir + "/openssl.cnf"] = "[ x509_exts ]\nextendedKeyUsage = clientAuth\n";
  return files;
}

}  // namespace kexsim::fakes
