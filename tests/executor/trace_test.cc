#include "executor/trace.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "executor/messages.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

namespace msg = messages;

// The toolkit's clock, started at a given Unix second; the trace only reads now().
struct FixedClock : testing::ManualClock {
  explicit FixedClock(int64_t unix_seconds) : ManualClock(TimePoint(std::chrono::seconds(unix_seconds))) {}
};

TEST(JobTrace, LineFormatsOfTheCurrentRunner) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, true, {}, {});
  t.println("Using Kubernetes namespace: ns");
  t.info("Job succeeded");
  t.warning("Namespace is empty, therefore assuming 'default'.");
  t.error("Job failed: command terminated with exit code 1");
  t.stage_header("Preparing environment");
  EXPECT_EQ(t.bytes(),
            "\033[0KUsing Kubernetes namespace: ns\033[0;m\n"
            "\033[32;1mJob succeeded\033[0;m\n"
            "\033[0;33mWARNING: Namespace is empty, therefore assuming 'default'.\033[0;m\n"
            "\033[31;1mERROR: Job failed: command terminated with exit code 1\033[0;m\n"
            "\033[0K\033[36;1mPreparing environment\033[0;m\033[0;m\n");
}

TEST(JobTrace, OlderRunnerResetsAfterTheNewline) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV13_12, false, {}, {});
  t.stage_header("Preparing environment");
  t.info("Job succeeded");
  EXPECT_EQ(t.bytes(),
            "\033[0K\033[36;1mPreparing environment\033[0;m\n\033[0;m"
            "\033[32;1mJob succeeded\n\033[0;m");
}

TEST(JobTrace, SectionsOnlyWhenEnabled) {
  FixedClock clock(1700000000);
  JobTrace on(clock, Profile::kV19_4, true, {}, {});
  on.section_start("prepare_script");
  on.section_end("prepare_script");
  EXPECT_EQ(on.bytes(),
            "section_start:1700000000:prepare_script\r\033[0K"
            "section_end:1700000000:prepare_script\r\033[0K");
  JobTrace off(clock, Profile::kV19_4, false, {}, {});
  off.section_start("prepare_script");
  EXPECT_EQ(off.bytes(), "");
}

TEST(JobTrace, WaitingLinesAreUncoloured) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {}, {});
  t.waiting_line(msg::waiting_for_pod(Profile::kV19_4, "ns", "pod", "", "Pending"));
  t.waiting_line(msg::pod_condition("Unschedulable", "0/3 nodes are available: 3 Insufficient cpu."));
  EXPECT_EQ(t.bytes(),
            "Waiting for pod ns/pod to be running on the node <unknown>, status is Pending\n"
            "\tUnschedulable: \"0/3 nodes are available: 3 Insufficient cpu.\"\n");
}

TEST(JobTrace, MasksVariableValuesEverywhere) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {"s3cr3t-value", "s3cr3t"}, {});
  t.println("token is s3cr3t-value and s3cr3t");
  t.raw("raw s3cr3t\n");
  EXPECT_EQ(t.bytes(), "\033[0Ktoken is [MASKED] and [MASKED]\033[0;m\nraw [MASKED]\n");
}

TEST(JobTrace, MasksSecretsSplitAcrossContainerWrites) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {"supersecret"}, {});
  t.raw("a super");
  EXPECT_EQ(t.bytes(), "a ");  // "super" may begin the secret: held back
  t.raw("secret b\n");
  EXPECT_EQ(t.bytes(), "a [MASKED] b\n");
  t.raw("sup");
  t.flush();
  EXPECT_EQ(t.bytes(), "a [MASKED] b\nsup");
}

TEST(JobTrace, MasksTokenBodiesAfterKnownPrefixes) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {}, {"glcbt-"});
  // 19.4's alphabet has '.' and '=' (routable tokens), so a trailing '.' goes with the token.
  t.raw("pat glpat-abcDEF_123-x, job glcbt-64_Jtok.\n");
  EXPECT_EQ(t.bytes(), "pat glpat-[MASKED], job glcbt-[MASKED]\n");
  t.raw("split glpat-abc");
  t.raw("def end\nglpat- alone\n");
  EXPECT_EQ(t.bytes(), "pat glpat-[MASKED], job glcbt-[MASKED]\nsplit glpat-[MASKED] end\nglpat- alone\n");
}

TEST(JobTrace, RunnerLinesFlushHeldBackOutput) {
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {"abcdef"}, {});
  t.raw("abc");
  t.error("Job failed: x");
  EXPECT_EQ(t.bytes(), "abc\033[31;1mERROR: Job failed: x\033[0;m\n");
}

TEST(JobTrace, DefaultTokenPrefixesFollowTheRelease) {
  // tokensanitizer DefaultTokenPrefixes: 12 prefixes from 17.9, "glrtr-" from 18.2; none before 17.9.
  EXPECT_TRUE(default_token_prefixes(Profile::kV16_11).empty());
  EXPECT_EQ(default_token_prefixes(Profile::kV17_11).size(), 12u);
  const auto all = default_token_prefixes(Profile::kV19_4);
  EXPECT_EQ(all.size(), 13u);
  for (const char* p : {"gloas-", "gldt-", "glrt-", "glcbt-", "glrtr-", "glptt-", "glft-", "glimt-", "glagent-",
                        "glsoat-", "glffct-", "_gitlab_session=", "gltok-"})
    EXPECT_NE(std::find(all.begin(), all.end(), p), all.end()) << p;
  FixedClock clock(0);
  JobTrace t(clock, Profile::kV19_4, false, {}, all);
  t.raw("deploy gldt-AbC_12.x9 feed glft-zz99 cookie _gitlab_session=9f8e7d\n");
  EXPECT_EQ(t.bytes(), "deploy gldt-[MASKED] feed glft-[MASKED] cookie _gitlab_session=[MASKED]\n");
}

TEST(JobTrace, ReproducesThe1312FieldLog) {
  const Profile p = Profile::kV13_12;
  const std::string pod = "runner-lbxmycry-project-2-concurrent-07cfcd";
  FixedClock clock(1620000000);
  JobTrace t(clock, p, true, {}, default_token_prefixes(p));
  t.println(msg::header_running_with(p));
  t.println(msg::header_on(p, "myrunners3", "ngzTY4eh", ""));
  t.section_start("prepare_executor");
  t.stage_header(msg::preparing_executor());
  t.println(msg::using_namespace("cicd"));
  t.println(msg::using_image("ruby:2.7.2"));
  t.section_end("prepare_executor");
  t.section_start("prepare_script");
  t.stage_header(msg::preparing_environment());
  t.waiting_line(msg::waiting_for_pod(p, "cicd", pod, "", "Pending"));
  t.waiting_line(msg::pod_condition("ContainersNotReady", "containers with unready status: [build helper]"));
  t.raw("Running on " + pod + " via gitlab-runner-gitlab-runner-6854dbc547-9ktrg...\n");
  t.section_end("prepare_script");
  t.section_start("get_sources");
  t.stage_header(msg::getting_source());
  t.raw("\033[32;1mFetching changes with git depth set to 50...\033[0;m\n");
  t.raw("Initialized empty Git repository in /builds/LBxMyCry/0/root/mycicd/.git/\n");
  t.raw("\033[32;1mCreated fresh repository.\033[0;m\n");
  t.raw(
      "fatal: unable to access 'https://gitlab.mylab.com/root/mycicd.git/': OpenSSL SSL_connect: "
      "SSL_ERROR_SYSCALL in connection to gitlab.mylab.com:443 \n");
  t.section_end("get_sources");
  t.section_start("cleanup_file_variables");
  t.stage_header(msg::cleanup_stage_title(p));
  t.section_end("cleanup_file_variables");
  t.error(msg::job_failed(false, msg::command_terminated(1)));

  // 13.12 writes the reset after the newline; sections carry Unix seconds.
  const auto line = [](const std::string& text) { return "\033[0K" + text + "\n\033[0;m"; };
  const auto header = [&](const std::string& text) { return line("\033[36;1m" + text + "\033[0;m"); };
  const auto start = [](const std::string& name) { return "section_start:1620000000:" + name + "\r\033[0K"; };
  const auto end = [](const std::string& name) { return "section_end:1620000000:" + name + "\r\033[0K"; };
  EXPECT_EQ(t.bytes(),
            line("Running with gitlab-runner 13.12.0 (7a6612da)") + line("  on myrunners3 ngzTY4eh") +
                start("prepare_executor") + header("Preparing the \"kubernetes\" executor") +
                line("Using Kubernetes namespace: cicd") + line("Using Kubernetes executor with image ruby:2.7.2 ...") +
                end("prepare_executor") + start("prepare_script") + header("Preparing environment") +
                "Waiting for pod cicd/runner-lbxmycry-project-2-concurrent-07cfcd to be running, status is Pending\n"
                "\tContainersNotReady: \"containers with unready status: [build helper]\"\n"
                "Running on runner-lbxmycry-project-2-concurrent-07cfcd via "
                "gitlab-runner-gitlab-runner-6854dbc547-9ktrg...\n" +
                end("prepare_script") + start("get_sources") + header("Getting source from Git repository") +
                "\033[32;1mFetching changes with git depth set to 50...\033[0;m\n"
                "Initialized empty Git repository in /builds/LBxMyCry/0/root/mycicd/.git/\n"
                "\033[32;1mCreated fresh repository.\033[0;m\n"
                "fatal: unable to access 'https://gitlab.mylab.com/root/mycicd.git/': OpenSSL SSL_connect: "
                "SSL_ERROR_SYSCALL in connection to gitlab.mylab.com:443 \n" +
                end("get_sources") + start("cleanup_file_variables") + header("Cleaning up file based variables") +
                end("cleanup_file_variables") +
                "\033[31;1mERROR: Job failed: command terminated with exit code 1\n\033[0;m");
}

// --- FF_TIMESTAMPS ------------------------------------------------------------------------------

// 2023-11-14T22:13:20.000000Z is Unix 1700000000.
std::string stamp(std::string_view stream_and_type, std::string_view rest) {
  return "2023-11-14T22:13:20.000000Z " + std::string(stream_and_type) + std::string(rest);
}

TEST(JobTraceTimestamps, EachWriterHasItsStream) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, true, {}, {}, true);
  EXPECT_TRUE(t.timestamps());
  t.println(msg::header_running_with(Profile::kV19_4));
  t.section_start("prepare_script");
  t.stage_header(msg::preparing_environment());
  t.waiting_line(msg::waiting_for_pod(Profile::kV19_4, "ns", "pod", "node-1", "Pending"));
  t.raw(1, "out\n");
  t.raw(2, "err\n");
  t.flush();
  t.section_end("prepare_script");
  t.info("Job succeeded");
  EXPECT_EQ(t.bytes(),
            stamp("00O ", "\033[0KRunning with gitlab-runner 19.4.0 (4d1a0ea3)\033[0;m\n") +
                stamp("00O ", "section_start:1700000000:prepare_script\r\033[0K\n") +
                stamp("00O+", "\033[0K\033[36;1mPreparing environment\033[0;m\033[0;m\n") +
                stamp("00E ", "Waiting for pod ns/pod to be running on the node node-1, status is Pending\n") +
                stamp("01O ", "out\n") + stamp("01E ", "err\n") +
                stamp("00O ", "section_end:1700000000:prepare_script\r\033[0K\n") +
                stamp("00O+", "\033[32;1mJob succeeded\033[0;m\n"));
}

TEST(JobTraceTimestamps, TimeIsTheVirtualClockInMicroseconds) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, false, {}, {}, true);
  clock.advance(std::chrono::microseconds(20010));
  t.raw("a\n");
  clock.advance(std::chrono::seconds(61));
  t.raw("b\n");
  EXPECT_EQ(t.bytes(), "2023-11-14T22:13:20.020010Z 01O a\n2023-11-14T22:14:21.020010Z 01O b\n");
}

TEST(JobTraceTimestamps, PartialLineIsEndedWhenTheExecEnds) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, false, {}, {}, true);
  t.raw("no newline at the end");
  EXPECT_EQ(t.bytes(), "");
  t.flush();
  EXPECT_EQ(t.bytes(), stamp("01O ", "no newline at the end\n"));
  t.raw("progress 50%\r");
  t.raw("progress 100%\n");
  EXPECT_EQ(t.bytes(), stamp("01O ", "no newline at the end\n") + stamp("01O ", "progress 50%\r\n") +
                           stamp("01O+", "progress 100%\n"));
}

TEST(JobTraceTimestamps, MaskingHappensBeforePrefixing) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, false, {"two\nlines", "supersecret"}, {}, true);
  t.raw("a super");
  t.raw("secret b\n");
  t.raw("x two\nlines y\n");  // a secret holding a newline is masked whole, then split into lines
  t.raw("glpat-abc");
  t.raw("def\n");
  EXPECT_EQ(t.bytes(),
            stamp("01O ", "a [MASKED] b\n") + stamp("01O ", "x [MASKED] y\n") + stamp("01O ", "glpat-[MASKED]\n"));
}

TEST(JobTraceTimestamps, OffWritesNoPrefixes) {
  FixedClock clock(1700000000);
  JobTrace t(clock, Profile::kV19_4, true, {}, {}, false);
  t.section_start("step_script");
  t.raw(2, "err\n");
  t.println("x");
  EXPECT_FALSE(t.timestamps());
  EXPECT_EQ(t.bytes(), "section_start:1700000000:step_script\r\033[0Kerr\n\033[0Kx\033[0;m\n");
}

}  // namespace
}  // namespace kexsim::executor
