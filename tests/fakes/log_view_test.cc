#include "fakes/gitlab/log_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/files.h"

namespace kexsim::fakes {
namespace {

using Lines = std::vector<std::string>;

// An FF_TIMESTAMPS header (gitlab-runner common/buildlogger/internal/timestamper): stream id,
// stream type and line type, e.g. ts("01E", '+').
std::string ts(std::string_view stream = "00O", char line_type = ' ') {
  return "2026-08-22T00:44:03.123456Z " + std::string(stream) + line_type;
}

std::string trace_file(const std::string& name) {
  auto text = read_file(std::string(KEXSIM_SOURCE_DIR) + "/tests/data/traces/" + name);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().describe());
  return text.ok() ? *text : std::string();
}

// Real runner traces, byte for byte, beside the job page's text of them.
class TraceFile : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceFile, PlainViewIsTheExpectedText) {
  const std::string name = GetParam();
  EXPECT_EQ(render_log_plain(trace_file(name + ".raw")), trace_file(name + ".txt"));
}

INSTANTIATE_TEST_SUITE_P(LogView, TraceFile, ::testing::Values("hello-19.4", "secrets-forbidden-13.12"));

TEST(LogView, TimestampedTraceJoinsContinuationsAndKeepsTheFinalProgress) {
  const auto lines = log_lines(trace_file("hello-19.4.raw"));
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Receiving objects: 100% (3/3), done."), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Preparing environment"), lines.end());
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("2026-08-22T"), std::string::npos) << l;
    EXPECT_EQ(l.find("section_"), std::string::npos) << l;
    EXPECT_EQ(l.find("33%"), std::string::npos) << l;
    EXPECT_EQ(l.find('\033'), std::string::npos) << l;
    EXPECT_EQ(l.find('\r'), std::string::npos) << l;
  }
}

TEST(LogView, UnterminatedLastLineOf1312IsNotALine) {
  // 13.12 writes the reset after the newline, so the trace ends in "\033[0;m" alone.
  const auto lines = log_lines(trace_file("secrets-forbidden-13.12.raw"));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "Running with gitlab-runner 13.12.0 (7a6612da)");
  EXPECT_EQ(lines[1], "  on k8s gVQMabxj");
  EXPECT_EQ(lines[5], "Preparing environment");
}

TEST(LogView, TerminalViewKeepsColoursAndCarriageReturns) {
  const std::string raw =
      ts() + "section_start:1787359443:get_sources\r\033[0K\n" + ts("00O", '+') +
      "\033[0K\033[36;1mGetting source from Git repository\033[0;m\033[0;m\n" + ts("01E") +
      "Receiving objects:  50% (1/2)\r\n" + ts("01E", '+') + "Receiving objects: 100% (2/2), done.\n" + ts() +
      "section_end:1787359444:get_sources\r\033[0K\n" + ts("00O", '+') + "\033[32;1mJob succeeded\033[0;m\n";
  EXPECT_EQ(render_log_terminal(raw),
            "\033[0K\033[36;1mGetting source from Git repository\033[0;m\033[0;m\n"
            "Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2), done.\n"
            "\033[32;1mJob succeeded\033[0;m\n");
  EXPECT_EQ(render_log_plain(raw),
            "Getting source from Git repository\nReceiving objects: 100% (2/2), done.\nJob succeeded\n");
}

TEST(LogView, TerminalViewOfAnUntimestampedTrace) {
  const std::string raw =
      "\033[0KRunning with gitlab-runner 13.12.0 (7a6612da)\n\033[0;m"
      "section_start:1620000000:prepare_executor\r\033[0K\033[0K\033[36;1mPreparing\033[0;m\n\033[0;m"
      "section_end:1620000000:prepare_executor\r\033[0K";
  EXPECT_EQ(render_log_terminal(raw),
            "\033[0KRunning with gitlab-runner 13.12.0 (7a6612da)\n"
            "\033[0;m\033[0K\033[36;1mPreparing\033[0;m\n\033[0;m");
  EXPECT_EQ(render_log_plain(raw), "Running with gitlab-runner 13.12.0 (7a6612da)\nPreparing\n");
}

TEST(LogView, ExecutorStyleTraceWithoutTimestamps) {
  const std::string trace =
      "section_start:1:get_sources\r\033[0K\033[0K\033[36;1mGetting source\033[0;m\033[0;m\n"
      "\033[32;1m$ echo hi\033[0;m\nhi\r\n"
      "progress 10%\rprogress 100%\n"
      "section_end:1:get_sources\r\033[0K"
      "\033[0Ksection_start:2:section_script_step_0[hide_duration=true,collapsed=true]\r\033[0Kx\n";
  EXPECT_EQ(render_log_plain(trace), "Getting source\n$ echo hi\nhi\nprogress 100%\nx\n");
  EXPECT_EQ(render_log_terminal(trace),
            "\033[0K\033[36;1mGetting source\033[0;m\033[0;m\n"
            "\033[32;1m$ echo hi\033[0;m\nhi\r\nprogress 10%\rprogress 100%\n\033[0Kx\n");
}

TEST(LogView, EmptyTrace) {
  EXPECT_EQ(render_log_plain(""), "");
  EXPECT_EQ(render_log_terminal(""), "");
  EXPECT_TRUE(log_lines("").empty());
}

TEST(LogView, LineWithoutTrailingNewline) {
  EXPECT_EQ(render_log_plain("a\nb"), "a\nb");
  EXPECT_EQ(log_lines("a\nb"), (Lines{"a", "b"}));
  EXPECT_EQ(render_log_plain(ts() + "a\n" + ts() + "b"), "a\nb");
  EXPECT_EQ(log_lines("a\n"), (Lines{"a"}));
}

TEST(LogView, EmptyLinesStay) {
  EXPECT_EQ(log_lines("a\n\nb\n"), (Lines{"a", "", "b"}));
  EXPECT_EQ(log_lines("\n"), (Lines{""}));
}

TEST(LogView, TimestampsOnAnEmptyLine) {
  EXPECT_EQ(log_lines(ts() + "a\n" + ts("01O") + "\n" + ts() + "b\n"), (Lines{"a", "", "b"}));
  // An empty continuation adds nothing to its line.
  EXPECT_EQ(log_lines(ts() + "a\r\n" + ts("00O", '+') + "\n" + ts() + "b\n"), (Lines{"a", "b"}));
  // A header alone, the trace cut right after it.
  EXPECT_EQ(log_lines(ts()), Lines{});
}

TEST(LogView, StreamIdsAndTypes) {
  EXPECT_EQ(log_lines(ts("00E") + "e\n" + ts("0fO") + "svc\n" + ts("ffE") + "x\n"), (Lines{"e", "svc", "x"}));
}

TEST(LogView, ContinuationJoinsTheLineBefore) {
  // The timestamper splits a line longer than 8 KiB; the page joins it again.
  EXPECT_EQ(log_lines(ts("01O") + "first half, \n" + ts("01O", '+') + "second half\n"),
            (Lines{"first half, second half"}));
  // A continuation at the very start has nothing to continue.
  EXPECT_EQ(log_lines(ts("01O", '+') + "alone\n"), (Lines{"alone"}));
}

TEST(LogView, TimestampsAreDetectedOnTheFirstLineOnly) {
  const std::string lookalike = ts() + "not a header here\n";
  EXPECT_EQ(log_lines("plain\n" + lookalike), (Lines{"plain", lookalike.substr(0, lookalike.size() - 1)}));
  // In a timestamped trace a line without a header (e.g. cut by a job log limit) is kept whole.
  EXPECT_EQ(log_lines(ts() + "a\nraw line\n"), (Lines{"a", "raw line"}));
}

TEST(LogView, MalformedHeadersAreText) {
  for (const std::string bad : {"2026-08-22T00:44:03.12345Z 00O x", "2026-08-22T00:44:03.123456Z 0GO x",
                                "2026-08-22T00:44:03.123456Z 00X x", "2026-08-22T00:44:03.123456Z 00Ox"}) {
    EXPECT_EQ(log_lines(bad + "\n"), (Lines{bad})) << bad;
  }
}

TEST(LogView, CarriageReturnNewlineIsANewline) { EXPECT_EQ(render_log_plain("hi\r\nthere\r\n"), "hi\nthere\n"); }

TEST(LogView, LoneCarriageReturnLetsLaterTextReplaceTheLine) {
  EXPECT_EQ(log_lines("Receiving objects:  50%\rReceiving objects: 100%\n"), (Lines{"Receiving objects: 100%"}));
  EXPECT_EQ(log_lines("a\rb\rc\n"), (Lines{"c"}));
  // Carriage returns with nothing after them change nothing (timestamper_test "Eat carriages").
  EXPECT_EQ(log_lines("PREFIX Eat carriages\r\r\r\r\r\r\r\n"), (Lines{"PREFIX Eat carriages"}));
  // An escape between the "\r" and the text does not stop the overwrite.
  EXPECT_EQ(log_lines("50%\r\033[0K100%\n"), (Lines{"100%"}));
  EXPECT_EQ(log_lines("\rstart\n"), (Lines{"start"}));
}

TEST(LogView, ProgressAcrossTimestampedContinuations) {
  // timestamper_test's progress bar: each "\r" write is its own entry, the next one a continuation.
  std::string raw = ts("ffE") + "PREFIX Progress bar: .\r\n";
  for (int i = 0; i < 9; ++i) raw += ts("ffE", '+') + ".\r\n";
  raw += ts("ffE", '+') + "Done.\r\n" + ts("ffE") + "PREFIX Another windows new-line\r\n";
  EXPECT_EQ(log_lines(raw), (Lines{"Done.", "PREFIX Another windows new-line"}));
}

TEST(LogView, SectionMarkersGo) {
  EXPECT_EQ(log_lines("section_start:1620000000:get_sources\r\033[0KGetting source\n"), (Lines{"Getting source"}));
  EXPECT_EQ(log_lines("section_start:1:section_script_step_0[hide_duration=true,collapsed=true]\r\033[0K$ x\n"),
            (Lines{"$ x"}));
  EXPECT_EQ(log_lines("section_start:1:s[collapsed=true, hide_duration=true]\r\033[0Kx\n"), (Lines{"x"}));
  EXPECT_EQ(log_lines("section_start:1:a.b-c_D9\r\033[0Kx\n"), (Lines{"x"}));
  EXPECT_EQ(log_lines("before section_end:1:x\r\033[0Kafter\n"), (Lines{"before after"}));
  EXPECT_EQ(log_lines("section_end:1:a\r\033[0Ksection_start:2:b\r\033[0K\033[0K\033[36;1mB\033[0;m\n"), (Lines{"B"}));
}

TEST(LogView, LinesThatHeldOnlyMarkersVanish) {
  // bash.go SectionEnd: printf '%b\n' section_end:...\r\033[0K, a line of its own.
  EXPECT_EQ(log_lines("hello\nsection_end:1:section_script_step_0\r\033[0K\nnext\n"), (Lines{"hello", "next"}));
  EXPECT_EQ(render_log_terminal("hello\nsection_end:1:x\r\033[0K\033[0;m\nnext\n"), "hello\nnext\n");
}

TEST(LogView, NearMarkersAreText) {
  // No "\r\033[0K": a script merely echoing a marker.
  EXPECT_EQ(log_lines("section_start:1:foo\n"), (Lines{"section_start:1:foo"}));
  // Not a number, a space in the name, an option without a value, an empty name.
  EXPECT_EQ(log_lines("section_start:x:foo\r\033[0K\n"), (Lines{"section_start:x:foo"}));
  EXPECT_EQ(log_lines("section_start:1:a b\r\033[0K\n"), (Lines{"section_start:1:a b"}));
  EXPECT_EQ(log_lines("section_start:1:a[collapsed]\r\033[0K\n"), (Lines{"section_start:1:a[collapsed]"}));
  EXPECT_EQ(log_lines("section_end:1:\r\033[0K\n"), (Lines{"section_end:1:"}));
  EXPECT_EQ(log_lines("section_start:1:a[collapsed=]\r\033[0K\n"), (Lines{"section_start:1:a[collapsed=]"}));
  EXPECT_EQ(log_lines("section_start:1:a[=true]\r\033[0K\n"), (Lines{"section_start:1:a[=true]"}));
  EXPECT_EQ(log_lines("section_start:1:a[x=1,]\r\033[0K\n"), (Lines{"section_start:1:a[x=1,]"}));
  EXPECT_EQ(log_lines("section_middle:1:a\r\033[0K\n"), (Lines{"section_middle:1:a"}));
}

TEST(LogView, MarkerSplitAcrossTimestampedEntries) {
  // The runner's marker write ends in "\r" and "\033[0K": split at the "\r" ...
  EXPECT_EQ(log_lines(ts() + "section_start:1:get_sources\r\n" + ts("00O", '+') + "\033[0KGetting source\n"),
            (Lines{"Getting source"}));
  // ... or by the 8 KiB buffer in the middle of the name.
  EXPECT_EQ(log_lines(ts() + "section_sta\n" + ts("00O", '+') + "rt:1:get_sources\r\033[0KGetting source\n"),
            (Lines{"Getting source"}));
  // A marker cut off at the end of the trace is text until the rest arrives.
  EXPECT_EQ(log_lines("a\nsection_start:1:get_sour"), (Lines{"a", "section_start:1:get_sour"}));
}

TEST(LogView, AnsiSequencesGo) {
  EXPECT_EQ(log_lines("\033[31;1mred\033[0;m \033[1m\033[4mb\033[0m\n"), (Lines{"red b"}));
  EXPECT_EQ(log_lines("\033[2K\033[1A\033[?25lx\033[?25h\n"), (Lines{"x"}));
  // OSC 8 hyperlinks, ended by ST or by BEL; a charset designation.
  EXPECT_EQ(log_lines("\033]8;;https://example.com\033\\link\033]8;;\033\\ \033]0;title\aok\033(B!\n"),
            (Lines{"link ok!"}));
  // A lone or cut-off escape at the end of a line.
  EXPECT_EQ(log_lines("a\033\nb\033[3\n"), (Lines{"a", "b"}));
  // The reset 13.12 writes after the newline starts the next line.
  EXPECT_EQ(log_lines("\033[0Kone\n\033[0;m\033[0Ktwo\n\033[0;m"), (Lines{"one", "two"}));
}

TEST(LogView, BytesThatAreNotEscapesStay) {
  EXPECT_EQ(log_lines("\tindent\n"), (Lines{"\tindent"}));
  EXPECT_EQ(log_lines("caf\xc3\xa9 \xe2\x9c\x94\n"), (Lines{"caf\xc3\xa9 \xe2\x9c\x94"}));
  EXPECT_EQ(log_lines("[MASKED] glpat-[MASKED]\n"), (Lines{"[MASKED] glpat-[MASKED]"}));
}

}  // namespace
}  // namespace kexsim::fakes
