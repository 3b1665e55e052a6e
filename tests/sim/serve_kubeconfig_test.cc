// The kubeconfig `kexsim serve` writes goes through the executor's own loader (executor/kubeconfig_file.h),
// exactly as a kind or k3d kubeconfig will in the real-cluster mode: same file, same code, no root.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "executor/kube_config.h"
#include "executor/kubeconfig_file.h"
#include "sim/serve.h"
#include "tests/support/temp_dir.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(ServeKubeconfig, TheExecutorsLoaderReadsTheRenderedKubeconfig) {
  testing::TestDir dir;
  const std::string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  ASSERT_TRUE(
      write_file(dir.file("kubeconfig"), render_kubeconfig({"https://127.0.0.1:6443", ca, "admin-tok", "runner-tok",
                                                            "system:serviceaccount:ci:x", "ci"})));
  const std::map<std::string, std::string> env = {{"KUBECONFIG", dir.file("kubeconfig")}};
  auto loaded = executor::load_kubeconfig({&env, ""});
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(loaded->current_context, "admin");
  EXPECT_EQ(loaded->contexts.at("runner").namespace_, "ci");
  const std::string kEmpty = "invalid configuration: no configuration has been provided";
  auto admin = executor::kubeconfig_client_config(*loaded, "", {&env, ""}, kEmpty);
  ASSERT_TRUE(admin) << admin.error().describe();
  EXPECT_EQ(admin->host, "https://127.0.0.1:6443");
  EXPECT_EQ(admin->token, "admin-tok");
  EXPECT_EQ(admin->ca_pem, ca);
  auto runner = executor::kubeconfig_client_config(*loaded, "runner", {&env, ""}, kEmpty);
  ASSERT_TRUE(runner) << runner.error().describe();
  EXPECT_EQ(runner->token, "runner-tok");
}

TEST(ServeKubeconfig, AServedClusterIsWhereTheExecutorConnects) {
  testing::TestDir dir("kexsim-serve-test");
  std::ostringstream out, err;
  const int code = serve({std::string(KEXSIM_SOURCE_DIR) + "/scenarios/rbac/secrets-forbidden.toml", std::nullopt,
                          dir.path().string(), 0.0},
                         out, err);
  ASSERT_EQ(code, 0) << err.str();
  executor::InClusterSource source;  // not in a pod: the kubeconfig fallback
  source.env = {{"KUBECONFIG", (dir.path() / "kubeconfig").string()}};
  executor::KubernetesConfig config;
  config.context = "runner";
  auto connection = executor::connect_to_cluster(config, source, executor::Profile::kV19_4);
  ASSERT_TRUE(connection) << connection.error().describe();
  const std::string kubeconfig = read_file(dir.path() / "kubeconfig");
  EXPECT_EQ(connection->base_url.rfind("https://127.0.0.1:", 0), 0u) << connection->base_url;
  EXPECT_NE(kubeconfig.find("    server: \"" + connection->base_url + "\""), std::string::npos);
  EXPECT_NE(kubeconfig.find("- name: runner\n  user:\n    token: \"" + connection->token + "\""), std::string::npos);
  EXPECT_EQ(connection->tls.ca_pem, read_file(dir.path() / "ca.crt"));
}

}  // namespace
}  // namespace kexsim::sim
