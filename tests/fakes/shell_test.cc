// The shell model: language, built-ins, tool models, timing and exit status.

#include <gtest/gtest.h>

#include "fakes/runtime/shell.h"
#include "fakes/runtime/tools.h"
#include "tests/fakes/runtime_test_world.h"

namespace kexsim::fakes {
namespace {

using runtime_testing::stream_text;
using runtime_testing::TestWorld;
using runtime_testing::transcript;
using Kind = ConnectOutcome::Kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ShellTest : public ::testing::Test {
 protected:
  ShellResult run(const std::string& script) { return interpret(script, options, world); }
  std::string out(const std::string& script) { return stream_text(run(script), 1); }

  TestWorld world;
  ShellOptions options;
};

TEST_F(ShellTest, SingleQuotesKeepEscapeBytes) {
  const std::string esc = "\033";
  const ShellResult r = run("printf '%s\\n' '" + esc + "[32;1m$ echo hi" + esc + "[0;m'\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 1), esc + "[32;1m$ echo hi" + esc + "[0;m\n");
}

TEST_F(ShellTest, QuotingAndEscapes) {
  EXPECT_EQ(out("echo \"a \\\"b\\\" \\$c \\\\ d\" 'e $f' g\\ h \\$i\n"), "a \"b\" $c \\ d e $f g h $i\n");
  EXPECT_EQ(out("echo $'x\\ty\\x41\\e'\n"), "x\ty\x41\033\n");
  EXPECT_EQ(out("echo $'it\\'s' $'\\101\\?\\\\' x\n"), "it's A?\\ x\n");
  const ShellResult open = run("echo $'no end\\'\n");
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(stream_text(open, 2).find("unterminated quoted string"), std::string::npos) << stream_text(open, 2);
  EXPECT_EQ(out("echo \"multi\nline\" one\\\n two\n"), "multi\nline one two\n");
  EXPECT_EQ(out("echo a # comment\n# whole line\necho b#c\n"), "a\nb#c\n");
}

TEST_F(ShellTest, EchoAndPrintf) {
  EXPECT_EQ(out("echo -n a; echo b\n"), "ab\n");
  EXPECT_EQ(out("echo -e 'x\\ty\\n\\033[0m\\e!'\n"), "x\ty\n\033[0m\033!\n");
  EXPECT_EQ(out("echo 'no\\tescape'\n"), "no\\tescape\n");
  EXPECT_EQ(out("printf '%s=%d;' a 1 b 2 c\n"), "a=1;b=2;c=0;");
  EXPECT_EQ(out("printf '%b|%%|%5s|%-3s|%03d\\n' 'x\\ny' r l 7\n"), "x\ny|%|    r|l  |007\n");
  EXPECT_EQ(out("printf '\\033[0K\\e[1m\\\\\\n'\n"), "\033[0K\033[1m\\\n");
  EXPECT_EQ(out("printf 'plain'\n"), "plain");
}

TEST_F(ShellTest, Variables) {
  options.env["GREETING"] = "hi there";
  EXPECT_EQ(out("echo \"$GREETING\" ${GREETING} ${NOPE:-dflt} ${NOPE-x} ${GREETING:+set} \"${EMPTY:-}\"\n"),
            "hi there hi there dflt x set \n");
  EXPECT_EQ(out("A=1; B=\"$A two\"; echo \"$B\" $0 ${#B}\n"), "1 two sh 5\n");
  EXPECT_EQ(out("false; echo $?; true; echo $?\n"), "1\n0\n");
  EXPECT_EQ(out("v=archive.tar.gz; echo ${v%.*} ${v%%.*} ${v#*.} ${v##*.}\n"), "archive.tar archive tar.gz gz\n");
  EXPECT_EQ(out("X=a; unset X; echo \"[${X}]\"; : ${Y:=set}; echo $Y\n"), "[]\nset\n");
  EXPECT_EQ(out("echo $((2 + 3 * 4)) $(( (1 << 4) % 7 ))\n"), "14 2\n");
}

TEST_F(ShellTest, ExportAndEnv) {
  options.env["CI"] = "true";
  EXPECT_EQ(out("LOCAL=1\nexport A=b\nexport LOCAL\nenv\n"), "A=b\nCI=true\nLOCAL=1\n");
  EXPECT_EQ(out("X=1 printenv X; printenv X || echo unset\n"), "1\nunset\n");
  EXPECT_EQ(out("export V='x y'; sh -c 'echo \"$V\" $0' name\n"), "x y name\n");
}

TEST_F(ShellTest, WordSplittingOfUnquotedExpansions) {
  EXPECT_EQ(out("X='a  b   c'; for w in $X; do echo \"<$w>\"; done; echo \"$X\"\n"), "<a>\n<b>\n<c>\na  b   c\n");
  EXPECT_EQ(out("set -- one 'two three'; for a in \"$@\"; do echo \"<$a>\"; done; echo $#\n"),
            "<one>\n<two three>\n2\n");
  EXPECT_EQ(out("E=''; for a in $E \"$E\"; do echo \"<$a>\"; done\n"), "<>\n");
}

TEST_F(ShellTest, CommandSubstitution) {
  EXPECT_EQ(out("x=$(echo a; echo b; echo); echo \"[$x]\"\n"), "[a\nb]\n");
  EXPECT_EQ(out("echo \"Running on $(hostname) via runner-1...\"\n"),
            "Running on runner-abc-project-1-concurrent-0-xyz via runner-1...\n");
  EXPECT_EQ(out("echo `echo back` $(echo $(echo nested))\n"), "back nested\n");
}

TEST_F(ShellTest, RedirectionsAndFiles) {
  const ShellResult r =
      run("echo one > /tmp/f\necho two >> /tmp/f\ncat /tmp/f\n"
          "echo hidden >/dev/null\necho err >&2\n{ echo both; echo err2 >&2; } 2>&1\n"
          "echo gone 2>/dev/null 1>&2 >/dev/null\ncat < /dev/null\ncat <<EOF\nhere $HOSTNAME_X done\nEOF\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(transcript(r), "0 1: one\ntwo\n0 2: err\n0 1: both\nerr2\nhere  done\n");
}

TEST_F(ShellTest, MissingFilesAndDirectories) {
  const ShellResult r = run("cat /nope\necho \"$?\"\necho x > /no/dir/f\necho \"$?\"\n");
  EXPECT_EQ(stream_text(r, 2),
            "cat: can't open '/nope': No such file or directory\nsh: can't create /no/dir/f: nonexistent directory\n");
  EXPECT_EQ(stream_text(r, 1), "1\n1\n");
}

TEST_F(ShellTest, PipesIntoTeeAndCat) {
  const ShellResult r =
      run("set -o pipefail\n"
          "{ echo a; sleep 1; echo b >&2; } 2>&1 | tee -a /tmp/log | cat\n"
          "cat /tmp/log\n"
          "false | cat; echo \"pipefail=$?\"\n"
          "set +o pipefail; false | cat; echo \"plain=$?\"\n");
  EXPECT_EQ(transcript(r), "0 1: a\n1000 1: b\na\nb\npipefail=1\nplain=0\n");
}

TEST_F(ShellTest, GrepHeadTailWc) {
  EXPECT_EQ(out("printf 'a1\\nb2\\na3\\n' > /tmp/x\ngrep a /tmp/x | wc -l; grep -c '^b' /tmp/x; "
                "head -n 1 /tmp/x; tail -1 /tmp/x; grep -q zz /tmp/x || echo none\n"),
            "2\n1\na1\na3\nnone\n");
  EXPECT_EQ(out("echo hello | { read -r word; echo \"got $word\"; }\n"), "got hello\n");
}

TEST_F(ShellTest, ErrexitStopsAtTheFirstFailure) {
  const ShellResult r = run("set -e\necho one\nfalse\necho two\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stream_text(r, 1), "one\n");
}

TEST_F(ShellTest, ErrexitIgnoresConditionsAndNonFinalListMembers) {
  const ShellResult r =
      run("set -e\n"
          "false || echo recovered\n"
          "false && echo never\n"
          "if false; then echo never; else echo else; fi\n"
          "! true\n"
          "while false; do :; done\n"
          "f() { false; echo in-f; }\nf || echo f-failed\n"
          "echo end\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(stream_text(r, 1), "recovered\nelse\nin-f\nend\n");
}

TEST_F(ShellTest, ErrexitForms) {
  for (const char* form : {"set -e", "set -o errexit", "set -eo pipefail", "set -eu"}) {
    const ShellResult r = run(std::string(form) + "\nx=$(exit 3)\necho after\n");
    EXPECT_EQ(r.exit_code, 3) << form;
    EXPECT_EQ(stream_text(r, 1), "") << form;
  }
  const ShellResult r = run("set -e\nset +e\nfalse\necho on\n");
  EXPECT_EQ(stream_text(r, 1), "on\n");
}

TEST_F(ShellTest, ExitAndSubshells) {
  EXPECT_EQ(run("echo a; exit 7; echo b\n").exit_code, 7);
  EXPECT_EQ(out("(exit 4); echo \"sub=$?\"; (cd /tmp; echo $PWD); echo $PWD\n"), "sub=4\n/tmp\n/\n");
  EXPECT_EQ(run("false\nexit\n").exit_code, 1);
  EXPECT_EQ(run("exit 300\n").exit_code, 44);
}

TEST_F(ShellTest, CdTracksDirectories) {
  const ShellResult r =
      run("cd /builds && pwd\n"
          "mkdir -p /builds/a/b/c; cd /builds/a/b; echo $PWD\n"
          "cd c; pwd; cd ..; pwd\n"
          "cd /missing\necho \"status=$?\"\n"
          "mkdir /x/y\n");
  EXPECT_EQ(stream_text(r, 1), "/builds\n/builds/a/b\n/builds/a/b/c\n/builds/a/b\nstatus=2\n");
  EXPECT_EQ(stream_text(r, 2),
            "sh: cd: can't cd to /missing: No such file or directory\n"
            "mkdir: can't create directory '/x/y': No such file or directory\n");
}

TEST_F(ShellTest, IfElifElseMultiLine) {
  const std::string script =
      "V=$1\n"
      "if [ \"$V\" = a ]\nthen\n  echo is-a\nelif [ -z \"$V\" ]; then\n  echo empty\nelse\n  echo other\nfi\n";
  EXPECT_EQ(out(script), "empty\n");
  EXPECT_EQ(out("set -- a\n" + script), "is-a\n");
  EXPECT_EQ(out("set -- b\n" + script), "other\n");
}

TEST_F(ShellTest, TestOperators) {
  EXPECT_EQ(out("touch /tmp/f; mkdir /tmp/d\n"
                "for t in '-f /tmp/f' '-d /tmp/d' '-e /tmp/nope' '-x /bin/sh' '-f /etc/hosts' '3 -gt 2' '2 -eq 3' "
                "'a != b' '-n \"\"' '-z \"\"'; do eval \"[ $t ]\" && echo y || echo n; done\n"),
            "y\ny\nn\ny\ny\ny\nn\ny\nn\ny\n");
  const ShellResult r = run("[ 1 -eq 1\n[ x -lt 2 ]\necho $?\n");
  EXPECT_EQ(stream_text(r, 2), "sh: missing ]\nsh: x: bad number\n");
  EXPECT_EQ(stream_text(r, 1), "2\n");
}

TEST_F(ShellTest, CaseAndLoopsAndFunctions) {
  EXPECT_EQ(out("case \"$(set -o)\" in *\"pipefail\"*) set -o pipefail; echo pf;; *) echo no;; esac\n"), "pf\n");
  EXPECT_EQ(out("for f in a.c b.h; do case $f in *.c|*.cc) echo \"c $f\";; *) echo \"x $f\";; esac; done\n"),
            "c a.c\nx b.h\n");
  EXPECT_EQ(out("i=0; while true; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i\n"), "3\n");
  EXPECT_EQ(out("for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done\n"), "1\n3\n");
  EXPECT_EQ(out("greet() {\n  echo \"hello $1\"\n  return 5\n}\ngreet you; echo $?\n"), "hello you\n5\n");
}

TEST_F(ShellTest, EvalAndTrap) {
  EXPECT_EQ(out(": | eval $'echo one\\necho two'\n"), "one\ntwo\n");
  const ShellResult r = run("trap 'echo bye; exit 9' EXIT\necho hi\nexit 1\n");
  EXPECT_EQ(stream_text(r, 1), "hi\nbye\n");
  EXPECT_EQ(r.exit_code, 9);
}

TEST_F(ShellTest, SleepAdvancesVirtualTime) {
  const ShellResult r = run("echo start\nsleep 1.5\necho mid\nsleep 2\necho end\n");
  EXPECT_EQ(transcript(r), "0 1: start\n1500 1: mid\n3500 1: end\n");
  EXPECT_EQ(r.duration, milliseconds(3500));
}

TEST_F(ShellTest, BackgroundJobsRunBesideTheScript) {
  const ShellResult r = run("(sleep 5; echo late) &\necho now\nsleep 1\necho soon\n");
  EXPECT_EQ(transcript(r), "0 1: now\n1000 1: soon\n5000 1: late\n");
  EXPECT_EQ(r.duration, seconds(5));
}

TEST_F(ShellTest, ScenarioCommands) {
  world.commands["docker"] = CommandSpec{"built\n", "warning\n", 3, seconds(10)};
  const ShellResult r = run("echo go\ndocker build .\necho \"rc=$?\"\n");
  EXPECT_EQ(transcript(r), "0 1: go\nbuilt\n0 2: warning\n10000 1: rc=3\n");
}

TEST_F(ShellTest, UnknownCommands) {
  ShellResult r = run("nosuchtool --flag\necho \"rc=$?\"\n");
  EXPECT_EQ(transcript(r), "0 2: sh: nosuchtool: not found\n0 1: rc=127\n");
  r = run("set -e\nnosuchtool\necho never\n");
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(stream_text(r, 1), "");
}

TEST_F(ShellTest, SystemFilesComeFromTheWorld) {
  EXPECT_EQ(out("cat /etc/hosts; hostname\n"),
            "127.0.0.1\tlocalhost\n10.0.0.5\tgitlab.mylab.com\nrunner-abc-project-1-concurrent-0-xyz\n");
}

TEST_F(ShellTest, CurlReportsConnectionFailures) {
  world.fail("nodns", Kind::kResolveFailed);
  world.fail("closed", Kind::kRefused);
  world.fail("github.com", Kind::kTlsReset);
  world.fail("selfsigned", Kind::kTlsUntrusted);
  ShellResult r =
      run("curl -s https://nodns/; echo $?; curl -sS https://nodns/x; curl http://closed:8080/\n"
          "curl -fsSL https://github.com/; echo $?; curl -k https://selfsigned/ && echo insecure-ok\n");
  EXPECT_EQ(stream_text(r, 2),
            "curl: (6) Could not resolve host: nodns\n"
            "curl: (7) Failed to connect to closed port 8080: Connection refused\n"
            "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to github.com:443 \n");
  EXPECT_EQ(stream_text(r, 1), "6\n35\ninsecure-ok\n");
  r = run("curl https://selfsigned/\n");
  EXPECT_EQ(r.exit_code, 60);
  EXPECT_EQ(stream_text(r, 2).substr(0, 75),
            "curl: (60) SSL certificate problem: unable to get local issuer certificate\n");
}

TEST_F(ShellTest, NameLookups) {
  world.fail("private.example", Kind::kResolveFailed);
  const ShellResult r =
      run("getent hosts gitlab.mylab.com; getent hosts private.example; echo $?\n"
          "nslookup private.example || echo failed\n");
  EXPECT_EQ(stream_text(r, 1),
            "10.0.0.5        gitlab.mylab.com\n2\n"
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find private.example: NXDOMAIN\n\n"
            "failed\n");
}

TEST_F(ShellTest, SyntaxErrorsStopTheScriptWhereAshWould) {
  ShellResult r = run("echo before\nif true; then\necho inside\nfi fi\necho after\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(transcript(r), "0 1: before\n0 2: sh: syntax error: unexpected \"fi\"\n");
  r = run("echo 'unterminated\n");
  EXPECT_EQ(stream_text(r, 2), "sh: syntax error: unterminated quoted string\n");
  r = run("if true; then echo x\n");
  EXPECT_EQ(stream_text(r, 2), "sh: syntax error: unexpected end of file (expecting \"fi\")\n");
}

TEST_F(ShellTest, EndlessLoopsAreStopped) {
  const ShellResult r = run("while :; do :; done\n");
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_NE(stream_text(r, 2).find("endless loop"), std::string::npos);
}

TEST_F(ShellTest, DateUsesTheVirtualClock) {
  options.start = TimePoint{seconds(1700000000)};
  EXPECT_EQ(out("sleep 2; date +%s; date -u '+%Y-%m-%dT%H:%M:%SZ'\n"), "1700000002\n2023-11-14T22:13:22Z\n");
}

TEST_F(ShellTest, AdjacentChunksOfOneStreamAndInstantAreMerged) {
  const ShellResult r = run("echo a; echo b; echo c >&2; echo d >&2; echo e\n");
  ASSERT_EQ(r.output.size(), 3u);
  EXPECT_EQ(r.output[0].data, "a\nb\n");
  EXPECT_EQ(r.output[1].data, "c\nd\n");
  EXPECT_EQ(r.output[2].data, "e\n");
}

TEST_F(ShellTest, ResultCarriesDurationAndExitCode) {
  const ShellResult r = run("echo hi; sleep 2; exit 5\n");
  ASSERT_EQ(r.output.size(), 1u);
  EXPECT_EQ(r.output[0].data, "hi\n");
  EXPECT_EQ(r.output[0].stream, 1);
  EXPECT_EQ(r.duration, seconds(2));
  EXPECT_EQ(r.exit_code, 5);
}

TEST_F(ShellTest, TheCommandTableIsPassedIn) {
  shell::ToolTable table;
  table["greet"] = {[](shell::ToolContext& ctx) {
                      ctx.out("hello " + (ctx.args.size() > 1 ? ctx.args[1] : std::string("?")) + "\n");
                      return 0;
                    },
                    shell::ToolTier::kModel};
  options.tools = &table;
  const ShellResult r = run("greet you; command -v greet; cat /etc/hostname\n");
  EXPECT_EQ(stream_text(r, 1), "hello you\n/usr/bin/greet\n");
  EXPECT_EQ(stream_text(r, 2), "sh: cat: not found\n");
  EXPECT_EQ(r.exit_code, 127);
  options.tools = nullptr;
  EXPECT_EQ(run("greet\n").exit_code, 127);  // the default table has no greet
}

TEST_F(ShellTest, ScriptFilesAndSourcing) {
  const ShellResult r =
      run("printf 'echo \"script $1\"\\nexit 3\\n' > /tmp/s.sh\n"
          "/tmp/s.sh; echo \"rc=$?\"\n"
          "chmod +x /tmp/s.sh; /tmp/s.sh arg; echo \"rc=$?\"\n"
          "sh /tmp/s.sh other; echo \"rc=$?\"\n"
          "echo 'SOURCED=yes' > /tmp/env; . /tmp/env; echo $SOURCED\n");
  EXPECT_EQ(stream_text(r, 1), "rc=126\nscript arg\nrc=3\nscript other\nrc=3\nyes\n");
  EXPECT_EQ(stream_text(r, 2), "sh: /tmp/s.sh: Permission denied\n");
}

}  // namespace
}  // namespace kexsim::fakes
