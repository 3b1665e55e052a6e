#include "fakes/kube/store.h"

#include <gtest/gtest.h>

#include "fakes/kube/selector.h"
#include "fakes/kube/strategy.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

using testing::ManualClock;

class KubeStore : public ::testing::Test {
 protected:
  const ResourceType& type(const std::string& resource) {
    for (const auto& t : served_resources())
      if (t.resource == resource) return t;
    ADD_FAILURE() << "no such resource " << resource;
    return served_resources().front();
  }
  ManualClock clock_;
  Random random_{42};
  Store store_{clock_, random_};
};

TEST_F(KubeStore, CreateAssignsServerMetadata) {
  auto a = store_.create(type("secrets"), "cicd", {{"metadata", {{"name", "a"}, {"namespace", "other"}}}});
  ASSERT_TRUE(a.ok());
  const json& meta = a.value()["metadata"];
  EXPECT_EQ(meta["namespace"], "cicd");
  EXPECT_EQ(meta["resourceVersion"], "1");
  EXPECT_EQ(meta["creationTimestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(meta["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ(a.value()["kind"], "Secret");
  EXPECT_EQ(a.value()["apiVersion"], "v1");
  auto b = store_.create(type("clusterroles"), "ignored", {{"metadata", {{"name", "r"}}}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value()["metadata"]["resourceVersion"], "2");
  EXPECT_FALSE(b.value()["metadata"].contains("namespace"));
  EXPECT_EQ(b.value()["apiVersion"], "rbac.authorization.k8s.io/v1");
  EXPECT_NE(store_.find("clusterroles", "", "r"), nullptr);
  EXPECT_EQ(store_.resource_version(), "2");
}

TEST_F(KubeStore, GenerateNameAppendsFiveCharactersFromTheApiserverAlphabet) {
  auto a = store_.create(type("pods"), "cicd", {{"metadata", {{"generateName", "runner-abc-"}}}});
  ASSERT_TRUE(a.ok());
  const std::string name = a.value()["metadata"]["name"];
  ASSERT_EQ(name.size(), std::string("runner-abc-").size() + 5);
  EXPECT_EQ(name.rfind("runner-abc-", 0), 0u);
  for (char c : name.substr(11)) EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);

  ManualClock clock;
  Random same_seed{42};
  Store again(clock, same_seed);
  auto b = again.create(type("pods"), "cicd", {{"metadata", {{"generateName", "runner-abc-"}}}});
  EXPECT_EQ(b.value()["metadata"]["name"], name);
  EXPECT_EQ(b.value()["metadata"]["uid"], a.value()["metadata"]["uid"]);
}

TEST_F(KubeStore, DuplicatesAndGeneratedCollisions) {
  ASSERT_TRUE(store_.create(type("secrets"), "cicd", {{"metadata", {{"name", "a"}}}}).ok());
  auto dup = store_.create(type("secrets"), "cicd", {{"metadata", {{"name", "a"}}}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), R"(secrets "a" already exists)");
  auto collided = store_.create(type("secrets"), "cicd", {{"metadata", {{"name", "a"}}}}, true);
  ASSERT_FALSE(collided.ok());
  EXPECT_NE(collided.status().message().find("not able to generate a unique name"), std::string::npos);
  EXPECT_TRUE(store_.create(type("secrets"), "prod", {{"metadata", {{"name", "a"}}}}).ok());
}

TEST_F(KubeStore, UpdateChecksTheResourceVersion) {
  auto created = store_.create(type("secrets"), "cicd", {{"metadata", {{"name", "a"}}}, {"data", {{"k", "dg=="}}}});
  const std::string uid = created.value()["metadata"]["uid"];
  json stale = {{"metadata", {{"name", "a"}, {"resourceVersion", "99"}}}};
  auto conflict = store_.update(type("secrets"), "cicd", "a", stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code, 409);
  EXPECT_EQ(conflict.status().reason(), "Conflict");
  json fresh = {{"metadata", {{"name", "a"}, {"resourceVersion", "1"}, {"ownerReferences", json::array()}}}};
  auto updated = store_.update(type("secrets"), "cicd", "a", fresh);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated.value()["metadata"]["uid"], uid);
  EXPECT_EQ(updated.value()["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(updated.value()["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(store_.update(type("secrets"), "cicd", "zz", fresh).status().code, 404);
}

TEST_F(KubeStore, ListIsInNamespaceThenNameOrder) {
  for (const char* ns : {"b", "a"})
    for (const char* name : {"y", "x"}) store_.create(type("secrets"), ns, {{"metadata", {{"name", name}}}});
  store_.create(type("pods"), "a", {{"metadata", {{"name", "p"}}}});
  std::vector<std::string> seen;
  for (const auto* s : store_.list("secrets", ""))
    seen.push_back(s->object["metadata"]["namespace"].get<std::string>() + "/" +
                   s->object["metadata"]["name"].get<std::string>());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/x", "a/y", "b/x", "b/y"}));
  EXPECT_EQ(store_.list("secrets", "b").size(), 2u);
  EXPECT_TRUE(store_.remove("secrets", "b", "x").has_value());
  EXPECT_FALSE(store_.remove("secrets", "b", "x").has_value());
  store_.remove_namespace_contents("a");
  EXPECT_EQ(store_.list("secrets", "").size(), 1u);
  EXPECT_EQ(store_.list("pods", "").size(), 0u);
}

TEST(KubeSelector, LabelSelectors) {
  const json labels = {{"app", "runner"}, {"job", "7"}};
  auto check = [&](const std::string& text) {
    auto s = LabelSelector::parse(text);
    EXPECT_TRUE(s.ok()) << text;
    return s.value().matches(labels);
  };
  EXPECT_TRUE(check(""));
  EXPECT_TRUE(check("app=runner"));
  EXPECT_TRUE(check("app==runner,job=7"));
  EXPECT_FALSE(check("app=runner,job=8"));
  EXPECT_TRUE(check("app!=x"));
  EXPECT_TRUE(check("missing!=x"));
  EXPECT_TRUE(check("job in (6, 7)"));
  EXPECT_FALSE(check("job notin (6,7)"));
  EXPECT_TRUE(check("app"));
  EXPECT_FALSE(check("!app"));
  EXPECT_TRUE(check("!missing"));
  EXPECT_FALSE(LabelSelector::parse("a in x").ok());
  EXPECT_FALSE(LabelSelector::parse("a,,b").ok());
}

TEST(KubeSelector, FieldSelectors) {
  auto terms = parse_field_selector("status.phase=Running,metadata.name!=x");
  ASSERT_TRUE(terms.ok());
  ASSERT_EQ(terms.value().size(), 2u);
  EXPECT_EQ(terms.value()[0].field, "status.phase");
  EXPECT_TRUE(terms.value()[0].equals);
  EXPECT_FALSE(terms.value()[1].equals);
  EXPECT_FALSE(parse_field_selector("nonsense").ok());
  EXPECT_EQ(field_value(json{{"status", {{"phase", "Running"}}}}, "status.phase"), "Running");
  EXPECT_EQ(field_value(json{{"status", {{"phase", "Running"}}}}, "spec.nodeName"), "");
}

TEST(KubeStrategy, PodValidationAndDefaults) {
  const ResourceType& pods = *find_resource("", "pods");
  auto invalid =
      validate_create(pods, {{"metadata", {{"name", "p"}}}, {"spec", {{"containers", {{{"name", "build"}}}}}}});
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ(invalid->message(), R"(Pod "p" is invalid: spec.containers[0].image: Required value)");
  auto unnamed = validate_create(pods, {{"spec", {{"containers", {{{"name", "b"}, {"image", "i"}}}}}}});
  ASSERT_TRUE(unnamed.has_value());
  EXPECT_EQ(unnamed->message(),
            R"(Pod "" is invalid: metadata.name: Required value: name or generateName is required)");
  auto bad_name = validate_create(
      pods, {{"metadata", {{"name", "Bad_Name"}}}, {"spec", {{"containers", {{{"name", "b"}, {"image", "i"}}}}}}});
  ASSERT_TRUE(bad_name.has_value());
  EXPECT_EQ(bad_name->body["details"]["causes"][0]["reason"], "FieldValueInvalid");
  EXPECT_NE(bad_name->message().find(R"(metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain)"),
            std::string::npos);
  EXPECT_FALSE(validate_create(
                   pods, {{"metadata", {{"name", "p"}}}, {"spec", {{"containers", {{{"name", "b"}, {"image", "i"}}}}}}})
                   .has_value());

  json pod = {{"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "b"}, {"image", "alpine:3.20"}}, {{"name", "c"}, {"image", "x"}}}}}}};
  apply_create_defaults(pods, pod);
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "default");
  EXPECT_EQ(pod["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(pod["spec"]["containers"][1]["imagePullPolicy"], "Always");
  EXPECT_EQ(pod["status"]["phase"], "Pending");
}

TEST(KubeStrategy, SecretsAndNamespaces) {
  json secret = {{"metadata", {{"name", "s"}}}, {"stringData", {{"a", "hello"}}}};
  apply_create_defaults(*find_resource("", "secrets"), secret);
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["data"]["a"], "aGVsbG8=");
  EXPECT_FALSE(secret.contains("stringData"));
  auto ns = validate_create(*find_resource("", "namespaces"), {{"metadata", {{"name", "a.b"}}}});
  ASSERT_TRUE(ns.has_value());
  EXPECT_NE(ns->message().find("a lowercase RFC 1123 label must consist of"), std::string::npos);
}

}  // namespace
}  // namespace kexsim::fakes
