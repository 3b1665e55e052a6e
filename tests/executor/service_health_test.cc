// waitForServices' command line and abort line (executors/kubernetes/kubernetes.go), and which service
// containers the pod has, in the order the check names their ports.
#include "executor/service_health.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

JobVariable service_var(std::string key, std::string value) {
  JobVariable v;
  v.key = std::move(key);
  v.value = std::move(value);
  return v;
}

TEST(ServiceHealthTest, OnePortFlagPerServiceThatAsks) {
  std::vector<ServiceContainer> services = {
      {"db", {service_var("POSTGRES_PASSWORD", "ci"), service_var("HEALTHCHECK_TCP_PORT", "5432")}},
      {"docker", {}},
      {"redis", {service_var("HEALTHCHECK_TCP_PORT", "6379")}}};
  EXPECT_EQ(health_check_command(services), "gitlab-runner-helper health-check --port '5432' --port '6379' ");
  EXPECT_EQ(health_check_command({{"docker", {}}}), "");
  EXPECT_EQ(health_check_command({}), "");
}

TEST(ServiceHealthTest, TheLastValueOfTheVariableWins) {
  EXPECT_EQ(health_check_port({service_var("HEALTHCHECK_TCP_PORT", "1"), service_var("HEALTHCHECK_TCP_PORT", "2")}),
            "2");
  EXPECT_EQ(health_check_port({service_var("OTHER", "1")}), "");
}

TEST(ServiceHealthTest, AbortLineHasSprintlnsDoubleSpace) {
  EXPECT_EQ(health_check_aborted("pods \"p\" not found"), "Health check aborted due to error:  pods \"p\" not found");
}

TEST(ServiceHealthTest, ServiceContainersComeSortedByName) {
  RunnerConfig runner;
  ServiceConfig from_config;
  from_config.name = "redis:7";
  from_config.alias = "redis";
  from_config.environment = {"HEALTHCHECK_TCP_PORT=6379"};
  runner.kubernetes.services.push_back(from_config);
  Job job;
  JobImage from_job;
  from_job.name = "postgres:15";
  from_job.alias = "db";
  from_job.variables = {service_var("HEALTHCHECK_TCP_PORT", "5432")};
  job.services.push_back(from_job);
  PodInputs in;
  in.runner = &runner;
  in.job = &job;
  in.profile = Profile::kV19_4;
  const std::vector<ServiceContainer> containers = service_containers(in);
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0].name, "db");
  EXPECT_EQ(containers[1].name, "redis");
  EXPECT_EQ(health_check_command(containers), "gitlab-runner-helper health-check --port '5432' --port '6379' ");
  in.profile = Profile::kV13_12;  // svc-N names, config.toml's services first
  EXPECT_EQ(health_check_command(service_containers(in)),
            "gitlab-runner-helper health-check --port '6379' --port '5432' ");
}

}  // namespace
}  // namespace kexsim::executor
