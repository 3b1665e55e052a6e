// CI_DEBUG_SERVICES: which containers are followed, what their lines look like in the trace, and how each
// release reads the variable (executors/kubernetes/kubernetes.go captureServiceContainersLogs,
// helpers/service/logger.go, common/build_settings.go). The streams themselves run in the scenarios
// services/*debug-services*.

#include "executor/service_logs.h"

#include <gtest/gtest.h>

#include "executor/git_settings.h"
#include "executor/trace.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

TEST(ServiceLogName, ImageBeforeTheColonThenEveryAlias) {
  EXPECT_EQ(service_log_name("docker:24.0.6-dind", "", Profile::kV19_4), "docker");
  EXPECT_EQ(service_log_name("docker:24.0.6-dind", "dind, docker", Profile::kV19_4), "docker-dind-docker");
  EXPECT_EQ(service_log_name("registry.local:5000/pg:16", "db", Profile::kV19_4), "registry.local-db");
  // 15.6-15.10: the one alias field as written, so an empty one leaves a trailing '-'.
  EXPECT_EQ(service_log_name("docker:24.0.6-dind", "", Profile(15, 6)), "docker-");
  EXPECT_EQ(service_log_name("docker:24.0.6-dind", "a,b", Profile(15, 10)), "docker-a,b");
  EXPECT_EQ(service_log_name("docker:24.0.6-dind", "a,b", Profile(15, 11)), "docker-a-b");
}

TEST(InlineServiceLog, EachLineOfAReadIsWrappedTheLastEvenWithoutNewline) {
  const std::string grey = "\033[0;37m[service:docker] ", reset = "\033[0;m\n";
  EXPECT_EQ(inline_service_log("docker", "a\nb\n"), grey + "a" + reset + grey + "b" + reset);
  EXPECT_EQ(inline_service_log("docker", "partial"), grey + "partial" + reset);
  EXPECT_EQ(inline_service_log("docker", "a\n\nb"), grey + "a" + reset + grey + reset + grey + "b" + reset);
  EXPECT_EQ(inline_service_log("docker", ""), "");
}

std::vector<ServiceContainer> two_services() {
  // Declared: redis first, then postgres; in the pod (by name): pg, svc-0.
  ServiceContainer redis{"svc-0", {}, "redis:7", "", 0};
  ServiceContainer pg{"pg", {}, "postgres:16", "pg", 1};
  return {pg, redis};
}

TEST(ServiceLogTargets, NameOrderFrom17_11DeclaredOrderBefore) {
  const auto names = [](const std::vector<ServiceLogTarget>& targets) {
    std::string out;
    for (const auto& t : targets) out += t.container + "=" + t.name + " ";
    return out;
  };
  EXPECT_EQ(names(service_log_targets(two_services(), "alpine", "helper:x", Profile::kV19_4)),
            "pg=postgres-pg svc-0=redis ");
  EXPECT_EQ(names(service_log_targets(two_services(), "alpine", "helper:x", Profile(17, 5))),
            "svc-0=redis pg=postgres-pg ");
}

TEST(ServiceLogTargets, TheBuildContainerWithTheServicesImageUntil19_0) {
  std::vector<ServiceContainer> services = {{"svc-0", {}, "postgres:16", "", 0}};
  const auto v18 = service_log_targets(services, "postgres:16", "helper:x", Profile(18, 11));
  ASSERT_EQ(v18.size(), 2u);
  EXPECT_EQ(v18[0].container, "build");
  EXPECT_EQ(v18[1].container, "svc-0");
  const auto v19 = service_log_targets(services, "postgres:16", "helper:x", Profile::kV19_4);
  ASSERT_EQ(v19.size(), 1u);
  EXPECT_EQ(v19[0].container, "svc-0");
}

TEST(ServiceLogTrace, LinesGoOnStream0fWithTimestamps) {
  testing::ManualClock clock = testing::ManualClock::at_unix(1700000000);
  JobTrace t(clock, Profile::kV19_4, true, {"s3cret"}, {}, true);
  t.service_output(inline_service_log("docker", "2023-11-14T22:13:20.000000000Z token s3cret\n"));
  EXPECT_EQ(t.bytes(),
            "2023-11-14T22:13:20.000000Z 0fO \033[0;37m[service:docker] 2023-11-14T22:13:20.000000000Z token "
            "[MASKED]\033[0;m\n");
}

Job with_variables(std::vector<JobVariable> variables) {
  Job job;
  job.variables = std::move(variables);
  return job;
}

TEST(ServiceLogSettings, CiDebugServicesPerRelease) {
  const Job on = with_variables({{"CI_DEBUG_SERVICES", "true"}});
  EXPECT_TRUE(read_git_settings(on, Profile::kV19_4, false).debug_services);
  EXPECT_TRUE(read_git_settings(on, Profile(15, 6), false).debug_services);
  EXPECT_FALSE(read_git_settings(on, Profile(15, 5), false).debug_services);  // no capture before 15.6
  // 16.9+: a malformed value is a settings error, first of validateVariables' list.
  const GitSettings bad = read_git_settings(with_variables({{"CI_DEBUG_SERVICES", "yes"}, {"CI_DEBUG_TRACE", "no"}}),
                                            Profile::kV19_4, false);
  EXPECT_FALSE(bad.debug_services);
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0], "CI_DEBUG_SERVICES: expected bool got \"yes\", using default value: false");
  // debug_trace_disabled refuses it from 16.9 (validateDebugTraceSettings); 16.8 still streams.
  const GitSettings refused = read_git_settings(on, Profile::kV19_4, true);
  EXPECT_FALSE(refused.debug_services);
  EXPECT_EQ(refused.debug_services_refused, "CI_DEBUG_SERVICES: usage is disabled on this Runner");
  EXPECT_TRUE(read_git_settings(on, Profile(16, 8), true).debug_services);
  // 15.6-16.8: strconv.ParseBool's error in a warning of captureContainersLogs, and no capture.
  const GitSettings old = read_git_settings(with_variables({{"CI_DEBUG_SERVICES", "yes"}}), Profile(16, 8), false);
  EXPECT_FALSE(old.debug_services);
  EXPECT_TRUE(old.errors.empty());
  EXPECT_EQ(old.debug_services_parse_warning,
            "failed to parse value 'yes' for CI_DEBUG_SERVICES variable: strconv.ParseBool: parsing \"yes\": invalid "
            "syntax");
}

}  // namespace
}  // namespace kexsim::executor
