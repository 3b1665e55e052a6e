#include "fakes/kube/served_bodies.h"

namespace kexsim::fakes {

const std::string& ServedBodies::text(const std::string& uid, nlohmann::json presented) {
  Served& served = last_[uid];
  if (served.text.empty() || served.object != presented) {
    served.text = presented.dump();
    served.object = std::move(presented);
  }
  return served.text;
}

}  // namespace kexsim::fakes
