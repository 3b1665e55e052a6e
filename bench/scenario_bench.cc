// Whole-run benchmarks: the wall time of one scenario run, fakes and executor included.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace {

void run_file(benchmark::State& state, const char* relative) {
  auto scenario = kexsim::sim::load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/" + relative);
  if (!scenario) {
    state.SkipWithError(scenario.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto result = kexsim::sim::run_scenario(*scenario);
    if (!result || !result->passed()) {
      state.SkipWithError("the scenario did not pass");
      return;
    }
    benchmark::DoNotOptimize(result->digest);
  }
}

void BM_Hello(benchmark::State& state) { run_file(state, "scenarios/basics/hello.toml"); }
void BM_StartTimeout180VirtualSeconds(benchmark::State& state) { run_file(state, "scenarios/pods/start-timeout.toml"); }
void BM_SecretsForbidden(benchmark::State& state) { run_file(state, "scenarios/rbac/secrets-forbidden.toml"); }

}  // namespace

BENCHMARK(BM_Hello)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StartTimeout180VirtualSeconds)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SecretsForbidden)->Unit(benchmark::kMillisecond);
