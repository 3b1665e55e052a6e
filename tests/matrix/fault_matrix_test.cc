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

// scenarios/faults/*'s hello job, with a 10-minute job timeout so that black-holed calls end soon.
const char kHello[] = R"toml(name = "fault-matrix-hello"
description = "The representative job of the fault matrix."
PROFILE
[runner]
hostname = "gitlab-runner-7c9d8b6f4-x2x8p"
config = '''
concurrent = 1
[[runners]]
  name = "k8s"
  url = "https://gitlab.example.com"
  token = "glrt-t1_8xYzAbCdEfGhIjKlMnOp"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = "gitlab-runner"
    image = "alpine:3.20"
'''

[[gitlab.jobs]]
project = "root/mycicd"
project_id = 2
ref = "main"
image = "alpine:3.20"
script = ['echo "Hello, $GITLAB_USER_LOGIN!"']
variables = { GITLAB_USER_LOGIN = "root" }
timeout = 600

[cluster]
namespaces = ["gitlab-runner"]
runner_identity = "system:serviceaccount:gitlab-runner:gitlab-runner"
pod_pending_seconds = 2

[[cluster.roles]]
name = "gitlab-runner"
namespace = "gitlab-runner"
rules = [
  { api_groups = [""], resources = ["pods", "pods/exec", "pods/attach", "pods/log", "secrets", "events", "services", "serviceaccounts"], verbs = ["create", "get", "list", "watch", "update", "patch", "delete"] },
]

[[cluster.role_bindings]]
name = "gitlab-runner"
namespace = "gitlab-runner"
role = "gitlab-runner"
role_kind = "Role"
subjects = [{ kind = "ServiceAccount", name = "gitlab-runner", namespace = "gitlab-runner" }]
)toml";

void run_matrix(const std::string& profile) {
  std::string text = kHello;
  text.replace(text.find("PROFILE"), 7, "profile = \"" + profile + "\"");
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
