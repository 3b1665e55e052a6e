#pragma once
// The JSON text last served for each pod GET. A runner polls its pod every few seconds and the pod is
// mostly unchanged between polls, so serialising the same object again was a third of the fake API's
// cost per poll; comparing the presented object with the last one costs a fraction of that.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace kexsim::fakes {

/// The serialised body of each pod as last presented, reused while the presented object is the same.
class ServedBodies {
 public:
  /// The JSON text of `presented` (the pod `uid` as a GET shows it now): `presented.dump()`.
  const std::string& text(const std::string& uid, nlohmann::json presented);
  /// Forgets a deleted pod.
  void forget(const std::string& uid) { last_.erase(uid); }

 private:
  struct Served {
    nlohmann::json object;
    std::string text;
  };
  std::map<std::string, Served> last_;  // uid -> what its last GET served
};

}  // namespace kexsim::fakes
