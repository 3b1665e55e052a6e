#include "sim/serve.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/files.h"
#include "base/real_clock.h"
#include "sim/exit_code.h"
#include "sim/scenario.h"
#include "sim/world.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

/// A YAML double-quoted scalar: JSON string syntax is valid YAML.
std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

/// The URL of the listener that serves `serves`, preferring one whose TLS is not a scenario fault.
std::string url_of(const fakes::Network& network, const std::string& serves) {
  const fakes::HostEntry* chosen = nullptr;
  for (const auto& h : network.hosts()) {
    if (h.serves != serves || h.loopback_port == 0) continue;
    const bool clean = h.tls == fakes::TlsBehaviour::kOk || h.tls == fakes::TlsBehaviour::kNone;
    if (!chosen || (clean && chosen->tls != fakes::TlsBehaviour::kOk && chosen->tls != fakes::TlsBehaviour::kNone))
      chosen = &h;
  }
  if (!chosen) return {};
  const std::string scheme = chosen->tls == fakes::TlsBehaviour::kNone ? "http" : "https";
  return scheme + "://127.0.0.1:" + std::to_string(chosen->loopback_port);
}

/// Writes content to path through a temporary file, so a reader polling for path never sees half of it.
bool write_atomically(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    if (!f.flush()) return false;
  }
  std::error_code ec;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);  // it holds tokens
  fs::rename(tmp, path, ec);
  return !ec;
}

/// The directory asked for, made if missing and given as an absolute path; empty on failure.
fs::path prepare_dir(const std::string& wanted) {
  std::error_code ec;
  fs::path path = fs::absolute(wanted, ec);
  if (ec) return {};
  fs::create_directories(path, ec);
  if (ec || !fs::is_directory(path)) return {};
  return path;
}

}  // namespace

std::string render_kubeconfig(const KubeconfigParams& p) {
  std::string y;
  y += "# Written by kexsim serve. Users: admin (group system:masters) and runner (" + p.runner_identity + ").\n";
  y += "apiVersion: v1\n";
  y += "kind: Config\n";
  y += "clusters:\n";
  y += "- name: kexsim\n";
  y += "  cluster:\n";
  y += "    server: " + quoted(p.server) + "\n";
  y += "    certificate-authority-data: " + base64_encode(p.ca_pem) + "\n";
  y += "users:\n";
  y += "- name: admin\n";
  y += "  user:\n";
  y += "    token: " + quoted(p.admin_token) + "\n";
  y += "- name: runner\n";
  y += "  user:\n";
  y += "    token: " + quoted(p.runner_token) + "\n";
  y += "contexts:\n";
  for (const char* who : {"admin", "runner"}) {
    y += std::string("- name: ") + who + "\n";
    y += "  context:\n";
    y += "    cluster: kexsim\n";
    y += std::string("    user: ") + who + "\n";
    y += "    namespace: " + quoted(p.ns) + "\n";
  }
  y += "current-context: admin\n";
  return y;
}

int serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  auto scenario = load_scenario(options.scenario);
  if (!scenario) {
    err << "kexsim: invalid scenario: " << scenario.error().describe() << "\n";
    return kExitInvalid;
  }
  // The directory to write into: the one asked for, or a new temporary one (removed at exit).
  std::optional<TempDir> temp;
  fs::path dir;
  if (options.dir.empty()) {
    if (!temp.emplace("kexsim-serve").ok()) {
      err << "kexsim: cannot create a directory for the kubeconfig: " << temp->error() << "\n";
      return kExitInfrastructure;
    }
    dir = temp->path();
  } else if ((dir = prepare_dir(options.dir)).empty()) {
    err << "kexsim: cannot create the directory " << options.dir << "\n";
    return kExitInfrastructure;
  }

  RealClock clock;  // outlives io: coroutines still pending at exit settle their accounting on it
  boost::asio::io_context io;
  const uint64_t seed = options.seed.value_or(scenario->seed);
  auto started = SimWorld::start(*scenario, seed, io, clock);
  if (!started) {
    err << "kexsim: " << options.scenario << ": " << started.error().describe() << "\n";
    return kExitInvalid;
  }
  std::unique_ptr<SimWorld> world = std::move(*started);

  const std::string kube_url = url_of(world->network(), "kubernetes");
  const std::string gitlab_url = url_of(world->network(), "gitlab");
  std::string ns = scenario->config.runners.front().kubernetes.namespace_;
  if (ns.empty()) ns = "default";
  const fs::path kubeconfig = dir / "kubeconfig";
  const fs::path ca_file = dir / "ca.crt";
  const std::string yaml = render_kubeconfig(
      {kube_url, world->ca().cert_pem(), world->admin_token(), world->runner_token(), scenario->runner_identity, ns});
  // Each project's refs as the fake GitLab serves them: "<path> <ref> <sha>" lines, for git clients.
  std::string refs;
  for (const auto& [path, repo] : world->gitlab().repositories())
    for (const auto& [ref, sha] : repo.refs()) refs += path + " " + ref + " " + sha + "\n";
  if (!write_atomically(dir / "repositories", refs) || !write_atomically(ca_file, world->ca().cert_pem()) ||
      !write_atomically(kubeconfig, yaml)) {
    err << "kexsim: cannot write " << kubeconfig.string() << "\n";
    return kExitInfrastructure;
  }

  out << "kexsim serve: " << scenario->group << "/" << scenario->name << " (seed " << seed << "), no jobs run\n";
  if (temp) out << "  directory       " << dir.string() << " (removed when serve stops)\n";
  out << "  Kubernetes API  " << kube_url << "  contexts: admin (current), runner = " << scenario->runner_identity
      << "\n";
  out << "  GitLab          " << gitlab_url << "\n";
  for (const auto& [path, repo] : world->gitlab().repositories())
    out << "  git clone       " << gitlab_url << "/" << path << ".git  (refs in " << (dir / "repositories").string()
        << ")\n";
  out << "  CA certificate  " << ca_file.string() << "\n\n";
  out << "export KUBECONFIG=" << kubeconfig.string() << "\n\n";
  if (options.for_seconds)
    out << "Serving for " << *options.for_seconds << " s; Ctrl-C stops it sooner.\n";
  else
    out << "Serving until Ctrl-C.\n";
  out.flush();

  int code = kExitPassed;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer deadline(io);
  auto stop = [&] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    deadline.cancel();
    world->stop();
    io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGINT) code = kExitInterrupted;
    stop();
  });
  if (options.for_seconds) {
    deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, *options.for_seconds))));
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) stop();
    });
  }
  // An exception out of a fake (rethrown by its coroutine's completion) ends serve as an
  // infrastructure error, not an abort.
  auto crashed = [&](const std::string& when) {
    std::string what = "an exception of unknown type";
    try {
      throw;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    err << "kexsim serve: " << scenario->group << "/" << scenario->name << " (--seed " << seed
        << "): an exception escaped the fakes " << when << ": " << what << "\n  after "
        << world->kube().call_log().size() << " Kubernetes API and " << world->gitlab().call_log().size()
        << " GitLab requests\n  hint: this is a kexsim bug; please report it with the scenario name and --seed\n";
    code = kExitInfrastructure;
  };
  try {
    io.run();
  } catch (...) {
    crashed("while serving");
    stop();
  }
  // Let the closed connections' coroutines finish. An exec session asleep in a modelled `sleep`
  // waits on a timer, not on its closed connection: it is not ready and is dropped with the context.
  try {
    io.restart();
    io.poll();
  } catch (...) {
    crashed("while stopping");
  }
  out << "kexsim serve: stopped after " << world->kube().call_log().size() << " Kubernetes API and "
      << world->gitlab().call_log().size() << " GitLab requests\n";
  return code;
}

}  // namespace kexsim::sim
