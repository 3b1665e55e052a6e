#include "sim/scenario_runner_host.h"

#include <filesystem>

#include "base/base64.h"
#include "base/files.h"
#include "sim/world.h"

namespace kexsim::sim {
namespace {

const char kRunnerHostHint[] = "see docs/scenarios.md, section \"The runner host: env and files\"";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

void read_runner_host_env_and_files(TomlTable& runner, Scenario& s) {
  runner.get("env", s.runner_env);
  for (const toml::table* entry : runner.tables("host_files")) {
    TomlTable t(*entry, runner.path("host_files"), runner.context());
    RunnerHostFile file;
    if (t.require("path", "give the file's absolute path on the runner host: path = \"/root/.kube/config\""))
      t.get("path", file.path);
    if (t.require("content", "give the file's text: content = '''...'''")) t.get("content", file.content);
    t.reject_unread();
    if (t.context().failed()) return;
    if (file.path.empty() || file.path[0] != '/' || file.path.find("..") != std::string::npos) {
      t.context().fail(entry->source(), t.path("path") + ": \"" + file.path + "\": expected an absolute path",
                       kRunnerHostHint);
      return;
    }
    s.runner_host_files.push_back(std::move(file));
  }
}

Result<std::string> expand_host_file(const std::string& content, const SimWorld& world) {
  const bool wants_untrusted = content == "untrusted-ca" || content.find("@untrusted-ca-data") != std::string::npos;
  std::string untrusted;
  if (wants_untrusted) {
    auto rogue = world.untrusted_ca_pem();
    if (!rogue) return rogue.error();
    untrusted = *rogue;
  }
  if (content == "simulation-ca") return world.ca().cert_pem();
  if (content == "untrusted-ca") return untrusted;
  std::string out = content;
  replace_all(out, "@simulation-ca-data", base64_encode(world.ca().cert_pem()));
  if (wants_untrusted) replace_all(out, "@untrusted-ca-data", base64_encode(untrusted));
  replace_all(out, "@apiserver", std::string("https://") + kKubeAddress + ":443");
  replace_all(out, "@runner-token", world.runner_token());
  return out;
}

Status write_runner_host_files(const Scenario& s, const std::string& root, const SimWorld& world) {
  auto write = [&](const std::string& path, const std::string& content) -> Status {
    auto text = expand_host_file(content, world);
    if (!text) return text.error();
    const std::filesystem::path real = root + path;
    std::error_code ec;
    std::filesystem::create_directories(real.parent_path(), ec);
    if (ec) return make_error("cannot create " + real.parent_path().string() + ": " + ec.message(), "check TMPDIR");
    return write_file(real.string(), *text);
  };
  for (const auto& [path, content] : s.runner_files)
    if (auto ok = write(path, content); !ok) return ok;
  for (const auto& file : s.runner_host_files)
    if (auto ok = write(file.path, file.content); !ok) return ok;
  return {};
}

std::map<std::string, std::string> runner_host_env(const Scenario& s) {
  std::map<std::string, std::string> env = s.runner_env;
  env.emplace("HOME", "/root");  // the runner's service runs as root on a VM
  return env;
}

}  // namespace kexsim::sim
