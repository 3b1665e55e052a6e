// [[runners.kubernetes.pod_spec]] patches (FF_USE_ADVANCED_POD_SPEC_CONFIGURATION).
#include "executor/pod_spec_patch.h"

#include <gtest/gtest.h>


namespace kexsim::executor {
namespace {

using nlohmann::json;

json generated() {
  return {{"containers",
           {{{"name", "build"}, {"image", "alpine"}, {"env", {{{"name", "CI"}, {"value", "true"}}}}},
            {{"name", "helper"}, {"image", "helper"}}}},
          {"restartPolicy", "Never"}};
}

PodSpecPatchConfig patch(std::string type, std::string text) {
  PodSpecPatchConfig p;
  p.name = "p";
  p.patch_type = std::move(type);
  p.patch = std::move(text);
  return p;
}

TEST(PodSpecPatch, StrategicMergesNamedListItemsByTheirKey) {
  auto out = apply_pod_spec_patches(
      generated(),
      {patch("", R"({"containers":[{"name":"build","env":[{"name":"DB","value":"x"}]}],"hostname":"ci"})")});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["hostname"], "ci");
  ASSERT_EQ((*out)["containers"].size(), 2u);
  EXPECT_EQ((*out)["containers"][0]["image"], "alpine");
  EXPECT_EQ((*out)["containers"][0]["env"], json::parse(R"([{"name":"CI","value":"true"},{"name":"DB","value":"x"}])"));
  auto removed = apply_pod_spec_patches(
      generated(), {patch("strategic", R"({"containers":[{"name":"helper","$patch":"delete"}]})")});
  ASSERT_TRUE(removed);
  EXPECT_EQ((*removed)["containers"].size(), 1u);
}

TEST(PodSpecPatch, JsonAndMergePatches) {
  auto json_patched = apply_pod_spec_patches(
      generated(), {patch("json", R"([{"op":"add","path":"/containers/0/env/-","value":{"name":"A","value":"1"}}])")});
  ASSERT_TRUE(json_patched);
  EXPECT_EQ((*json_patched)["containers"][0]["env"][1]["name"], "A");
  auto merged = apply_pod_spec_patches(generated(), {patch("merge", R"({"restartPolicy":null,"dnsPolicy":"None"})")});
  ASSERT_TRUE(merged);
  EXPECT_FALSE(merged->contains("restartPolicy"));
  EXPECT_EQ((*merged)["dnsPolicy"], "None");
  // A merge patch replaces lists whole.
  auto lists = apply_pod_spec_patches(generated(), {patch("merge", R"({"containers":[{"name":"only"}]})")});
  ASSERT_TRUE(lists);
  EXPECT_EQ((*lists)["containers"].size(), 1u);
}

TEST(PodSpecPatch, ErrorsNameThePatch) {
  PodSpecPatchConfig both = patch("", "{}");
  both.patch_path = "/nowhere.json";
  auto ambiguous = apply_pod_spec_patches(generated(), {both});
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().message, "ambiguous patch: both patch path and patch provided (p)");
  EXPECT_FALSE(apply_pod_spec_patches(generated(), {patch("yaml", "{}")}));
  EXPECT_FALSE(apply_pod_spec_patches(generated(), {patch("json", R"([{"op":"remove","path":"/nope"}])")}));
  EXPECT_FALSE(apply_pod_spec_patches(generated(), {patch("", "containers:\n  - name: build\n")}));
}

}  // namespace
}  // namespace kexsim::executor
