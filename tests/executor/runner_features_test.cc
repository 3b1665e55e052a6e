// The `info.features` each release advertises (common/network.go FeaturesInfo and its setters).

#include "executor/runner_features.h"

#include <string>

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

std::string true_ones(Profile p) {
  std::string out;
  for (const auto& f : runner_features(p))
    if (f.value) out += std::string(out.empty() ? "" : " ") + std::string(f.name);
  return out;
}

TEST(RunnerFeatures, NineteenFourSetsAllButThree) {
  const auto all = runner_features(Profile::kV19_4);
  ASSERT_EQ(all.size(), 31u);
  EXPECT_EQ(all.front().name, "variables");
  EXPECT_EQ(all.back().name, "job_inputs");
  std::string off;
  for (const auto& f : all)
    if (!f.value) off += std::string(off.empty() ? "" : " ") + std::string(f.name);
  EXPECT_EQ(off, "shared service_executor_opts");
  EXPECT_NE(true_ones(Profile::kV19_4).find("cancel_gracefully"), std::string::npos);
}

TEST(RunnerFeatures, ThirteenTwelve) {
  EXPECT_EQ(runner_features(Profile::kV13_12).size(), 22u);
  EXPECT_EQ(true_ones(Profile::kV13_12),
            "variables image services artifacts cache upload_multiple_artifacts upload_raw_artifacts session "
            "terminal refspecs masking proxy raw_variables artifacts_exclude multi_build_steps trace_reset "
            "trace_checksum trace_size vault_secrets cancelable return_exit_code");
}

TEST(RunnerFeatures, ReleasesInBetween) {
  const auto json17 = runner_features_json(Profile::kV17_11);
  EXPECT_EQ(json17["image_executor_opts"], false);  // featuresFn sets it from 18.3
  EXPECT_EQ(json17["native_steps_integration"], false);
  EXPECT_FALSE(json17.contains("two_phase_job_commit"));
  const auto json18 = runner_features_json(Profile::kV18_11);
  EXPECT_EQ(json18["image_executor_opts"], true);
  EXPECT_EQ(json18["two_phase_job_commit"], true);
  EXPECT_EQ(json18["job_inputs"], true);
  EXPECT_EQ(json18["native_steps_integration"], false);
  EXPECT_EQ(runner_features_json(Profile::kV16_11)["cancel_gracefully"], true);
  EXPECT_FALSE(runner_features_json(Profile::kV15_11).contains("cancel_gracefully"));
}

}  // namespace
}  // namespace kexsim::executor
