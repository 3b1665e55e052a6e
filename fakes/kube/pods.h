#pragma once
// What the node side keeps for each pod the fake API server admitted, apart from the object itself:
// its IP (shown in status.podIP) and its volumes (the files every exec into the pod shares).

#include <map>
#include <memory>
#include <string>

#include "fakes/runtime/shell.h"

namespace kexsim::fakes {

/// Pod IPs and pod volumes, by pod uid.
class PodResources {
 public:
  /// Gives a newly created pod the next IP: 10.244.0.2 ... 10.244.0.251, then round again.
  void admit(const std::string& uid);
  /// The pod's IP; 10.244.0.2 for a pod that was never admitted (e.g. a seeded one).
  std::string ip(const std::string& uid) const;
  /// The pod's volumes, empty on first use, shared by all its containers' execs (the emptyDirs).
  std::shared_ptr<shell::Volumes> volumes(const std::string& uid);
  /// Forgets a deleted pod's IP and volumes.
  void release(const std::string& uid);

 private:
  std::map<std::string, std::string> ips_;
  std::map<std::string, std::shared_ptr<shell::Volumes>> volumes_;
  unsigned admitted_ = 0;
};

}  // namespace kexsim::fakes
