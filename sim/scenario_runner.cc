#include "sim/scenario_runner.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "base/crc32.h"
#include "base/random.h"
#include "base/tls.h"
#include "executor/config.h"
#include "executor/runner.h"
#include "executor/trace.h"
#include "fakes/container_world.h"
#include "fakes/gitlab/fake_gitlab.h"
#include "fakes/http/server.h"
#include "fakes/kube/api_server.h"
#include "fakes/network/network.h"
#include "sim/sim_dialer.h"
#include "sim/virtual_clock.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kKubeAddress = "10.96.0.1";
constexpr const char* kKubeName = "kubernetes.default.svc";

/// A private directory for the executor's in-cluster files, removed when the run ends.
struct RunDir {
  fs::path path;
  RunDir() {
    std::string tmpl = (fs::temp_directory_path() / "kexsim-run-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~RunDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
  }
};

/// host[:port] of a URL, with the scheme's default port.
void split_url(const std::string& url, std::string& host, int& port) {
  std::string rest = url;
  port = 443;
  if (auto p = rest.find("://"); p != std::string::npos) {
    if (rest.substr(0, p) == "http") port = 80;
    rest = rest.substr(p + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  if (auto c = rest.find(':'); c != std::string::npos) {
    port = std::atoi(rest.c_str() + c + 1);
    rest = rest.substr(0, c);
  }
  host = rest;
}

fakes::TlsBehaviour tls_behaviour(const std::string& s) {
  if (s == "none") return fakes::TlsBehaviour::kNone;
  if (s == "reset") return fakes::TlsBehaviour::kReset;
  if (s == "untrusted") return fakes::TlsBehaviour::kUntrusted;
  if (s == "wrong-name") return fakes::TlsBehaviour::kWrongName;
  if (s == "expired") return fakes::TlsBehaviour::kExpired;
  return fakes::TlsBehaviour::kOk;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

/// The TLS identity of one served host: a certificate as the scenario wants it to look.
Result<fakes::ServerTls> server_tls(const CertificateAuthority& ca, const CertificateAuthority& rogue,
                                    const fakes::HostEntry& host, std::vector<std::string> names) {
  fakes::ServerTls tls;
  names.push_back(host.address);
  Result<KeyPair> pair = make_error("unreachable");
  switch (host.tls) {
    case fakes::TlsBehaviour::kUntrusted: pair = rogue.issue(names); break;
    case fakes::TlsBehaviour::kWrongName: pair = ca.issue({"wrong-name.invalid"}); break;
    case fakes::TlsBehaviour::kExpired: pair = ca.issue(names, true); break;
    default: pair = ca.issue(names); break;
  }
  if (!pair) return pair.error();
  tls.cert_pem = pair->cert_pem;
  tls.key_pem = pair->key_pem;
  tls.reset_handshake = host.tls == fakes::TlsBehaviour::kReset;
  return tls;
}

void check(RunResult& r, std::string expectation, bool ok, std::string actual) {
  r.verdicts.push_back({std::move(expectation), ok, ok ? std::string() : std::move(actual)});
}

void evaluate(const Scenario& s, RunResult& r) {
  const Expectations& e = s.expect;
  if (e.status) check(r, "status = \"" + *e.status + "\"", r.job_state == *e.status, "status was \"" + r.job_state + "\"");
  if (e.failure_reason)
    check(r, "failure_reason = \"" + *e.failure_reason + "\"", r.failure_reason == *e.failure_reason,
          "failure_reason was \"" + r.failure_reason + "\"");
  if (e.exit_code) {
    const int actual = r.exit_code.value_or(0);
    check(r, "exit_code = " + std::to_string(*e.exit_code), actual == *e.exit_code,
          "exit_code was " + std::to_string(actual));
  }
  const auto lines = split_lines(executor::render_plain(r.trace));
  for (const auto& want : e.log_contains) {
    bool found = false;
    for (const auto& l : lines) found |= l == want;
    check(r, "log contains the line: " + want, found, "no such line in the job log");
  }
  for (const auto& unwanted : e.log_not_contains) {
    std::string seen;
    for (const auto& l : lines)
      if (l.find(unwanted) != std::string::npos) seen = l;
    check(r, "log does not contain: " + unwanted, seen.empty(), "found in: " + seen);
  }
  for (const auto& call : e.api_calls_contain) {
    bool found = false;
    for (const auto& l : r.kube_calls) found |= l.find(call) != std::string::npos;
    check(r, "Kubernetes API calls include: " + call, found, "no such call");
  }
  auto count = [&](const std::string& kind) {
    int n = 0;
    for (const auto& l : r.leftovers) n += l.rfind(kind + "/", 0) == 0;
    return n;
  };
  if (e.leftover_pods)
    check(r, "leftover_pods = " + std::to_string(*e.leftover_pods), count("pods") == *e.leftover_pods,
          std::to_string(count("pods")) + " pod(s) left");
  if (e.leftover_secrets)
    check(r, "leftover_secrets = " + std::to_string(*e.leftover_secrets), count("secrets") == *e.leftover_secrets,
          std::to_string(count("secrets")) + " secret(s) left");
  const double secs = std::chrono::duration<double>(r.virtual_duration).count();
  if (e.min_virtual_seconds)
    check(r, "virtual duration >= " + std::to_string(*e.min_virtual_seconds) + " s", secs >= *e.min_virtual_seconds,
          std::to_string(secs) + " s");
  if (e.max_virtual_seconds)
    check(r, "virtual duration <= " + std::to_string(*e.max_virtual_seconds) + " s", secs <= *e.max_virtual_seconds,
          std::to_string(secs) + " s");
}

}  // namespace

Result<RunResult> run_scenario(const Scenario& s, std::optional<uint64_t> seed_override) {
  RunResult result;
  result.scenario = s.name;
  result.seed = seed_override.value_or(s.seed);

  auto config = executor::parse_config(s.runner_config, s.path, s.runner_config_line - 1);
  if (!config) return config.error();
  if (config->runners.empty()) {
    return make_error("the runner config has no [[runners]] entry", "add one [[runners]] block with executor = \"kubernetes\"",
                      s.path + ":" + std::to_string(s.runner_config_line));
  }
  const executor::RunnerConfig& first = config->runners.front();
  for (const auto& w : config->warnings) result.warnings.push_back(w.where + ": " + w.message);

  boost::asio::io_context io;
  TimePoint start;
  parse_rfc3339("2026-01-01T09:00:00Z", start);
  VirtualClock clock(io, start);
  Random root(result.seed);

  // The simulated network: the scenario's hosts, plus GitLab and the API server where it names none.
  fakes::Network network;
  bool has_gitlab = false, has_kube = false;
  for (const auto& h : s.hosts) {
    network.add_host({h.name, h.address, h.port, h.serves, tls_behaviour(h.tls)});
    has_gitlab |= h.serves == "gitlab";
    has_kube |= h.serves == "kubernetes";
  }
  std::string gitlab_host;
  int gitlab_port = 443;
  split_url(s.gitlab_url.empty() ? first.url : s.gitlab_url, gitlab_host, gitlab_port);
  if (!has_gitlab) network.add_host({gitlab_host, "192.0.2.10", gitlab_port, "gitlab", fakes::TlsBehaviour::kOk});
  std::string kube_host = kKubeName, kube_address = kKubeAddress;
  int kube_port = 443;
  if (!first.kubernetes.host.empty()) split_url(first.kubernetes.host, kube_host, kube_port);
  if (!has_kube) {
    const std::string address = fakes::is_ip_literal(kube_host) ? kube_host : kKubeAddress;
    network.add_host({kube_host, address, kube_port, "kubernetes", fakes::TlsBehaviour::kOk});
  }
  network.set_runner_rules({s.runner_view.dns, s.runner_view.unreachable, s.runner_view.refused, s.runner_view.timeout});
  network.set_pod_rules({s.pod_view.dns, s.pod_view.unreachable, s.pod_view.refused, s.pod_view.timeout});
  network.set_cluster_dns(s.cluster_dns);

  // TLS: one simulation CA everyone trusts, and a rogue one for "untrusted" hosts.
  auto ca = CertificateAuthority::create("kexsim simulation CA");
  auto rogue = CertificateAuthority::create("untrusted CA");
  if (!ca || !rogue) return make_error("could not create the simulation CA: " + (!ca ? ca.error() : rogue.error()).message);

  // The fakes.
  fakes::FakeGitLab gitlab(clock, root.fork("gitlab"), "https://" + gitlab_host, first.token);
  for (const auto& job : s.jobs) gitlab.enqueue(job);
  fakes::PodWorldFactory worlds(network, gitlab, s.commands);
  fakes::KubeApiServer kube(clock, root.fork("kubernetes"), worlds);
  kube.set_pod_timing({std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.pod_pending_seconds)),
                       s.pod_never_starts, "node-1"});
  std::vector<std::string> namespaces = s.namespaces;
  if (std::find(namespaces.begin(), namespaces.end(), "default") == namespaces.end()) namespaces.push_back("default");
  for (const auto& ns : namespaces) {
    if (auto st = kube.seed({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}); !st) return st.error();
    if (auto st = kube.seed({{"apiVersion", "v1"}, {"kind", "ServiceAccount"},
                             {"metadata", {{"name", "default"}, {"namespace", ns}}}});
        !st)
      return st.error();
  }
  for (const auto& object : s.cluster_objects)
    if (auto st = kube.seed(object); !st) return st.error();
  const std::string runner_token = "kexsim-runner-" + root.fork("token").chars(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  {
    std::vector<std::string> groups;
    const std::string& id = s.runner_identity;
    if (id.rfind("system:serviceaccount:", 0) == 0) {
      const std::string ns = id.substr(22, id.find(':', 22) - 22);
      groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"};
    } else {
      groups = {"system:authenticated"};
    }
    kube.add_token(runner_token, id, groups);
    if (!first.kubernetes.bearer_token.empty()) kube.add_token(first.kubernetes.bearer_token, id, groups);
  }

  // Servers on loopback, each with the certificate its scenario asks for.
  std::vector<std::unique_ptr<fakes::HttpServer>> servers;
  for (size_t i = 0; i < network.hosts().size(); ++i) {
    const fakes::HostEntry& h = network.hosts()[i];
    if (h.serves.empty()) continue;
    std::vector<std::string> names;
    for (const auto& other : network.hosts())
      if (other.serves == h.serves) names.push_back(other.name);
    if (h.serves == "kubernetes") {
      names.push_back(kKubeName);
      names.push_back("kubernetes.default.svc.cluster.local");
      names.push_back(kKubeAddress);
    }
    std::optional<fakes::ServerTls> tls;
    if (h.tls != fakes::TlsBehaviour::kNone) {
      auto t = server_tls(*ca, *rogue, h, names);
      if (!t) return t.error();
      tls = *t;
    }
    fakes::HttpHandler& handler = h.serves == "gitlab" ? static_cast<fakes::HttpHandler&>(gitlab) : kube;
    auto server = std::make_unique<fakes::HttpServer>(io.get_executor(), clock, handler, h.name, tls);
    auto port = server->listen();
    if (!port) return port.error();
    network.bind(i, *port);
    servers.push_back(std::move(server));
  }

  // The executor, as it would run in a pod of this cluster.
  RunDir dir;
  dir.write("token", runner_token);
  dir.write("ca.crt", ca->cert_pem());
  dir.write("namespace", namespaces.front());
  executor::ExecutorEnvironment env;
  env.hostname = s.runner_hostname;
  Random exec_random = root.fork("executor");
  env.system_id = "r_" + exec_random.chars(12, "abcdefghijklmnopqrstuvwxyz0123456789");
  auto profile = executor::parse_profile(s.profile);
  if (!profile) return profile.error();
  env.profile = *profile;
  env.in_cluster.env = {{"KUBERNETES_SERVICE_HOST", kKubeAddress}, {"KUBERNETES_SERVICE_PORT", "443"}};
  env.in_cluster.service_account_dir = dir.path.string();
  SimDialer dialer(network, clock, ca->cert_pem());
  executor::Runner runner(io.get_executor(), clock, exec_random, dialer, *config, env);

  bool done = false;
  std::optional<Result<executor::RunnerReport>> report;
  auto drive = [&]() -> asio::awaitable<void> { report = co_await runner.run_until_idle(); };
  boost::asio::co_spawn(io, drive(), [&](std::exception_ptr ep) {
    done = true;
    if (!ep) return;
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& ex) {
      report = Result<executor::RunnerReport>(make_error(std::string("executor crashed: ") + ex.what()));
    }
  });
  auto ran = clock.run_until([&] { return done; }, std::chrono::hours(3));
  result.virtual_duration = clock.elapsed();
  if (!ran) result.error = ran.error().describe();
  else if (report && !*report) result.error = report->error().describe();
  else if (report && !(*report)->log.empty()) {
    // The runner could not take a job (e.g. a payload it cannot parse): that is a run error too.
    for (const auto& line : (*report)->log) result.error += (result.error.empty() ? "" : "\n") + line;
  }

  for (auto& server : servers) server->stop();
  io.restart();
  io.poll();

  if (!gitlab.jobs().empty()) {
    const auto& job = gitlab.jobs().front();
    result.trace = job.trace;
    if (job.state == "success" || job.state == "failed") result.job_state = job.state;
    result.failure_reason = job.failure_reason;
    result.exit_code = job.exit_code;
  }
  result.kube_calls = kube.call_log();
  result.gitlab_calls = gitlab.call_log();
  for (const auto& ns : namespaces) {
    for (const auto& kind : {"pods", "secrets"})
      for (const auto& name : kube.names(kind, ns)) result.leftovers.push_back(std::string(kind) + "/" + ns + "/" + name);
  }

  uint64_t h = 1469598103934665603ULL;
  for (const auto& job : gitlab.jobs()) h = fnv1a(h, job.trace);
  for (const auto& l : result.kube_calls) h = fnv1a(fnv1a(h, l), "\n");
  for (const auto& l : result.gitlab_calls) h = fnv1a(fnv1a(h, l), "\n");
  result.digest = hex64(h);

  evaluate(s, result);
  return result;
}

}  // namespace kexsim::sim
