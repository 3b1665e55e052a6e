#pragma once
// The test toolkit's container world factory for API server tests whose pods never run a command.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/kube/exec.h"

namespace kexsim::testing {

/// A ContainerWorldFactory that gives no pod a world (no exec, attach or port-forward target).
class NoWorlds : public fakes::ContainerWorldFactory {
 public:
  std::unique_ptr<fakes::ContainerWorld> world_for(const nlohmann::json&, const std::string&) override {
    return nullptr;
  }
};

}  // namespace kexsim::testing
