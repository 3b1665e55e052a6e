#pragma once
// The test toolkit's expected parse error: the Error a scenario text that must not parse gives.

#include <string>

#include <gtest/gtest.h>

#include "base/result.h"
#include "sim/scenario.h"

namespace kexsim::testing {

/// The error parsing `text` (named `path`) gives; a test failure, and an empty Error, when it parses.
inline Error scenario_error(const std::string& text, const std::string& path = "s.toml") {
  auto s = sim::parse_scenario(text, path);
  EXPECT_FALSE(s.ok()) << "expected an error";
  return s.ok() ? Error{} : s.error();
}

}  // namespace kexsim::testing
