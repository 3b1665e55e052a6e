// connect_to_cluster: [runners.kubernetes] host and credentials, or client-go's in-cluster
// discovery with its kubeconfig fallback (executors/kubernetes/util.go: getKubeClientConfig).

#include "executor/kube_config.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace kexsim::executor {
namespace {

const char kNoConfiguration[] =
    "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable";

InClusterSource in_cluster(const std::string& dir) {
  InClusterSource source;
  source.env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  source.service_account_dir = dir;
  return source;
}

TEST(KubeConfigTest, InClusterReadsTheTokenVerbatimAndTrustsTheServiceAccountCa) {
  testing::TestDir dir;
  ASSERT_TRUE(write_file(dir.file("token"), "eyJhbGciOi.token"));
  auto connection = connect_to_cluster(KubernetesConfig{}, in_cluster(dir.path().string()), Profile::kV19_4);
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_EQ(connection->base_url, "https://10.96.0.1:443");
  EXPECT_EQ(connection->token, "eyJhbGciOi.token");
  EXPECT_EQ(connection->tls.ca_file, dir.file("ca.crt"));
  EXPECT_EQ(connection->user_agent, "gitlab-runner 19.4.0 (main; go1.24.6; linux/amd64)");
}

TEST(KubeConfigTest, AMissingTokenFallsBackToKubeconfigAsClientGoDoes) {
  // rest.InClusterConfig fails on the token file; guessClientConfig then loads kubeconfig, which
  // is absent, so the job sees client-go's empty-config error. The hint keeps the real cause.
  testing::TestDir dir;
  auto connection = connect_to_cluster(KubernetesConfig{}, in_cluster(dir.path().string()), Profile::kV19_4);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().message, kNoConfiguration);
  EXPECT_NE(connection.error().hint.find("open " + dir.file("token") + ": no such file or directory"),
            std::string::npos)
      << connection.error().hint;
}

TEST(KubeConfigTest, NoServiceEnvironmentIsNotInCluster) {
  InClusterSource source;
  auto connection = connect_to_cluster(KubernetesConfig{}, source, Profile::kV19_4);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().message, kNoConfiguration);
  EXPECT_NE(connection.error().hint.find("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"),
            std::string::npos);
}

TEST(KubeConfigTest, AnIpv6ServiceHostIsBracketed) {
  testing::TestDir dir;
  ASSERT_TRUE(write_file(dir.file("token"), "t"));
  InClusterSource source = in_cluster(dir.path().string());
  source.env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  auto connection = connect_to_cluster(KubernetesConfig{}, source, Profile::kV19_4);
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_EQ(connection->base_url, "https://[fd00::1]:443");
}

TEST(KubeConfigTest, AConfiguredHostIsUsedAsGiven) {
  KubernetesConfig config;
  config.host = "k8s.example.com:6443";
  config.bearer_token = "tok";
  config.ca_file = "/ca.crt";
  config.cert_file = "/client.crt";
  config.key_file = "/client.key";
  auto connection = connect_to_cluster(config, InClusterSource{}, Profile::kV13_12);
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_EQ(connection->base_url, "https://k8s.example.com:6443");
  EXPECT_EQ(connection->token, "tok");
  EXPECT_EQ(connection->tls.ca_file, "/ca.crt");
  EXPECT_EQ(connection->tls.cert_file, "/client.crt");
  EXPECT_EQ(connection->tls.key_file, "/client.key");
  EXPECT_EQ(connection->user_agent.rfind("gitlab-runner 13.12.0 ", 0), 0u) << connection->user_agent;
}

}  // namespace
}  // namespace kexsim::executor
