// Scale benchmarks: N hello jobs at once (concurrent = N) against one fake cluster, in one run, to
// show how the cost grows with N (BENCHMARKS.md). 10 and 100 jobs run by default; 1000 jobs takes
// tens of seconds and runs only when KEXSIM_BENCH_1000=1 is set.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/files.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace {

/// bench/scale/jobs.toml.in with @N@ replaced by the number of jobs.
std::string scale_scenario(int64_t jobs, std::string& error) {
  auto text = kexsim::read_file(std::string(KEXSIM_SOURCE_DIR) + "/bench/scale/jobs.toml.in");
  if (!text) {
    error = text.error().message;
    return {};
  }
  std::string out = *text;
  const std::string n = std::to_string(jobs);
  for (size_t at = 0; (at = out.find("@N@", at)) != std::string::npos; at += n.size()) out.replace(at, 3, n);
  return out;
}

void BM_Jobs(benchmark::State& state) {
  std::string error;
  const std::string text = scale_scenario(state.range(0), error);
  auto scenario = error.empty() ? kexsim::sim::parse_scenario(text, "bench/scale/jobs.toml.in")
                                : kexsim::Result<kexsim::sim::Scenario>(kexsim::make_error(error));
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
  state.counters["per_job_ms"] =
      benchmark::Counter(static_cast<double>(state.range(0)) / 1000.0,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

const bool kJobs1000 = [] {
  const char* wanted = std::getenv("KEXSIM_BENCH_1000");
  if (wanted && std::string(wanted) == "1")
    benchmark::RegisterBenchmark("BM_Jobs", BM_Jobs)->Arg(1000)->Unit(benchmark::kSecond)->Iterations(1);
  return true;
}();

}  // namespace

BENCHMARK(BM_Jobs)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);
