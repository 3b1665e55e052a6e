#pragma once
// The test toolkit's temporary directory: base/files.h's TempDir, failing the test when it cannot
// be made.

#include <gtest/gtest.h>

#include "base/files.h"

namespace kexsim::testing {

/// A TempDir that records a test failure if it could not be created.
class TestDir : public TempDir {
 public:
  explicit TestDir(const std::string& prefix = "kexsim-test") : TempDir(prefix) {
    EXPECT_TRUE(ok()) << "cannot make a temporary directory: " << error();
  }
};

}  // namespace kexsim::testing
