#include "sim/scenario.h"
#include "tests/support/minimal_scenario.h"
#include "tests/support/scenario_error.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kexsim::sim {
namespace {

// Every section of the format, as docs/scenarios.md describes it. Line numbers matter to the
// tests below: `config = '''` is on line 9, so config.toml line 1 is scenario line 10.
const char kFull[] = R"(name = "secrets-forbidden"
reproduces = 'secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets"'
cause = "The runner's service account may not create secrets."
fix = "Bind a Role that allows secrets to the service account."
profile = "13.12"
seed = 7
[runner]
hostname = "gitlab-runner-gitlab-runner-568954c478-cgd2z"
config = '''
concurrent = 1
[[runners]]
  name = "k8s"
  url = "https://gitlab.mylab.com"
  token = "gVQMabxjR2x9"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = "cicd"
'''

[[gitlab.jobs]]
project = "root/mycicd"
project_id = 2
ref = "master"
sha = "0123456789abcdef0123456789abcdef01234567"
depth = 50
name = "build"
stage = "build"
timeout = 600
image = "ruby:2.7.2"
services = ["docker:dind", { name = "postgres:15", alias = "db", command = ["postgres", "-c", "fsync=off"] }]
script = ['echo "Hello, $GITLAB_USER_LOGIN!"']
after_script = ["echo done"]
variables = { GITLAB_USER_LOGIN = "root", API_TOKEN = { value = "s3cr3t", masked = true, public = false } }
credentials = [{ type = "registry", url = "registry.mylab.com", username = "gitlab-ci-token", password = "x" }]
cancel_after_seconds = 1.5

[[gitlab.jobs]]
script = ["true"]

[cluster]
namespaces = ["cicd"]
runner_identity = "system:serviceaccount:cicd:default"
pod_pending_seconds = 6
pod_never_starts = false
[[cluster.service_accounts]]
name = "runner"
namespace = "cicd"
[[cluster.roles]]
name = "gitlab-runner"
namespace = "cicd"
rules = [{ api_groups = [""], resources = ["pods", "pods/exec"], verbs = ["*"] },
         { resources = ["secrets"], verbs = ["get"], resource_names = ["regcred"] }]
[[cluster.role_bindings]]
name = "gitlab-runner"
namespace = "cicd"
role = "gitlab-runner"
subjects = [{ kind = "ServiceAccount", name = "default" }, { kind = "User", name = "alice" }]
[[cluster.cluster_roles]]
name = "node-reader"
rules = [{ resources = ["nodes"], verbs = ["list"] }]
[[cluster.cluster_role_bindings]]
name = "node-reader"
role = "node-reader"
subjects = [{ kind = "ServiceAccount", name = "default", namespace = "cicd" }]
[cluster.commands.docker]
stdout = "Docker version 24.0.6\n"
stderr = ""
exit_code = 0
seconds = 1.5
[cluster.dns]
"gitlab.internal.svc.cluster.local" = "10.0.0.216"

[[network.hosts]]
name = "gitlab.mylab.com"
serves = "gitlab"
address = "10.0.0.216"
port = 443
tls = "untrusted"
[[network.hosts]]
name = "minio.mylab.com"
address = "10.0.0.217"
[network.runner]
dns = { "gitlab.mylab.com" = "10.0.0.216" }
[network.pod]
dns = { "gitlab.mylab.com" = "203.0.113.10" }
unreachable = ["203.0.113.10"]
refused = ["10.0.0.217:9000"]
timeout = ["198.51.100.1"]

[expect]
status = "failed"
failure_reason = "runner_system_failure"
exit_code = 1
log_contains = ['ERROR: Job failed (system failure): prepare environment: secrets is forbidden']
log_not_contains = ['Job succeeded']
api_calls_contain = ["POST /api/v1/namespaces/cicd/secrets 403"]
leftover_pods = 0
leftover_secrets = 0
min_virtual_seconds = 1
max_virtual_seconds = 200
)";

using testing::minimal_scenario;

using testing::scenario_error;

TEST(ScenarioTest, FullScenarioParses) {
  auto s = parse_scenario(kFull, "scenarios/rbac/secrets-forbidden.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->path, "scenarios/rbac/secrets-forbidden.toml");
  EXPECT_EQ(s->group, "rbac");
  EXPECT_EQ(s->name, "secrets-forbidden");
  EXPECT_EQ(s->reproduces,
            "secrets is forbidden: User \"system:serviceaccount:cicd:default\" cannot create "
            "resource \"secrets\"");
  EXPECT_EQ(s->cause, "The runner's service account may not create secrets.");
  EXPECT_EQ(s->fix, "Bind a Role that allows secrets to the service account.");
  EXPECT_EQ(s->profile, "13.12");
  EXPECT_EQ(s->seed, 7u);
  EXPECT_EQ(s->runner_hostname, "gitlab-runner-gitlab-runner-568954c478-cgd2z");
  EXPECT_EQ(s->runner_config.rfind("concurrent = 1\n[[runners]]\n", 0), 0u);
  EXPECT_EQ(s->runner_config_line, 10);
  EXPECT_EQ(s->gitlab_url, "https://gitlab.mylab.com");

  ASSERT_EQ(s->jobs.size(), 2u);
  const fakes::JobDefinition& job = s->jobs[0];
  EXPECT_EQ(job.id, 0);
  EXPECT_EQ(job.project, "root/mycicd");
  EXPECT_EQ(job.project_id, 2);
  EXPECT_EQ(job.ref, "master");
  EXPECT_EQ(job.sha, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(job.depth, 50);
  EXPECT_EQ(job.name, "build");
  EXPECT_EQ(job.stage, "build");
  EXPECT_EQ(job.timeout_seconds, 600);
  EXPECT_EQ(job.image, "ruby:2.7.2");
  ASSERT_EQ(job.services.size(), 2u);
  EXPECT_EQ(job.services[0].name, "docker:dind");
  EXPECT_EQ(job.services[1].name, "postgres:15");
  EXPECT_EQ(job.services[1].alias, "db");
  EXPECT_EQ(job.services[1].command, (std::vector<std::string>{"postgres", "-c", "fsync=off"}));
  EXPECT_EQ(job.script, std::vector<std::string>{"echo \"Hello, $GITLAB_USER_LOGIN!\""});
  EXPECT_EQ(job.after_script, std::vector<std::string>{"echo done"});
  ASSERT_EQ(job.variables.size(), 2u);  // in file order
  EXPECT_EQ(job.variables[0].key, "GITLAB_USER_LOGIN");
  EXPECT_EQ(job.variables[0].value, "root");
  EXPECT_TRUE(job.variables[0].is_public);
  EXPECT_EQ(job.variables[1].key, "API_TOKEN");
  EXPECT_EQ(job.variables[1].value, "s3cr3t");
  EXPECT_TRUE(job.variables[1].masked);
  EXPECT_FALSE(job.variables[1].is_public);
  ASSERT_EQ(job.credentials.size(), 1u);
  EXPECT_EQ(job.credentials[0].url, "registry.mylab.com");
  EXPECT_EQ(job.credentials[0].username, "gitlab-ci-token");
  EXPECT_EQ(job.credentials[0].password, "x");
  EXPECT_EQ(job.cancel_after_ms, 1500);
  EXPECT_EQ(s->jobs[1].project, "root/app");  // JobDefinition defaults
  EXPECT_EQ(s->jobs[1].sha, "");
  EXPECT_EQ(s->jobs[1].cancel_after_ms, -1);

  EXPECT_EQ(s->namespaces, std::vector<std::string>{"cicd"});
  EXPECT_EQ(s->runner_identity, "system:serviceaccount:cicd:default");
  EXPECT_EQ(s->pod_pending_seconds, 6);
  EXPECT_FALSE(s->pod_never_starts);
  ASSERT_EQ(s->cluster_objects.size(), 5u);
  EXPECT_EQ(s->cluster_objects[0], nlohmann::json::parse(R"({"apiVersion":"v1","kind":"ServiceAccount",
      "metadata":{"name":"runner","namespace":"cicd"}})"));
  EXPECT_EQ(s->cluster_objects[1], nlohmann::json::parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"Role","metadata":{"name":"gitlab-runner","namespace":"cicd"},"rules":[
      {"apiGroups":[""],"resources":["pods","pods/exec"],"verbs":["*"]},
      {"apiGroups":[""],"resources":["secrets"],"verbs":["get"],"resourceNames":["regcred"]}]})"));
  EXPECT_EQ(s->cluster_objects[2], nlohmann::json::parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"RoleBinding","metadata":{"name":"gitlab-runner","namespace":"cicd"},
      "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"gitlab-runner"},
      "subjects":[{"kind":"ServiceAccount","name":"default","namespace":"cicd"},
                  {"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}]})"));
  EXPECT_EQ(s->cluster_objects[3]["kind"], "ClusterRole");
  EXPECT_FALSE(s->cluster_objects[3]["metadata"].contains("namespace"));
  EXPECT_EQ(s->cluster_objects[4]["kind"], "ClusterRoleBinding");
  EXPECT_EQ(s->cluster_objects[4]["roleRef"]["kind"], "ClusterRole");
  ASSERT_EQ(s->commands.count("docker"), 1u);
  EXPECT_EQ(s->commands.at("docker").stdout_text, "Docker version 24.0.6\n");
  EXPECT_EQ(s->commands.at("docker").exit_code, 0);
  EXPECT_EQ(s->commands.at("docker").duration, Duration(1500000));
  EXPECT_EQ(s->cluster_dns.at("gitlab.internal.svc.cluster.local"), "10.0.0.216");

  ASSERT_EQ(s->hosts.size(), 2u);
  EXPECT_EQ(s->hosts[0].name, "gitlab.mylab.com");
  EXPECT_EQ(s->hosts[0].serves, "gitlab");
  EXPECT_EQ(s->hosts[0].address, "10.0.0.216");
  EXPECT_EQ(s->hosts[0].port, 443);
  EXPECT_EQ(s->hosts[0].tls, "untrusted");
  EXPECT_EQ(s->hosts[1].serves, "");
  EXPECT_EQ(s->hosts[1].tls, "ok");
  EXPECT_EQ(s->runner_view.dns.at("gitlab.mylab.com"), "10.0.0.216");
  EXPECT_EQ(s->pod_view.dns.at("gitlab.mylab.com"), "203.0.113.10");
  EXPECT_EQ(s->pod_view.unreachable, std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(s->pod_view.refused, std::vector<std::string>{"10.0.0.217:9000"});
  EXPECT_EQ(s->pod_view.timeout, std::vector<std::string>{"198.51.100.1"});

  const Expectations& e = s->expect;
  EXPECT_EQ(e.status, std::optional<std::string>("failed"));
  EXPECT_EQ(e.failure_reason, std::optional<std::string>("runner_system_failure"));
  EXPECT_EQ(e.exit_code, std::optional<int>(1));
  EXPECT_EQ(e.log_contains.size(), 1u);
  EXPECT_EQ(e.log_not_contains, std::vector<std::string>{"Job succeeded"});
  EXPECT_EQ(e.api_calls_contain, std::vector<std::string>{"POST /api/v1/namespaces/cicd/secrets 403"});
  EXPECT_EQ(e.leftover_pods, std::optional<int>(0));
  EXPECT_EQ(e.leftover_secrets, std::optional<int>(0));
  EXPECT_EQ(e.min_virtual_seconds, std::optional<double>(1));
  EXPECT_EQ(e.max_virtual_seconds, std::optional<double>(200));
}

TEST(ScenarioTest, MinimalScenarioTakesDefaults) {
  auto s = parse_scenario(minimal_scenario(), "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->profile, "19.4");
  EXPECT_EQ(s->seed, 1u);
  EXPECT_EQ(s->group, "");
  EXPECT_EQ(s->runner_hostname, "gitlab-runner-7c9d8b6f4-x2x8p");
  EXPECT_EQ(s->runner_config_line, 4);
  EXPECT_EQ(s->gitlab_url, "https://gitlab.example.com");
  EXPECT_EQ(s->runner_identity, "system:serviceaccount:default:default");
  EXPECT_EQ(s->pod_pending_seconds, 2);
  EXPECT_FALSE(s->expect.status.has_value());
  EXPECT_TRUE(s->cluster_objects.empty());
}

TEST(ScenarioTest, SyntaxErrorsHaveFilePositions) {
  Error e = scenario_error("name = \"x\nprofile = \"19.4\"\n");
  EXPECT_EQ(e.where, "s.toml:1:10");
  EXPECT_EQ(e.hint, "scenario files are TOML; see docs/scenarios.md for the scenario format");
}

TEST(ScenarioTest, UnknownKeysAreErrorsWithSuggestions) {
  Error top = scenario_error(minimal_scenario("[expect]\nstatus = \"failed\"\nlog_contain = ['x']\n"));
  EXPECT_EQ(top.where, "s.toml:13:1");
  EXPECT_EQ(top.message, "unknown key \"expect.log_contain\" (did you mean \"log_contains\"?)");
  EXPECT_EQ(top.hint, "see docs/scenarios.md for the scenario format");

  Error root = scenario_error("nmae = \"x\"\n" + minimal_scenario().substr(11));
  EXPECT_EQ(root.where, "s.toml:1:1");
  EXPECT_EQ(root.message, "missing required key \"name\" (\"nmae\" looks like a misspelling of it)");

  Error section = scenario_error(minimal_scenario("[chaos]\nx = 1\n"));
  EXPECT_EQ(section.where, "s.toml:11:2");
  EXPECT_EQ(section.message, "unknown key \"chaos\"");

  Error nested = scenario_error(minimal_scenario("[[network.hosts]]\nname = \"a\"\nsrves = \"gitlab\"\n"));
  EXPECT_EQ(nested.where, "s.toml:13:1");
  EXPECT_EQ(nested.message, "unknown key \"network.hosts.srves\" (did you mean \"serves\"?)");
}

TEST(ScenarioTest, WrongTypesNameTheKey) {
  Error e = scenario_error(minimal_scenario("[cluster]\npod_pending_seconds = \"6\"\n"));
  EXPECT_EQ(e.where, "s.toml:12:23");
  EXPECT_EQ(e.message, "cluster.pod_pending_seconds: expected a number, got a string");

  Error profile = scenario_error("profile = 13.12\n" + minimal_scenario());
  EXPECT_EQ(profile.where, "s.toml:1:11");
  EXPECT_EQ(profile.message, "profile: expected a string, got a float");
}

TEST(ScenarioTest, RequiredPartsAreChecked) {
  Error runner = scenario_error("name = \"x\"\n[[gitlab.jobs]]\nscript = [\"true\"]\n");
  EXPECT_EQ(runner.where, "s.toml:1:1");
  EXPECT_EQ(runner.message, "missing required key \"runner\"");

  Error config = scenario_error("name = \"x\"\n[runner]\nhostname = \"h\"\n[[gitlab.jobs]]\nscript = [\"true\"]\n");
  EXPECT_EQ(config.where, "s.toml:2:1");
  EXPECT_EQ(config.message, "runner: missing required key \"config\"");

  Error jobs = scenario_error(minimal_scenario().substr(0, minimal_scenario().find("[[gitlab.jobs]]")) +
                              "[gitlab]\nurl = \"https://g\"\n");
  EXPECT_EQ(jobs.where, "s.toml:9:1");
  EXPECT_EQ(jobs.message, "at least one [[gitlab.jobs]] is required");

  Error script = scenario_error(minimal_scenario("[[gitlab.jobs]]\nimage = \"alpine\"\n"));
  EXPECT_EQ(script.where, "s.toml:11:1");
  EXPECT_EQ(script.message, "gitlab.jobs: missing required key \"script\"");
}

TEST(ScenarioTest, TheCancelTableSetsTimeAndMode) {
  auto graceful = parse_scenario(minimal_scenario("cancel = { after_seconds = 20 }\n"), "s.toml");
  ASSERT_TRUE(graceful) << graceful.error().describe();
  EXPECT_EQ(graceful->jobs[0].cancel_after_ms, 20000);
  EXPECT_TRUE(graceful->jobs[0].cancel_graceful);
  auto force = parse_scenario(minimal_scenario("cancel = { after_seconds = 1.5, mode = \"force\" }\n"), "s.toml");
  ASSERT_TRUE(force) << force.error().describe();
  EXPECT_EQ(force->jobs[0].cancel_after_ms, 1500);
  EXPECT_FALSE(force->jobs[0].cancel_graceful);
  Error mode = scenario_error(minimal_scenario("cancel = { after_seconds = 1, mode = \"soft\" }\n"));
  EXPECT_EQ(mode.message, "gitlab.jobs.cancel.mode: expected \"graceful\" or \"force\", got \"soft\"");
  Error missing = scenario_error(minimal_scenario("cancel = { mode = \"force\" }\n"));
  EXPECT_EQ(missing.message, "gitlab.jobs.cancel: missing required key \"after_seconds\"");
}

TEST(ScenarioTest, ClosedValueSetsAreChecked) {
  Error profile = scenario_error("profile = \"14.0\"\n" + minimal_scenario());
  EXPECT_EQ(profile.where, "s.toml:1:11");
  EXPECT_EQ(profile.message,
            "profile: expected one of \"13.12\", \"15.11\", \"16.11\", \"17.11\", \"18.11\", \"19.4\", got \"14.0\"");

  Error status = scenario_error(minimal_scenario("[expect]\nstatus = \"passed\"\n"));
  EXPECT_EQ(status.where, "s.toml:12:10");
  EXPECT_EQ(status.message, "expect.status: expected one of \"success\", \"failed\", \"canceled\", got \"passed\"");

  Error tls = scenario_error(minimal_scenario("[[network.hosts]]\nname = \"g\"\ntls = \"bad-cert\"\n"));
  EXPECT_EQ(tls.where, "s.toml:13:7");
  EXPECT_EQ(tls.message,
            "network.hosts.tls: expected one of \"ok\", \"reset\", \"untrusted\", \"wrong-name\", "
            "\"expired\", \"none\", got \"bad-cert\"");

  Error serves = scenario_error(minimal_scenario("[[network.hosts]]\nname = \"g\"\nserves = \"gitlab-ce\"\n"));
  EXPECT_EQ(serves.where, "s.toml:13:10");
  EXPECT_EQ(serves.message,
            "network.hosts.serves: expected one of \"gitlab\", \"kubernetes\", \"\", got \"gitlab-ce\"");
}

TEST(ScenarioTest, EmbeddedConfigErrorsPointIntoTheScenario) {
  // Line 10 of kFull is config.toml line 1; break config.toml line 2 (scenario line 11).
  std::string text = kFull;
  text.replace(text.find("[[runners]]"), 11, "[[runners]");
  auto s = parse_scenario(text, "rbac.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "rbac.toml:11:11");
  EXPECT_EQ(s.error().message, "Error while parsing table header: expected ']', saw '\\n'");

  std::string typed = kFull;
  typed.replace(typed.find("concurrent = 1"), 14, "concurrent = \"1\"");
  auto t = parse_scenario(typed, "rbac.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().where, "rbac.toml:10:14");
  EXPECT_EQ(t.error().message, "concurrent: expected an integer, got a string");

  Error docker =
      scenario_error(minimal_scenario().replace(minimal_scenario().find("\"kubernetes\""), 12, "\"docker\""));
  EXPECT_EQ(docker.where, "s.toml:7:14");
}

TEST(ScenarioTest, ConfigOnTheSameLineAsTheQuotesKeepsItsLine) {
  std::string text = minimal_scenario();
  text.replace(text.find("'''\n[[runners]]"), 4, "'''");
  auto s = parse_scenario(text, "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->runner_config_line, 3);
}

TEST(ScenarioTest, ConfigWithoutRunnersIsAnError) {
  Error e = scenario_error(
      "name = \"x\"\n[runner]\nconfig = '''\nconcurrent = 1\n'''\n[[gitlab.jobs]]\nscript = "
      "[\"true\"]\n");
  EXPECT_EQ(e.where, "s.toml:3:10");
  EXPECT_EQ(e.message, "runner.config: config.toml has no [[runners]] entry");
}

TEST(ScenarioTest, BindingSubjectsAreChecked) {
  Error e =
      scenario_error(minimal_scenario("[[cluster.cluster_role_bindings]]\nname = \"b\"\nrole = \"r\"\n"
                                      "subjects = [{ kind = \"ServiceAccount\", name = \"default\" }]\n"));
  EXPECT_EQ(e.where, "s.toml:14:13");
  EXPECT_EQ(e.message, "cluster.cluster_role_bindings.subjects: a ServiceAccount subject needs a namespace");

  Error kind =
      scenario_error(minimal_scenario("[[cluster.role_bindings]]\nname = \"b\"\nnamespace = \"n\"\nrole = \"r\"\n"
                                      "subjects = [{ kind = \"Serviceaccount\", name = \"default\" }]\n"));
  EXPECT_EQ(kind.message,
            "cluster.role_bindings.subjects.kind: expected one of \"ServiceAccount\", \"User\", "
            "\"Group\", "
            "got \"Serviceaccount\"");
}

TEST(ScenarioTest, LoadsFilesAndListsThemSorted) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kexsim-scenario-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "network");
  fs::create_directories(dir / "rbac");
  for (const char* name : {"rbac/b.toml", "network/a.toml", "rbac/a.toml", "README.md"}) {
    std::ofstream(dir / name) << minimal_scenario();
  }
  auto listed = list_scenarios(dir.string());
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0], (dir / "network/a.toml").string());
  EXPECT_EQ(listed[1], (dir / "rbac/a.toml").string());
  EXPECT_EQ(listed[2], (dir / "rbac/b.toml").string());
  EXPECT_EQ(list_scenarios(listed[0]), std::vector<std::string>{listed[0]});
  EXPECT_TRUE(list_scenarios((dir / "missing").string()).empty());

  auto s = load_scenario(listed[1]);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->group, "rbac");
  EXPECT_EQ(s->path, listed[1]);

  auto missing = load_scenario((dir / "nope.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "cannot read scenario file: open " + (dir / "nope.toml").string() + ": no such file or directory");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kexsim::sim

namespace kexsim::sim {
namespace {

TEST(ScenarioTest, NodesAutoscalerAndVersionAreRead) {
  auto s = parse_scenario(minimal_scenario("[cluster]\n"
                                           "kubernetes_version = \"v1.29.3\"\n"
                                           "[[cluster.nodes]]\n"
                                           "name = \"ci-1\"\n"
                                           "labels = { pool = \"ci\" }\n"
                                           "taints = [{ key = \"dedicated\", value = \"ci\" }]\n"
                                           "capacity = { cpu = \"8\", pods = 30, \"nvidia.com/gpu\" = 1 }\n"
                                           "used = { cpu = \"3500m\" }\n"
                                           "ready = false\n"
                                           "[[cluster.autoscaler]]\n"
                                           "node_group = \"pool\"\n"
                                           "scale_up_seconds = 90.5\n"
                                           "max_size = 4\n"
                                           "arch = \"arm64\"\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->kubernetes_minor, 29);
  ASSERT_EQ(s->nodes.size(), 1u);
  EXPECT_EQ(s->nodes[0].labels.at("pool"), "ci");
  ASSERT_EQ(s->nodes[0].taints.size(), 1u);
  EXPECT_EQ(s->nodes[0].taints[0].effect, "NoSchedule");
  EXPECT_EQ(s->nodes[0].capacity.at("pods"), "30");
  EXPECT_EQ(s->nodes[0].capacity.at("nvidia.com/gpu"), "1");
  EXPECT_EQ(s->nodes[0].used.at("cpu"), "3500m");
  EXPECT_FALSE(s->nodes[0].ready);
  ASSERT_EQ(s->node_groups.size(), 1u);
  EXPECT_EQ(s->node_groups[0].scale_up, std::chrono::milliseconds(90500));
  EXPECT_EQ(s->node_groups[0].max_size, 4);
  EXPECT_EQ(s->node_groups[0].node.arch, "arm64");
}

TEST(ScenarioTest, NodeKeysAreCheckedWithPositions) {
  Error q =
      scenario_error(minimal_scenario("[cluster]\n[[cluster.nodes]]\nname = \"a\"\ncapacity = { cpu = \"four\" }\n"));
  EXPECT_EQ(q.where, "s.toml:14:20");
  EXPECT_EQ(q.message,
            "cluster.nodes.capacity.cpu: quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  Error effect = scenario_error(
      minimal_scenario("[cluster]\n[[cluster.nodes]]\nname = \"a\"\ntaints = [{ key = \"k\", effect = \"Never\" }]\n"));
  EXPECT_EQ(effect.message,
            "cluster.nodes.taints.effect: expected one of \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\", got "
            "\"Never\"");
  Error twice =
      scenario_error(minimal_scenario("[cluster]\n[[cluster.nodes]]\nname = \"a\"\n[[cluster.nodes]]\nname = \"a\"\n"));
  EXPECT_EQ(twice.message, "cluster.nodes: node \"a\" is declared twice");
  Error version = scenario_error(minimal_scenario("[cluster]\nkubernetes_version = \"1.21\"\n"));
  EXPECT_EQ(version.where, "s.toml:12:22");
  EXPECT_EQ(version.message,
            "cluster.kubernetes_version: expected a release from 1.22 to 1.35 such as \"1.29\", got \"1.21\"");
  Error group = scenario_error(minimal_scenario("[cluster]\n[[cluster.autoscaler]]\nmax_size = 0\n"));
  EXPECT_EQ(group.message, "cluster.autoscaler: missing required key \"node_group\"");
}

}  // namespace
}  // namespace kexsim::sim
