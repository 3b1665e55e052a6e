#include "fakes/kube/served_bodies.h"

namespace kexsim::fakes {

namespace {

// Bodies kept at most (a pod's object and text are about 80 KiB together): a thousand live pods would
// otherwise add 80 MB to the peak. Past the bound one body (the lowest uid) makes room, which changes
// only what is reused, never a body.
constexpr size_t kMaxBodies = 256;

}  // namespace

const std::string& ServedBodies::text(const std::string& uid, nlohmann::json presented) {
  auto it = last_.find(uid);
  if (it == last_.end()) {
    if (last_.size() >= kMaxBodies) last_.erase(last_.begin());
    it = last_.emplace(uid, Served{}).first;
  }
  Served& served = it->second;
  if (served.text.empty() || served.object != presented) {
    served.text = presented.dump();
    served.object = std::move(presented);
  }
  return served.text;
}

}  // namespace kexsim::fakes
