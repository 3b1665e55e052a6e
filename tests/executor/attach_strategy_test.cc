#include "executor/attach_strategy.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(AttachStageStatus, ExitCodeAndScript) {
  auto s = parse_stage_status("{\"command_exit_code\": 3, \"script\": \"/scripts-2-7/step_script\"}\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->exit_code, 3);
  EXPECT_EQ(s->stage(), "step_script");
}

TEST(AttachStageStatus, StartLineHasOnlyTheScript) {
  auto s = parse_stage_status("{\"script\": \"/scripts-2-7/get_sources\"}\n");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->exit_code);
  EXPECT_EQ(s->stage(), "get_sources");
}

TEST(AttachStageStatus, ExitCodeWithoutScript) {
  auto s = parse_stage_status(R"({"command_exit_code": 0})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->exit_code, 0);
  EXPECT_EQ(s->stage(), "");
}

TEST(AttachStageStatus, EverythingElseIsJobOutput) {
  // shells.StageCommandStatus.TryUnmarshal: other JSON, null fields, wrong types and text are output.
  for (const char* line : {"hello\n", "", "{}", "[1]", "42", "{\"command_exit_code\": null, \"script\": null}",
                           "{\"command_exit_code\": \"1\"}", "{\"script\": 5}", "{\"command_exit_code\": 1.5}",
                           "{\"other\": 1}", "{\"command_exit_code\": 1"})
    EXPECT_FALSE(parse_stage_status(line)) << line;
}

TEST(AttachLogLineReader, TakesTheOffsetOffAndKeepsTheNewline) {
  LogLineReader reader;
  auto lines = reader.feed("6 hello\n12 world\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "hello\n");
  EXPECT_EQ(lines[1], "world\n");
  EXPECT_EQ(reader.offset(), 12);
}

TEST(AttachLogLineReader, LinesArriveInPieces) {
  LogLineReader reader;
  EXPECT_TRUE(reader.feed("6 hel").empty());
  auto lines = reader.feed("lo\n1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "hello\n");
  lines = reader.feed("2 world\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(reader.offset(), 12);
}

TEST(AttachLogLineReader, TheFirstLineOfAConnectionIsNeverTrimmed) {
  // No previous offset yet (-1): "abc" read at EOF keeps its forced newline.
  LogLineReader reader;
  auto lines = reader.feed("3 abc\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "abc\n");
}

TEST(AttachLogLineReader, ForcedNewlineIsRemovedWhenLongerThanTheAdvance) {
  LogLineReader reader;
  reader.feed("4 abc\n");               // "abc\n": 4 bytes, real newline
  auto lines = reader.feed("7 def\n");  // "def" read at EOF: advanced 3, line "def\n" is 4 long
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "def");
  lines = reader.feed("11 ghi\n");  // the rest of that line: "ghi\n", advanced 4
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "ghi\n");
}

TEST(AttachLogLineReader, LinesWithoutAnOffsetPassThrough) {
  LogLineReader reader(40);
  auto lines = reader.feed("error reading logs from /logs-2-7/output.log: boom\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "error reading logs from /logs-2-7/output.log: boom\n");
  EXPECT_EQ(reader.offset(), 40);
}

TEST(AttachLogLineReader, ReconnectResumesFromTheLastOffset) {
  LogLineReader reader;
  reader.feed("6 hello\n9 wo");  // the connection drops inside a line
  reader.reconnect();
  EXPECT_EQ(reader.offset(), 6);
  auto lines = reader.feed("12 world\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "world\n");
}

TEST(AttachBackoff, DoublesFromTwoSecondsUpToThirty) {
  EXPECT_EQ(read_logs_backoff(1), std::chrono::seconds(2));
  EXPECT_EQ(read_logs_backoff(2), std::chrono::seconds(4));
  EXPECT_EQ(read_logs_backoff(4), std::chrono::seconds(16));
  EXPECT_EQ(read_logs_backoff(5), std::chrono::seconds(30));
  EXPECT_EQ(read_logs_backoff(50), std::chrono::seconds(30));
}

TEST(AttachPaths, DefaultAndConfiguredBaseDirs) {
  const AttachPaths p = attach_paths(2, 7, "", "");
  EXPECT_EQ(p.scripts_dir, "/scripts-2-7");
  EXPECT_EQ(p.log_file(), "/logs-2-7/output.log");
  const AttachPaths q = attach_paths(2, 7, "/tmp//", "/var/log\\");
  EXPECT_EQ(q.scripts_dir, "/tmp/scripts-2-7");
  EXPECT_EQ(q.logs_dir, "/var/log/logs-2-7");
}

TEST(AttachStageCommand, BuildStagesRunInTheBackgroundWithAFallbackMarker) {
  const auto cmd = stage_command(attach_paths(2, 7, "", ""), "step_script", false);
  ASSERT_EQ(cmd.size(), 3u);
  EXPECT_EQ(cmd[0], "sh");
  EXPECT_EQ(cmd[1], "-c");
  EXPECT_EQ(cmd[2],
            "'((/scripts-2-7/detect_shell_script /scripts-2-7/step_script; ec=$?; if [ $ec -ne 0 ]; then echo; echo "
            "\"{\\\"command_exit_code\\\": $ec, \\\"script\\\": \\\"/scripts-2-7/step_script\\\"}\"; fi) 2>&1 | tee -a "
            "/logs-2-7/output.log) &'");
}

TEST(AttachStageCommand, PredefinedStagesGoThroughGitlabRunnerBuild) {
  const auto cmd = stage_command(attach_paths(2, 7, "", ""), "get_sources", true);
  EXPECT_EQ(cmd, (std::vector<std::string>{"gitlab-runner-build", "<<<", "/scripts-2-7/get_sources",
                                           "2>&1 | tee -a /logs-2-7/output.log"}));
}

TEST(AttachReadLogs, CommandAsTheLogStreamerBuildsIt) {
  EXPECT_EQ(read_logs_command(attach_paths(2, 7, "", ""), 128),
            (std::vector<std::string>{"gitlab-runner-helper", "read-logs", "--path", "/logs-2-7/output.log", "--offset",
                                      "128", "--wait-file-timeout", "1m0s"}));
}

TEST(AttachScripts, TrappedScriptAnnouncesAndReportsItself) {
  const std::string s = trapped_script(Profile::kV19_4, "echo hi\n");
  EXPECT_EQ(s.rfind("trap 'exit 1' TERM\n\n", 0), 0u);
  EXPECT_NE(s.find("start_json=\"{\\\"script\\\": \\\"$0\\\"}\"\necho \"$start_json\"\n"), std::string::npos);
  EXPECT_NE(s.find("trap runner_script_trap EXIT\necho hi\n"), std::string::npos);
  EXPECT_NE(detect_shell_file_script().find("\texec /bin/sh $@\n"), std::string::npos);
  EXPECT_EQ(save_script("/scripts-2-7/x", "a'b"),
            "printf '%s\\n' 'a'\\''b' > /scripts-2-7/x.tmp\nchmod 777 /scripts-2-7/x.tmp\n"
            "mv /scripts-2-7/x.tmp /scripts-2-7/x\n");
}

TEST(AttachScripts, TheTermTrapPerRelease) {
  // shells/bash.go bashExitOnScriptTerminationSignal: none before 17.4, `trap exit 1 TERM` 17.4-19.0,
  // quoted from 19.1; the JSON announcement follows it (or opens the script).
  const std::string announce = "start_json=";
  EXPECT_EQ(trapped_script(Profile::kV16_11, "").rfind(announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile(17, 3), "").rfind(announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile(17, 4), "").rfind("trap exit 1 TERM\n\n" + announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile(19, 0), "").rfind("trap exit 1 TERM\n\n" + announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile(19, 1), "").rfind("trap 'exit 1' TERM\n\n" + announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile::kV17_11, "").rfind("trap exit 1 TERM\n\n" + announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile::kV18_11, "").rfind("trap exit 1 TERM\n\n" + announce, 0), 0u);
  EXPECT_EQ(trapped_script(Profile::kV19_4, "").rfind("trap 'exit 1' TERM\n\n" + announce, 0), 0u);
}

TEST(AttachScripts, CancellationScriptFindsTheStageByItsCommandLine) {
  EXPECT_EQ(stage_cancellation_script("step_script"),
            "kill -TERM $(for item in $(for prc in /proc/[0-9]*/cmdline; do (printf \"$prc \"; cat -A \"$prc\") | "
            "sed 's/\\^@/ /g;s|/proc/||;s|/cmdline||'; echo; done | grep -e 'step_script $' | awk '{print $1}'); do "
            "test -f /proc/${item}/task/${item}/children && cat /proc/${item}/task/${item}/children && echo; done) 2> "
            "/dev/null");
}

TEST(AttachStrategyChoice, ProfileAndFlag) {
  FeatureFlagValues none;
  EXPECT_TRUE(uses_attach_strategy(Profile::kV19_4, none));
  EXPECT_FALSE(uses_attach_strategy(Profile::kV13_12, none));
  FeatureFlagValues legacy;
  legacy.values.push_back({"FF_USE_LEGACY_KUBERNETES_EXECUTION_STRATEGY", true});
  EXPECT_FALSE(uses_attach_strategy(Profile::kV19_4, legacy));
}

}  // namespace
}  // namespace kexsim::executor
