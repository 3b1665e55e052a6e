// [[faults]] in scenario files: what is read, and the positioned errors for bad keys and values.

#include <string>

#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "tests/support/minimal_scenario.h"

namespace kexsim::sim {
namespace {

std::string with_faults(const std::string& faults) {
  return testing::minimal_scenario("[[faults]]\n" + faults);  // faults start on line 12
}

Error faults_error(const std::string& faults) {
  auto s = parse_scenario(with_faults(faults), "s.toml");
  EXPECT_FALSE(s.ok()) << "expected an error";
  return s.ok() ? Error{} : s.error();
}

TEST(ScenarioFaults, ReadsEveryKey) {
  auto s = parse_scenario(with_faults("wire = \"kubernetes\"\nmethod = \"POST\"\npath = \"/api/v1/namespaces/*/pods\"\n"
                                      "verb = \"create\"\nresource = \"pods\"\nnth = 2\ncount = 3\n"
                                      "after_seconds = 1.5\nuntil_seconds = 9\nstatus = 500\n"
                                      "message = \"etcdserver: request timed out\"\nreason = \"InternalError\"\n"
                                      "retry_after_seconds = 4\n"
                                      "[[faults]]\nwire = \"gitlab\"\nstatus = 503\nbody = \"down\"\n"
                                      "content_type = \"text/html\"\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_EQ(s->faults.size(), 2u);
  const fakes::FaultRule& k = s->faults[0];
  EXPECT_EQ(k.wire, "kubernetes");
  EXPECT_EQ(k.method, "POST");
  EXPECT_EQ(k.path, "/api/v1/namespaces/*/pods");
  EXPECT_EQ(k.verb, "create");
  EXPECT_EQ(k.resource, "pods");
  EXPECT_EQ(k.nth, 2);
  EXPECT_EQ(k.count, 3);
  EXPECT_EQ(k.after_seconds, 1.5);
  EXPECT_EQ(k.until_seconds, 9);
  EXPECT_EQ(k.status, 500);
  EXPECT_EQ(k.message, "etcdserver: request timed out");
  EXPECT_EQ(k.reason, "InternalError");
  EXPECT_EQ(k.retry_after_seconds, 4);
  const fakes::FaultRule& g = s->faults[1];
  EXPECT_EQ(g.wire, "gitlab");
  EXPECT_EQ(g.nth, 1);
  EXPECT_EQ(g.count, 1);
  EXPECT_EQ(g.body, "down");
  EXPECT_EQ(g.content_type, "text/html");
}

TEST(ScenarioFaults, WireIsRequiredAndClosed) {
  EXPECT_EQ(faults_error("status = 500\nmessage = \"x\"\n").message, "faults: missing required key \"wire\"");
  const Error e = faults_error("wire = \"etcd\"\nstatus = 500\n");
  EXPECT_EQ(e.where, "s.toml:12:8");
  EXPECT_EQ(e.message, "faults.wire: expected one of \"kubernetes\", \"gitlab\", \"git\", got \"etcd\"");
  // The pods' git wire answers like GitLab's, but in the same instant.
  EXPECT_EQ(faults_error("wire = \"git\"\nlatency_seconds = 5\n").message,
            "faults.latency_seconds: not modelled on wire = \"git\" (use [network.pod] timeout for a slow or silent "
            "GitLab)");
}

TEST(ScenarioFaults, BadValuesArePositioned) {
  Error e = faults_error("wire = \"kubernetes\"\nnth = 0\nstatus = 504\n");
  EXPECT_EQ(e.where, "s.toml:13:7");
  EXPECT_EQ(e.message, "faults.nth: expected a value >= 1 (the first call is 1)");
  e = faults_error("wire = \"kubernetes\"\nstatus = 200\n");
  EXPECT_EQ(e.where, "s.toml:13:10");
  EXPECT_EQ(e.message, "faults.status: expected an error status, 400 to 599");
  e = faults_error("wire = \"kubernetes\"\nstatus = 500\n");
  EXPECT_EQ(e.message,
            "faults.status: a Kubernetes fault needs message = \"...\" (the Status message), except for 429 and 504");
  e = faults_error("wire = \"kubernetes\"\nstatus = 504\nafter_seconds = 5\nuntil_seconds = 5\n");
  EXPECT_EQ(e.message, "faults.until_seconds: expected a value greater than after_seconds");
  e = faults_error("wire = \"kubernetes\"\nverb = \"post\"\nstatus = 504\n");
  EXPECT_EQ(e.where, "s.toml:13:8");
  e = faults_error("wire = \"gitlab\"\npath = \"api/v4/jobs\"\nstatus = 503\n");
  EXPECT_EQ(e.message, "faults.path: expected a path starting with \"/\"");
}

TEST(ScenarioFaults, KeysOfTheOtherWireAreErrors) {
  Error e = faults_error("wire = \"gitlab\"\nstatus = 503\nmessage = \"x\"\n");
  EXPECT_EQ(e.where, "s.toml:14:11");
  EXPECT_EQ(e.message, "faults.message: only for wire = \"kubernetes\" (a GitLab fault answers with body)");
  e = faults_error("wire = \"kubernetes\"\nstatus = 504\nbody = \"x\"\n");
  EXPECT_EQ(e.message, "faults.body: only for wire = \"gitlab\" (a Kubernetes fault answers with a Status)");
}

TEST(ScenarioFaults, UnsupportedAndUnknownKeys) {
  Error e = faults_error("wire = \"gitlab\"\nlatency_seconds = 2\nbody = \"x\"\n");
  EXPECT_EQ(e.message, "faults.body: a latency fault without status lets the fake answer: give status too");
  e = faults_error("wire = \"gitlab\"\nlatency_seconds = 0\n");
  EXPECT_EQ(e.message, "faults.latency_seconds: expected a number of seconds > 0");
  e = faults_error("wire = \"kubernetes\"\nstatus = 504\ncuont = 2\n");
  EXPECT_EQ(e.where, "s.toml:14:1");
  EXPECT_EQ(e.message, "unknown key \"faults.cuont\" (did you mean \"count\"?)");
}

TEST(ScenarioFaults, ResetNeedsNoStatusAndTakesNoAnswer) {
  auto s = parse_scenario(with_faults("wire = \"kubernetes\"\nreset = true\n"), "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_TRUE(s->faults[0].reset);
  const Error e = faults_error("wire = \"kubernetes\"\nreset = true\nstatus = 500\n");
  EXPECT_EQ(e.where, "s.toml:14:10");
  EXPECT_EQ(e.message, "faults.status: a reset fault answers nothing: leave out the answer keys");
}

TEST(ScenarioFaults, ConnectionFaultsMatchByCountAndWindowOnly) {
  auto s = parse_scenario(with_faults("wire = \"kubernetes\"\nrefuse = true\nnth = 2\ncount = 3\n"
                                      "[[faults]]\nwire = \"gitlab\"\ntls_alert = true\nafter_seconds = 5\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_TRUE(s->faults[0].refuse);
  EXPECT_TRUE(fakes::is_connection_fault(s->faults[0]));
  EXPECT_EQ(s->faults[0].nth, 2);
  EXPECT_TRUE(s->faults[1].tls_alert);
  Error e = faults_error("wire = \"kubernetes\"\nrefuse = true\nresource = \"pods\"\n");
  EXPECT_EQ(e.where, "s.toml:14:12");
  EXPECT_EQ(e.message,
            "faults.resource: a refused connection happens before any request is sent, so it cannot match one: match "
            "the wire's connections with nth, count, after_seconds and until_seconds");
  e = faults_error("wire = \"kubernetes\"\ntls_alert = true\nstatus = 500\n");
  EXPECT_EQ(e.message, "faults.status: a TLS alert answers nothing: leave out the answer keys");
  e = faults_error("wire = \"kubernetes\"\nrefuse = true\nreset = true\n");
  EXPECT_EQ(e.message, "faults.refuse: a fault has one effect, and this one already has reset");
}

TEST(ScenarioFaults, BlackHoleTakesNoAnswer) {
  auto s = parse_scenario(with_faults("wire = \"gitlab\"\nmethod = \"PUT\"\nblack_hole = true\n"), "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_TRUE(s->faults[0].black_hole);
  EXPECT_FALSE(fakes::is_connection_fault(s->faults[0]));
  const Error e = faults_error("wire = \"gitlab\"\nblack_hole = true\nlatency_seconds = 3\n");
  EXPECT_EQ(e.message, "faults.latency_seconds: a black-hole fault never answers: leave out the answer keys");
}

TEST(ScenarioFaults, DroppedStreamsAreExecAttachLogsOrWatches) {
  auto s = parse_scenario(with_faults("wire = \"kubernetes\"\nresource = \"pods/exec\"\ndrop_after_bytes = 512\n"
                                      "[[faults]]\nwire = \"kubernetes\"\nresource = \"pods/attach\"\n"
                                      "drop_after_seconds = 2.5\n"),
                          "s.toml");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->faults[0].drop_after_bytes, 512);
  EXPECT_EQ(s->faults[1].drop_after_seconds, 2.5);
  EXPECT_TRUE(
      parse_scenario(with_faults("wire = \"kubernetes\"\nresource = \"pods/log\"\ndrop_after_bytes = 9\n"
                                 "[[faults]]\nwire = \"kubernetes\"\nverb = \"watch\"\ndrop_after_seconds = 3\n"),
                     "s.toml")
          .ok());
  Error e = faults_error("wire = \"kubernetes\"\nresource = \"pods\"\ndrop_after_bytes = 5\n");
  EXPECT_EQ(e.message,
            "faults.drop_after_bytes: a dropped stream is an exec or attach session, a followed log or a watch: give "
            "wire = \"kubernetes\" and resource = \"pods/exec\", \"pods/attach\" or \"pods/log\", or verb = \"watch\"");
  e = faults_error("wire = \"kubernetes\"\nresource = \"pods/exec\"\ndrop_after_bytes = 0\n");
  EXPECT_EQ(e.message,
            "faults.drop_after_bytes: expected a number of bytes >= 1 (0 would be a refused upgrade: use status)");
  e = faults_error("wire = \"kubernetes\"\nresource = \"pods/exec\"\ndrop_after_seconds = 0\n");
  EXPECT_EQ(e.message, "faults.drop_after_seconds: expected a number of seconds > 0");
  e = faults_error("wire = \"kubernetes\"\nresource = \"pods/exec\"\ndrop_after_bytes = 5\nstatus = 500\n");
  EXPECT_EQ(
      e.message,
      "faults.status: a dropped stream is answered by the fake (101 or 200), then cut: leave out the answer keys");
}

TEST(ScenarioFaults, FaultsMustBeAnArrayOfTables) {
  std::string text = with_faults("wire = \"gitlab\"\nstatus = 503\n");
  text.replace(text.find("[[faults]]"), 10, "[faults]");
  auto s = parse_scenario(text, "s.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "s.toml:11:1");
  EXPECT_EQ(s.error().message, "faults: expected an array of tables ([[faults]]), got a table");
}

}  // namespace
}  // namespace kexsim::sim
