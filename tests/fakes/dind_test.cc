// The docker:dind model: what dockerd-entrypoint.sh does with DOCKER_TLS_CERTDIR and privilege, the
// version facts of docker images, and the pod's service daemons read from a pod.

#include "fakes/runtime/dind.h"

#include <gtest/gtest.h>

#include "fakes/kube/pod_services.h"
#include "fakes/runtime/file_system.h"
#include "fakes/runtime/service_daemon.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

TEST(DindTest, RecognisesImagesAndVersions) {
  EXPECT_TRUE(is_dind_image("docker:dind"));
  EXPECT_TRUE(is_dind_image("docker:24.0.6-dind-alpine3.18"));
  EXPECT_TRUE(is_dind_image("docker.io/library/docker:27-dind"));
  EXPECT_TRUE(is_dind_image("docker:dind-rootless"));
  EXPECT_FALSE(is_dind_image("docker:24.0.6"));
  EXPECT_FALSE(is_dind_image("postgres:15"));
  EXPECT_FALSE(is_dind_image("registry.mylab.com/docker:dind"));
  EXPECT_TRUE(is_docker_image("docker:24.0.6-cli"));
  EXPECT_EQ(docker_image_version("docker:24.0.6-dind-alpine3.18"), "24.0.6");
  EXPECT_EQ(docker_image_version("docker:dind"), kDefaultDockerVersion);
  EXPECT_EQ(docker_image_version("docker:27-dind"), "27.5.1");
  EXPECT_EQ(docker_api_version("24.0.6"), "1.43");
  EXPECT_EQ(docker_api_version("27.3.1"), "1.47");
  EXPECT_EQ(docker_api_version("20.10.24"), "1.41");
}

TEST(DindTest, EntrypointChoosesTlsFromTheCertDirectory) {
  DindSettings s;
  s.image = "docker:24.0.6-dind";
  s.privileged = true;
  DindDaemon d = plan_dind(s);  // the image's ENV DOCKER_TLS_CERTDIR=/certs
  EXPECT_TRUE(d.tls);
  EXPECT_EQ(d.port, 2376);
  EXPECT_EQ(d.certdir, "/certs");
  EXPECT_FALSE(d.fails);
  s.tls_certdir = "";
  d = plan_dind(s);
  EXPECT_FALSE(d.tls);
  EXPECT_EQ(d.port, 2375);
  EXPECT_TRUE(dind_client_files(d, "seed").empty());
  s.tls_certdir = "/certs";
  const auto files = dind_client_files(plan_dind(s), "seed");
  ASSERT_EQ(files.count("/certs/client/ca.pem"), 1u);
  EXPECT_EQ(files.at("/certs/client/ca.pem").rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_EQ(files.at("/certs/client/key.pem").rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(files, dind_client_files(plan_dind(s), "seed"));
  EXPECT_NE(files.at("/certs/client/ca.pem"), dind_client_files(plan_dind(s), "other").at("/certs/client/ca.pem"));
}

TEST(DindTest, WithoutPrivilegeDockerdExits) {
  DindSettings s;
  s.image = "docker:dind";
  const DindDaemon d = plan_dind(s);
  EXPECT_TRUE(d.fails);
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.log.find("failed to start daemon: Error initializing network controller"), std::string::npos);
  s.fails = false;  // a scenario's override (a runtime that allows it, e.g. sysbox)
  EXPECT_FALSE(plan_dind(s).fails);
}

TEST(ServiceDaemonTest, ListensAndLandsFilesOnlyWhenUp) {
  PodServices pod;
  ServiceDaemon d;
  d.container = "docker";
  d.image = "docker:dind";
  DindSettings s;
  s.image = d.image;
  s.privileged = true;
  s.certs_shared = true;
  d.dind = plan_dind(s);
  d.ports = {2376};
  const TimePoint t0{seconds(1000)};
  d.files_from = d.listening_from = t0 + seconds(20);
  pod.daemons.push_back(d);
  EXPECT_EQ(pod.listening(2376, t0 + seconds(19)), nullptr);
  EXPECT_NE(pod.listening(2376, t0 + seconds(20)), nullptr);
  EXPECT_EQ(pod.listening(2375, t0 + seconds(60)), nullptr);
  EXPECT_NE(pod.owner(2376), nullptr);
  shell::FileSystem fs;
  land_service_files(pod, fs, t0 + seconds(5));
  EXPECT_FALSE(fs.is_file("/certs/client/ca.pem"));
  land_service_files(pod, fs, t0 + seconds(20));
  EXPECT_TRUE(fs.is_file("/certs/client/ca.pem"));
  pod.daemons[0].dind->certs_shared = false;
  shell::FileSystem other;
  land_service_files(pod, other, t0 + seconds(60));
  EXPECT_FALSE(other.is_file("/certs/client/ca.pem"));
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_FALSE(is_loopback_address("10.244.0.2"));
}

TEST(ServiceDaemonTest, FindsModelsByImageThenRepository) {
  const std::vector<ServiceModel> models = {{"postgres", seconds(5), {5432}, {}},
                                            {"docker:24.0.6-dind", seconds(9), {}, {}}};
  ASSERT_NE(find_service_model(models, "postgres:15"), nullptr);
  EXPECT_EQ(find_service_model(models, "postgres:15")->ports, std::vector<int>{5432});
  EXPECT_EQ(find_service_model(models, "docker:24.0.6-dind")->listen_after, seconds(9));
  EXPECT_EQ(find_service_model(models, "docker:dind"), nullptr);
}

TEST(PodServicesTest, ReadsTheServiceContainersOfAPod) {
  const json mounts = json::array({{{"name", "docker-certs"}, {"mountPath", "/certs/client"}}});
  const json pod = {
      {"spec",
       {{"containers", json::array({{{"name", "build"}, {"image", "docker:24.0.6"}, {"volumeMounts", mounts}},
                                    {{"name", "helper"}, {"image", "gitlab/gitlab-runner-helper:x86_64-v19.4.0"}},
                                    {{"name", "svc-0"},
                                     {"image", "docker:27-dind"},
                                     {"securityContext", {{"privileged", true}}},
                                     {"env", json::array({{{"name", "DOCKER_TLS_CERTDIR"}, {"value", "/certs"}}})},
                                     {"volumeMounts", mounts}},
                                    {{"name", "db"}, {"image", "postgres:15"}},
                                    {{"name", "cache"}, {"image", "redis:7"}}})}}},
      {"status",
       {{"containerStatuses",
         json::array({{{"name", "svc-0"}, {"state", {{"running", {{"startedAt", "2026-12-01T10:00:00Z"}}}}}},
                      {{"name", "db"}, {"state", {{"running", {{"startedAt", "2026-12-01T10:00:00Z"}}}}}}})}}}};
  const std::vector<ServiceModel> models = {{"postgres:15", seconds(7), {5432}, {}}};
  const PodServices s = pod_services(pod, "build", models);
  EXPECT_EQ(s.client_version, "24.0.6");
  ASSERT_EQ(s.daemons.size(), 2u);  // redis has no model: nothing known listens
  const ServiceDaemon& dind = s.daemons[0];
  ASSERT_TRUE(dind.dind.has_value());
  EXPECT_EQ(dind.ports, std::vector<int>{2376});
  EXPECT_TRUE(dind.dind->certs_shared);
  EXPECT_EQ(dind.dind->version, "27.5.1");
  TimePoint started{};
  ASSERT_TRUE(parse_rfc3339("2026-12-01T10:00:00Z", started));
  EXPECT_EQ(dind.listening_from, started);
  EXPECT_EQ(s.daemons[1].listening_from, started + seconds(7));
  EXPECT_EQ(s.listening(5432, started + seconds(6)), nullptr);
  EXPECT_NE(s.listening(5432, started + seconds(7)), nullptr);
}

}  // namespace
}  // namespace kexsim::fakes
