// `kexsim serve`: the kubeconfig it writes and its exit codes. Real clients against a running
// server are the conformance tests (tests/conformance/).
#include "sim/serve.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/base64.h"

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

/// A fresh directory under the system's temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kexsim-serve-test-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

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
  TempDir dir;
  std::ostringstream out, err;
  const int code = serve({source("scenarios/rbac/secrets-forbidden.toml"), std::nullopt, dir.path.string(), 0.0}, out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_NE(out.str().find("export KUBECONFIG=" + (dir.path / "kubeconfig").string() + "\n"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("  GitLab          https://127.0.0.1:"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Ctrl-C"), std::string::npos) << out.str();
  const std::string kubeconfig = read(dir.path / "kubeconfig");
  EXPECT_NE(kubeconfig.find("    server: \"https://127.0.0.1:"), std::string::npos) << kubeconfig;
  EXPECT_NE(kubeconfig.find("current-context: admin"), std::string::npos);
  EXPECT_NE(kubeconfig.find("runner (system:serviceaccount:cicd:default)"), std::string::npos);
  EXPECT_EQ(read(dir.path / "ca.crt").rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

TEST(Serve, InvalidScenarioExits3) {
  TempDir dir;
  std::ostringstream out, err;
  const int code = serve({source("tests/data/broken-scenario.toml"), std::nullopt, dir.path.string(), 0.0}, out, err);
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.str().find("invalid scenario"), std::string::npos) << err.str();
  EXPECT_FALSE(fs::exists(dir.path / "kubeconfig"));
}

TEST(Serve, InvalidRunnerConfigExits3) {
  TempDir dir;
  std::ostringstream out, err;
  const int code = serve({source("tests/data/broken-config.toml"), std::nullopt, dir.path.string(), 0.0}, out, err);
  EXPECT_EQ(code, 3);
  EXPECT_NE(err.str().find("broken-config.toml:9:"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace kexsim::sim
