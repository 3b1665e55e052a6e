// kexsim render: a config and a job in, the fields that must appear in the secret and pod out.
// The table follows upstream's TestSetupBuildPod (executors/kubernetes/kubernetes_test.go) for the
// keys this executor supports; every case also reads its YAML back and compares it with the JSON.
#include "sim/render.h"
#include "tests/support/render_texts.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "base/base64.h"
#include "sim/cli.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "tests/support/temp_dir.h"

namespace kexsim::sim {
namespace {

using nlohmann::json;

const char kRunner[] = R"([[runners]]
  name = "k8s"
  url = "https://gitlab.example.com"
  token = "glrt-t1_8xYzAbCdEfGhIjKlMnOp"
  executor = "kubernetes"
)";

// A YAML node back as JSON, resolving plain scalars as a YAML reader would (quoted ones stay strings).
json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : n) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& e : n) out.push_back(yaml_to_json(e));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "true" || s == "false") return s == "true";
      if (std::regex_match(s, std::regex("-?[0-9]+"))) return std::stoll(s);
      if (s == "null" || s == "~") return nullptr;
      return s;
    }
    default: return nullptr;
  }
}

/// What one case gives: the objects, the plan, and the error if rendering failed.
struct Rendered {
  json secret;  ///< null when the job has no registry credentials
  json pod;
  Rendering rendering;
  std::string error;

  const json& container(const std::string& name) const {
    for (const auto& c : pod["spec"]["containers"])
      if (c["name"] == name) return c;
    static const json none;
    return none;
  }
  std::string env(const std::string& container_name, const std::string& key) const {
    for (const auto& e : container(container_name).value("env", json::array()))
      if (e["name"] == key) return e["value"];
    return "<absent>";
  }
  std::vector<std::string> container_names() const {
    std::vector<std::string> out;
    for (const auto& c : pod["spec"]["containers"]) out.push_back(c["name"]);
    return out;
  }
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (const auto& c : rendering.calls) out.push_back(c.method + " " + c.path);
    return out;
  }
};

Rendered render_case(const std::string& kubernetes, const std::string& job_toml, const std::string& profile,
                     const std::string& runner_extra = "") {
  Rendered r;
  const std::string text = std::string(kRunner) + runner_extra + "  [runners.kubernetes]\n" + kubernetes;
  auto rendering = testing::render_texts(text, job_toml, profile);
  if (!rendering) {
    r.error = rendering.error().describe();
    return r;
  }
  r.rendering = *rendering;
  r.pod = rendering->objects.back();
  if (rendering->objects.size() > 1) r.secret = rendering->objects.front();
  return r;
}

struct Case {
  std::string name;
  std::string kubernetes;  ///< [runners.kubernetes] body
  std::string job = "image = \"alpine:3.20\"\nscript = [\"echo hi\"]\nproject = \"group/sub/app\"\nproject_id = 7\n";
  std::string profile = "19.4";
  std::string runner_extra;  ///< [[runners]] keys (builds_dir, environment)
  std::function<void(const Rendered&)> verify;
  std::string error_contains;  ///< non-empty: rendering must fail with this
};

const std::string kNs = "    namespace = \"ci\"\n    image = \"busybox:1\"\n";
const std::string kCredentials = R"(
[[credentials]]
type = "registry"
url = "registry.example.com"
username = "user"
password = "pass"
)";
const std::string kServicesJob = R"(image = "alpine:3.20"
script = ["true"]
services = [{ name = "test-service", alias = "svc-alias" }, "docker:dind"]
)";

std::vector<Case> cases() {
  std::vector<Case> c;
  auto add = [&](std::string name, std::string k8s, std::function<void(const Rendered&)> verify) {
    Case x;
    x.name = std::move(name);
    x.kubernetes = std::move(k8s);
    x.verify = std::move(verify);
    c.push_back(std::move(x));
    return &c.back();
  };
  add("passes_node_selector_setting",
      kNs + "    node_selector = { a-selector = \"first\", another-selector = \"second\" }\n", [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["nodeSelector"], (json{{"a-selector", "first"}, {"another-selector", "second"}}));
      });
  add("uses_job_credentials_as_dockercfg_secret", kNs, [](const Rendered& r) {
    ASSERT_TRUE(r.secret.is_object());
    EXPECT_EQ(r.secret["kind"], "Secret");
    EXPECT_EQ(r.secret["type"], "kubernetes.io/dockercfg");
    EXPECT_EQ(r.secret["metadata"]["namespace"], "ci");
    auto cfg = base64_decode(r.secret["data"][".dockercfg"].get<std::string>());
    ASSERT_TRUE(cfg);
    const json d = json::parse(*cfg);
    EXPECT_EQ(d["registry.example.com"]["username"], "user");
    EXPECT_EQ(d["registry.example.com"]["password"], "pass");
    // json.Marshal of docker/cli's types.AuthConfig: no auth, the address as serveraddress.
    EXPECT_FALSE(d["registry.example.com"].contains("auth"));
    EXPECT_EQ(d["registry.example.com"]["serveraddress"], "registry.example.com");
    EXPECT_EQ(r.pod["spec"]["imagePullSecrets"], (json::array({{{"name", r.secret["metadata"]["name"]}}})));
  })->job = "image = \"alpine:3.20\"\nscript = [\"true\"]\n" + kCredentials;
  add("uses_configured_image_pull_secrets", kNs + "    image_pull_secrets = [\"my-secret1\", \"my-secret2\"]\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["imagePullSecrets"],
                  (json::array({{{"name", "my-secret1"}}, {{"name", "my-secret2"}}})));
        EXPECT_TRUE(r.secret.is_null());
      });
  add("configured_pull_secrets_come_before_the_job_credentials", kNs + "    image_pull_secrets = [\"my-secret1\"]\n",
      [](const Rendered& r) {
        ASSERT_EQ(r.pod["spec"]["imagePullSecrets"].size(), 2u);
        EXPECT_EQ(r.pod["spec"]["imagePullSecrets"][0]["name"], "my-secret1");
        EXPECT_EQ(r.pod["spec"]["imagePullSecrets"][1]["name"], r.secret["metadata"]["name"]);
      })
      ->job = "image = \"alpine:3.20\"\nscript = [\"true\"]\n" + kCredentials;
  add("uses_default_security_context_flags_for_containers", kNs, [](const Rendered& r) {
    for (const auto& ct : r.pod["spec"]["containers"]) {
      EXPECT_FALSE(ct["securityContext"].contains("privileged")) << ct["name"];
      EXPECT_EQ(ct["securityContext"]["capabilities"]["drop"], json::array({"NET_RAW"}));
    }
  });
  add("configures_security_context_flags_for_unprivileged_containers", kNs + "    privileged = false\n",
      [](const Rendered& r) {
        for (const auto& ct : r.pod["spec"]["containers"]) EXPECT_EQ(ct["securityContext"]["privileged"], false);
      });
  add("configures_security_context_flags_for_privileged_containers", kNs + "    privileged = true\n",
      [](const Rendered& r) {
        ASSERT_EQ(r.pod["spec"]["containers"].size(), 4u);  // build, helper, two services
        for (const auto& ct : r.pod["spec"]["containers"]) EXPECT_EQ(ct["securityContext"]["privileged"], true);
      })
      ->job = kServicesJob;
  add("configures_helper_container", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container_names(), (std::vector<std::string>{"build", "helper"}));
    EXPECT_EQ(r.container("helper")["command"][0], "sh");
    EXPECT_EQ(r.container("helper")["stdin"], true);
    EXPECT_FALSE(r.container("helper").contains("env"));
  });
  add("uses_configured_helper_image", kNs + "    helper_image = \"custom/helper-image\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.container("helper")["image"], "custom/helper-image"); });
  add("default_helper_image_19_4", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container("helper")["image"],
              "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v19.4.0");
  });
  add("default_helper_image_13_12", kNs, [](const Rendered& r) {
    const std::string image = r.container("helper")["image"];
    EXPECT_EQ(image.rfind("gitlab/gitlab-runner-helper:x86_64-", 0), 0u) << image;
  })->profile = "13.12";
  add("sets_default_runner_labels_on_the_pod", kNs, [](const Rendered& r) {
    const json& l = r.pod["metadata"]["labels"];
    EXPECT_EQ(l["pod"], "runner-8xyzabcde-project-7-concurrent-0");
    EXPECT_EQ(l["project.runner.gitlab.com/id"], "7");
    EXPECT_EQ(l["project.runner.gitlab.com/name"], "app");
    EXPECT_EQ(l["project.runner.gitlab.com/namespace"], "group_sub");  // "group/sub", '/' sanitized
    EXPECT_EQ(l["project.runner.gitlab.com/root-namespace"], "group");
    EXPECT_EQ(l["manager.runner.gitlab.com/name"], "k8s");
    EXPECT_EQ(l["manager.runner.gitlab.com/id-short"], "8xYzAbCdE");
  });
  add("default_pod_annotations", kNs, [](const Rendered& r) {
    const json& a = r.pod["metadata"]["annotations"];
    EXPECT_EQ(a["job.runner.gitlab.com/id"], "1000");
    EXPECT_EQ(a["job.runner.gitlab.com/url"], "https://gitlab.example.com/group/sub/app/-/jobs/1000");
    EXPECT_EQ(a["job.runner.gitlab.com/ref"], "main");
    EXPECT_EQ(a["job.runner.gitlab.com/name"], "test");
    EXPECT_EQ(a["job.runner.gitlab.com/timeout"], "1h0m0s");
    EXPECT_EQ(a["job.runner.gitlab.com/sha"].get<std::string>().size(), 40u);
  });
  add("uses_service_account", kNs + "    service_account = \"my-serviceaccount\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["spec"]["serviceAccountName"], "my-serviceaccount"); });
  add("service_account_and_pull_image_secret_set",
      kNs + "    service_account = \"my-serviceaccount\"\n    image_pull_secrets = [\"my-secret1\"]\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["serviceAccountName"], "my-serviceaccount");
        EXPECT_EQ(r.pod["spec"]["imagePullSecrets"], (json::array({{{"name", "my-secret1"}}})));
      });
  add("no_service_account_by_default", kNs, [](const Rendered& r) {
    EXPECT_FALSE(r.pod["spec"].contains("serviceAccountName"));
    EXPECT_FALSE(r.pod["spec"].contains("nodeSelector"));
    EXPECT_FALSE(r.pod["spec"].contains("hostAliases"));
    EXPECT_FALSE(r.pod["spec"].contains("imagePullSecrets"));
    EXPECT_EQ(r.pod["spec"]["restartPolicy"], "Never");
  });
  add("supports_services_and_setting_extra_hosts_using_host_aliases", kNs + R"(
    [[runners.kubernetes.host_aliases]]
      ip = "127.0.0.1"
      hostnames = ["redis"]
    [[runners.kubernetes.host_aliases]]
      ip = "8.8.8.8"
      hostnames = ["dns1", "dns2"]
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["hostAliases"],
                  json::parse(R"([{"ip":"127.0.0.1","hostnames":["docker","test-service","svc-alias"]},
                                  {"ip":"127.0.0.1","hostnames":["redis"]},
                                  {"ip":"8.8.8.8","hostnames":["dns1","dns2"]}])"));
      })
      ->job = kServicesJob;
  add("rejects_non_rfc1123_aliases", kNs, nullptr)->job =
      "image = \"alpine\"\nscript = [\"true\"]\nservices = [{ name = \"test-service\", alias = \"INVALID_ALIAS\" }]\n";
  c.back().error_contains = "provided host alias INVALID_ALIAS for service test-service is invalid DNS";
  add("service_containers_are_named_by_alias_19_4", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container_names(), (std::vector<std::string>{"build", "helper", "svc-0", "svc-alias"}));
    EXPECT_EQ(r.container("svc-0")["image"], "docker:dind");
    EXPECT_EQ(r.container("svc-alias")["image"], "test-service");
  })->job = kServicesJob;
  add("service_containers_are_numbered_13_12", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container_names(), (std::vector<std::string>{"build", "helper", "svc-0", "svc-1"}));
    EXPECT_EQ(r.container("svc-0")["image"], "test-service");
    EXPECT_EQ(r.container("svc-1")["image"], "docker:dind");
  })->job = kServicesJob;
  c.back().profile = "13.12";
  add("sets_service_command_entrypoint_and_args", kNs,
      [](const Rendered& r) {
        EXPECT_EQ(r.container("db")["command"], json::array({"/entry.sh"}));
        EXPECT_EQ(r.container("db")["args"], json::array({"--port", "5432"}));
      })
      ->job =
      "image = \"alpine\"\nscript = [\"true\"]\nservices = [{ name = \"postgres:16\", alias = \"db\", "
      "entrypoint = [\"/entry.sh\"], command = [\"--port\", \"5432\"] }]\n";
  add("config_services_come_with_their_environment", kNs + R"(
    [[runners.kubernetes.services]]
      name = "redis:7"
      alias = "cache"
      environment = ["REDIS_ARGS=--save 60"]
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.container("cache")["image"], "redis:7");
        EXPECT_EQ(r.env("cache", "REDIS_ARGS"), "--save 60");
        EXPECT_EQ(r.env("build", "REDIS_ARGS"), "<absent>");
      });
  add("build_cpu_and_memory_limits_and_requests",
      kNs + "    cpu_limit = \"2\"\n    cpu_request = \"500m\"\n" +
          "    memory_limit = \"1Gi\"\n    memory_request = \"256Mi\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.container("build")["resources"],
                  json::parse(R"({"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"500m","memory":"256Mi"}})"));
        EXPECT_FALSE(r.container("helper").contains("resources"));
      });
  add("helper_cpu_and_memory_limits", kNs + "    helper_cpu_limit = \"250m\"\n    helper_memory_request = \"64Mi\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.container("helper")["resources"],
                  json::parse(R"({"limits":{"cpu":"250m"},"requests":{"memory":"64Mi"}})"));
        EXPECT_FALSE(r.container("build").contains("resources"));
      });
  add("service_cpu_and_memory_limits", kNs + "    service_cpu_limit = \"1\"\n    service_memory_limit = \"512Mi\"\n",
      [](const Rendered& r) {
        for (const char* name : {"svc-0", "svc-alias"})
          EXPECT_EQ(r.container(name)["resources"], json::parse(R"({"limits":{"cpu":"1","memory":"512Mi"}})")) << name;
      })
      ->job = kServicesJob;
  add("host_path_volume_is_mounted_in_every_container", kNs + R"(
    [[runners.kubernetes.volumes.host_path]]
      name = "docker-sock"
      mount_path = "/var/run/docker.sock"
      host_path = "/var/run/docker.sock"
      read_only = true
)",
      [](const Rendered& r) {
        const json& v = r.pod["spec"]["volumes"][0];
        EXPECT_EQ(v["name"], "docker-sock");
        EXPECT_EQ(v["hostPath"]["path"], "/var/run/docker.sock");
        for (const auto& ct : r.pod["spec"]["containers"]) {
          // After the attach strategy's scripts and logs mounts (getVolumeMounts).
          EXPECT_EQ(ct["volumeMounts"][2], json::parse(R"({"name":"docker-sock","mountPath":"/var/run/docker.sock",
                                                           "readOnly":true})"));
        }
      })
      ->job = kServicesJob;
  add("pvc_volume_name_expands_job_variables", kNs + R"(
    [[runners.kubernetes.volumes.pvc]]
      name = "cache-$CI_PROJECT_ID"
      mount_path = "/cache"
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["volumes"][0],
                  json::parse(R"({"name":"cache-7","persistentVolumeClaim":{"claimName":"cache-7"}})"));
        EXPECT_EQ(r.container("build")["volumeMounts"][2]["name"], "cache-7");
      });
  add("config_map_volume_with_items", kNs + R"(
    [[runners.kubernetes.volumes.config_map]]
      name = "settings"
      mount_path = "/etc/settings"
      [runners.kubernetes.volumes.config_map.items]
        "app.conf" = "app.conf"
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["volumes"][0], json::parse(R"({"name":"settings",
                                  "configMap":{"name":"settings","items":[{"key":"app.conf","path":"app.conf"}]}})"));
      });
  add("secret_volume", kNs + R"(
    [[runners.kubernetes.volumes.secret]]
      name = "tls"
      mount_path = "/etc/tls"
      read_only = true
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["volumes"][0], json::parse(R"({"name":"tls","secret":{"secretName":"tls"}})"));
        EXPECT_EQ(r.container("build")["volumeMounts"][2]["readOnly"], true);
      });
  add("empty_dir_volume_with_medium_and_size_limit", kNs + R"(
    [[runners.kubernetes.volumes.empty_dir]]
      name = "scratch"
      mount_path = "/scratch"
      medium = "Memory"
      size_limit = "1Gi"
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["volumes"][0],
                  json::parse(R"({"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"}})"));
        EXPECT_EQ(r.pod["spec"]["volumes"][1], json::parse(R"({"name":"repo","emptyDir":{}})"));
      });
  add("volumes_are_ordered_by_kind", kNs + R"(
    [[runners.kubernetes.volumes.empty_dir]]
      name = "e"
      mount_path = "/e"
    [[runners.kubernetes.volumes.host_path]]
      name = "h"
      mount_path = "/h"
)",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["volumes"][0]["name"], "h");
        EXPECT_EQ(r.pod["spec"]["volumes"][0]["hostPath"]["path"], "/h");  // host_path defaults to mount_path
        EXPECT_EQ(r.pod["spec"]["volumes"][1]["name"], "e");
        EXPECT_EQ(r.pod["spec"]["volumes"][2]["name"], "repo");
      });
  add("a_volume_on_the_builds_dir_replaces_the_repo_volume", kNs + R"(
    [[runners.kubernetes.volumes.pvc]]
      name = "builds"
      mount_path = "/builds"
)",
      [](const Rendered& r) {
        ASSERT_EQ(r.pod["spec"]["volumes"].size(), 3u);  // + the attach strategy's scripts and logs
        EXPECT_EQ(r.pod["spec"]["volumes"][0]["name"], "builds");
        EXPECT_EQ(r.pod["spec"]["volumes"][1]["name"], "scripts");
      });
  add("custom_builds_dir_moves_the_repo_mount", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container("build")["volumeMounts"][2], json::parse(R"({"name":"repo","mountPath":"/work"})"));
    EXPECT_EQ(r.env("build", "CI_PROJECT_DIR"), "/work/group/sub/app");
    EXPECT_EQ(r.env("build", "CI_BUILDS_DIR"), "/work");
  })->runner_extra = "  builds_dir = \"/work\"\n";
  add("env_has_public_variables_only_with_dollars_escaped", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.env("build", "GREETING"), "hello $$USER, ");  // "$$" is a dollar, $USER is unset
    EXPECT_EQ(r.env("build", "CI_JOB_TIMEOUT"), "3600");
    EXPECT_EQ(r.env("build", "CI_DISPOSABLE_ENVIRONMENT"), "true");
    EXPECT_EQ(r.env("build", "RUNNER_TEMP_PROJECT_DIR"), "/builds/group/sub/app.tmp");
    EXPECT_EQ(r.env("build", "SECRET"), "<absent>");
    EXPECT_EQ(r.env("build", "CONFIG_FILE"), "/builds/group/sub/app.tmp/CONFIG_FILE");
    EXPECT_EQ(r.env("build", "CI_JOB_ID"), "1000");
    EXPECT_EQ(r.env("build", "CI_RUNNER_VERSION"), "19.4.0");
  })->job = R"(image = "alpine"
script = ["true"]
project = "group/sub/app"
project_id = 7
[variables]
GREETING = "hello $$USER, $USER"
SECRET = { value = "s3cr3t", public = false }
CONFIG_FILE = { value = "a=b", file = true }
)";
  add("runner_environment_reaches_the_build_container", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.env("build", "HTTP_PROXY"), "http://proxy:3128");
    EXPECT_EQ(r.env("build", "EMPTY_ONE"), "");
  })->runner_extra = "  environment = [\"HTTP_PROXY=http://proxy:3128\", \"EMPTY_ONE=\"]\n";
  add("pod_name_19_4_is_client_side_with_a_random_suffix", kNs, [](const Rendered& r) {
    const std::string name = r.pod["metadata"]["name"];
    EXPECT_TRUE(std::regex_match(name, std::regex("runner-8xyzabcde-project-7-concurrent-0-[a-z0-9]{8}"))) << name;
    EXPECT_FALSE(r.pod["metadata"].contains("generateName"));
    EXPECT_EQ(r.pod["metadata"]["namespace"], "ci");
  });
  add("pod_name_13_12_is_server_side_generate_name", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.pod["metadata"]["generateName"], "runner-t18xyzab-project-7-concurrent-0");
    EXPECT_FALSE(r.pod["metadata"].contains("name"));
  })->profile = "13.12";
  add("registry_secret_13_12_uses_generate_name", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.secret["metadata"]["generateName"], "runner-t18xyzab-project-7-concurrent-0");
    EXPECT_FALSE(r.secret["metadata"].contains("name"));
    // The server-chosen name is not known: the pod still refers to a secret, the plan deletes it.
    EXPECT_EQ(r.calls().back().rfind("DELETE /api/v1/namespaces/ci/secrets/", 0), 0u);
  })->job = Case{}.job + kCredentials;
  c.back().profile = "13.12";
  add("profile_13_12_has_no_deadline_no_capabilities_and_old_dirs", kNs, [](const Rendered& r) {
    EXPECT_FALSE(r.pod["spec"].contains("activeDeadlineSeconds"));
    EXPECT_FALSE(r.container("build").contains("securityContext"));
    EXPECT_EQ(r.env("build", "CI_PROJECT_DIR"), "/builds/t1_8xYzAb/0/group/sub/app");
    EXPECT_NE(r.env("build", "CI_RUNNER_SHORT_TOKEN"), "<absent>");  // common/config.go GetVariables, 13.12 too
    EXPECT_EQ(r.env("build", "CI_JOB_TIMEOUT"), "<absent>");         // 15.7
  })->profile = "13.12";
  add("profile_19_4_sets_active_deadline_from_job_timeout", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.pod["spec"]["activeDeadlineSeconds"], 601);
    EXPECT_EQ(r.pod["metadata"]["annotations"]["job.runner.gitlab.com/timeout"], "10m0s");
  })->job = "image = \"alpine\"\nscript = [\"true\"]\ntimeout = 600\n";
  add("empty_namespace_falls_back_to_default", "    image = \"busybox:1\"\n", [](const Rendered& r) {
    EXPECT_EQ(r.pod["metadata"]["namespace"], "default");
    EXPECT_EQ(r.calls()[4], "POST /api/v1/namespaces/default/pods");  // after the pod watcher's three calls
    ASSERT_FALSE(r.rendering.assumptions.empty());
    EXPECT_NE(r.rendering.assumptions.front().find("\"default\""), std::string::npos);
  });
  add("job_image_overrides_the_config_image", kNs,
      [](const Rendered& r) { EXPECT_EQ(r.container("build")["image"], "alpine:3.20"); });
  add("config_image_is_used_when_the_job_has_none", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.container("build")["image"], "busybox:1");
  })->job = "script = [\"true\"]\n";
  add("no_image_anywhere_is_an_error", "    namespace = \"ci\"\n", nullptr)->job = "script = [\"true\"]\n";
  c.back().error_contains = "no image specified and no default set in config";
  add("plan_with_credentials_19_4_owns_the_secret", kNs, [](const Rendered& r) {
    const auto calls = r.calls();
    const std::string secret = r.secret["metadata"]["name"], pod = r.pod["metadata"]["name"];
    ASSERT_GE(calls.size(), 8u);
    EXPECT_EQ(calls[0], "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews");  // list, then watch
    EXPECT_EQ(calls[2], "GET /api/v1/namespaces/ci/pods?allowWatchBookmarks=true&labelSelector=");
    EXPECT_EQ(calls[3], "POST /api/v1/namespaces/ci/secrets");
    EXPECT_EQ(calls[4], "GET /version");
    EXPECT_EQ(calls[5], "POST /api/v1/namespaces/ci/pods");
    EXPECT_EQ(calls[6], "PUT /api/v1/namespaces/ci/secrets/" + secret);  // no GET first, as upstream
    EXPECT_EQ(calls.back(), "DELETE /api/v1/namespaces/ci/pods/" + pod);
  })->job = Case{}.job + kCredentials;
  add("plan_with_ci_debug_services_follows_each_services_log", kNs, [](const Rendered& r) {
    std::vector<std::string> follows;
    int watches = 0;
    for (const auto& call : r.calls()) {
      if (call.find("&follow=true&timestamps=true") != std::string::npos)
        follows.push_back(call.substr(call.find("/log?")));
      watches += call.find("?fieldSelector=status.phase%3DRunning%2Cmetadata.name%3D") != std::string::npos;
    }
    // captureServiceContainersLogs: services in name order, each after a watch for its container (17.5+).
    EXPECT_EQ(follows, (std::vector<std::string>{"/log?container=svc-0&follow=true&timestamps=true",
                                                 "/log?container=svc-alias&follow=true&timestamps=true"}));
    EXPECT_EQ(watches, 2);
  })->job = kServicesJob + "variables = { CI_DEBUG_SERVICES = \"true\" }\n";
  add("plan_runs_after_script_only_when_the_job_has_one", kNs, [](const Rendered& r) {
    int attaches = 0;
    for (const auto& call : r.calls()) attaches += call.find("/attach?container=") != std::string::npos;
    EXPECT_EQ(attaches, 5);  // prepare, get_sources, step_script, after_script, cleanup_file_variables
  })->job = "image = \"alpine\"\nscript = [\"true\"]\nafter_script = [\"echo bye\"]\n";
  // The attach strategy (TestSetupBuildPod's default: FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY off).
  add("attach_adds_the_init_permissions_container", kNs, [](const Rendered& r) {
    const json& init = r.pod["spec"]["initContainers"];
    ASSERT_EQ(init.size(), 1u);
    EXPECT_EQ(init[0]["name"], "init-permissions");
    EXPECT_EQ(init[0]["image"], r.container("helper")["image"]);
    const std::string cmd = init[0]["command"][2];
    EXPECT_EQ(init[0]["command"][0], "sh");
    EXPECT_EQ(cmd.rfind("touch /logs-7-", 0), 0u) << cmd;
    EXPECT_NE(cmd.find("/output.log && (chmod 777 /logs-7-"), std::string::npos) << cmd;
    EXPECT_EQ(cmd.substr(cmd.size() - 11), " || exit 0)");
    EXPECT_FALSE(init[0].contains("stdin"));
    EXPECT_EQ(init[0]["volumeMounts"], r.container("build")["volumeMounts"]);
  });
  add("attach_mounts_scripts_and_logs_first_in_every_container", kNs, [](const Rendered& r) {
    for (const std::string name : {"build", "helper"}) {
      const json& m = r.container(name)["volumeMounts"];
      ASSERT_GE(m.size(), 3u) << name;
      EXPECT_EQ(m[0]["name"], "scripts");
      EXPECT_EQ(m[0]["mountPath"].get<std::string>().rfind("/scripts-7-", 0), 0u);
      EXPECT_EQ(m[1]["name"], "logs");
      EXPECT_EQ(m[1]["mountPath"].get<std::string>().rfind("/logs-7-", 0), 0u);
      EXPECT_EQ(m[2]["name"], "repo");
    }
    const json& v = r.pod["spec"]["volumes"];
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], json::parse(R"({"name":"repo","emptyDir":{}})"));
    EXPECT_EQ(v[1], json::parse(R"({"name":"scripts","emptyDir":{}})"));
    EXPECT_EQ(v[2], json::parse(R"({"name":"logs","emptyDir":{}})"));
  });
  add("attach_plan_saves_scripts_starts_read_logs_and_attaches", kNs, [](const Rendered& r) {
    int read_logs = 0, execs = 0;
    for (const auto& call : r.calls()) execs += call.find("/exec?container=") != std::string::npos;
    for (const auto& call : r.rendering.calls) read_logs += call.when.find("read-logs") != std::string::npos;
    EXPECT_EQ(read_logs, 1);
    EXPECT_EQ(execs, 6);  // the trapping script, read-logs, a save per stage (4)
  });
  add("legacy_flag_in_config_keeps_the_exec_strategy_pod", kNs, [](const Rendered& r) {
    EXPECT_FALSE(r.pod["spec"].contains("initContainers"));
    ASSERT_EQ(r.pod["spec"]["volumes"].size(), 1u);
    EXPECT_EQ(r.container("build")["volumeMounts"][0]["name"], "repo");
    for (const auto& call : r.calls()) EXPECT_EQ(call.find("/attach?"), std::string::npos) << call;
  })->runner_extra = "  [runners.feature_flags]\n    FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY = true\n";
  add("legacy_flag_as_a_job_variable_keeps_the_exec_strategy_pod", kNs,
      [](const Rendered& r) { EXPECT_FALSE(r.pod["spec"].contains("initContainers")); })
      ->job =
      "image = \"alpine\"\nscript = [\"true\"]\nvariables = { FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY = \"true\" "
      "}\n";
  add("profile_13_12_runs_the_legacy_exec_strategy", kNs, [](const Rendered& r) {
    EXPECT_FALSE(r.pod["spec"].contains("initContainers"));
    ASSERT_EQ(r.pod["spec"]["volumes"].size(), 1u);
  })->profile = "13.12";
  add("plan_names_poll_interval_timeout_and_grace_period",
      kNs + "    poll_interval = 5\n    poll_timeout = 60\n    cleanup_grace_period_seconds = 0\n",
      [](const Rendered& r) {
        // After the pod watcher's three calls (two reviews, the watch).
        EXPECT_NE(r.rendering.calls[5].when.find("every 5 s"), std::string::npos) << r.rendering.calls[5].when;
        EXPECT_NE(r.rendering.calls[5].when.find("at most 13 times"), std::string::npos);
        EXPECT_EQ(r.rendering.calls.back().when, "propagationPolicy Background, gracePeriodSeconds 0");
      });
  // executors/kubernetes/overwrites.go and kubernetes.go buildLabels / buildPodAnnotations (executor/overwrites.h).
  const auto job_vars = [](const std::string& vars) {
    return "image = \"alpine:3.20\"\nscript = [\"true\"]\nvariables = { " + vars + " }\n";
  };
  add("sets_pod_labels_expanded_and_sanitized", kNs + "    pod_labels = { team = \"$TEAM\", note = \"a b\" }\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["metadata"]["labels"]["team"], "blue");
        EXPECT_EQ(r.pod["metadata"]["labels"]["note"], "a_b");
      })
      ->job = job_vars("TEAM = \"blue\"");
  add("pod_labels_cannot_overwrite_the_runner_gitlab_com_namespace",
      kNs + "    pod_labels = { \"job.runner.gitlab.com/pod\" = \"mine\", \"runner.gitlab.com/x\" = \"y\" }\n",
      [](const Rendered& r) {
        EXPECT_NE(r.pod["metadata"]["labels"]["job.runner.gitlab.com/pod"], "mine");
        EXPECT_FALSE(r.pod["metadata"]["labels"].contains("runner.gitlab.com/x"));
      });
  add("pod_labels_overwrite_the_runner_labels_before_17_9",
      kNs + "    pod_labels = { \"job.runner.gitlab.com/pod\" = \"mine\" }\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["metadata"]["labels"]["job.runner.gitlab.com/pod"], "mine"); })
      ->profile = "16.11";
  add("pod_label_overwrites_from_job_variables", kNs + "    pod_labels_overwrite_allowed = \"^tier=\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["metadata"]["labels"]["tier"], "gold"); })
      ->job = job_vars("KUBERNETES_POD_LABELS_1 = \"tier=gold\"");
  add("pod_label_overwrite_not_matching_the_regex_fails", kNs + "    pod_labels_overwrite_allowed = \"^tier=\"\n",
      [](const Rendered&) {})
      ->job = job_vars("KUBERNETES_POD_LABELS_1 = \"team=red\"");
  c.back().error_contains = "couldn't prepare overwrites: provided value \"team=red\" does not match \"^tier=\"";
  add("sets_pod_annotations_which_may_replace_the_defaults",
      kNs + "    pod_annotations = { \"example.com/owner\" = \"$OWNER\", \"job.runner.gitlab.com/name\" = \"x\" }\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["metadata"]["annotations"]["example.com/owner"], "ops");
        EXPECT_EQ(r.pod["metadata"]["annotations"]["job.runner.gitlab.com/name"], "x");
      })
      ->job = job_vars("OWNER = \"ops\"");
  add("pod_annotation_overwrites_from_job_variables", kNs + "    pod_annotations_overwrite_allowed = \".*\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["metadata"]["annotations"]["example.com/a"], "b=c"); })
      ->job = job_vars("KUBERNETES_POD_ANNOTATIONS_1 = \"example.com/a=b=c\"");
  add("namespace_overwrite_moves_pod_and_calls", kNs + "    namespace_overwrite_allowed = \"^ci-\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["metadata"]["namespace"], "ci-review");
        const auto calls = r.calls();
        EXPECT_NE(std::find(calls.begin(), calls.end(), "POST /api/v1/namespaces/ci-review/pods"), calls.end());
      })
      ->job = job_vars("KUBERNETES_NAMESPACE_OVERWRITE = \"ci-review\"");
  add("namespace_overwrite_without_allowed_is_ignored", kNs, [](const Rendered& r) {
    EXPECT_EQ(r.pod["metadata"]["namespace"], "ci");
  })->job = job_vars("KUBERNETES_NAMESPACE_OVERWRITE = \"ci-review\"");
  add("namespace_per_job_creates_and_deletes_ci_job_id", kNs + "    namespace_per_job = true\n", [](const Rendered& r) {
    const std::string ns = r.pod["metadata"]["namespace"];
    EXPECT_EQ(ns.rfind("ci-job-", 0), 0u) << ns;
    const auto calls = r.calls();
    // Prepare's pod watcher comes first (17.9+, kubernetes.go Prepare), then the namespace, before the pod.
    const auto created = std::find(calls.begin(), calls.end(), "POST /api/v1/namespaces");
    const auto pod = std::find(calls.begin(), calls.end(), "POST /api/v1/namespaces/" + ns + "/pods");
    EXPECT_LT(created, pod);
    EXPECT_EQ(calls.back(), "DELETE /api/v1/namespaces/" + ns);
  });
  add("namespace_per_job_is_ignored_before_16_10", kNs + "    namespace_per_job = true\n", [](const Rendered& r) {
    EXPECT_EQ(r.pod["metadata"]["namespace"], "ci");
  })->profile = "15.11";
  add("service_account_and_its_overwrite",
      kNs + "    service_account = \"builder\"\n    service_account_overwrite_allowed = \"^deploy-\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["spec"]["serviceAccountName"], "deploy-bot"); })
      ->job = job_vars("KUBERNETES_SERVICE_ACCOUNT_OVERWRITE = \"deploy-bot\"");
  add("automount_service_account_token_false", kNs + "    automount_service_account_token = false\n",
      [](const Rendered& r) { EXPECT_EQ(r.pod["spec"]["automountServiceAccountToken"], false); });
  add("use_service_account_image_pull_secrets_drops_every_pull_secret",
      kNs + "    image_pull_secrets = [\"regcred\"]\n    use_service_account_image_pull_secrets = true\n",
      [](const Rendered& r) {
        EXPECT_FALSE(r.pod["spec"].contains("imagePullSecrets"));
        EXPECT_TRUE(r.secret.is_object());  // the credentials secret is still made
      })
      ->job = "image = \"alpine:3.20\"\nscript = [\"true\"]\n" + kCredentials;
  add("resources_are_canonical_quantities",
      kNs +
          "    cpu_request = \"0.5\"\n    memory_limit = \"1024Mi\"\n    ephemeral_storage_limit = \"2G\"\n"
          "    ephemeral_storage_request = \"1000M\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.container("build")["resources"],
                  (json{{"requests", {{"cpu", "500m"}, {"ephemeral-storage", "1G"}}},
                        {"limits", {{"memory", "1Gi"}, {"ephemeral-storage", "2G"}}}}));
      });
  add("helper_and_service_ephemeral_storage",
      kNs +
          "    helper_ephemeral_storage_limit = \"1Gi\"\n"
          "    service_ephemeral_storage_request = \"512Mi\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.container("helper")["resources"]["limits"]["ephemeral-storage"], "1Gi");
        EXPECT_EQ(r.pod["spec"]["initContainers"][0]["resources"]["limits"]["ephemeral-storage"], "1Gi");
        EXPECT_EQ(r.container("svc-alias")["resources"]["requests"]["ephemeral-storage"], "512Mi");
      })
      ->job = kServicesJob;
  add("cpu_limit_overwrite_within_max", kNs + "    cpu_limit = \"1\"\n    cpu_limit_overwrite_max_allowed = \"2\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.container("build")["resources"]["limits"]["cpu"], "2"); })
      ->job = job_vars("KUBERNETES_CPU_LIMIT = \"2000m\"");
  add("cpu_limit_overwrite_over_max_fails", kNs + "    cpu_limit_overwrite_max_allowed = \"2\"\n", [](const Rendered&) {
  })->job = job_vars("KUBERNETES_CPU_LIMIT = \"2.5\"");
  c.back().error_contains =
      "couldn't prepare overwrites: invalid build limits specified: the resource \"CPULimit\" requested \"2.5\" is "
      "higher than limit allowed \"2\"";
  add("helper_memory_overwrite_within_max", kNs + "    helper_memory_limit_overwrite_max_allowed = \"1Gi\"\n",
      [](const Rendered& r) { EXPECT_EQ(r.container("helper")["resources"]["limits"]["memory"], "512Mi"); })
      ->job = job_vars("KUBERNETES_HELPER_MEMORY_LIMIT = \"512Mi\"");
  add("invalid_quantity_in_config_fails", kNs + "    memory_request = \"1 GB\"\n", [](const Rendered&) {});
  c.back().error_contains = "invalid build requests specified: parsing resource \"memory\" with value \"1 GB\"";
  add("pod_level_resources", kNs + "    pod_cpu_limit = \"4\"\n    pod_memory_request = \"2Gi\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["resources"], (json{{"limits", {{"cpu", "4"}}}, {"requests", {{"memory", "2Gi"}}}}));
      });
  add("pod_level_resources_are_ignored_before_18_10", kNs + "    pod_cpu_limit = \"4\"\n", [](const Rendered& r) {
    EXPECT_FALSE(r.pod["spec"].contains("resources"));
  })->profile = "17.11";
  add("node_selector_overwrite",
      kNs + "    node_selector = { disk = \"ssd\" }\n    node_selector_overwrite_allowed = \".*\"\n",
      [](const Rendered& r) {
        EXPECT_EQ(r.pod["spec"]["nodeSelector"], (json{{"disk", "ssd"}, {"kubernetes.io/arch", "arm64"}}));
      })
      ->job = job_vars("KUBERNETES_NODE_SELECTOR_ARCH = \"kubernetes.io/arch=arm64\"");
  add("node_tolerations_overwrite", kNs + "    node_tolerations_overwrite_allowed = \".*\"\n", [](const Rendered& r) {
    ASSERT_EQ(r.pod["spec"]["tolerations"].size(), 1u);
    EXPECT_EQ(r.pod["spec"]["tolerations"][0]["key"], "gpu");
    EXPECT_EQ(r.pod["spec"]["tolerations"][0]["effect"], "NoSchedule");
  })->job = job_vars("KUBERNETES_NODE_TOLERATIONS_1 = \"gpu=true:NoSchedule\"");
  return c;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RenderTable : public ::testing::TestWithParam<Case> {};

TEST_P(RenderTable, FieldsMustAppear) {
  const Case& tc = GetParam();
  const Rendered r = render_case(tc.kubernetes, tc.job, tc.profile, tc.runner_extra);
  if (!tc.error_contains.empty()) {
    EXPECT_NE(r.error.find(tc.error_contains), std::string::npos) << r.error;
    return;
  }
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.pod["kind"], "Pod");
  tc.verify(r);

  // The YAML stream reads back to the very objects (types included) and -o json parses.
  std::vector<YAML::Node> docs = YAML::LoadAll(rendering_yaml(r.rendering));
  ASSERT_EQ(docs.size(), r.rendering.objects.size());
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(yaml_to_json(docs[i]), r.rendering.objects[i]) << i;
  const json j = json::parse(rendering_json(r.rendering));
  EXPECT_EQ(j["objects"].size(), r.rendering.objects.size());
  EXPECT_EQ(j["apiCalls"].size(), r.rendering.calls.size());
}

INSTANTIATE_TEST_SUITE_P(SetupBuildPod, RenderTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(RenderTableSize, HasAtLeastThirtyCases) { EXPECT_GE(cases().size(), 30u); }

TEST(RenderYaml, QuotesStringsThatWouldReadBackAsOtherTypes) {
  const json v = {{"a", "1000"}, {"b", "true"},       {"c", "0644"},  {"d", ""}, {"e", "yes"}, {"f", "1.5"},
                  {"g", "null"}, {"h", "2026-01-01"}, {"i", "plain"}, {"j", 7},  {"k", false}, {"l", "a\nb"}};
  const std::string yaml = json_to_yaml(v);
  EXPECT_NE(yaml.find("a: \"1000\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("i: plain"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("j: 7"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("k: false"), std::string::npos) << yaml;
  EXPECT_EQ(yaml_to_json(YAML::Load(yaml)), v);
}

// A reader nobody here wrote: PyYAML resolves plain scalars by YAML 1.1 rules, as kubectl's
// sigs.k8s.io/yaml does, so the stream must give it exactly the JSON objects back.
TEST(RenderYaml, PyYamlReadsTheSameTypesBack) {
  if (std::system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3-yaml is not installed";
  const Rendered r = render_case(
      kNs + "    node_selector = { disk = \"true\", zone = \"1\" }\n",
      "image = \"alpine\"\nscript = [\"true\"]\n[variables]\nN = \"0644\"\nY = \"yes\"\n" + kCredentials, "19.4");
  ASSERT_EQ(r.error, "");
  testing::TestDir dir;
  ASSERT_TRUE(write_file(dir.file("out.yaml"), rendering_yaml(r.rendering)));
  ASSERT_TRUE(write_file(dir.file("out.json"), json(r.rendering.objects).dump()));
  const std::string cmd =
      "python3 -c 'import json, sys, yaml; "
      "sys.exit(0 if list(yaml.safe_load_all(open(sys.argv[1]))) == json.load(open(sys.argv[2])) "
      "else 1)' " +
      dir.file("out.yaml") + " " + dir.file("out.json");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << rendering_yaml(r.rendering);
}

TEST(RenderJobFile, JsonAndTomlGiveTheSameJob) {
  auto a = parse_job_file(R"({"image":"alpine","script":["true"],"variables":{"B":"2","A":"1"},
                              "services":[{"name":"redis","alias":"cache"}]})",
                          "job.json");
  auto b = parse_job_file(
      "image = \"alpine\"\nscript = [\"true\"]\n"
      "services = [{ name = \"redis\", alias = \"cache\" }]\n"
      "[variables]\nB = \"2\"\nA = \"1\"\n",
      "job.toml");
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_TRUE(b) << b.error().describe();
  for (const auto* job : {&*a, &*b}) {
    ASSERT_EQ(job->variables.size(), 2u);
    EXPECT_EQ(job->variables[0].key, "B");  // file order kept
    EXPECT_EQ(job->services.at(0).alias, "cache");
  }
}

TEST(RenderJobFile, UnknownKeysAndWrongTypesAreNamed) {
  auto typo = parse_job_file(R"({"imag":"alpine"})", "job.json");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("did you mean \"image\""), std::string::npos) << typo.error().message;
  auto type = parse_job_file("script = 3\n", "job.toml");
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().message.find("script: expected an array of strings"), std::string::npos);
  auto syntax = parse_job_file("script = [\n", "job.toml");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().describe().find("job.toml:"), std::string::npos);
}

// The plan is checked against what a simulated run really does: every planned call (the exec
// query aside) appears in the fake API server's call log, in the same order.
void expect_plan_matches_run(const std::string& scenario_file) {
  auto s = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + scenario_file);
  ASSERT_TRUE(s) << s.error().describe();
  RenderRequest request;
  request.config_path = s->path;
  auto in = load_render_inputs(request);
  ASSERT_TRUE(in) << in.error().describe();
  auto r = render(*in);
  ASSERT_TRUE(r) << r.error().describe();
  auto run = run_scenario(*s);
  ASSERT_TRUE(run) << run.error().describe();
  ASSERT_TRUE(run->passed());
  // 13.12's server-chosen names appear as XXXXX in the plan.
  const auto made = [](const std::string& logged, const std::string& planned) {
    const size_t x = planned.find("XXXXX");
    if (x == std::string::npos) return logged.rfind(planned, 0) == 0;
    const std::string rest = planned.substr(x + 5);
    return logged.rfind(planned.substr(0, x), 0) == 0 && logged.size() >= x + 5 + rest.size() &&
           logged.compare(x + 5, rest.size(), rest) == 0;
  };
  size_t at = 0;
  for (const auto& call : r->calls) {
    const std::string line = call.method + " " + call.path;
    while (at < run->kube_calls.size() && !made(run->kube_calls[at], line)) ++at;
    ASSERT_LT(at, run->kube_calls.size()) << "planned but not made (in this order): " << line;
    ++at;
  }
  // And nothing the run did is missing from the plan (repeated pod polls share one planned line).
  for (const auto& logged : run->kube_calls) {
    EXPECT_TRUE(std::any_of(r->calls.begin(), r->calls.end(),
                            [&](const PlannedCall& c) { return made(logged, c.method + " " + c.path); }))
        << "made but not planned: " << logged;
  }
}

TEST(RenderPlan, MatchesTheCallsOfASimulatedRun) { expect_plan_matches_run("basics/hello.toml"); }
TEST(RenderPlan, MatchesTheCallsOfASimulatedRunWithCredentials) {
  expect_plan_matches_run("rbac/secrets-allowed.toml");
}
TEST(RenderPlan, MatchesTheCallsOfARunThatWaitsForTheKubelet) {  // FF_WAIT_FOR_POD_TO_BE_REACHABLE's log GETs
  expect_plan_matches_run("pods/kubelet-serving-cert-pending-fixed.toml");
}

int cli(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
  args.insert(args.begin(), "kexsim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(static_cast<int>(argv.size()), argv.data());
  const std::string o = ::testing::internal::GetCapturedStdout(), e = ::testing::internal::GetCapturedStderr();
  if (out) *out = o;
  if (err) *err = e;
  return code;
}

std::string data(const std::string& name) { return std::string(KEXSIM_SOURCE_DIR) + "/tests/data/" + name; }

TEST(RenderCli, BrokenConfigExits3WithItsPosition) {
  std::string err;
  EXPECT_EQ(cli({"render", data("render/broken-config.toml")}, nullptr, &err), 3);
  EXPECT_NE(err.find("broken-config.toml:5:"), std::string::npos) << err;
}

TEST(RenderCli, BrokenConfigInsideAScenarioExits3WithTheScenarioLine) {
  std::string err;
  EXPECT_EQ(cli({"render", data("broken-config.toml")}, nullptr, &err), 3);
  EXPECT_NE(err.find("broken-config.toml:9:"), std::string::npos) << err;
}

TEST(RenderCli, JsonOutputIsValidJson) {
  std::string out;
  ASSERT_EQ(cli({"render", "-o", "json", data("render/config.toml"), "--job", data("render/job.json")}, &out), 0);
  const json j = json::parse(out);  // throws (fails the test) on invalid JSON
  ASSERT_EQ(j["objects"].size(), 2u);
  EXPECT_EQ(j["objects"][0]["kind"], "Secret");
  EXPECT_EQ(j["objects"][1]["kind"], "Pod");
  EXPECT_EQ(j["objects"][1]["spec"]["containers"][2]["name"], "cache");
  EXPECT_EQ(j["apiCalls"][0]["method"], "POST");
}

TEST(RenderCli, YamlStreamFromATomlJobFile) {
  std::string out;
  ASSERT_EQ(cli({"render", data("render/config.toml"), "--job", data("render/job.toml"), "--profile", "13.12"}, &out),
            0);
  const auto docs = YAML::LoadAll(out);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["metadata"]["generateName"].as<std::string>(), "runner-t18xyzab-project-1-concurrent-0");
  EXPECT_NE(out.find("# Kubernetes API calls the run would make, in order:\n#   GET /version"), std::string::npos);
}

TEST(RenderCli, UsageErrorsExit2) {
  EXPECT_EQ(cli({"render"}), 2);
  EXPECT_EQ(cli({"render", "-o", "xml", data("render/config.toml")}), 2);
  EXPECT_EQ(cli({"render", "--profile", "12.0", data("render/config.toml")}), 2);
}

TEST(RenderCli, ABadJobFileExits3) {
  std::string err;
  EXPECT_EQ(cli({"render", data("render/config.toml"), "--job", data("render/bad-job.json")}, nullptr, &err), 3);
  EXPECT_NE(err.find("bad-job.json"), std::string::npos) << err;
}

}  // namespace
}  // namespace kexsim::sim
