// KubeletSyncIndex: which pods the fake kubelet's per-request sync looks at.
#include "fakes/kube/kubelet_sync_index.h"

#include <gtest/gtest.h>

namespace kexsim::fakes {
namespace {

using nlohmann::json;

const TimePoint kT0 = TimePoint(Duration(1767225600LL * 1000000));

json kubelet_pod(const std::string& name, const std::string& uid, json spec) {
  return {{"metadata", {{"namespace", "ci"}, {"name", name}, {"uid", uid}}}, {"spec", std::move(spec)}};
}

std::vector<std::string> names(const KubeletSyncIndex& index, TimePoint now) {
  std::vector<std::string> out;
  for (const auto& [ns, name, uid] : index.candidates(now)) out.push_back(name);
  return out;
}

TEST(PodFacts, SeesSecretEnvVolumesAndDeadline) {
  const json env = {{"containers",
                     {{{"name", "build"},
                       {"env", {{{"name", "A"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}}}}}}};
  EXPECT_TRUE(pod_facts(kubelet_pod("a", "1", env)).secret_env);
  const json optional = {
      {"containers", {{{"name", "build"}, {"envFrom", {{{"secretRef", {{"name", "s"}, {"optional", true}}}}}}}}}};
  EXPECT_FALSE(pod_facts(kubelet_pod("a", "1", optional)).secret_env);
  const json volumes = {{"volumes", {{{"name", "v"}, {"configMap", {{"name", "c"}}}}}}, {"activeDeadlineSeconds", 60}};
  const PodFacts facts = pod_facts(kubelet_pod("a", "1", volumes));
  EXPECT_TRUE(facts.object_volumes);
  EXPECT_EQ(facts.deadline, 60);
}

TEST(KubeletSyncIndex, NamesFailingSpecsAlwaysAndOthersOncePastTheirDeadline) {
  KubeletSyncIndex index;
  index.admit(kubelet_pod("b-plain", "1", {{"activeDeadlineSeconds", 10}}), kT0);
  index.admit(kubelet_pod("a-volume", "2", {{"volumes", {{{"name", "v"}, {"secret", {{"secretName", "x"}}}}}}}), kT0);
  index.admit(kubelet_pod("c-no-deadline", "3", {{"containers", json::array()}}), kT0);
  EXPECT_EQ(names(index, kT0 + std::chrono::seconds(9)), std::vector<std::string>({"a-volume"}));
  EXPECT_EQ(names(index, kT0 + std::chrono::seconds(10)), std::vector<std::string>({"a-volume", "b-plain"}));
  index.forget("2");
  index.forget("1");
  EXPECT_TRUE(names(index, kT0 + std::chrono::hours(1)).empty());
}

TEST(KubeletSyncIndex, AReplacedSpecIsSeen) {
  KubeletSyncIndex index;
  index.admit(kubelet_pod("a", "1", {{"activeDeadlineSeconds", 10}}), kT0);
  index.admit(kubelet_pod("a", "1", {{"volumes", {{{"name", "v"}, {"secret", {{"secretName", "x"}}}}}}}), kT0);
  EXPECT_EQ(names(index, kT0), std::vector<std::string>({"a"}));
  index.admit(kubelet_pod("a", "1", json::object()), kT0);
  EXPECT_TRUE(names(index, kT0 + std::chrono::hours(1)).empty());
}

}  // namespace
}  // namespace kexsim::fakes
