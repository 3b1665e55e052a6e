// `kexsim serve`: the kubeconfig it writes and its exit codes. Real clients against a running
// server are the conformance tests (tests/conformance/).
#include "sim/serve.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "tests/support/temp_dir.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string source(const std::string& rel) { return std::string(KEXSIM_SOURCE_DIR) + "/" + rel; }

TEST(Kubeconfig, NamesAdminAsCurrentAndTheRunnerWithTheSimulationCa) {
  const std::string y = render_kubeconfig({"https://127.0.0.1:6443", "-----BEGIN CERTIFICATE-----\nx\n", "admin-tok",
                                           "runner-tok", "system:serviceaccount:cicd:default", "cicd"});
  EXPECT_NE(y.find("    server: \"https://127.0.0.1:6443\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("    certificate-authority-data: " + base64_encode("-----BEGIN CERTIFICATE-----\nx\n") + "\n"),
            std::string::npos);
  EXPECT_NE(y.find("- name: admin\n  user:\n    token: \"admin-tok\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("- name: runner\n  user:\n    token: \"runner-tok\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("- name: runner\n  context:\n    cluster: kexsim\n    user: runner\n    namespace: \"cicd\"\n"),
            std::string::npos)
      << y;
  EXPECT_NE(y.find("\ncurrent-context: admin\n"), std::string::npos) << y;
  EXPECT_NE(y.find("runner (system:serviceaccount:cicd:default)"), std::string::npos) << y;
}

TEST(Serve, WritesKubeconfigAndCaThenStopsAfterForSeconds) {
  testing::TestDir dir("kexsim-serve-test");
  std::ostringstream out, err;
  const int code =
      serve({source("scenarios/rbac/secrets-forbidden.toml"), std::nullopt, dir.path().string(), 0.0}, out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_NE(out.str().find("export KUBECONFIG=" + (dir.path() / "kubeconfig").string() + "\n"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("  GitLab          https://127.0.0.1:"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Ctrl-C"), std::string::npos) << out.str();
  const std::string kubeconfig = read(dir.path() / "kubeconfig");
  EXPECT_NE(kubeconfig.find("    server: \"https://127.0.0.1:"), std::string::npos) << kubeconfig;
  EXPECT_NE(kubeconfig.find("current-context: admin"), std::string::npos);
  EXPECT_NE(kubeconfig.find("runner (system:serviceaccount:cicd:default)"), std::string::npos);
  EXPECT_EQ(read(dir.path() / "ca.crt").rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

TEST(Serve, InvalidScenarioExits3) {
  testing::TestDir dir("kexsim-serve-test");
  std::ostringstream out, err;
  const int code = serve({source("tests/data/broken-scenario.toml"), std::nullopt, dir.path().string(), 0.0}, out, err);
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.str().find("invalid scenario"), std::string::npos) << err.str();
  EXPECT_FALSE(fs::exists(dir.path() / "kubeconfig"));
}

TEST(Serve, WithoutDirItWritesIntoATemporaryDirectoryAndRemovesItWhenItStops) {
  std::ostringstream out, err;
  const int code = serve({source("scenarios/basics/hello.toml"), std::nullopt, "", 0.0}, out, err);
  EXPECT_EQ(code, 0) << err.str();
  const std::string text = out.str();
  const std::string label = "  directory       ";
  const size_t at = text.find(label);
  ASSERT_NE(at, std::string::npos) << text;
  const size_t end = text.find(" (removed when serve stops)\n", at);
  ASSERT_NE(end, std::string::npos) << text;
  const fs::path dir = text.substr(at + label.size(), end - at - label.size());
  EXPECT_EQ(dir.filename().string().rfind("kexsim-serve-", 0), 0u) << dir;
  EXPECT_NE(text.find("export KUBECONFIG=" + (dir / "kubeconfig").string() + "\n"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(dir)) << dir << " was left behind";
}

TEST(Serve, InvalidRunnerConfigExits3) {
  testing::TestDir dir("kexsim-serve-test");
  std::ostringstream out, err;
  const int code = serve({source("tests/data/broken-config.toml"), std::nullopt, dir.path().string(), 0.0}, out, err);
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.str().find("broken-config.toml:9:"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace kexsim::sim
