// A run that cannot complete ends as an infrastructure error (exit 4) that names the scenario, the
// seed and what was in flight: an exception in a fake's handler, in the executor or in the shell
// model, and a leaked or negative in-flight count. Never an abort, never a hang, nothing left behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/files.h"
#include "sim/cli.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "tests/support/temp_dir.h"

namespace kexsim::sim {
namespace {

namespace fs = std::filesystem;

std::string library(const std::string& relative) { return std::string(KEXSIM_SOURCE_DIR) + "/scenarios/" + relative; }

/// Points TMPDIR at a fresh directory for one test, so the test can see what a run leaves there.
class PrivateTmp {
 public:
  PrivateTmp() {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir_.path().c_str(), 1);
  }
  ~PrivateTmp() {
    if (old_)
      setenv("TMPDIR", old_->c_str(), 1);
    else
      unsetenv("TMPDIR");
  }
  /// What is in the directory now.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  testing::TestDir dir_{"kexsim-run-error-test"};
  std::optional<std::string> old_;
};

/// A handler that answers like `inner`, except that `act` runs first on every request.
class Intercepting : public fakes::HttpHandler {
 public:
  Intercepting(fakes::HttpHandler& inner, std::function<void(const fakes::HttpRequest&)> act)
      : inner_(inner), act_(std::move(act)) {}
  fakes::HttpResponse handle(const fakes::HttpRequest& request) override {
    act_(request);
    return inner_.handle(request);
  }

 private:
  fakes::HttpHandler& inner_;
  std::function<void(const fakes::HttpRequest&)> act_;
};

/// Runs basics/hello with the given options and checks what every run error must carry.
RunResult run_broken_hello(RunOptions options, const std::string& what) {
  PrivateTmp tmp;
  auto scenario = load_scenario(library("basics/hello.toml"));
  EXPECT_TRUE(scenario) << scenario.error().describe();
  if (!scenario) return {};
  auto run = run_scenario(*scenario, options);
  EXPECT_TRUE(run) << run.error().describe();
  if (!run) return {};
  EXPECT_EQ(exit_code_of(*run), kExitInfrastructure) << run->error;
  EXPECT_FALSE(run->passed());
  EXPECT_NE(run->error.find(what), std::string::npos) << run->error;
  EXPECT_NE(run->error.find("scenario basics/hello, --seed 1 "), std::string::npos) << run->error;
  EXPECT_NE(run->error.find("in flight when it stopped: "), std::string::npos) << run->error;
  EXPECT_NE(run->error.find("last Kubernetes API calls:"), std::string::npos) << run->error;
  EXPECT_NE(run->error.find("last GitLab calls:"), std::string::npos) << run->error;
  EXPECT_NE(run->error.find("hint: this is a kexsim bug"), std::string::npos) << run->error;
  EXPECT_TRUE(tmp.entries().empty()) << "left in TMPDIR: " << tmp.entries().front();
  return *run;
}

TEST(RunError, AnExceptionInAFakeHandlerEndsTheRunWithExit4) {
  RunOptions options;
  options.hooks.world.wrap_handler = [](const std::string& serves, fakes::HttpHandler& inner, Clock&) {
    return std::make_unique<Intercepting>(inner, [serves](const fakes::HttpRequest& r) {
      if (serves == "kubernetes" && r.method == "POST" && r.path.find("/pods") != std::string::npos)
        throw std::runtime_error("injected: the API server's pod handler failed");
    });
  };
  RunResult run =
      run_broken_hello(options, "an exception escaped the simulation: injected: the API server's pod handler failed");
  // The calls before the failure are there to read: the job was requested, the version asked for.
  EXPECT_NE(run.error.find("GET /version 200"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("POST /api/v4/jobs/request"), std::string::npos) << run.error;
}

/// A dialer that connects like `inner` until `fail_at`, then throws, as a bug in the executor's
/// transport would.
class ThrowingDialer : public executor::Dialer {
 public:
  ThrowingDialer(executor::Dialer& inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string& host, uint16_t port) override {
    const std::string name = host;  // by value: the caller's string is not ours to keep across a suspension
    if (++dials_ == fail_at_) throw std::logic_error("injected: the executor's dial failed");
    co_return co_await inner_.dial(name, port);
  }
  void add_default_trust(ssl_ctx_st* ctx) override { inner_.add_default_trust(ctx); }

 private:
  executor::Dialer& inner_;
  int fail_at_;
  int dials_ = 0;
};

TEST(RunError, AnExceptionInTheExecutorEndsTheRunWithExit4) {
  RunOptions options;
  options.hooks.wrap_dialer = [](executor::Dialer& inner) { return std::make_unique<ThrowingDialer>(inner, 2); };
  run_broken_hello(options, "an exception escaped the executor: injected: the executor's dial failed");
}

/// Container worlds whose every exec fails before the shell starts.
class BrokenWorlds : public fakes::ContainerWorldFactory {
 public:
  std::unique_ptr<fakes::ContainerWorld> world_for(const nlohmann::json&, const std::string&) override {
    throw std::runtime_error("injected: the container world could not be built");
  }
};

TEST(RunError, AnExceptionInTheShellModelEndsTheRunWithExit4) {
  RunOptions options;
  options.hooks.world.wrap_worlds = [](fakes::ContainerWorldFactory&) { return std::make_unique<BrokenWorlds>(); };
  RunResult run = run_broken_hello(
      options, "an exception escaped the simulation: injected: the container world could not be built");
  // It happened in an exec: the pod was created and ran.
  EXPECT_NE(run.error.find("/exec?"), std::string::npos) << run.error;
}

TEST(RunError, ALeakedInFlightCountEndsTheRunWithExit4InsteadOfHanging) {
  RunOptions options;
  options.stall_timeout = std::chrono::milliseconds(20);  // a watchdog bound, not a sleep
  options.hooks.world.wrap_handler = [](const std::string& serves, fakes::HttpHandler& inner, Clock& clock) {
    auto leaked = std::make_shared<bool>(false);
    return std::make_unique<Intercepting>(inner, [serves, &clock, leaked](const fakes::HttpRequest&) {
      if (serves == "gitlab" && !*leaked) clock.io_begin();  // an io_begin nobody will end
      *leaked = true;
    });
  };
  RunResult run = run_broken_hello(options, " s while 1 request/message is in flight (unbalanced io_begin/io_end)");
  EXPECT_EQ(run.error.rfind("no progress for 0.", 0), 0u) << run.error;
  EXPECT_NE(run.error.find("in flight when it stopped: 1\n"), std::string::npos) << run.error;
}

TEST(RunError, ANegativeInFlightCountIsReportedAsABug) {
  RunOptions options;
  options.hooks.world.wrap_handler = [](const std::string& serves, fakes::HttpHandler& inner, Clock& clock) {
    auto paid = std::make_shared<bool>(false);
    return std::make_unique<Intercepting>(inner, [serves, &clock, paid](const fakes::HttpRequest&) {
      if (serves == "gitlab" && !*paid) clock.io_end();  // an io_end without its io_begin
      *paid = true;
    });
  };
  run_broken_hello(options, "an io_end() without its io_begin() (unbalanced io_begin/io_end)");
}

TEST(RunError, AJobThatNeverFinishesInVirtualTimeExits4ThroughTheCommandLine) {
  // start-timeout with a poll_timeout beyond the run's 3-hour limit: the run, not the job, gives up.
  auto text = read_file(library("pods/start-timeout.toml"));
  ASSERT_TRUE(text) << text.error().describe();
  std::string scenario = *text;
  scenario.replace(scenario.find("poll_interval = 3\n"), 18, "poll_interval = 1800\n");
  scenario.replace(scenario.find("poll_timeout = 180\n"), 19, "poll_timeout = 36000\n");
  // ... and a job timeout beyond it too, so that the runner does not end the job at 1 h.
  scenario.replace(scenario.find("[[gitlab.jobs]]\n"), 16, "[[gitlab.jobs]]\ntimeout = 86400\n");
  testing::TestDir dir;
  const std::string path = dir.file("never-finishes.toml");
  ASSERT_TRUE(write_file(path, scenario));

  for (const std::string command : {"run", "check"}) {
    std::vector<std::string> args = {"kexsim", command, "--no-color", "--seed", "7", path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    const int code = run_cli(static_cast<int>(argv.size()), argv.data());
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(code, kExitInfrastructure) << command << ":\n" << out;
    EXPECT_NE(out.find("run error: virtual time limit reached after 1"), std::string::npos) << out;
    EXPECT_NE(out.find("scenario " + dir.path().filename().string() + "/start-timeout, --seed 7 "), std::string::npos)
        << out;
  }
}

}  // namespace
}  // namespace kexsim::sim
