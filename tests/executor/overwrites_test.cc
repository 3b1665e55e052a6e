// Job-variable overwrites (executors/kubernetes/overwrites.go at 19.4 and the releases before) and what
// build_pod does with them: labels, annotations, service account, resources as quantities.

#include "executor/overwrites.h"

#include <gtest/gtest.h>

#include "executor/pod_spec.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

Job overwrite_job(std::vector<std::pair<std::string, std::string>> vars) {
  Job job;
  job.id = 77;
  job.job_info.project_id = 42;
  job.git_info.repo_url = "https://gitlab.example.com/grp/app.git";
  for (auto& [k, v] : vars) {
    JobVariable jv;
    jv.key = k;
    jv.value = v;
    jv.is_public = true;
    job.variables.push_back(jv);
  }
  return job;
}

TEST(Overwrites, NamespaceNeedsItsRegexAndTheRegexIsNotAnchored) {
  KubernetesConfig c;
  c.namespace_ = "ci";
  const Job job = overwrite_job({{"KUBERNETES_NAMESPACE_OVERWRITE", "team-ci-a"}});
  auto off = create_overwrites(c, job, Profile::kV19_4);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->namespace_, "ci");  // no namespace_overwrite_allowed: ignored

  c.namespace_overwrite_allowed = "ci-.*";  // Go's MatchString finds it inside "team-ci-a"
  std::vector<std::string> log;
  auto on = create_overwrites(c, job, Profile::kV19_4, &log);
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_EQ(on->namespace_, "team-ci-a");
  EXPECT_EQ(log, std::vector<std::string>{"\"Namespace\" overwritten with \"team-ci-a\""});

  c.namespace_overwrite_allowed = "^ci-.*";
  auto refused = create_overwrites(c, job, Profile::kV13_12);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(prepare_overwrites_error(refused.error().message),
            "couldn't prepare overwrites: provided value \"team-ci-a\" does not match \"^ci-.*\"");
}

TEST(Overwrites, BearerTokenIsMaskedInTheLog) {
  KubernetesConfig c;
  c.bearer_token_overwrite_allowed = true;
  std::vector<std::string> log;
  auto o = create_overwrites(c, overwrite_job({{"KUBERNETES_BEARER_TOKEN", "secret-token"}}), Profile::kV19_4, &log);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->bearer_token, "secret-token");
  EXPECT_EQ(log, std::vector<std::string>{"\"BearerToken\" overwritten with \"XXXXXXXX...\""});
}

TEST(Overwrites, ResourcesUpToTheMaxAreTakenAboveItRefused) {
  KubernetesConfig c;
  c.cpu_limit = "1";
  c.overwrite_max_allowed["cpu_limit"] = "2";
  c.memory_request = "1Gi";
  c.overwrite_max_allowed["memory_request"] = "4Gi";
  std::vector<std::string> log;
  auto ok =
      create_overwrites(c, overwrite_job({{"KUBERNETES_CPU_LIMIT", "1500m"}, {"KUBERNETES_MEMORY_REQUEST", "2048Mi"}}),
                        Profile::kV19_4, &log);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->build.limits.at("cpu"), "1500m");
  EXPECT_EQ(ok->build.requests.at("memory"), "2Gi");  // canonical, as the pod carries it
  EXPECT_EQ(log, (std::vector<std::string>{"\"MemoryRequest\" overwritten with \"2048Mi\"",
                                           "\"CPULimit\" overwritten with \"1500m\""}));

  auto high = create_overwrites(c, overwrite_job({{"KUBERNETES_CPU_LIMIT", "2.5"}}), Profile::kV19_4);
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().message,
            "invalid build limits specified: the resource \"CPULimit\" requested \"2.5\" is higher than limit "
            "allowed \"2\"");
  EXPECT_NE(high.error().hint.find("cpu_limit_overwrite_max_allowed"), std::string::npos);
}

TEST(Overwrites, TheRunnersEnvironmentCountsAndTheJobsVariablesWin) {
  KubernetesConfig c;
  c.overwrite_max_allowed["memory_limit"] = "8Gi";
  const std::vector<std::string> env = {"KUBERNETES_MEMORY_LIMIT=2Gi"};
  auto from_env = create_overwrites(c, overwrite_job({}), Profile::kV19_4, nullptr, env);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->build.limits.at("memory"), "2Gi");
  auto from_job =
      create_overwrites(c, overwrite_job({{"KUBERNETES_MEMORY_LIMIT", "4Gi"}}), Profile::kV19_4, nullptr, env);
  ASSERT_TRUE(from_job.ok());
  EXPECT_EQ(from_job->build.limits.at("memory"), "4Gi");
}

TEST(Overwrites, WithoutAMaxTheVariableIsIgnored) {
  KubernetesConfig c;
  c.helper_memory_limit = "256Mi";
  auto o = create_overwrites(c, overwrite_job({{"KUBERNETES_HELPER_MEMORY_LIMIT", "8Gi"}}), Profile::kV19_4);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->helper.limits.at("memory"), "256Mi");
}

TEST(Overwrites, InvalidQuantitiesGiveUpstreamsErrors) {
  KubernetesConfig c;
  c.ephemeral_storage_limit = "lots";
  auto bad = create_overwrites(c, overwrite_job({}), Profile::kV19_4);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "invalid build limits specified: parsing resource \"ephemeralStorage\" with value \"lots\": \"quantities "
            "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\"");
  KubernetesConfig m;
  m.overwrite_max_allowed["service_cpu_request"] = "two";
  auto max = create_overwrites(m, overwrite_job({{"KUBERNETES_SERVICE_CPU_REQUEST", "1"}}), Profile::kV19_4);
  ASSERT_FALSE(max.ok());
  EXPECT_EQ(max.error().message,
            "invalid service requests specified: parsing resource limit: \"quantities must match the regular "
            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\"");
}

TEST(Overwrites, MapOverwritesAddEntriesByPrefix) {
  KubernetesConfig c;
  c.pod_labels = {{"team", "ci"}};
  c.pod_labels_overwrite_allowed = ".*";
  c.node_tolerations_overwrite_allowed = ".*";
  std::vector<std::string> log;
  auto o = create_overwrites(c,
                             overwrite_job({{"KUBERNETES_POD_LABELS_1", "tier=gold"},
                                            {"KUBERNETES_NODE_TOLERATIONS_A", "gpu=true:NoSchedule"}}),
                             Profile::kV19_4, &log);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->pod_labels, (std::map<std::string, std::string>{{"team", "ci"}, {"tier", "gold"}}));
  EXPECT_EQ(o->node_tolerations.at("gpu=true"), "NoSchedule");
  EXPECT_EQ(log, (std::vector<std::string>{"\"PodLabels\" \"tier\" overwritten with \"gold\"",
                                           "\"NodeTolerations\" \"gpu=true\" overwritten with \"NoSchedule\""}));

  auto malformed = create_overwrites(c, overwrite_job({{"KUBERNETES_POD_LABELS_1", "tier"}}), Profile::kV19_4);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().message, "provided value \"tier\" does not match \"k=v\"");
}

TEST(Overwrites, ReleasesWithoutAnOverwriteIgnoreItsVariables) {
  KubernetesConfig c;
  c.pod_labels_overwrite_allowed = ".*";
  c.pod_cpu_limit = "2";
  auto old = create_overwrites(c, overwrite_job({{"KUBERNETES_POD_LABELS_1", "tier=gold"}}), Profile::kV13_12);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->pod_labels.empty());  // 15.1
  EXPECT_TRUE(old->pod.empty());         // 18.10
  auto now = create_overwrites(c, overwrite_job({}), Profile::kV19_4);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->pod.limits.at("cpu"), "2");
}

TEST(Overwrites, ProtectedLabelKeys) {
  EXPECT_TRUE(is_protected_label_key("runner.gitlab.com/x"));
  EXPECT_TRUE(is_protected_label_key("job.runner.gitlab.com/pod"));
  EXPECT_TRUE(is_protected_label_key("Manager.Runner.GitLab.com/name"));
  EXPECT_TRUE(is_protected_label_key("runner.gitlab.com"));
  EXPECT_FALSE(is_protected_label_key("myrunner.gitlab.com/x"));
  EXPECT_FALSE(is_protected_label_key("team"));
}

RunnerConfig runner() {
  RunnerConfig r;
  r.name = "r";
  r.kubernetes.namespace_ = "ci";
  r.kubernetes.image = "alpine";
  return r;
}

PodInputs overwrite_inputs(const RunnerConfig& r, const Job& job, Profile p) {
  PodInputs in;
  in.runner = &r;
  in.job = &job;
  in.profile = p;
  in.namespace_ = "ci";
  in.name = "pod";
  in.short_token = "tok";
  return in;
}

TEST(OverwritesInPod, LabelsAnnotationsAndServiceAccount) {
  RunnerConfig r = runner();
  r.kubernetes.pod_labels = {{"team", "$TEAM"}, {"job.runner.gitlab.com/pod", "mine"}};
  r.kubernetes.pod_annotations = {{"note", "for $TEAM"}};
  r.kubernetes.service_account = "builder";
  r.kubernetes.service_account_overwrite_allowed = "^deploy-";
  r.kubernetes.automount_service_account_token = false;
  r.kubernetes.use_service_account_image_pull_secrets = true;
  r.kubernetes.image_pull_secrets = {"regcred"};
  const Job job = overwrite_job({{"TEAM", "blue"}, {"KUBERNETES_SERVICE_ACCOUNT_OVERWRITE", "deploy-bot"}});
  auto pod = build_pod(overwrite_inputs(r, job, Profile::kV19_4));
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  const json& meta = (*pod)["metadata"];
  EXPECT_EQ(meta["labels"]["team"], "blue");
  EXPECT_NE(meta["labels"]["job.runner.gitlab.com/pod"], "mine");  // protected from 17.9
  EXPECT_EQ(meta["annotations"]["note"], "for blue");
  EXPECT_EQ((*pod)["spec"]["serviceAccountName"], "deploy-bot");
  EXPECT_EQ((*pod)["spec"]["automountServiceAccountToken"], false);
  EXPECT_FALSE((*pod)["spec"].contains("imagePullSecrets"));

  auto old = build_pod(overwrite_inputs(r, job, Profile::kV13_12));
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ((*old)["metadata"]["labels"]["job.runner.gitlab.com/pod"], "mine");
  EXPECT_FALSE((*old)["spec"].contains("automountServiceAccountToken"));
  EXPECT_EQ((*old)["spec"]["imagePullSecrets"][0]["name"], "regcred");
}

TEST(OverwritesInPod, ResourcesOfEveryContainerKindAndThePod) {
  RunnerConfig r = runner();
  r.kubernetes.cpu_request = "0.5";
  r.kubernetes.ephemeral_storage_limit = "1G";
  r.kubernetes.helper_ephemeral_storage_request = "512Mi";
  r.kubernetes.service_memory_limit = "1024Mi";
  r.kubernetes.overwrite_max_allowed["service_memory_limit"] = "2Gi";
  r.kubernetes.pod_memory_limit = "4Gi";
  Job job = overwrite_job({});
  JobImage db;
  db.name = "postgres:16";
  db.alias = "db";
  db.variables.push_back({"KUBERNETES_SERVICE_MEMORY_LIMIT", "1536Mi"});
  JobImage cache;
  cache.name = "redis:7";
  cache.alias = "cache";
  job.services = {db, cache};
  auto pod = build_pod(overwrite_inputs(r, job, Profile::kV19_4));
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  const json& spec = (*pod)["spec"];
  EXPECT_EQ(spec["containers"][0]["resources"]["requests"]["cpu"], "500m");
  EXPECT_EQ(spec["containers"][0]["resources"]["limits"]["ephemeral-storage"], "1G");
  EXPECT_EQ(spec["containers"][1]["resources"]["requests"]["ephemeral-storage"], "512Mi");
  for (const auto& c : spec["containers"]) {
    if (c["name"] == "db") {
      EXPECT_EQ(c["resources"]["limits"]["memory"], "1536Mi");
    }
    if (c["name"] == "cache") {
      EXPECT_EQ(c["resources"]["limits"]["memory"], "1Gi");
    }
  }
  EXPECT_EQ(spec["resources"]["limits"]["memory"], "4Gi");
  auto older = build_pod(overwrite_inputs(r, job, Profile::kV17_11));
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE((*older)["spec"].contains("resources"));
}

}  // namespace
}  // namespace kexsim::executor
