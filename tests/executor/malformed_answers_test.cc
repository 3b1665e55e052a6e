// API answers of every wrong shape fed to the executor's parsers: each gives a value or an error value and
// never throws (house-review W1; executor-gaps W1). The inputs are derived from well-formed answers by
// replacing every node with each JSON type and by cutting the text at every byte.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "executor/attach_strategy.h"
#include "executor/job.h"
#include "executor/kube_client.h"
#include "executor/pod_checks.h"
#include "executor/pod_status_check.h"
#include "executor/profile.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

const char* kPod = R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"runner-p","namespace":"ns","uid":"u-1"},
 "spec":{"containers":[{"name":"build"},{"name":"helper"}]},
 "status":{"phase":"Running","conditions":[{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
  "containerStatuses":[
   {"name":"build","ready":false,"restartCount":2,"image":"alpine:3.20",
    "state":{"terminated":{"exitCode":137,"reason":"OOMKilled","message":"m"}},
    "lastState":{"terminated":{"exitCode":1,"reason":"Error"}}},
   {"name":"helper","ready":false,"state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling"}}}],
  "initContainerStatuses":[{"name":"init-permissions","ready":false,
    "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 10s"}}}]}})";

const char* kExecStatus = R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"command terminated",
 "reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})";

const char* kEvents = R"({"kind":"EventList","items":[{"type":"Warning","reason":"FailedCreatePodSandBox",
 "message":"failed to create user namespace","count":2,"involvedObject":{"name":"runner-p"}}]})";

const char* kStageStatus = R"({"command_exit_code":2,"script":"/scripts-1-2/step_script"})";

const char* kJob = R"({"id":7,"token":"glcbt-64_tok","job_info":{"name":"t","project_id":2,"project_full_path":"g/a"},
 "git_info":{"repo_url":"https://gitlab.example.com/g/a.git","ref":"main","sha":"0c8d760c","depth":20},
 "runner_info":{"timeout":3600},"variables":[{"key":"A","value":"1","public":true,"masked":false}],
 "steps":[{"name":"script","script":["echo hi"],"timeout":3600,"when":"on_success"}],
 "image":{"name":"alpine:3.20"},"services":[{"name":"redis","alias":"cache"}],
 "features":{"trace_sections":true,"failure_reasons":["script_failure"]}})";

// The replacement values: one of each JSON type, and integers Go would not fit in an int32.
std::vector<json> replacements() {
  return {json(nullptr),  json(true),
          json(-1),       json(4294967296LL),
          json(1e300),    json("x"),
          json::array(),  json::array({1, "a"}),
          json::object(), json::object({{"k", 1}})};
}

// Every variant of doc with one node (the root included) replaced by each replacement.
std::vector<json> mutations(const json& doc) {
  std::vector<json> out;
  const json flat = doc.flatten();  // leaves only; the containers are reached through their parents' paths
  std::vector<json::json_pointer> paths = {json::json_pointer("")};
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    json::json_pointer p(it.key());
    while (!p.empty()) {
      paths.push_back(p);
      p = p.parent_pointer();
    }
  }
  for (const auto& path : paths) {
    for (const json& r : replacements()) {
      json copy = doc;
      if (path.empty()) {
        copy = r;
      } else {
        copy[path] = r;
      }
      out.push_back(std::move(copy));
    }
  }
  return out;
}

// Every prefix of text: the answer cut at each byte, as a dropped connection leaves it.
std::vector<std::string> truncations(const std::string& text) {
  std::vector<std::string> out;
  for (size_t n = 0; n < text.size(); ++n) out.push_back(text.substr(0, n));
  return out;
}

void for_each_variant(const char* sample, const std::function<void(const json&, const std::string&)>& check) {
  const json doc = json::parse(sample);
  for (const json& m : mutations(doc)) check(m, m.dump());
  for (const std::string& t : truncations(doc.dump())) check(json::parse(t, nullptr, false), t);
}

TEST(MalformedAnswers, PodWatchdogNeverThrows) {
  int errors = 0, verdicts = 0;
  for_each_variant(kPod, [&](const json& pod, const std::string& text) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW({
      auto v = check_pod_status(pod, "runner-p");
      v ? ++verdicts : ++errors;
      if (!v) {
        EXPECT_NE(v.error().message.find("invalid pod in the answer: "), std::string::npos);
      }
    });
  });
  EXPECT_GT(errors, 0);  // wrong types are reported, not skipped
  EXPECT_GT(verdicts, 0);
}

TEST(MalformedAnswers, PodWatchdogVerdicts) {
  json pod = json::parse(kPod);
  auto v = check_pod_status(pod, "runner-p");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->failure, "Error in container build: exit code: 137, reason: 'OOMKilled'");
  pod["status"]["phase"] = "Failed";
  v = check_pod_status(pod, "runner-p");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->failure, "pod \"runner-p\" status is \"Failed\"");
  EXPECT_FALSE(v->unknown_failure);
  pod["status"].erase("phase");
  v = check_pod_status(pod, "runner-p");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->failure, "pod \"runner-p\" status is \"\"");
  EXPECT_TRUE(v->unknown_failure);
  pod = json::parse(kPod);
  pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] = "137";
  v = check_pod_status(pod, "runner-p");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message,
            "invalid pod in the answer: status.containerStatuses[0].state.terminated.exitCode is not an integer");
  pod = json::parse(kPod);
  pod["status"]["containerStatuses"][0]["state"] = json::object({{"running", json::object()}});
  v = check_pod_status(pod, "runner-p");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->failure);
}

TEST(MalformedAnswers, WaitLoopChecksNeverThrow) {
  for_each_variant(kPod, [&](const json& pod, const std::string& text) {
    SCOPED_TRACE(text);
    const json status = pod.is_object() && pod.contains("status") ? pod["status"] : pod;
    EXPECT_NO_THROW(check_terminal_containers(status, Profile::kV19_4));
    EXPECT_NO_THROW(check_terminal_containers(status, Profile::kV13_12));
  });
  for_each_variant(kEvents, [&](const json& events, const std::string& text) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(check_sandbox_user_namespace(events));
  });
}

TEST(MalformedAnswers, ExecStatusNeverThrows) {
  for_each_variant(kExecStatus, [&](const json&, const std::string& text) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(exec_exit_code(text));
  });
  EXPECT_EQ(*exec_exit_code(kExecStatus), 3);
}

TEST(MalformedAnswers, StageStatusLineNeverThrows) {
  for_each_variant(kStageStatus, [&](const json&, const std::string& text) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(parse_stage_status(text));
  });
}

TEST(MalformedAnswers, JobPayloadNeverThrows) {
  int errors = 0;
  for_each_variant(kJob, [&](const json&, const std::string& text) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW({
      auto job = parse_job(text);
      if (!job) ++errors;
    });
  });
  EXPECT_GT(errors, 0);
  EXPECT_TRUE(parse_job(kJob));
}

}  // namespace
}  // namespace kexsim::executor
