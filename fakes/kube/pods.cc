#include "fakes/kube/pods.h"

namespace kexsim::fakes {
namespace {

// The first address of the node's pod CIDR (10.244.0.0/24), where a cluster's first pods start.
constexpr const char* kFirstPodIp = "10.244.0.2";

}  // namespace

void PodResources::admit(const std::string& uid) {
  ips_[uid] = "10.244.0." + std::to_string(2 + admitted_ % 250);
  ++admitted_;
}

std::string PodResources::ip(const std::string& uid) const {
  auto it = ips_.find(uid);
  return it == ips_.end() ? kFirstPodIp : it->second;
}

std::shared_ptr<shell::Volumes> PodResources::volumes(const std::string& uid) {
  auto& volumes = volumes_[uid];
  if (!volumes) volumes = make_volumes();
  return volumes;
}

void PodResources::release(const std::string& uid) {
  ips_.erase(uid);
  volumes_.erase(uid);
}

}  // namespace kexsim::fakes
