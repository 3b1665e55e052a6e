// The job's `kubernetes: user` against allowed_users / allowed_groups and the configured security
// contexts, release by release (executors/kubernetes/kubernetes.go getContainerUIDGID).

#include "executor/job_user.h"

#include <gtest/gtest.h>

#include "executor/config.h"

namespace kexsim::executor {
namespace {

const Profile k19_4 = Profile::kV19_4;

std::string lines(const JobUserIds& ids) {
  std::string out;
  for (const auto& l : ids.lines) out += (l.warning ? "WARNING: " : "") + l.text + "\n";
  return out;
}

TEST(JobUser, AnyNonRootUserWithoutAllowLists) {
  KubernetesConfig kube;
  auto ids = job_user_ids(kube, ContainerKind::kBuild, "build", "1000:2000", k19_4);
  EXPECT_EQ(ids.uid, 1000);
  EXPECT_EQ(ids.gid, 2000);
  EXPECT_TRUE(ids.lines.empty());
  // The helper and init-permissions never take the job's user.
  EXPECT_FALSE(job_user_ids(kube, ContainerKind::kHelper, "helper", "1000", k19_4).uid);
  EXPECT_FALSE(job_user_ids(kube, ContainerKind::kInitPermissions, "init-permissions", "1000", k19_4).uid);
}

TEST(JobUser, RootNeedsToBeListed) {
  KubernetesConfig kube;
  auto ids = job_user_ids(kube, ContainerKind::kBuild, "build", "0", k19_4);
  EXPECT_FALSE(ids.uid);
  EXPECT_EQ(lines(ids),
            "WARNING: Error parsing 'uid' from image options for container \"build\", using the configured security "
            "context: validating UID: user \"0\" is not in the allowed list: []\n");
  kube.allowed_users = {"0"};
  EXPECT_EQ(job_user_ids(kube, ContainerKind::kBuild, "build", "0", k19_4).uid, 0);
}

TEST(JobUser, NotInTheAllowList) {
  KubernetesConfig kube;
  kube.allowed_users = {"1000", "1001"};
  kube.allowed_groups = {"3000"};
  auto ids = job_user_ids(kube, ContainerKind::kService, "postgres", "2000:2000", k19_4);
  EXPECT_FALSE(ids.uid);
  EXPECT_FALSE(ids.gid);
  EXPECT_EQ(lines(ids),
            "WARNING: Error parsing 'uid' from image options for container \"postgres\", using the configured "
            "security context: validating UID: user \"2000\" is not in the allowed list: [1000 1001]\n"
            "WARNING: Error parsing 'gid' from image options for container \"postgres\", using the configured "
            "security context: validating GID: group \"2000\" is not in the allowed list: [3000]\n");
}

TEST(JobUser, MalformedAndNegativeIds) {
  KubernetesConfig kube;
  EXPECT_EQ(lines(job_user_ids(kube, ContainerKind::kBuild, "build", "nobody", k19_4)),
            "WARNING: Error parsing 'uid' from image options for container \"build\", using the configured security "
            "context: failed to parse UID: strconv.ParseInt: parsing \"nobody\": invalid syntax\n");
  EXPECT_EQ(lines(job_user_ids(kube, ContainerKind::kBuild, "build", "1000:-1", k19_4)),
            "WARNING: Error parsing 'gid' from image options for container \"build\", using the configured security "
            "context: failed to parse GID: negative values not allowed\n");
}

TEST(JobUser, TheConfigurationWins) {
  KubernetesConfig kube;
  kube.security.build.run_as_user = 1001;
  kube.security.pod.run_as_group = 3000;
  auto ids = job_user_ids(kube, ContainerKind::kBuild, "build", "1000:2000", k19_4);
  EXPECT_FALSE(ids.uid);
  EXPECT_FALSE(ids.gid);
  EXPECT_EQ(lines(ids),
            "Overriding user for container \"build\" to \"1000\" is not allowed: user is set to 1001 in container "
            "security context\n"
            "Overriding group for container \"build\" to \"2000\" is not allowed: group is set to 3000 in pod "
            "security context\n");
}

TEST(JobUser, EighteenElevenComparesStrings) {
  KubernetesConfig kube;
  // 18.x: only the string "0" is root; 19.0 compares numbers.
  EXPECT_EQ(job_user_ids(kube, ContainerKind::kBuild, "build", "00", Profile::kV18_11).uid, 0);
  EXPECT_FALSE(job_user_ids(kube, ContainerKind::kBuild, "build", "00", k19_4).uid);
  kube.allowed_users = {"1000"};
  EXPECT_FALSE(job_user_ids(kube, ContainerKind::kBuild, "build", "01000", Profile::kV18_11).uid);
  EXPECT_EQ(job_user_ids(kube, ContainerKind::kBuild, "build", "01000", k19_4).uid, 1000);
}

TEST(JobUser, BeforeTheAllowLists) {
  KubernetesConfig kube;
  kube.security.build.run_as_user = 1001;
  kube.allowed_users = {"5"};
  // 18.0-18.3: a positive id overrides the configuration, no allow list.
  auto ids = job_user_ids(kube, ContainerKind::kBuild, "build", "1000:2000", Profile(18, 3));
  EXPECT_EQ(ids.uid, 1000);
  EXPECT_EQ(ids.gid, 2000);
  EXPECT_EQ(lines(job_user_ids(kube, ContainerKind::kBuild, "build", "x", Profile(18, 0))),
            "WARNING: Error parsing 'uid' or 'gid' from image options, using the configured security context: "
            "failed to parse UID strconv.ParseInt: parsing \"x\": invalid syntax\n");
  // 17.11: an integer user, runAsUser only.
  ids = job_user_ids(kube, ContainerKind::kBuild, "build", "1000", Profile::kV17_11);
  EXPECT_EQ(ids.uid, 1000);
  EXPECT_FALSE(ids.gid);
  EXPECT_FALSE(job_user_ids(kube, ContainerKind::kBuild, "build", "1000", Profile::kV16_11).uid);
}

}  // namespace
}  // namespace kexsim::executor
