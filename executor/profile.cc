#include "executor/profile.h"

#include <string>

namespace kexsim::executor {

Result<Profile> parse_profile(std::string_view text) {
  if (text == "19.4" || text == "19.4.0") return Profile::kV19_4;
  if (text == "13.12" || text == "13.12.0") return Profile::kV13_12;
  return make_error("unknown runner profile \"" + std::string(text) + "\"",
                    "use \"19.4\" (current GitLab Runner wording) or \"13.12\" (older field logs)");
}

std::string_view profile_name(Profile p) { return p == Profile::kV13_12 ? "13.12" : "19.4"; }

std::string_view runner_version(Profile p) { return p == Profile::kV13_12 ? "13.12.0" : "19.4.0"; }

std::string_view runner_revision(Profile p) {
  // 13.12.0's revision is the one field logs show. The 19.4.0 revision is invented (we have no
  // release build to take it from); it only has to be stable.
  return p == Profile::kV13_12 ? "7a6612da" : "4d1a0ea3";
}

}  // namespace kexsim::executor
