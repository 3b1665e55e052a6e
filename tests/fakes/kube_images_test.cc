// The kubelet's image model: references, back-off timing, the node cache and pull policies, credentials
// from pull secrets, the registries' error texts and the events recorded.

#include "fakes/kube/images.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "fakes/kube/pod_lifecycle.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const TimePoint kImagesStart = TimePoint(Duration(1767225600LL * 1000000));  // 2026-01-01T00:00:00Z

json image_pod(const std::string& uid, const std::string& image, const std::string& policy = {},
               const std::vector<std::string>& pull_secrets = {}) {
  json build = {{"name", "build"}, {"image", image}};
  if (!policy.empty()) build["imagePullPolicy"] = policy;
  json p = {{"metadata", {{"name", "pod-" + uid}, {"namespace", "ci"}, {"uid", uid}}},
            {"spec", {{"containers", json::array({build})}}}};
  json secrets = json::array();
  for (const auto& s : pull_secrets) secrets.push_back({{"name", s}});
  if (!secrets.empty()) p["spec"]["imagePullSecrets"] = secrets;
  return p;
}

ImageSettings hub_with_alpine() {
  ImageSettings s;
  Registry hub;
  hub.host = "docker.io";
  hub.pull_time = seconds(3);
  hub.images.push_back({"library/alpine", {"3.20"}, {"linux/amd64"}, 1000});
  s.registries.push_back(hub);
  return s;
}

json dockerconfigjson(const std::string& server, const std::string& user, const std::string& password) {
  const json config = {{"auths", {{server, {{"auth", base64_encode(user + ":" + password)}}}}}};
  return {{"type", "kubernetes.io/dockerconfigjson"}, {"data", {{".dockerconfigjson", base64_encode(config.dump())}}}};
}

TEST(KubeImages, ReferencesNormalizeAsDockerDoes) {
  EXPECT_EQ(parse_image_reference("alpine").value().normalized(), "docker.io/library/alpine:latest");
  EXPECT_EQ(parse_image_reference("acme/app:1").value().normalized(), "docker.io/acme/app:1");
  EXPECT_EQ(parse_image_reference("registry.example.com:5000/a/b:2").value().normalized(),
            "registry.example.com:5000/a/b:2");
  EXPECT_EQ(parse_image_reference("localhost/x").value().domain, "localhost");
  EXPECT_EQ(parse_image_reference("Alpine:3").error().message,
            "invalid reference format: repository name must be lowercase");
  EXPECT_EQ(parse_image_reference("alpine:3 ").error().message, "invalid reference format");
  EXPECT_EQ(parse_image_reference("alpine::3").error().message, "invalid reference format");
  EXPECT_FALSE(parse_image_reference("").ok());
}

TEST(KubeImages, BackOffDoublesToFiveMinutes) {
  EXPECT_EQ(image_backoff(1), seconds(10));
  EXPECT_EQ(image_backoff(2), seconds(20));
  EXPECT_EQ(image_backoff(5), seconds(160));
  EXPECT_EQ(image_backoff(6), seconds(300));
  EXPECT_EQ(image_backoff(20), seconds(300));
}

TEST(KubeImages, GoDurations) {
  EXPECT_EQ(go_duration_string(Duration(0)), "0s");
  EXPECT_EQ(go_duration_string(std::chrono::milliseconds(850)), "850ms");
  EXPECT_EQ(go_duration_string(std::chrono::milliseconds(3211)), "3.211s");
  EXPECT_EQ(go_duration_string(std::chrono::milliseconds(62500)), "1m2.5s");
  EXPECT_EQ(go_duration_string(seconds(300)), "5m0s");
}

TEST(KubeImages, FailedPullBacksOffAndRetries) {
  ImageModel model;
  model.configure(hub_with_alpine(), 33);
  model.start_pod(image_pod("u1", "alpine:3.200"), "node-1", "linux/amd64", kImagesStart, nullptr);
  EXPECT_FALSE(model.ready_at("u1"));
  // A miss takes 1s: ErrImagePull; a sync 10s later pulls again (the first back-off is over); the next
  // sync (22s) is inside the 20s back-off; the one after (32s) pulls.
  EXPECT_EQ(model.states("u1", kImagesStart).at("build").reason, "");
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(1)).at("build").reason, "ErrImagePull");
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(10)).at("build").reason, "ErrImagePull");
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(12)).at("build").reason, "ErrImagePull");
  const ContainerImageState backoff = model.states("u1", kImagesStart + seconds(22)).at("build");
  EXPECT_EQ(backoff.reason, "ImagePullBackOff");
  EXPECT_EQ(backoff.message,
            "Back-off pulling image \"alpine:3.200\": ErrImagePull: rpc error: code = NotFound desc = failed to pull "
            "and unpack image \"docker.io/library/alpine:3.200\": failed to resolve reference "
            "\"docker.io/library/alpine:3.200\": docker.io/library/alpine:3.200: not found");
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(32)).at("build").reason,
            "ImagePullBackOff");  // third pull at 32s
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(33)).at("build").reason, "ErrImagePull");

  EventLog events;
  model.advance(kImagesStart + seconds(32), events, "1");
  std::vector<std::string> seen;
  for (const json& e : events.list("ci"))
    seen.push_back(e["reason"].get<std::string>() + ":" + e["message"].get<std::string>() + " x" +
                   std::to_string(e["count"].get<int>()));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "Pulling:Pulling image \"alpine:3.200\" x3");
  const json first = events.list("ci").front();
  EXPECT_EQ(first["involvedObject"]["fieldPath"], "spec.containers{build}");
  EXPECT_EQ(first["source"]["component"], "kubelet");
  EXPECT_EQ(first["source"]["host"], "node-1");
}

TEST(KubeImages, OlderReleasesWordTheBackOffShortAndKeepTheRpcPrefix) {
  ImageModel model;
  ImageSettings s = hub_with_alpine();
  s.registries[0].private_registry = true;
  s.registries[0].username = "u";
  s.registries[0].password = "p";
  model.configure(s, 27);
  model.start_pod(image_pod("u1", "alpine:3.20"), "node-1", "linux/amd64", kImagesStart, nullptr);
  EXPECT_EQ(
      model.states("u1", kImagesStart + seconds(1)).at("build").message,
      "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/alpine:3.20\": failed "
      "to resolve reference \"docker.io/library/alpine:3.20\": pull access denied, repository does not exist or "
      "may require authorization: server message: insufficient_scope: authorization failed");
  EXPECT_EQ(model.states("u1", kImagesStart + seconds(22)).at("build").message,
            "Back-off pulling image \"alpine:3.20\"");
}

TEST(KubeImages, PullSecretsAuthorizePrivateRegistries) {
  ImageSettings s;
  Registry reg;
  reg.host = "registry.example.com";
  reg.private_registry = true;
  reg.username = "ci";
  reg.password = "good";
  s.registries.push_back(reg);
  ImageModel model;
  model.configure(s, 33);
  const json good = dockerconfigjson("https://registry.example.com", "ci", "good");
  const json bad = dockerconfigjson("registry.example.com", "ci", "bad");
  ImageModel::SecretLookup lookup = [&](const std::string& ns, const std::string& name) -> const json* {
    if (ns != "ci") return nullptr;
    return name == "good" ? &good : name == "bad" ? &bad : nullptr;
  };
  model.start_pod(image_pod("ok", "registry.example.com/app:1", "", {"good"}), "n", "linux/amd64", kImagesStart,
                  lookup);
  model.start_pod(image_pod("wrong", "registry.example.com/app:1", "", {"bad"}), "n2", "linux/amd64", kImagesStart,
                  lookup);
  model.start_pod(image_pod("none", "registry.example.com/app:1", "", {"missing"}), "n3", "linux/amd64", kImagesStart,
                  lookup);
  EXPECT_EQ(model.ready_at("ok"), kImagesStart + seconds(2));
  EXPECT_EQ(model.states("wrong", kImagesStart + seconds(1)).at("build").message,
            "failed to pull and unpack image \"registry.example.com/app:1\": failed to resolve reference "
            "\"registry.example.com/app:1\": failed to authorize: failed to fetch oauth token: unexpected status from "
            "POST request to https://registry.example.com/token: 401 Unauthorized");
  EXPECT_EQ(model.states("none", kImagesStart + seconds(1)).at("build").message,
            "failed to pull and unpack image \"registry.example.com/app:1\": failed to resolve reference "
            "\"registry.example.com/app:1\": failed to authorize: failed to fetch anonymous token: unexpected status "
            "from GET request to https://registry.example.com/token?scope=repository%3Aapp%3Apull&service="
            "registry.example.com: 401 Unauthorized");
  EventLog events;
  model.advance(kImagesStart, events, "1");
  ASSERT_FALSE(events.list("ci").empty());
  EXPECT_EQ(events.list("ci").front()["message"],
            "Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.");
}

TEST(KubeImages, CredentialKeysMatchTheRegistryHost) {
  EXPECT_TRUE(credential_matches("https://index.docker.io/v1/", "docker.io"));
  EXPECT_TRUE(credential_matches("registry.example.com", "registry.example.com"));
  EXPECT_TRUE(credential_matches("https://registry.example.com/v2/", "registry.example.com"));
  EXPECT_FALSE(credential_matches("registry.example.com", "registry.example.com:5000"));
  const json dockercfg = {
      {"type", "kubernetes.io/dockercfg"},
      {"data", {{".dockercfg", base64_encode(json{{"reg.io", {{"username", "a"}, {"password", "b"}}}}.dump())}}}};
  const auto creds = pull_secret_credentials(dockercfg);
  ASSERT_EQ(creds.size(), 1u);
  EXPECT_EQ(creds[0].username, "a");
  EXPECT_EQ(creds[0].password, "b");
  EXPECT_TRUE(pull_secret_credentials(json{{"type", "Opaque"}}).empty());
}

TEST(KubeImages, CacheAndPolicies) {
  ImageSettings s = hub_with_alpine();
  s.preloaded["node-1"] = {"alpine:3.20"};
  ImageModel model;
  model.configure(s, 33);
  // IfNotPresent with the image on the node: no pull.
  model.start_pod(image_pod("a", "alpine:3.20", "IfNotPresent"), "node-1", "linux/amd64", kImagesStart, nullptr);
  EXPECT_EQ(model.ready_at("a"), kImagesStart);
  // Never without it: ErrImageNeverPull, for good.
  model.start_pod(image_pod("b", "alpine:3.20", "Never"), "node-2", "linux/amd64", kImagesStart, nullptr);
  EXPECT_FALSE(model.ready_at("b"));
  EXPECT_EQ(model.states("b", kImagesStart).at("build").message,
            "Container image \"alpine:3.20\" is not present with pull policy of Never");
  // Always pulls anyway; the pull caches the image for the next pod on that node.
  model.start_pod(image_pod("c", "alpine:3.20", "Always"), "node-2", "linux/amd64", kImagesStart, nullptr);
  EXPECT_EQ(model.ready_at("c"), kImagesStart + seconds(3));
  model.start_pod(image_pod("d", "alpine:3.20", "IfNotPresent"), "node-2", "linux/amd64", kImagesStart + seconds(5),
                  nullptr);
  EXPECT_EQ(model.ready_at("d"), kImagesStart + seconds(5));
  // The wrong platform.
  model.start_pod(image_pod("e", "alpine:3.20", "Always"), "arm", "linux/arm64", kImagesStart, nullptr);
  EXPECT_EQ(model.states("e", kImagesStart + seconds(1)).at("build").message,
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/alpine:3.20\": no "
            "match for platform in manifest: not found");
}

TEST(KubeImages, PullQpsLimitsBursts) {
  ImageSettings s = hub_with_alpine();
  s.pull_qps = 1;
  s.pull_burst = 1;
  s.serialize_pulls = false;
  ImageModel model;
  model.configure(s, 33);
  model.start_pod(image_pod("a", "alpine:3.20", "Always"), "n", "linux/amd64", kImagesStart, nullptr);
  model.start_pod(image_pod("b", "alpine:3.20", "Always"), "n", "linux/amd64", kImagesStart, nullptr);
  EXPECT_EQ(model.ready_at("a"), kImagesStart + seconds(3));
  EXPECT_EQ(model.states("b", kImagesStart).at("build").message, "pull QPS exceeded");
  EXPECT_EQ(model.ready_at("b"), kImagesStart + seconds(13));  // the retry 10s later is not throttled
}

TEST(KubeImages, InvalidNamesAndThePodStatus) {
  ImageModel model;
  model.configure(hub_with_alpine(), 33);
  const json p = image_pod("u", "Alpine:3.20");
  model.start_pod(p, "node-1", "linux/amd64", kImagesStart, nullptr);
  const PodImageStates states = model.states("u", kImagesStart + seconds(5));
  const json status = pod_status(p, kImagesStart, kImagesStart + seconds(5), PodTiming{}, "10.244.0.2", &states);
  EXPECT_EQ(status["phase"], "Pending");
  const json& waiting = status["containerStatuses"][0]["state"]["waiting"];
  EXPECT_EQ(waiting["reason"], "InvalidImageName");
  EXPECT_EQ(waiting["message"],
            "Failed to apply default image tag \"Alpine:3.20\": couldn't parse image name \"Alpine:3.20\": invalid "
            "reference format: repository name must be lowercase");
}

TEST(KubeImages, ContainersStartWhenTheirImagesArePresent) {
  ImageModel model;
  model.configure(hub_with_alpine(), 33);
  const json p = image_pod("u", "alpine:3.20");
  model.start_pod(p, "node-1", "linux/amd64", kImagesStart, nullptr);
  PodTiming timing;  // 6s of ContainerCreating
  PodImageStates at5 = model.states("u", kImagesStart + seconds(5));
  EXPECT_EQ(pod_status(p, kImagesStart, kImagesStart + seconds(5), timing, "10.244.0.2", &at5)["phase"], "Pending");
  PodImageStates at6 = model.states("u", kImagesStart + seconds(6));
  EXPECT_EQ(pod_status(p, kImagesStart, kImagesStart + seconds(6), timing, "10.244.0.2", &at6)["phase"], "Running");
  timing.pending = seconds(1);
  PodImageStates at2 = model.states("u", kImagesStart + seconds(2));
  EXPECT_EQ(pod_status(p, kImagesStart, kImagesStart + seconds(2), timing, "10.244.0.2", &at2)["phase"], "Pending");
  EventLog events;
  model.advance(kImagesStart + seconds(3), events, "1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.list("ci")[1]["message"],
            "Successfully pulled image \"alpine:3.20\" in 3s (3s including waiting). Image size: 1000 bytes.");
}

}  // namespace
}  // namespace kexsim::fakes
