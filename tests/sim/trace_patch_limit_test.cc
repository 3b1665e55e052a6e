// The runner sends a long job log in trace PATCHes of at most 1 MiB (network/trace.go sendPatch,
// common.DefaultTracePatchLimit), each going on where the last left off; GitLab gets it whole.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {
namespace {

/// Notes the Content-Range and body size of every trace PATCH GitLab receives, then answers as `inner`.
class TracePatchRecorder : public fakes::HttpHandler {
 public:
  struct Patch {
    std::string range;
    size_t size;
  };
  TracePatchRecorder(fakes::HttpHandler& inner, std::shared_ptr<std::vector<Patch>> seen)
      : inner_(inner), seen_(std::move(seen)) {}
  fakes::HttpResponse handle(const fakes::HttpRequest& request) override {
    if (request.method == "PATCH" && request.path.ends_with("/trace")) {
      const auto it = request.headers.find("content-range");
      seen_->push_back({it == request.headers.end() ? "" : it->second, request.body.size()});
    }
    return inner_.handle(request);
  }

 private:
  fakes::HttpHandler& inner_;
  std::shared_ptr<std::vector<Patch>> seen_;
};

TEST(TracePatchLimit, ALongLogGoesInContiguousPatchesOfAtMostOneMiB) {
  auto scenario = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/scenarios/jobs/trace-patch-limit.toml");
  ASSERT_TRUE(scenario) << scenario.error().describe();
  auto seen = std::make_shared<std::vector<TracePatchRecorder::Patch>>();
  RunOptions options;
  options.hooks.world.wrap_handler = [seen](const std::string&, fakes::HttpHandler& inner, Clock&) {
    // Every listener is wrapped; only GitLab's sees trace PATCHes.
    return std::make_unique<TracePatchRecorder>(inner, seen);
  };
  auto run = run_scenario(*scenario, options);
  ASSERT_TRUE(run) << run.error().describe();
  ASSERT_TRUE(run->passed()) << run->error;

  constexpr size_t kLimit = 1024 * 1024;
  // The script's 1.2 MB arrive within one tick: that tick's PATCH is cut at 1 MiB, the next sends the rest.
  size_t next = 0;
  size_t full = 0;
  std::string ranges;
  for (const auto& p : *seen) {
    ranges += " " + p.range;
    EXPECT_LE(p.size, kLimit) << p.range;
    EXPECT_EQ(p.range, std::to_string(next) + "-" + std::to_string(next + p.size - 1));
    next += p.size;
    full += p.size == kLimit;
  }
  EXPECT_EQ(full, 1u) << ranges;
  EXPECT_EQ(next, run->trace.size()) << ranges;
}

}  // namespace
}  // namespace kexsim::sim
