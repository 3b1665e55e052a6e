#include "executor/pod_spec.h"

#include <gtest/gtest.h>

#include <limits>

#include "base/base64.h"
#include "executor/predefined_variables.h"
#include "executor/scripts.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

RunnerConfig runner_config() {
  RunnerConfig r;
  r.name = "k8s-runner";
  r.token = "glrt-aaa_cccbbbdddooo2222";
  r.kubernetes.namespace_ = "gitlab-runner";
  r.kubernetes.image = "alpine:3.20";
  return r;
}

Job basic_job() {
  Job job;
  job.id = 1001;
  job.job_info.name = "test";
  job.job_info.project_id = 42;
  job.job_info.project_name = "app";
  job.job_info.project_full_path = "grp/app";
  job.git_info.repo_url = "https://gitlab-ci-token:glcbt-64_Jtok@gitlab.example.com/grp/app.git";
  job.git_info.ref = "main";
  job.git_info.sha = "03af6fc71345293cf29de98665cfafad0f5f2dfa";
  job.git_info.before_sha = "0000000000000000000000000000000000000000";
  job.timeout_seconds = 3600;
  job.variables = {{"CI_JOB_ID", "1001", true},
                   {"CI_JOB_TOKEN", "glcbt-64_Jtok", false, true},
                   {"CI_PROJECT_NAMESPACE", "grp", true},
                   {"PRICE", "$5", true},
                   {"MY_FILE", "content", false, false, true},
                   {"PUB_FILE", "content", true, false, true},
                   {"CI_JOB_ID", "1002", true}};
  return job;
}

PodInputs inputs(const RunnerConfig& runner, const Job& job, Profile p = Profile::kV19_4) {
  PodInputs in;
  in.runner = &runner;
  in.job = &job;
  in.profile = p;
  in.namespace_ = "gitlab-runner";
  in.name = "runner-aaacccbb-project-42-concurrent-0-k3x9q0ab";
  in.short_token = "aaa_cccbb";
  in.project_dir = "/builds/grp/app";
  in.variables = job.variables;
  return in;
}

JobImage service(const std::string& image, const std::string& alias = "") {
  JobImage s;
  s.name = image;
  s.alias = alias;
  return s;
}

VolumeConfig volume(const std::string& kind, const std::string& name, const std::string& mount) {
  VolumeConfig v;
  v.kind = kind;
  v.name = name;
  v.mount_path = mount;
  return v;
}

const json* find_container(const json& pod, const std::string& name) {
  for (const auto& c : pod["spec"]["containers"]) {
    if (c["name"] == name) return &c;
  }
  return nullptr;
}

TEST(BuildPod, MetadataLabelsAndAnnotations) {
  const RunnerConfig runner = runner_config();
  const Job job = basic_job();
  auto pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok()) << pod.error().describe();
  const json& md = (*pod)["metadata"];
  EXPECT_EQ((*pod)["apiVersion"], "v1");
  EXPECT_EQ((*pod)["kind"], "Pod");
  EXPECT_EQ(md["name"], "runner-aaacccbb-project-42-concurrent-0-k3x9q0ab");
  EXPECT_FALSE(md.contains("generateName"));
  EXPECT_EQ(md["namespace"], "gitlab-runner");
  EXPECT_EQ(md["labels"]["pod"], "runner-aaacccbb-project-42-concurrent-0");
  EXPECT_EQ(md["labels"]["job.runner.gitlab.com/pod"], "runner-aaacccbb-project-42-concurrent-0");
  EXPECT_EQ(md["labels"]["manager.runner.gitlab.com/id-short"], "aaa_cccbb");
  EXPECT_EQ(md["labels"]["manager.runner.gitlab.com/name"], "k8s-runner");
  EXPECT_EQ(md["labels"]["project.runner.gitlab.com/id"], "42");
  EXPECT_EQ(md["labels"]["project.runner.gitlab.com/namespace"], "grp");
  EXPECT_EQ(md["annotations"]["job.runner.gitlab.com/url"], "https://gitlab.example.com/grp/app/-/jobs/1001");
  EXPECT_EQ(md["annotations"]["job.runner.gitlab.com/timeout"], "1h0m0s");
  EXPECT_EQ(md["annotations"]["job.runner.gitlab.com/sha"], job.git_info.sha);
  EXPECT_EQ(md["annotations"]["project.runner.gitlab.com/id"], "42");
}

TEST(BuildPod, BuildAndHelperContainers) {
  const RunnerConfig runner = runner_config();
  const Job job = basic_job();
  auto pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok());
  const json& spec = (*pod)["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["activeDeadlineSeconds"], 3601);
  ASSERT_EQ(spec["containers"].size(), 2u);
  const json& build = spec["containers"][0];
  const json& helper = spec["containers"][1];
  EXPECT_EQ(build["name"], "build");
  EXPECT_EQ(build["image"], "alpine:3.20");
  EXPECT_EQ(build["command"], json({"sh", "-c", detect_shell_script()}));
  EXPECT_EQ(build["stdin"], true);
  EXPECT_EQ(build["securityContext"], json::parse(R"({"capabilities":{"drop":["NET_RAW"]}})"));
  // Public variables only, "$" doubled, duplicates at their first position with the last value,
  // file variables as their path.
  EXPECT_EQ(build["env"], json::parse(R"([
    {"name":"CI_JOB_ID","value":"1002"},
    {"name":"CI_PROJECT_NAMESPACE","value":"grp"},
    {"name":"PRICE","value":"$$5"},
    {"name":"PUB_FILE","value":"/builds/grp/app.tmp/PUB_FILE"}])"));
  EXPECT_EQ(helper["name"], "helper");
  EXPECT_EQ(helper["image"], "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v19.4.0");
  EXPECT_EQ(helper["command"], build["command"]);
  EXPECT_FALSE(helper.contains("env"));
  EXPECT_EQ(spec["volumes"], json::parse(R"([{"name":"repo","emptyDir":{}}])"));
  EXPECT_EQ(build["volumeMounts"], json::parse(R"([{"name":"repo","mountPath":"/builds"}])"));
  EXPECT_EQ(helper["volumeMounts"], build["volumeMounts"]);
  EXPECT_FALSE(spec.contains("hostAliases"));
  EXPECT_FALSE(spec.contains("imagePullSecrets"));
}

TEST(BuildPod, EnvAsEachReleaseBuildsIt) {
  // executors/kubernetes/util.go buildVariables: 16.6 file paths, 17.9 de-duplication, 19.0 "$$".
  const RunnerConfig runner = runner_config();
  const Job job = basic_job();
  const auto env = [&](Profile p) {
    auto pod = build_pod(inputs(runner, job, p));
    EXPECT_TRUE(pod.ok());
    return (*pod)["spec"]["containers"][0]["env"];
  };
  EXPECT_EQ(env(Profile::kV13_12), json::parse(R"([
    {"name":"CI_JOB_ID","value":"1001"},
    {"name":"CI_PROJECT_NAMESPACE","value":"grp"},
    {"name":"PRICE","value":"$5"},
    {"name":"PUB_FILE","value":"content"},
    {"name":"CI_JOB_ID","value":"1002"}])"));
  EXPECT_EQ(env(Profile::kV16_11)[3], json::parse(R"({"name":"PUB_FILE","value":"/builds/grp/app.tmp/PUB_FILE"})"));
  EXPECT_EQ(env(Profile::kV16_11).size(), 5u);
  EXPECT_EQ(env(Profile::kV18_11), json::parse(R"([
    {"name":"CI_JOB_ID","value":"1002"},
    {"name":"CI_PROJECT_NAMESPACE","value":"grp"},
    {"name":"PRICE","value":"$5"},
    {"name":"PUB_FILE","value":"/builds/grp/app.tmp/PUB_FILE"}])"));
}

TEST(BuildPod, ActiveDeadlineWrapsAsGoForTheLargestTimeout) {
  // kubernetes.go getPodActiveDeadlineSeconds adds 1 in Go's int: INT64_MAX wraps to INT64_MIN (W11).
  const RunnerConfig runner = runner_config();
  Job job = basic_job();
  job.timeout_seconds = std::numeric_limits<int64_t>::max();
  auto pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok()) << pod.error().describe();
  EXPECT_EQ((*pod)["spec"]["activeDeadlineSeconds"].get<int64_t>(), std::numeric_limits<int64_t>::min());
}

TEST(BuildPod, JobImageCommandAndConfigKnobs) {
  RunnerConfig runner = runner_config();
  runner.kubernetes.privileged = true;
  runner.kubernetes.service_account = "builder";
  runner.kubernetes.node_selector = {{"kubernetes.io/arch", "amd64"}};
  runner.kubernetes.image_pull_secrets = {"regcred"};
  runner.kubernetes.cpu_limit = "1";
  runner.kubernetes.memory_request = "256Mi";
  runner.kubernetes.helper_image = "my/helper:$CI_JOB_ID";
  Job job = basic_job();
  job.image.name = "ruby:$CI_JOB_ID";
  job.image.command = {"--flag"};
  job.image.entrypoint = {"ignored"};
  PodInputs in = inputs(runner, job);
  in.registry_secret = "runner-aaacccbb-project-42-concurrent-0-abcdefgh";
  auto pod = build_pod(in);
  ASSERT_TRUE(pod.ok());
  const json& spec = (*pod)["spec"];
  const json& build = spec["containers"][0];
  EXPECT_EQ(build["image"], "ruby:1002");
  EXPECT_EQ(build["args"], json({"--flag"}));
  EXPECT_EQ(build["command"][0], "sh");
  EXPECT_EQ(build["securityContext"]["privileged"], true);
  EXPECT_EQ(build["resources"], json::parse(R"({"limits":{"cpu":"1"},"requests":{"memory":"256Mi"}})"));
  EXPECT_EQ(spec["containers"][1]["image"], "my/helper:1002");
  EXPECT_EQ(spec["serviceAccountName"], "builder");
  EXPECT_EQ(spec["nodeSelector"], json::parse(R"({"kubernetes.io/arch":"amd64"})"));
  EXPECT_EQ(spec["imagePullSecrets"],
            json::parse(R"([{"name":"regcred"},{"name":"runner-aaacccbb-project-42-concurrent-0-abcdefgh"}])"));
}

TEST(BuildPod, OlderRunnerUsesGenerateNameAndItsHelperImage) {
  const RunnerConfig runner = runner_config();
  Job job = basic_job();
  job.services = {service("postgres:13", "db"), service("redis:6")};
  PodInputs in = inputs(runner, job, Profile::kV13_12);
  in.name.clear();
  in.generate_name = "runner-lbxmycry-project-2-concurrent-0";
  auto pod = build_pod(in);
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["metadata"]["generateName"], "runner-lbxmycry-project-2-concurrent-0");
  EXPECT_FALSE((*pod)["metadata"].contains("name"));
  const json& spec = (*pod)["spec"];
  EXPECT_FALSE(spec.contains("activeDeadlineSeconds"));
  EXPECT_EQ(spec["containers"][1]["image"], "gitlab/gitlab-runner-helper:x86_64-7a6612da");
  EXPECT_FALSE(spec["containers"][0].contains("securityContext"));
  ASSERT_EQ(spec["containers"].size(), 4u);
  EXPECT_EQ(spec["containers"][2]["name"], "svc-0");  // 13.12 ignored aliases for names
  EXPECT_EQ(spec["containers"][2]["image"], "postgres:13");
  EXPECT_EQ(spec["containers"][3]["name"], "svc-1");
}

TEST(BuildPod, HostAliasesReferenceExample) {
  RunnerConfig runner = runner_config();
  runner.kubernetes.host_aliases = {{"127.0.0.1", {"redis"}}, {"8.8.8.8", {"dns1", "dns2"}}};
  Job job = basic_job();
  JobImage with_port = service("service-with-port:dind");
  with_port.ports = {{8080, "tcp", ""}};
  job.services = {service("test-service", "svc-alias"), service("docker:dind"), with_port};
  auto pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok()) << pod.error().describe();
  const json& spec = (*pod)["spec"];
  EXPECT_EQ(spec["hostAliases"], json::parse(R"([
    {"ip":"127.0.0.1","hostnames":["docker","test-service","svc-alias"]},
    {"ip":"127.0.0.1","hostnames":["redis"]},
    {"ip":"8.8.8.8","hostnames":["dns1","dns2"]}])"));
  ASSERT_EQ(spec["containers"].size(), 5u);
  EXPECT_EQ(spec["containers"][2]["name"], "svc-0");
  EXPECT_EQ(spec["containers"][2]["image"], "docker:dind");
  EXPECT_EQ(spec["containers"][3]["name"], "svc-1");
  EXPECT_EQ(spec["containers"][4]["name"], "svc-alias");
}

TEST(BuildPod, HostAliasesDisabledWhenUnsupported) {
  RunnerConfig runner = runner_config();
  runner.kubernetes.host_aliases = {{"127.0.0.1", {"redis"}}};
  Job job = basic_job();
  job.services = {service("docker:dind")};
  PodInputs in = inputs(runner, job);
  in.host_aliases_supported = false;
  auto pod = build_pod(in);
  ASSERT_TRUE(pod.ok());
  EXPECT_FALSE((*pod)["spec"].contains("hostAliases"));
}

TEST(BuildPod, InvalidExplicitAliasIsAnError) {
  const RunnerConfig runner = runner_config();
  Job job = basic_job();
  job.services = {service("mysql:8", "My_DB")};
  auto pod = build_pod(inputs(runner, job));
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().message.rfind("provided host alias My_DB for service mysql:8 is invalid DNS. "
                                      "a lowercase RFC 1123 subdomain must consist of",
                                      0),
            0u)
      << pod.error().message;
}

TEST(BuildPod, ServiceNamingAndEnvironment) {
  RunnerConfig runner = runner_config();
  ServiceConfig dind;
  dind.name = "docker:24-dind";
  dind.alias = "docker,dind";
  dind.command = {"--tls=false"};
  dind.environment = {"DOCKER_TLS_CERTDIR="};
  runner.kubernetes.services = {dind};
  Job job = basic_job();
  JobImage pg = service("postgres:13", "docker db.local pg");
  pg.variables = {{"POSTGRES_PASSWORD", "pw-$CI_JOB_ID", false}};
  pg.entrypoint = {"docker-entrypoint.sh"};
  job.services = {pg, service("redis:6", "Bad_Alias")};
  auto pod = build_pod(inputs(runner, job));
  ASSERT_FALSE(pod.ok());  // Bad_Alias is not a DNS name: hostAliases refuse it
  job.services[1].alias = "";
  pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok()) << pod.error().describe();
  const json* docker = find_container(*pod, "docker");
  const json* db = find_container(*pod, "pg");  // "docker" taken, "db.local" not a label
  const json* redis = find_container(*pod, "svc-0");
  ASSERT_TRUE(docker && db && redis) << pod->dump(2);
  EXPECT_EQ((*docker)["args"], json({"--tls=false"}));
  EXPECT_EQ((*docker)["env"].back(), json::parse(R"({"name":"DOCKER_TLS_CERTDIR","value":""})"));
  EXPECT_EQ((*db)["command"], json({"docker-entrypoint.sh"}));
  EXPECT_EQ((*db)["env"].back(), json::parse(R"({"name":"POSTGRES_PASSWORD","value":"pw-1002"})"));
  const json& containers = (*pod)["spec"]["containers"];
  EXPECT_EQ(containers[2]["name"], "docker");
  EXPECT_EQ(containers[3]["name"], "pg");
  EXPECT_EQ(containers[4]["name"], "svc-0");
}

TEST(BuildPod, ConfiguredVolumes) {
  RunnerConfig runner = runner_config();
  VolumeConfig pvc = volume("pvc", "cache-$CI_JOB_ID", "/cache");
  VolumeConfig pvc_again = volume("pvc", "cache-$CI_JOB_ID", "/cache2");
  VolumeConfig host = volume("host_path", "docker-sock", "/var/run/docker.sock");
  host.read_only = true;
  VolumeConfig secret = volume("secret", "certs", "/certs");
  secret.items = {{"ca.crt", "ca.pem"}};
  runner.kubernetes.volumes = {pvc, host, pvc_again, secret};
  const Job job = basic_job();
  auto pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["spec"]["volumes"], json::parse(R"([
    {"name":"docker-sock","hostPath":{"path":"/var/run/docker.sock"}},
    {"name":"certs","secret":{"secretName":"certs","items":[{"key":"ca.crt","path":"ca.pem"}]}},
    {"name":"cache-1002","persistentVolumeClaim":{"claimName":"cache-1002"}},
    {"name":"repo","emptyDir":{}}])"));
  EXPECT_EQ((*pod)["spec"]["containers"][0]["volumeMounts"], json::parse(R"([
    {"name":"docker-sock","mountPath":"/var/run/docker.sock","readOnly":true},
    {"name":"certs","mountPath":"/certs"},
    {"name":"cache-1002","mountPath":"/cache"},
    {"name":"cache-1002","mountPath":"/cache2"},
    {"name":"repo","mountPath":"/builds"}])"));

  runner.kubernetes.volumes = {volume("empty_dir", "builds", "/builds")};
  pod = build_pod(inputs(runner, job));
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["spec"]["volumes"], json::parse(R"([{"name":"builds","emptyDir":{}}])"));
}

TEST(BuildPod, VolumesExpandWithEveryVariableFromTheirRelease) {
  RunnerConfig runner = runner_config();
  VolumeConfig cache = volume("pvc", "cache-$CI_JOB_ID", "/cache/$CI_CONCURRENT_ID");
  VolumeConfig host = volume("host_path", "scratch", "/scratch/$CI_CONCURRENT_ID");
  host.sub_path = "$CI_PROJECT_NAMESPACE";
  runner.kubernetes.volumes = {host, cache};
  const Job job = basic_job();
  const auto pod_of = [&](Profile p) {
    PodInputs in = inputs(runner, job, p);
    in.variables.push_back({"CI_CONCURRENT_ID", "3", true});  // a runner variable, not the job's
    auto pod = build_pod(in);
    EXPECT_TRUE(pod.ok());
    return pod.ok() ? *pod : json();
  };
  // 16.3+: mounts and claim names expand; a hostPath without host_path keeps the mount path as written.
  json pod = pod_of(Profile::kV19_4);
  EXPECT_EQ(pod["spec"]["volumes"], json::parse(R"([
    {"name":"scratch","hostPath":{"path":"/scratch/$CI_CONCURRENT_ID"}},
    {"name":"cache-1002","persistentVolumeClaim":{"claimName":"cache-1002"}},
    {"name":"repo","emptyDir":{}}])"));
  EXPECT_EQ(pod["spec"]["containers"][0]["volumeMounts"], json::parse(R"([
    {"name":"scratch","mountPath":"/scratch/3","subPath":"grp"},
    {"name":"cache-1002","mountPath":"/cache/3"},
    {"name":"repo","mountPath":"/builds"}])"));
  // 15.1-16.2: mounts expand, the claim is taken as written.
  pod = pod_of(Profile::kV15_11);
  EXPECT_EQ(pod["spec"]["volumes"][1], json::parse(R"({"name":"cache-$CI_JOB_ID",
    "persistentVolumeClaim":{"claimName":"cache-$CI_JOB_ID"}})"));
  EXPECT_EQ(pod["spec"]["containers"][0]["volumeMounts"][1]["mountPath"], "/cache/3");
  // 13.12: nothing expands.
  pod = pod_of(Profile::kV13_12);
  EXPECT_EQ(
      pod["spec"]["containers"][0]["volumeMounts"][0],
      json::parse(R"({"name":"scratch","mountPath":"/scratch/$CI_CONCURRENT_ID","subPath":"$CI_PROJECT_NAMESPACE"})"));
}

TEST(BuildPod, ImagesExpandWithTheRunnersVariablesToo) {
  RunnerConfig runner = runner_config();
  runner.kubernetes.image = "registry.local/base:$CI_RUNNER_VERSION";
  runner.kubernetes.helper_image = "registry.local/helper:x86_64-${CI_RUNNER_REVISION}$SUFFIX";
  Job job = basic_job();
  job.variables.push_back({"SUFFIX", "-custom", true});
  job.services = {service("registry.local/db:$CI_RUNNER_REVISION")};
  const auto vars_of = [&](Profile p) {
    BuildVariablesInput b;
    b.profile = p;
    b.job = &job;
    return image_expansion_variables(b);
  };
  auto images = resolve_images(runner, job, Profile::kV19_4, vars_of(Profile::kV19_4));
  ASSERT_TRUE(images.ok());
  EXPECT_EQ(images->build, "registry.local/base:19.4.0");
  EXPECT_EQ(images->helper, "registry.local/helper:x86_64-4d1a0ea3-custom");  // 16.0+: GetAllVariables
  // Before 16.0 getHelperImage expanded with common.AppVersion.Variables() only.
  images = resolve_images(runner, job, Profile::kV15_11, vars_of(Profile::kV15_11));
  ASSERT_TRUE(images.ok());
  EXPECT_EQ(images->helper, "registry.local/helper:x86_64-436955cb");

  PodInputs in = inputs(runner, job);
  in.variables = vars_of(Profile::kV19_4);
  auto pod = build_pod(in);
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["spec"]["containers"][2]["image"], "registry.local/db:4d1a0ea3");
}

TEST(BuildPod, NoImageAnywhereIsAnError) {
  RunnerConfig runner = runner_config();
  runner.kubernetes.image.clear();
  const Job job = basic_job();
  auto pod = build_pod(inputs(runner, job));
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().message, "check defaults error: no image specified and no default set in config");
}

TEST(ServiceHostNames, ReferenceExamples) {
  EXPECT_EQ(service_image_host_names("docker:dind"), std::vector<std::string>{"docker"});
  EXPECT_EQ(service_image_host_names("registry.example.com:5000/group/img:1"),
            std::vector<std::string>{"registry.example.com-group-img"});
  EXPECT_EQ(service_image_host_names("tutum/wordpress"), std::vector<std::string>{"tutum-wordpress"});
  EXPECT_EQ(service_image_host_names("postgres@sha256:abc"), std::vector<std::string>{"postgres"});
}

TEST(RegistrySecret, DockercfgWithAuth) {
  Job job = basic_job();
  job.credentials = {{"registry", "registry.mylab.com", "gitlab-ci-token", "tok"},
                     {"Registry", "ignored.example.com", "u", "p"}};
  const DockerAuth auth = resolve_docker_auth(Profile::kV13_12, "", job.credentials);
  const json secret = build_registry_secret("cicd", "", "runner-lbxmycry-project-2-concurrent-0", auth.registries);
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["type"], "kubernetes.io/dockercfg");
  EXPECT_EQ(secret["metadata"]["generateName"], "runner-lbxmycry-project-2-concurrent-0");
  EXPECT_EQ(secret["metadata"]["namespace"], "cicd");
  const auto decoded = base64_decode(secret["data"][".dockercfg"].get<std::string>());
  ASSERT_TRUE(decoded);
  // json.Marshal of types.AuthConfig: struct order, empty fields omitted.
  EXPECT_EQ(
      *decoded,
      R"({"registry.mylab.com":{"username":"gitlab-ci-token","password":"tok","serveraddress":"registry.mylab.com"}})");
  job.credentials.pop_back();
  job.credentials[0].type = "git";
  EXPECT_TRUE(resolve_docker_auth(Profile::kV19_4, "", job.credentials).registries.empty());
}

TEST(Base64, RoundTripsAndKnownVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
  EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");
  EXPECT_FALSE(base64_decode("Zm9v!"));
  const std::string bytes("\x00\xff\x10 binary", 10);
  EXPECT_EQ(base64_decode(base64_encode(bytes)).value(), bytes);
}

}  // namespace
}  // namespace kexsim::executor
