// The docker CLI model against the dind daemon model: endpoints from DOCKER_HOST and the TLS
// variables, the CLI's messages when it cannot reach the daemon, and info/version/build/push/run.

#include "fakes/runtime/docker_tool.h"

#include <gtest/gtest.h>

#include "fakes/runtime/shell.h"
#include "fakes/runtime/shell_state.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using std::chrono::seconds;

// A pod with a docker:dind service; "docker" resolves to the pod's loopback (the runner's host alias).
class DindWorld : public runtime_testing::TestWorld {
 public:
  std::optional<std::string> resolve(const std::string& host) override {
    if (host == "docker" || host == "dind") return "127.0.0.1";
    return std::nullopt;
  }
  const PodServices* services() override { return &pod; }
  PodServices pod;
};

class DockerToolTest : public ::testing::Test {
 protected:
  // A dind service started at the exec's start, up after `delay`, with TLS when certdir is set.
  void add_dind(std::optional<std::string> certdir, Duration delay = Duration{0}, bool privileged = true) {
    DindSettings settings;
    settings.image = "docker:24.0.6-dind";
    settings.tls_certdir = std::move(certdir);
    settings.privileged = privileged;
    settings.certs_shared = true;
    ServiceDaemon d;
    d.container = "svc-0";
    d.image = settings.image;
    d.dind = plan_dind(settings);
    d.ports = {d.dind->port};
    d.files_from = options.start + delay;
    if (!d.dind->fails) d.listening_from = d.files_from;
    world.pod.daemons.push_back(d);
  }
  ShellResult run(const std::string& script) {
    options.volumes = volumes;
    return interpret(script, options, world);
  }

  DindWorld world;
  ShellOptions options;
  std::shared_ptr<shell::Volumes> volumes = make_volumes();
};

TEST(DockerEndpointTest, DefaultsFollowTheCli) {
  using docker::parse_invocation;
  using docker::resolve_endpoint;
  auto unix_default = resolve_endpoint(parse_invocation({"info"}), {});
  ASSERT_TRUE(unix_default.ok());
  EXPECT_TRUE(unix_default.value().unix_socket);
  EXPECT_EQ(unix_default.value().host, "unix:///var/run/docker.sock");

  auto plain = resolve_endpoint(parse_invocation({"info"}), {{"DOCKER_HOST", "tcp://docker"}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value().host, "tcp://docker:2375");
  EXPECT_FALSE(plain.value().tls);

  auto tls = resolve_endpoint(
      parse_invocation({"info"}),
      {{"DOCKER_HOST", "tcp://docker"}, {"DOCKER_TLS_VERIFY", "1"}, {"DOCKER_CERT_PATH", "/certs/client"}});
  ASSERT_TRUE(tls.ok());
  EXPECT_EQ(tls.value().port, 2376);
  EXPECT_TRUE(tls.value().verify);
  EXPECT_EQ(tls.value().ca_file, "/certs/client/ca.pem");

  auto flag = resolve_endpoint(parse_invocation({"-H", "docker:2380", "--tls", "version"}), {{"HOME", "/home/u"}});
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag.value().host, "tcp://docker:2380");
  EXPECT_TRUE(flag.value().tls);
  EXPECT_FALSE(flag.value().verify);
  EXPECT_EQ(flag.value().cert_file, "/home/u/.docker/cert.pem");
  EXPECT_EQ(parse_invocation({"-H", "x", "run", "alpine"}).rest, (std::vector<std::string>{"run", "alpine"}));

  EXPECT_FALSE(resolve_endpoint(parse_invocation({"info"}), {{"DOCKER_HOST", "ssh2://x"}}).ok());
}

TEST_F(DockerToolTest, UnixSocketOfTheBuildContainerHasNoDaemon) {
  add_dind(std::string());
  const ShellResult r = run("docker version\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(stream_text(r, 2).find(
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"),
            std::string::npos)
      << stream_text(r, 2);
}

TEST_F(DockerToolTest, DaemonListensOnlyAfterItsStartDelay) {
  add_dind(std::string(), seconds(10));
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  const ShellResult r = run("docker info; echo status=$?; sleep 10; docker info\n");
  const std::string out = stream_text(r, 1);
  const std::string err = stream_text(r, 2);
  EXPECT_EQ(r.exit_code, 0) << err;
  EXPECT_EQ(err,
            "ERROR: Cannot connect to the Docker daemon at tcp://docker:2375. Is the docker daemon running?\n"
            "errors pretty printing info\n");
  EXPECT_NE(out.find("status=1\n"), std::string::npos);
  EXPECT_NE(out.find(" Server Version: 24.0.6\n"), std::string::npos) << out;
}

TEST_F(DockerToolTest, UnprivilegedDindNeverListens) {
  add_dind(std::string(), Duration{0}, false);
  EXPECT_TRUE(world.pod.daemons[0].dind->fails);
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  const ShellResult r = run("sleep 60; docker run --rm alpine:3.18 true\n");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(stream_text(r, 2),
            "docker: Cannot connect to the Docker daemon at tcp://docker:2375. Is the docker daemon running?.\n"
            "See 'docker run --help'.\n");
}

TEST_F(DockerToolTest, ProtocolMismatchesAndMissingCertificates) {
  add_dind(std::string("/certs"));
  options.env["DOCKER_HOST"] = "tcp://docker:2376";
  ShellResult r = run("docker version > /dev/null\n");
  EXPECT_EQ(stream_text(r, 2), "Error response from daemon: Client sent an HTTP request to an HTTPS server.\n");

  options.env["DOCKER_TLS_VERIFY"] = "1";
  options.env["DOCKER_CERT_PATH"] = "/nowhere";
  r = run("docker info\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      stream_text(r, 2),
      "Failed to initialize: unable to resolve docker endpoint: open /nowhere/ca.pem: no such file or directory\n");

  options.env["DOCKER_CERT_PATH"] = "/certs/client";
  r = run("ls /certs/client; docker version > /dev/null && echo ok\n");
  EXPECT_EQ(stream_text(r, 1), "ca.pem\ncert.pem\ncsr.pem\nkey.pem\nopenssl.cnf\nok\n") << stream_text(r, 2);

  options.env["DOCKER_HOST"] = "tcp://dind:2376";
  r = run("docker info > /dev/null\n");
  EXPECT_NE(stream_text(r, 2).find("error during connect: Get \"https://dind:2376/v1.24/info\": tls: failed to verify "
                                   "certificate: x509: certificate is valid for docker, localhost, "),
            std::string::npos)
      << stream_text(r, 2);

  options.env["DOCKER_HOST"] = "tcp://docker:2376";
  r = run("echo forged > /certs/client/ca.pem; docker info > /dev/null\n");
  EXPECT_EQ(stream_text(r, 2),
            "ERROR: error during connect: Get \"https://docker:2376/v1.24/info\": tls: failed to verify certificate: "
            "x509: certificate signed by unknown authority\nerrors pretty printing info\n");
}

TEST_F(DockerToolTest, TlsClientOnThePlainPort) {
  add_dind(std::string());
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  options.env["DOCKER_TLS"] = "1";
  const ShellResult r = run("docker version > /dev/null\n");
  EXPECT_EQ(stream_text(r, 2),
            "error during connect: Get \"https://docker:2375/v1.24/version\": http: server gave HTTP response to "
            "HTTPS client\n");
}

TEST_F(DockerToolTest, NameThatDoesNotResolve) {
  add_dind(std::string());
  options.env["DOCKER_HOST"] = "tcp://docker-svc:2375";
  const ShellResult r = run("docker info > /dev/null\n");
  EXPECT_EQ(stream_text(r, 2),
            "ERROR: error during connect: Get \"http://docker-svc:2375/v1.24/info\": dial tcp: lookup docker-svc on "
            "10.96.0.10:53: no such host\nerrors pretty printing info\n");
}

TEST_F(DockerToolTest, RunPullsThenRunsTheCommandInTheShellModel) {
  add_dind(std::string());
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  ShellResult r = run("docker run --rm -e WHO=dind alpine:3.18 sh -c 'echo hello $WHO; exit 3'\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(stream_text(r, 1), "hello dind\n");
  const std::string err = stream_text(r, 2);
  EXPECT_EQ(err.rfind("Unable to find image 'alpine:3.18' locally\n3.18: Pulling from library/alpine\n", 0), 0u) << err;
  EXPECT_NE(err.find("Status: Downloaded newer image for alpine:3.18\n"), std::string::npos);
  EXPECT_GE(r.duration, seconds(2));
  // The daemon keeps the image: a second run does not pull.
  r = run("docker run alpine:3.18 echo again\n");
  EXPECT_EQ(stream_text(r, 2), "");
  EXPECT_EQ(stream_text(r, 1), "again\n");
}

TEST_F(DockerToolTest, BuildAndPush) {
  add_dind(std::string());
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  ShellResult r = run("docker build -t app .\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(stream_text(r, 2).find("ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file "
                                   "or directory\n"),
            std::string::npos);
  r = run("docker push app\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stream_text(r, 2), "An image does not exist locally with the tag: app\n");

  r = run("printf 'FROM alpine:3.18\\nRUN false\\n' > /tmp/Dockerfile; docker build -f /tmp/Dockerfile -t app /tmp\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(stream_text(r, 2).find(
                "ERROR: failed to solve: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n"),
            std::string::npos)
      << stream_text(r, 2);

  r = run("printf 'FROM alpine:3.18\\nRUN echo step\\n' > Dockerfile; docker build -t app . && docker push app\n");
  EXPECT_EQ(r.exit_code, 0) << runtime_testing::transcript(r);
  EXPECT_NE(stream_text(r, 2).find("#5 [2/2] RUN echo step\n#5 0.100 step\n"), std::string::npos) << stream_text(r, 2);
  EXPECT_NE(stream_text(r, 2).find("naming to docker.io/library/app:latest done\n"), std::string::npos);
  const std::string out = stream_text(r, 1);
  EXPECT_EQ(out.rfind("The push refers to repository [docker.io/library/app]\n", 0), 0u) << out;
  EXPECT_NE(out.find("latest: digest: sha256:"), std::string::npos);
}

TEST_F(DockerToolTest, CurlMeetsALateServiceDaemon) {
  ServiceDaemon db;
  db.container = "db";
  db.image = "postgres:15";
  db.ports = {5432};
  db.files_from = db.listening_from = options.start + seconds(7);
  world.pod.daemons.push_back(db);
  const ShellResult r =
      run("curl -sS http://localhost:5432/; echo status=$?; sleep 7; curl -sS http://localhost:5432/ "
          "&& echo up\n");
  EXPECT_EQ(stream_text(r, 1), "status=7\nup\n") << stream_text(r, 2);
  EXPECT_NE(stream_text(r, 2).find("Failed to connect to localhost port 5432"), std::string::npos) << stream_text(r, 2);
}

TEST_F(DockerToolTest, VersionAndUnknownCommand) {
  add_dind(std::string());
  options.env["DOCKER_HOST"] = "tcp://docker:2375";
  ShellResult r = run("docker --version; docker version\n");
  const std::string out = stream_text(r, 1);
  EXPECT_EQ(out.rfind("Docker version 24.0.6, build ed223bc\nClient:\n Version:           24.0.6\n", 0), 0u) << out;
  EXPECT_NE(
      out.find("\nServer:\n Engine:\n  Version:          24.0.6\n  API version:      1.43 (minimum version 1.12)\n"),
      std::string::npos)
      << out;
  r = run("docker frobnicate\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stream_text(r, 2), "docker: 'frobnicate' is not a docker command.\nSee 'docker --help'\n");
}

}  // namespace
}  // namespace kexsim::fakes
