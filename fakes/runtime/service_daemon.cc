#include "fakes/runtime/service_daemon.h"

#include "base/strings.h"
#include "fakes/runtime/file_system.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes {
namespace {

// The repository part of an image reference (no tag, no digest).
std::string repository_of(const std::string& image) {
  std::string ref = image.substr(0, image.find('@'));
  const size_t slash = ref.rfind('/');
  const size_t colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) ref.resize(colon);
  return ref;
}

}  // namespace

const ServiceDaemon* PodServices::listening(int port, TimePoint at) const {
  for (const auto& d : daemons)
    if (d.listening_from && *d.listening_from <= at)
      for (int p : d.ports)
        if (p == port) return &d;
  return nullptr;
}

const ServiceDaemon* PodServices::owner(int port) const {
  for (const auto& d : daemons)
    for (int p : d.ports)
      if (p == port) return &d;
  return nullptr;
}

bool is_loopback_address(const std::string& address) {
  return starts_with(address, "127.") || address == "::1" || address == "localhost";
}

void land_service_files(const PodServices& services, shell::FileSystem& fs, TimePoint now) {
  for (const auto& d : services.daemons) {
    if (!d.dind || !d.dind->certs_shared || !d.files_from || *d.files_from > now) continue;
    // Generated once, as the entrypoint does at start; cheap to skip on every later command.
    if (fs.is_file(d.dind->certdir + "/client/ca.pem")) continue;
    for (const auto& [path, content] : dind_client_files(*d.dind, d.container + "/" + d.image)) {
      if (fs.is_file(path)) continue;
      fs.make_dir(shell::FileSystem::parent(path));
      fs.write(path, content, false);
    }
  }
}

ConnectOutcome connect_with_services(ContainerWorld& world, const std::string& host, int port, bool tls, TimePoint at) {
  const PodServices* services = world.services();
  if (services && services->owner(port)) {
    std::optional<std::string> address = is_ip_literal(host)   ? std::optional<std::string>(host)
                                         : host == "localhost" ? std::optional<std::string>("127.0.0.1")
                                                               : world.resolve(host);
    if (address && is_loopback_address(*address)) {
      ConnectOutcome out;
      out.address = *address;
      // No TLS exchange is modelled with a service daemon: a listening port accepts the connection.
      if (!services->listening(port, at)) out.kind = ConnectOutcome::Kind::kRefused;
      return out;
    }
  }
  return world.connect(host, port, tls);
}

const ServiceModel* find_service_model(const std::vector<ServiceModel>& models, const std::string& image) {
  for (const auto& m : models)
    if (m.image == image) return &m;
  for (const auto& m : models)
    if (m.image.find(':') == std::string::npos && repository_of(image) == m.image) return &m;
  return nullptr;
}

}  // namespace kexsim::fakes
