// `kexsim serve`: the kubeconfig it writes and its exit codes. Real clients against a running
// server are the conformance tests (tests/conformance/).
#include "sim/serve.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/base64.h"
#include "tests/sim/serve_rig.h"
#include "tests/support/temp_dir.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;
using serve_testing::read_text;
using serve_testing::serve_source;

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
  const auto served = serve_source("scenarios/rbac/secrets-forbidden.toml", dir.path().string());
  EXPECT_EQ(served.code, 0) << served.err;
  EXPECT_NE(served.out.find("export KUBECONFIG=" + (dir.path() / "kubeconfig").string() + "\n"), std::string::npos)
      << served.out;
  EXPECT_NE(served.out.find("  GitLab          https://127.0.0.1:"), std::string::npos) << served.out;
  EXPECT_NE(served.out.find("Ctrl-C"), std::string::npos) << served.out;
  const std::string kubeconfig = read_text(dir.path() / "kubeconfig");
  EXPECT_NE(kubeconfig.find("    server: \"https://127.0.0.1:"), std::string::npos) << kubeconfig;
  EXPECT_NE(kubeconfig.find("current-context: admin"), std::string::npos);
  EXPECT_NE(kubeconfig.find("runner (system:serviceaccount:cicd:default)"), std::string::npos);
  EXPECT_EQ(read_text(dir.path() / "ca.crt").rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

TEST(Serve, InvalidScenarioExits3) {
  testing::TestDir dir("kexsim-serve-test");
  const auto served = serve_source("tests/data/broken-scenario.toml", dir.path().string());
  EXPECT_EQ(served.code, 3);
  EXPECT_NE(served.err.find("invalid scenario"), std::string::npos) << served.err;
  EXPECT_FALSE(fs::exists(dir.path() / "kubeconfig"));
}

TEST(Serve, WithoutDirItWritesIntoATemporaryDirectoryAndRemovesItWhenItStops) {
  const auto served = serve_source("scenarios/basics/hello.toml", "");
  EXPECT_EQ(served.code, 0) << served.err;
  const std::string& text = served.out;
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
  const auto served = serve_source("tests/data/broken-config.toml", dir.path().string());
  EXPECT_EQ(served.code, 3);
  EXPECT_NE(served.err.find("broken-config.toml:9:"), std::string::npos) << served.err;
}

}  // namespace
}  // namespace kexsim::sim
