#pragma once
// A ContainerWorld for the runtime model's tests: connection outcomes and commands are set per
// test; every connect is recorded; connections that succeed reach `server` (e.g. a FakeGitLab)
// in memory, without TLS (tests/fakes/tls_pipe_test.cc covers the TLS verdicts).

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http/types.h"
#include "fakes/kube/exec.h"
#include "fakes/kube/pod_world.h"
#include "fakes/runtime/shell.h"
#include "fakes/runtime/world.h"

namespace kexsim::fakes::runtime_testing {

/// A scripted world: hosts resolve to 10.0.0.5 and connect fine unless an outcome is set.
class TestWorld : public ContainerWorld {
 public:
  Connected open(const std::string& host, int port, const TlsOptions* tls) override {
    connects.push_back(host + ":" + std::to_string(port) + (tls ? ":tls" : ""));
    Connected out;
    auto it = outcomes.find(host);
    if (it != outcomes.end()) {
      out.outcome = it->second;
    } else {
      out.outcome.address = "10.0.0.5";
    }
    using Kind = ConnectOutcome::Kind;
    const Kind kind = out.outcome.kind;
    // Without verification a bad certificate does not matter (curl -k, http.sslVerify=false).
    if (tls && !tls->verify && (kind == Kind::kTlsUntrusted || kind == Kind::kTlsWrongName))
      out.outcome.kind = Kind::kOk;
    if (tls) trusted.push_back(tls->extra_pems);
    if (out.outcome.kind == Kind::kOk) out.connection = in_memory_http(server, host);
    return out;
  }
  std::string etc_hosts() override { return hosts; }
  std::string hostname() override { return pod_name; }
  const CommandSpec* command(const std::string& name) override {
    auto it = commands.find(name);
    return it == commands.end() ? nullptr : &it->second;
  }

  /// Makes connections to host end with kind after elapsed.
  void fail(const std::string& host, ConnectOutcome::Kind kind, Duration elapsed = Duration{0}) {
    ConnectOutcome o;
    o.kind = kind;
    o.address = kind == ConnectOutcome::Kind::kResolveFailed ? "" : "10.0.0.5";
    o.elapsed = elapsed;
    outcomes[host] = o;
  }

  std::map<std::string, ConnectOutcome> outcomes;
  HttpHandler* server = nullptr;  ///< answers every successful connection (nullptr: 404)
  std::map<std::string, CommandSpec> commands;
  std::string hosts = "127.0.0.1\tlocalhost\n10.0.0.5\tgitlab.mylab.com\n";
  std::string pod_name = "runner-abc-project-1-concurrent-0-xyz";
  std::vector<std::string> connects;
  std::vector<std::vector<std::string>> trusted;  ///< the extra CA PEMs of each TLS connect
};

/// A ContainerWorldFactory for API server tests: every pod gets a TestWorld knowing `commands`.
class CommandWorlds : public ContainerWorldFactory {
 public:
  std::unique_ptr<ContainerWorld> world_for(const nlohmann::json&, const std::string&) override {
    auto world = std::make_unique<TestWorld>();
    world->commands = commands;
    return world;
  }
  std::map<std::string, CommandSpec> commands;
};

/// All output of one stream, concatenated.
inline std::string stream_text(const ShellResult& r, int stream) {
  std::string out;
  for (const auto& c : r.output)
    if (c.stream == stream) out += c.data;
  return out;
}

/// The output as "<offset ms> <stream>: <data>" lines, to check order, streams and timing at once.
inline std::string transcript(const ShellResult& r) {
  std::string out;
  for (const auto& c : r.output)
    out += std::to_string(c.at.count() / 1000) + " " + std::to_string(c.stream) + ": " + c.data;
  return out;
}

}  // namespace kexsim::fakes::runtime_testing
