#pragma once
// The rig of the git model's tests: a fake GitLab on a manual clock that a test world's git reaches
// in memory, the shell that runs the git commands, and the job and ref look-ups both suites need.

#include <string>

#include <gtest/gtest.h>

#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/runtime/shell.h"
#include "tests/fakes/runtime_test_world.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes::runtime_testing {

/// A fixture with https://gitlab.mylab.com served by a FakeGitLab, reachable from `world`.
class GitLabRig : public ::testing::Test {
 protected:
  GitLabRig() : gitlab(clock, Random(3), "https://gitlab.mylab.com", "runner-token") { world.server = &gitlab; }

  /// Runs a script in a fresh shell of the world.
  ShellResult run(const std::string& script) { return interpret(script, ShellOptions{}, world); }
  /// Queues a job of `project` at `ref` and returns the token its git URLs carry.
  std::string queue_job(const std::string& project, const std::string& ref) {
    JobDefinition job;
    job.project = project;
    job.ref = ref;
    EXPECT_TRUE(gitlab.enqueue(job));
    return gitlab.jobs().back().token;
  }
  /// The commit a branch of a served project points at.
  std::string head(const std::string& project, const std::string& branch) {
    return gitlab.repository(project)->refs().at("refs/heads/" + branch);
  }

  kexsim::testing::ManualClock clock;
  FakeGitLab gitlab;
  TestWorld world;
};

}  // namespace kexsim::fakes::runtime_testing
