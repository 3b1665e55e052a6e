#include "executor/job.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

// The compact example of the reference (§5.4).
const char* kExample = R"({"id":1001,"token":"glcbt-64_Jtok","allow_git_fetch":true,
 "job_info":{"name":"test","stage":"test","project_id":42,"project_name":"app","project_full_path":"grp/app",
  "root_namespace_id":7,"pipeline_id":500},
 "git_info":{"repo_url":"https://gitlab-ci-token:glcbt-64_Jtok@gitlab.example.com/grp/app.git","ref":"main",
  "sha":"03af6fc71345293cf29de98665cfafad0f5f2dfa","before_sha":"0000000000000000000000000000000000000000",
  "ref_type":"branch","refspecs":["+refs/heads/main:refs/remotes/origin/main"],"depth":20,"protected":true},
 "runner_info":{"timeout":3600},
 "variables":[{"key":"CI_JOB_ID","value":"1001","public":true,"masked":false},
  {"key":"CI_JOB_TOKEN","value":"glcbt-64_Jtok","public":false,"masked":true},
  {"key":"CI_SERVER_URL","value":"https://gitlab.example.com","public":true},
  {"key":"MY_FILE","value":"secret-content","public":false,"masked":false,"file":true},
  {"key":"KUBERNETES_CPU_REQUEST","value":"500m","public":true}],
 "steps":[{"name":"script","script":["echo hello"],"timeout":3600,"when":"on_success","allow_failure":false},
  {"name":"after_script","script":["echo bye"],"timeout":3600,"when":"always","allow_failure":true}],
 "image":{"name":"alpine:3.20","entrypoint":[""],"pull_policy":["if-not-present","always"]},
 "services":[{"name":"docker:dind","alias":"docker dind","command":["--mtu=1450"],
   "variables":[{"key":"HEALTHCHECK_TCP_PORT","value":"2375","public":true}]}],
 "artifacts":[{"name":"out","paths":["out/"],"when":"on_success"}],
 "cache":[null],
 "credentials":[{"type":"registry","url":"registry.gitlab.example.com","username":"gitlab-ci-token","password":"glcbt-64_Jtok"}],
 "features":{"trace_sections":true,"token_mask_prefixes":["glpat-","glcbt-"],
  "failure_reasons":["script_failure","runner_system_failure"]}})";

TEST(ParseJob, ReadsTheReferenceExample) {
  auto job = parse_job(kExample);
  ASSERT_TRUE(job.ok()) << job.error().describe();
  EXPECT_EQ(job->id, 1001);
  EXPECT_EQ(job->token, "glcbt-64_Jtok");
  EXPECT_TRUE(job->allow_git_fetch);
  EXPECT_EQ(job->job_info.project_id, 42);
  EXPECT_EQ(job->job_info.project_full_path, "grp/app");
  EXPECT_EQ(job->job_info.root_namespace_id, 7);
  EXPECT_EQ(job->git_info.depth, 20);
  EXPECT_EQ(job->git_info.ref_type, "branch");
  EXPECT_TRUE(job->git_info.protected_ref);
  ASSERT_EQ(job->git_info.refspecs.size(), 1u);
  EXPECT_EQ(job->timeout_seconds, 3600);
  ASSERT_EQ(job->variables.size(), 5u);
  EXPECT_TRUE(job->variables[1].masked);
  EXPECT_FALSE(job->variables[1].is_public);
  EXPECT_TRUE(job->variables[3].file);
  EXPECT_EQ(job->script, std::vector<std::string>{"echo hello"});
  EXPECT_EQ(job->after_script, std::vector<std::string>{"echo bye"});
  ASSERT_EQ(job->steps.size(), 2u);
  EXPECT_TRUE(job->steps[1].allow_failure);
  EXPECT_EQ(job->image.name, "alpine:3.20");
  EXPECT_EQ(job->image.pull_policy.size(), 2u);
  ASSERT_EQ(job->services.size(), 1u);
  EXPECT_EQ(job->services[0].alias, "docker dind");
  EXPECT_EQ(job->services[0].command, std::vector<std::string>{"--mtu=1450"});
  EXPECT_EQ(job->services[0].variables[0].key, "HEALTHCHECK_TCP_PORT");
  ASSERT_EQ(job->credentials.size(), 1u);
  EXPECT_EQ(job->credentials[0].url, "registry.gitlab.example.com");
  EXPECT_TRUE(job->features.trace_sections);
  EXPECT_EQ(job->features.token_mask_prefixes.size(), 2u);
  EXPECT_EQ(job->features.failure_reasons.size(), 2u);
}

TEST(ParseJob, DefaultsForAbsentAndNullFields) {
  auto job = parse_job(R"({"id":1,"image":null,"services":null,"runner_info":{"timeout":0}})");
  ASSERT_TRUE(job.ok()) << job.error().describe();
  EXPECT_EQ(job->timeout_seconds, 7200);
  EXPECT_TRUE(job->image.name.empty());
  EXPECT_TRUE(job->services.empty());
  EXPECT_FALSE(job->features.trace_sections);
  EXPECT_EQ(parse_job("{}")->timeout_seconds, 7200);
}

TEST(ParseJob, ReadsTheKubernetesUserAsStringOrInteger) {
  auto job = parse_job(R"({"image":{"name":"alpine","executor_opts":{"kubernetes":{"user":"1000:2000"}}},
    "services":[{"name":"postgres","executor_opts":{"kubernetes":{"user":999}}},{"name":"redis"}]})");
  ASSERT_TRUE(job.ok()) << job.error().describe();
  EXPECT_EQ(job->image.kubernetes_user, "1000:2000");
  EXPECT_EQ(job->services[0].kubernetes_user, "999");
  EXPECT_EQ(job->services[1].kubernetes_user, "");
  EXPECT_EQ(parse_job(R"({"image":{"executor_opts":{"kubernetes":{"user":[1]}}}})").error().message,
            "job payload: \"image.executor_opts.kubernetes.user\": expected a string or an integer, got [1]");
}

TEST(ParseJob, WrongTypeNamesTheField) {
  auto job = parse_job(R"({"git_info":{"depth":"x"}})");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().message, "job payload: \"git_info.depth\": expected a number, got \"x\"");
  EXPECT_EQ(job.error().where, "git_info.depth");
  EXPECT_NE(job.error().hint.find("runner API"), std::string::npos);
}

TEST(ParseJob, WrongTypeInsideArraysNamesTheIndex) {
  auto job = parse_job(R"({"variables":[{"key":"A","value":"1"},{"key":"B","value":2}]})");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().message, "job payload: \"variables[1].value\": expected a string, got 2");
  EXPECT_EQ(parse_job(R"({"steps":{}})").error().message, "job payload: \"steps\": expected an array, got {}");
  EXPECT_EQ(parse_job(R"({"git_info":{"depth":1.5}})").error().message,
            "job payload: \"git_info.depth\": expected an integer, got 1.5");
  EXPECT_EQ(parse_job(R"({"git_info":{"refspecs":[1]}})").error().message,
            "job payload: \"git_info.refspecs[0]\": expected a string, got 1");
}

TEST(ParseJob, ReadsTheFirstHookOfEachName) {
  auto job = parse_job(R"({"hooks":[{"name":"pre_get_sources_script","script":["echo a"]},
    {"name":"other","script":["echo x"]},{"name":"pre_get_sources_script","script":["echo b"]},
    {"name":"post_get_sources_script","script":["echo c","echo d"]}]})");
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job->pre_get_sources_hook, (std::vector<std::string>{"echo a"}));
  EXPECT_EQ(job->post_get_sources_hook, (std::vector<std::string>{"echo c", "echo d"}));
  EXPECT_EQ(parse_job(R"({"hooks":[{"name":"pre_get_sources_script","script":"echo"}]})").error().message,
            "job payload: \"hooks[0].script\": expected an array, got \"echo\"");
}

TEST(ParseJob, InvalidJsonAndNonObjectsAreErrorsNotExceptions) {
  auto bad = parse_job("{\"id\":");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("job payload: invalid JSON: parse error", 0), 0u) << bad.error().message;
  EXPECT_EQ(parse_job("[1]").error().message, "job payload: expected a JSON object, got [1]");
  EXPECT_FALSE(parse_job("").ok());
}

TEST(Job, VariableLookupTakesTheLastAndExpands) {
  Job job;
  job.variables = {{"A", "1"}, {"B", "x"}, {"A", "2"}};
  EXPECT_EQ(job.variable("A"), "2");
  EXPECT_EQ(job.variable("missing"), "");
  EXPECT_TRUE(job.has_variable("B"));
  EXPECT_EQ(job.expand("img:$A-${B}-$NOPE-$"), "img:2-x--$");
  EXPECT_EQ(job.expand("cost $5, $$ and ${}"), "cost , $ and ");  // os.Expand
}

TEST(Job, MaskedValues) {
  auto job = parse_job(kExample);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->masked_values(), std::vector<std::string>{"glcbt-64_Jtok"});
}

TEST(Job, FileVariablePathIsUnderTheTmpDir) {
  EXPECT_EQ(file_variable_path("/builds/grp/app", "MY_FILE"), "/builds/grp/app.tmp/MY_FILE");
}

}  // namespace
}  // namespace kexsim::executor
