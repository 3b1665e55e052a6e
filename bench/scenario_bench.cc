// Whole-run benchmarks: the wall time of one scenario run, fakes and executor included (TLS
// identities come from the process-wide cache after the first run, as in `kexsim check`), and
// what making those identities costs without the cache.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "base/tls.h"
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

// What a world without IdentityCache would pay per run: hello's CA and its two servers' leaves.
void BM_FreshIdentitiesForHello(benchmark::State& state) {
  for (auto _ : state) {
    kexsim::IdentityCache cache;
    auto gitlab = cache.leaf("kexsim simulation CA", {"gitlab.example.com", "localhost", "127.0.0.1", "192.0.2.10"});
    auto kube = cache.leaf("kexsim simulation CA",
                           {"kubernetes.default.svc", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
                            "10.96.0.1", "localhost", "127.0.0.1", "10.96.0.1"});
    if (!gitlab || !kube) {
      state.SkipWithError("could not make the identities");
      return;
    }
    benchmark::DoNotOptimize(kube->get());
  }
}

}  // namespace

BENCHMARK(BM_Hello)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StartTimeout180VirtualSeconds)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SecretsForbidden)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FreshIdentitiesForHello)->Unit(benchmark::kMillisecond);
