// The fault matrix (issue 7, part 7): every distinct call of a hello job, on the Kubernetes and GitLab
// wires and the exec/attach streams, crossed with refused, reset, black-hole, 500, 429, 403 and a
// dropped stream, one run per cell. Every run must end, GitLab must get a final state (or the runner
// log says why not), and nothing may be left behind unless the job log says so. Labelled fault_matrix.

#include <chrono>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "sim/fault_matrix.h"
#include "sim/scenario.h"

namespace kexsim::sim {
namespace {

void run_matrix(const std::string& profile) {
  const std::string text = fault_matrix_base_scenario(profile);
  auto scenario = parse_scenario(text, "fault-matrix.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.error().describe();
  const auto started = std::chrono::steady_clock::now();
  auto report = run_fault_matrix(*scenario);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "profile " << profile << ": " << report->table() << "wall time " << wall << " s\n";
  EXPECT_GT(report->cells.size(), 50u) << "the base run should have many distinct calls";
  EXPECT_EQ(report->failures(), 0u) << report->table();
}

TEST(FaultMatrix, HelloUnderAttach19_4) { run_matrix("19.4"); }

TEST(FaultMatrix, HelloUnderLegacyExec13_12) { run_matrix("13.12"); }

}  // namespace
}  // namespace kexsim::sim
