#include "sim/fault_matrix.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "base/strings.h"
#include "fakes/http/types.h"

namespace kexsim::sim {
namespace {

// scenarios/faults/*'s hello job, with a 10-minute job timeout so that black-holed calls end soon. PROFILE is
// replaced by the profile line.
const char kBaseScenario[] = R"toml(name = "fault-matrix-hello"
description = "The representative job of the fault matrix."
PROFILE
[runner]
hostname = "gitlab-runner-7c9d8b6f4-x2x8p"
config = '''
concurrent = 1
[[runners]]
  name = "k8s"
  url = "https://gitlab.example.com"
  token = "glrt-t1_8xYzAbCdEfGhIjKlMnOp"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = "gitlab-runner"
    image = "alpine:3.20"
'''

[[gitlab.jobs]]
project = "root/mycicd"
project_id = 2
ref = "main"
image = "alpine:3.20"
script = ['echo "Hello, $GITLAB_USER_LOGIN!"']
variables = { GITLAB_USER_LOGIN = "root" }
timeout = 600

[cluster]
namespaces = ["gitlab-runner"]
runner_identity = "system:serviceaccount:gitlab-runner:gitlab-runner"
pod_pending_seconds = 2

[[cluster.roles]]
name = "gitlab-runner"
namespace = "gitlab-runner"
rules = [
  { api_groups = [""], resources = ["pods", "pods/exec", "pods/attach", "pods/log", "secrets", "events", "services", "serviceaccounts"], verbs = ["create", "get", "list", "watch", "update", "patch", "delete"] },
]

[[cluster.role_bindings]]
name = "gitlab-runner"
namespace = "gitlab-runner"
role = "gitlab-runner"
role_kind = "Role"
subjects = [{ kind = "ServiceAccount", name = "gitlab-runner", namespace = "gitlab-runner" }]
)toml";

const std::vector<std::string> kFaults = {"refused", "reset", "black-hole", "500", "429", "403", "dropped"};

// A Kubernetes call-log line ("<METHOD> <target> <status> <user>") as the request it records.
fakes::HttpRequest request_of(const std::string& line) {
  fakes::HttpRequest r;
  const auto words = split(line, ' ');
  if (words.size() < 2) return r;
  r.method = words[0];
  const std::string& target = words[1];
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.target = target;
  if (q != std::string::npos)
    for (const std::string& pair : split(target.substr(q + 1), '&')) {
      const size_t eq = pair.find('=');
      r.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? std::string() : pair.substr(eq + 1));
    }
  return r;
}

std::string host_of(const std::string& url) {
  size_t at = url.find("://");
  at = at == std::string::npos ? 0 : at + 3;
  const size_t end = url.find_first_of(":/", at);
  return url.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The fault of a column on a wire; rule carries the call's match fields already.
fakes::FaultRule with_fault(fakes::FaultRule rule, const std::string& fault) {
  const bool kube = rule.wire == "kubernetes";
  if (fault == "refused") {
    rule.refuse = true;
  } else if (fault == "reset") {
    rule.reset = true;
  } else if (fault == "black-hole") {
    rule.black_hole = true;
  } else if (fault == "dropped") {
    // An exec's output stops after its first byte; an attach (stdin only, no output) half a second in.
    if (rule.resource == "pods/attach")
      rule.drop_after_seconds = 0.5;
    else
      rule.drop_after_bytes = 1;
  } else {
    rule.status = std::stoi(fault);
    if (kube && rule.status == 500) {
      rule.message = "Internal error occurred: kexsim fault matrix";
      rule.reason = "InternalError";
    } else if (kube && rule.status == 403) {
      rule.message = "forbidden: kexsim fault matrix";
      rule.reason = "Forbidden";
    } else if (!kube) {
      rule.body = rule.status == 429 ? "Retry later\n" : std::to_string(rule.status) + " kexsim fault matrix\n";
    }
  }
  return rule;
}

// Counts the runner's dials per host for the base run.
class CountingDialer : public executor::Dialer {
 public:
  CountingDialer(executor::Dialer& inner, std::map<std::string, int>& counts) : inner_(inner), counts_(counts) {}
  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) override {
    ++counts_[host];
    return inner_.dial(host, port);
  }
  void add_default_trust(ssl_ctx_st* ctx) override { inner_.add_default_trust(ctx); }
  std::string default_trust_key() const override { return inner_.default_trust_key(); }

 private:
  executor::Dialer& inner_;
  std::map<std::string, int>& counts_;
};

bool any_line_has(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

MatrixOutcome judge(const MatrixCell& cell, const RunResult& r) {
  MatrixOutcome o;
  o.cell = cell;
  o.virtual_seconds = std::chrono::duration<double>(r.virtual_duration).count();
  const bool kube = cell.rule.wire == "kubernetes";
  o.hit = any_line_has(kube ? r.kube_calls : r.gitlab_calls, kube ? " - fault" : " fault");
  o.ended = r.error.empty();
  o.job_state = r.job_state;
  // GitLab got the job's end, or the runner says why not (a job it never received, an update it gave up on).
  const bool final_state = r.job_state == "success" || r.job_state == "failed";
  const bool runner_says = any_line_has(r.runner_log, "ERROR") || any_line_has(r.runner_log, "WARNING");
  o.accounted = final_state || runner_says;
  const bool says_left = r.trace.find("Error cleaning up") != std::string::npos;
  o.clean = r.leftovers.empty() || says_left;
  if (!o.ended)
    o.note = r.error.substr(0, r.error.find('\n'));
  else if (!o.hit)
    o.note = "the fault never hit";
  else if (!o.accounted)
    o.note = "no final state and no runner log line";
  else if (!o.clean)
    o.note = "left behind: " + r.leftovers.front();
  return o;
}

}  // namespace

size_t MatrixReport::failures() const {
  return static_cast<size_t>(std::count_if(cells.begin(), cells.end(), [](const auto& c) { return !c.passed(); }));
}

std::string MatrixReport::table() const {
  std::vector<std::string> rows;
  std::map<std::string, std::map<std::string, const MatrixOutcome*>> grid;
  for (const auto& c : cells) {
    if (!grid.count(c.cell.call)) rows.push_back(c.cell.call);
    grid[c.cell.call][c.cell.fault] = &c;
  }
  size_t width = 4;
  for (const auto& r : rows) width = std::max(width, r.size());
  auto pad = [](std::string s, size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
  };
  constexpr size_t kColumn = 11;
  std::string out = "fault matrix of " + scenario + "\n" + pad("call", width);
  for (const auto& f : kFaults) out += " " + pad(f, kColumn);
  out += "\n";
  for (const auto& r : rows) {
    out += pad(r, width);
    for (const auto& f : kFaults) {
      auto it = grid[r].find(f);
      std::string v = it == grid[r].end() ? "-" : it->second->passed() ? it->second->job_state : "FAIL";
      if (v.empty()) v = "none";
      out += " " + pad(v, kColumn);
    }
    out += "\n";
  }
  out += std::to_string(cells.size()) + " cells, " + std::to_string(failures()) + " failed\n";
  for (const auto& c : cells)
    if (!c.passed()) out += "FAIL " + c.cell.call + " x " + c.cell.fault + ": " + c.note + "\n";
  return out;
}

std::vector<MatrixCell> fault_matrix_cells(const RunResult& base, int kube_dials, int gitlab_dials) {
  std::vector<MatrixCell> cells;
  auto add_row = [&](const std::string& call, const fakes::FaultRule& rule, const std::vector<std::string>& faults) {
    for (const auto& f : faults) cells.push_back({call, f, with_fault(rule, f)});
  };
  const std::vector<std::string> request_faults = {"reset", "black-hole", "500", "429", "403"};
  for (auto [wire, dials] : {std::pair<std::string, int>{"kubernetes", kube_dials}, {"gitlab", gitlab_dials}})
    for (int k = 1; k <= dials; ++k) {
      fakes::FaultRule rule;
      rule.wire = wire;
      rule.nth = k;
      add_row(wire + " dial #" + std::to_string(k), rule, {"refused"});
    }
  // Kubernetes: each verb+resource once (its first call), each exec and attach stream by its index.
  std::map<std::string, int> seen;
  for (const std::string& line : base.kube_calls) {
    if (ends_with(line, "- fault")) continue;
    const fakes::HttpRequest req = request_of(line);
    const fakes::KubeRequestKind kind = fakes::kube_request_kind(req);
    fakes::FaultRule rule;
    rule.wire = "kubernetes";
    std::string key;
    if (kind.resource.empty()) {
      rule.method = req.method;
      rule.path = req.path;
      key = req.method + " " + req.path;
    } else {
      rule.verb = kind.verb;
      rule.resource = kind.resource;
      key = kind.verb + " " + kind.resource;
    }
    const int n = ++seen[key];
    const bool stream = kind.resource == "pods/exec" || kind.resource == "pods/attach";
    if (!stream && n > 1) continue;
    rule.nth = n;
    std::vector<std::string> faults = request_faults;
    if (stream) faults.push_back("dropped");
    add_row("kubernetes " + key + " #" + std::to_string(n), rule, faults);
  }
  // GitLab: each method+path once.
  std::set<std::string> gitlab_seen;
  for (const std::string& line : base.gitlab_calls) {
    const auto words = split(line, ' ');
    // The pods' own traffic (git over HTTP) is not on the runner's wire: [[faults]] does not reach it.
    if (words.size() < 2 || ends_with(line, " fault") || !starts_with(words[1], "/api/")) continue;
    const std::string key = words[0] + " " + words[1];
    if (!gitlab_seen.insert(key).second) continue;
    fakes::FaultRule rule;
    rule.wire = "gitlab";
    rule.method = words[0];
    rule.path = words[1];
    add_row("gitlab " + key + " #1", rule, request_faults);
  }
  return cells;
}

std::string fault_matrix_base_scenario(const std::string& profile) {
  std::string text = kBaseScenario;
  text.replace(text.find("PROFILE"), 7, "profile = \"" + profile + "\"");
  return text;
}

Result<MatrixReport> run_fault_matrix(const Scenario& base_scenario, MatrixOptions matrix_options) {
  Scenario base = base_scenario;
  base.expect = Expectations{};
  base.faults.clear();
  std::map<std::string, int> dials;
  RunOptions options;
  options.hooks.wrap_dialer = [&dials](executor::Dialer& inner) -> std::unique_ptr<executor::Dialer> {
    return std::make_unique<CountingDialer>(inner, dials);
  };
  auto first = run_scenario(base, options);
  if (!first) return first.error();
  if (!first->error.empty()) return make_error("the base run of the fault matrix failed: " + first->error);
  const std::string gitlab_host = host_of(base.gitlab_url);
  int kube_dials = 0, gitlab_dials = 0;
  for (const auto& [host, n] : dials) (host == gitlab_host ? gitlab_dials : kube_dials) += n;

  MatrixReport report;
  report.scenario = base.name;
  for (const MatrixCell& cell : fault_matrix_cells(*first, kube_dials, gitlab_dials)) {
    if (matrix_options.max_cells != 0 && report.cells.size() == matrix_options.max_cells) break;
    Scenario s = base;
    s.faults = {cell.rule};
    auto run = run_scenario(s);
    if (!run) return run.error();
    report.cells.push_back(judge(cell, *run));
  }
  return report;
}

}  // namespace kexsim::sim
