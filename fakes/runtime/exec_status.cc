// The exec error-channel Status, in the kubelet's words (see k8s-fake.md section 2.1).

#include <nlohmann/json.hpp>

#include "fakes/runtime/shell.h"

namespace kexsim::fakes {

std::string exec_status_json(int exit_code, const std::vector<std::string>& command) {
  nlohmann::ordered_json status;
  status["metadata"] = nlohmann::ordered_json::object();
  if (exit_code == 0) {
    status["status"] = "Success";
    return status.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::string joined;
  for (size_t i = 0; i < command.size(); ++i) joined += (i ? " " : "") + command[i];
  const std::string code = std::to_string(exit_code);
  status["status"] = "Failure";
  status["message"] = "command terminated with non-zero exit code: error executing command [" + joined +
                      "], exit code " + code;
  status["reason"] = "NonZeroExitCode";
  status["details"]["causes"] = nlohmann::ordered_json::array({{{"reason", "ExitCode"}, {"message", code}}});
  return status.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace kexsim::fakes
