// A new node's kubelet without an approved serving certificate: when the API server cannot reach it, and
// the messages of the requests it proxies (exec and attach upgrades, logs).

#include <gtest/gtest.h>

#include "fakes/kube/kubelet_serving.h"

namespace kexsim::fakes {
namespace {

NodeSpec joining_node(double cert_seconds) {
  NodeSpec n;
  n.name = "ci-pool-7f3a";
  n.address = "10.0.1.23";
  n.kubelet_serving_cert_seconds = cert_seconds;
  return n;
}

TEST(KubeletServing, UnreachableUntilTheCertificateIsApprovedCountedFromTheJoin) {
  Scheduler scheduler;
  const TimePoint joined{std::chrono::seconds(100)};
  scheduler.add_node(joining_node(40), joined);
  EXPECT_TRUE(kubelet_dial_failure(scheduler, "ci-pool-7f3a", joined).has_value());
  EXPECT_TRUE(kubelet_dial_failure(scheduler, "ci-pool-7f3a", joined + std::chrono::seconds(39)).has_value());
  EXPECT_FALSE(kubelet_dial_failure(scheduler, "ci-pool-7f3a", joined + std::chrono::seconds(40)).has_value());
  // A node the scenario does not declare (the default node-1) and one approved at once always serve.
  EXPECT_FALSE(kubelet_dial_failure(scheduler, "node-1", joined).has_value());
  Scheduler approved;
  approved.add_node(joining_node(0), joined);
  EXPECT_FALSE(kubelet_dial_failure(approved, "ci-pool-7f3a", joined).has_value());
}

TEST(KubeletServing, MessagesAreTheApiServersForUpgradesAndLogs) {
  Scheduler scheduler;
  scheduler.add_node(joining_node(40), TimePoint{});
  const auto failure = kubelet_dial_failure(scheduler, "ci-pool-7f3a", TimePoint{});
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->address, "10.0.1.23:10250");
  EXPECT_EQ(kubelet_upgrade_error(*failure), "error dialing backend: remote error: tls: internal error");
  PodLogOptions options;
  options.container = "helper";
  options.tail_lines = 10;
  EXPECT_EQ(kubelet_log_error(*failure, "ci", "runner-abc", "helper", options),
            "Get \"https://10.0.1.23:10250/containerLogs/ci/runner-abc/helper?tailLines=10\": remote error: tls: "
            "internal error");
  // url.Values.Encode sorts the keys.
  options.follow = true;
  options.timestamps = true;
  options.limit_bytes = 512;
  EXPECT_EQ(kubelet_log_error(*failure, "ci", "p", "c", options),
            "Get \"https://10.0.1.23:10250/containerLogs/ci/p/c?follow=true&limitBytes=512&tailLines=10&"
            "timestamps=true\": remote error: tls: internal error");
  EXPECT_EQ(kubelet_log_error(*failure, "ci", "p", "c", PodLogOptions{}),
            "Get \"https://10.0.1.23:10250/containerLogs/ci/p/c\": remote error: tls: internal error");
}

}  // namespace
}  // namespace kexsim::fakes
