#include "fakes/kube/attach.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "fakes/runtime/read_logs.h"
#include "fakes/runtime/shell.h"
#include "tests/support/manual_clock.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

class BareWorld : public ContainerWorld {
 public:
  Connected open(const std::string&, int, const TlsOptions*) override { return {}; }
  std::string etc_hosts() override { return ""; }
  std::string hostname() override { return "pod"; }
  const CommandSpec* command(const std::string&) override { return nullptr; }
};

class BareWorlds : public ContainerWorldFactory {
 public:
  std::unique_ptr<ContainerWorld> world_for(const json&, const std::string&) override {
    return std::make_unique<BareWorld>();
  }
};

json attach_pod() {
  const json mounts = json::array({{{"name", "scripts"}, {"mountPath", "/scripts-2-7"}},
                                   {{"name", "logs"}, {"mountPath", "/logs-2-7"}},
                                   {{"name", "repo"}, {"mountPath", "/builds"}}});
  return {{"metadata", {{"name", "pod"}, {"uid", "u1"}}},
          {"spec",
           {{"containers", json::array({{{"name", "build"}, {"volumeMounts", mounts}},
                                        {{"name", "helper"}, {"volumeMounts", mounts}}})}}}};
}

TEST(ReadLogsFormat, OffsetAfterEachLineAndForcedNewlines) {
  int64_t offset = 0;
  EXPECT_EQ(read_logs::format_from("hello\nwor", offset), "6 hello\n9 wor\n");
  EXPECT_EQ(offset, 9);
  EXPECT_EQ(read_logs::format_from("hello\nworld\n", offset), "12 ld\n");
  EXPECT_EQ(read_logs::format_from("hello\nworld\n", offset), "");
}

TEST(ReadLogsFormat, LongLinesComeInBufferSizedPieces) {
  const std::string line(read_logs::kReaderBufferSize + 10, 'x');
  int64_t offset = 0;
  const std::string out = read_logs::format_from(line + "\n", offset);
  EXPECT_EQ(out.rfind(std::to_string(read_logs::kReaderBufferSize) + " ", 0), 0u);
  EXPECT_NE(out.find("\n" + std::to_string(line.size() + 1) + " xxxxxxxxxx\n"), std::string::npos);
}

TEST(ReadLogsArgs, FlagsAndGoDurations) {
  auto a = read_logs::parse_args({"--path", "/logs-2-7/output.log", "--offset", "42", "--wait-file-timeout", "1m0s"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "/logs-2-7/output.log");
  EXPECT_EQ(a->offset, 42);
  EXPECT_EQ(a->wait_file_timeout, std::chrono::seconds(60));
  EXPECT_EQ(read_logs::open_attempts(a->wait_file_timeout), 60);
  EXPECT_EQ(read_logs::parse_go_duration("1h2m3s500ms"), Duration(std::chrono::milliseconds(3723500)));
  EXPECT_FALSE(read_logs::parse_go_duration("5"));
  EXPECT_FALSE(read_logs::parse_args({"--offset", "x"}));
  EXPECT_FALSE(read_logs::parse_args({"--follow"}));
}

TEST(AttachedShellsTest, RunsCompleteLinesOnly) {
  AttachedShells shells;
  EXPECT_TRUE(shells.feed("u1", "build", "echo a").empty());
  EXPECT_EQ(shells.feed("u1", "build", "\necho b\necho"), (std::vector<std::string>{"echo a", "echo b"}));
  EXPECT_TRUE(shells.feed("u1", "helper", "x").empty());  // each container has its own stdin
}

TEST(TimedAppends, LandAtTheTimeTheScriptWroteThem) {
  BareWorld world;
  ShellOptions options;
  options.volumes = make_volumes();
  options.volumes->fs.make_dir("/logs");
  options.timed_paths = {"/logs"};
  const ShellResult r = interpret("(echo one; sleep 2; echo two) 2>&1 | tee -a /logs/out.log\n", options, world);
  ASSERT_EQ(r.appends.size(), 2u);
  EXPECT_EQ(r.appends[1].at, std::chrono::seconds(2));
  shell::Volumes& v = *options.volumes;
  v.schedule(testing::kTestEpoch, r.appends);
  v.land_due(testing::kTestEpoch + std::chrono::seconds(1));
  EXPECT_EQ(v.fs.file("/logs/out.log")->content, "one\n");
  EXPECT_EQ(v.next_landing(), testing::kTestEpoch + std::chrono::seconds(2));
  v.land_due(testing::kTestEpoch + std::chrono::seconds(2));
  EXPECT_EQ(v.fs.file("/logs/out.log")->content, "one\ntwo\n");
}

// The attach strategy end to end on the fake's side: the runner's saved scripts, the typed
// command line, the log the trapping script writes.
TEST(AttachRunner, TypedStageWritesOutputAndExitStatusToTheLog) {
  testing::ManualClock clock;
  BareWorlds worlds;
  AttachedShells shells;
  auto volumes = make_volumes();
  const json pod = attach_pod();
  make_mount_dirs(pod, "build", *volumes);
  volumes->fs.write("/scripts-2-7/detect_shell_script", "if [ -x /bin/sh ]; then\n\texec /bin/sh $@\nfi\n", false);
  volumes->fs.file("/scripts-2-7/detect_shell_script")->executable = true;
  volumes->fs.write("/scripts-2-7/step_script",
                    "start_json=\"{\\\"script\\\": \\\"$0\\\"}\"\necho \"$start_json\"\n"
                    "runner_script_trap() {\n\texit_code=$?\n\tout_json=\"{\\\"command_exit_code\\\": $exit_code, "
                    "\\\"script\\\": \\\"$0\\\"}\"\n\n\techo \"\"\n\techo \"$out_json\"\n\texit 0\n}\n\n"
                    "trap runner_script_trap EXIT\nset -e\necho working\nsleep 3\nexit 4\n",
                    false);
  volumes->fs.file("/scripts-2-7/step_script")->executable = true;
  ExecRunner run = make_attach_runner(pod, "build", false, shells, worlds, clock, volumes);
  const ExecOutcome out = run(
      "sh -c '((/scripts-2-7/detect_shell_script /scripts-2-7/step_script; ec=$?; if [ $ec -ne 0 ]; then echo; echo "
      "\"{\\\"command_exit_code\\\": $ec, \\\"script\\\": \\\"/scripts-2-7/step_script\\\"}\"; fi) 2>&1 | tee -a "
      "/logs-2-7/output.log) &'\n");
  EXPECT_NE(out.status_json.find("Success"), std::string::npos);
  volumes->land_due(clock.now());
  EXPECT_EQ(volumes->fs.file("/logs-2-7/output.log")->content, "{\"script\": \"/scripts-2-7/step_script\"}\nworking\n");
  volumes->land_due(clock.now() + std::chrono::seconds(3));
  EXPECT_EQ(volumes->fs.file("/logs-2-7/output.log")->content,
            "{\"script\": \"/scripts-2-7/step_script\"}\nworking\n\n"
            "{\"command_exit_code\": 4, \"script\": \"/scripts-2-7/step_script\"}\n");
}

// Drains a follower until it ends or has given `polls` answers; returns what it printed.
std::string follow(ExecFollower& f, int polls, bool& ended) {
  asio::io_context io;
  std::string out;
  ended = false;
  auto fut = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < polls; ++i) {
          auto more = co_await f.next();
          if (!more) {
            ended = true;
            co_return;
          }
          out += *more;
        }
      },
      asio::use_future);
  io.run();
  fut.get();
  return out;
}

TEST(ReadLogsFollowerTest, FollowsTheFileFromTheOffsetAndEndsWhenItGoes) {
  testing::ManualClock clock;
  auto volumes = make_volumes();
  volumes->fs.make_dir("/logs-2-7");
  volumes->fs.write("/logs-2-7/output.log", "abc\ndef\n", false);
  const std::vector<std::string> cmd = {"gitlab-runner-helper", "read-logs", "--path",
                                        "/logs-2-7/output.log", "--offset",  "4",
                                        "--wait-file-timeout",  "1m0s"};
  ASSERT_TRUE(is_read_logs(cmd));
  ExecOutcome out = follow_read_logs(cmd, clock, volumes);
  ASSERT_TRUE(out.follow);
  bool ended = false;
  EXPECT_EQ(follow(*out.follow, 3, ended), "8 def\n");
  EXPECT_FALSE(ended);
  volumes->schedule(clock.now() + std::chrono::seconds(1), {FileAppend{Duration(0), "/logs-2-7/output.log", "g"}});
  EXPECT_EQ(follow(*out.follow, 4, ended), "9 g\n");  // lands after two polls of 500 ms
  volumes->fs.remove("/logs-2-7/output.log");
  EXPECT_EQ(follow(*out.follow, 5, ended), "");
  EXPECT_TRUE(ended);
  EXPECT_NE(out.follow->status_json().find("exit code 100"), std::string::npos);
}

TEST(ReadLogsFollowerTest, GivesUpWaitingForTheFile) {
  testing::ManualClock clock;
  auto volumes = make_volumes();
  const TimePoint start = clock.now();
  ExecOutcome out = follow_read_logs(
      {"gitlab-runner-helper", "read-logs", "--path", "/logs/x", "--wait-file-timeout", "3s"}, clock, volumes);
  bool ended = false;
  EXPECT_EQ(follow(*out.follow, 10, ended),
            "error reading logs from /logs/x: timeout waiting for file to be created\n");
  EXPECT_TRUE(ended);
  EXPECT_EQ(clock.now() - start, std::chrono::seconds(3));
  EXPECT_NE(out.follow->status_json().find("exit code 1"), std::string::npos);
}

TEST(ReadLogsFollowerTest, ADeletedPodEndsIt) {
  testing::ManualClock clock;
  auto volumes = make_volumes();
  volumes->fs.make_dir("/logs");
  volumes->fs.write("/logs/x", "", false);
  ExecOutcome out =
      follow_read_logs({"gitlab-runner-helper", "read-logs", "--path", "/logs/x"}, clock, std::weak_ptr(volumes));
  bool ended = false;
  follow(*out.follow, 2, ended);
  EXPECT_FALSE(ended);
  volumes.reset();
  follow(*out.follow, 2, ended);
  EXPECT_TRUE(ended);
}

}  // namespace
}  // namespace kexsim::fakes
