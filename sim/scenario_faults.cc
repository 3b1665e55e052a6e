#include "sim/scenario_faults.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario_fields.h"

namespace kexsim::sim {
namespace {

const char kFaultsHint[] = "see docs/scenarios.md for the scenario format";

// The answer keys of a request-level fault: a fault that answers otherwise takes none of them.
constexpr const char* kAnswerKeys[] = {
    "status", "message",      "reason",         "retry_after_seconds", "rate_limit_reset_seconds",
    "body",   "content_type", "latency_seconds"};

}  // namespace

void read_faults(TomlTable& root, Scenario& s) {
  for (const toml::table* entry : root.tables("faults")) {
    TomlTable f(*entry, "faults", root.context());
    TomlContext& ctx = f.context();
    auto fail_at = [&](std::string_view key, const std::string& message) {
      const toml::node* n = f.raw().get(key);
      ctx.fail(n ? n->source() : entry->source(), f.path(key) + ": " + message, kFaultsHint);
    };
    auto has = [&](std::string_view key) { return f.raw().get(key) != nullptr; };
    fakes::FaultRule rule;
    if (f.require("wire", "say which wire the fault is on: wire = \"kubernetes\", \"gitlab\" or \"git\""))
      get_one_of(f, "wire", rule.wire, {"kubernetes", "gitlab", "git"});
    get_one_of(f, "method", rule.method, {"GET", "POST", "PUT", "PATCH", "DELETE"});
    f.get("path", rule.path);
    if (!rule.path.empty() && rule.path[0] != '/') fail_at("path", "expected a path starting with \"/\"");
    get_one_of(f, "verb", rule.verb,
               {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"});
    f.get("resource", rule.resource);
    if (get_non_negative(f, "nth", rule.nth) && rule.nth < 1)
      fail_at("nth", "expected a value >= 1 (the first call is 1)");
    if (get_non_negative(f, "count", rule.count) && rule.count < 1) fail_at("count", "expected a value >= 1");
    get_non_negative(f, "after_seconds", rule.after_seconds);
    get_non_negative(f, "until_seconds", rule.until_seconds);
    if (rule.after_seconds && rule.until_seconds && *rule.until_seconds <= *rule.after_seconds)
      fail_at("until_seconds", "expected a value greater than after_seconds");

    // The effect: at most one of these; none means an answer with status.
    f.get("reset", rule.reset);
    f.get("refuse", rule.refuse);
    f.get("tls_alert", rule.tls_alert);
    f.get("black_hole", rule.black_hole);
    get_non_negative(f, "drop_after_bytes", rule.drop_after_bytes);
    if (rule.drop_after_bytes && *rule.drop_after_bytes < 1)
      fail_at("drop_after_bytes", "expected a number of bytes >= 1 (0 would be a refused upgrade: use status)");
    if (double seconds = 0; f.get("drop_after_seconds", seconds) && (rule.drop_after_seconds = seconds) <= 0)
      fail_at("drop_after_seconds", "expected a number of seconds > 0");
    std::vector<std::string> effects;
    if (rule.reset) effects.push_back("reset");
    if (rule.refuse) effects.push_back("refuse");
    if (rule.tls_alert) effects.push_back("tls_alert");
    if (rule.black_hole) effects.push_back("black_hole");
    if (rule.drop_after_bytes) effects.push_back("drop_after_bytes");
    if (rule.drop_after_seconds) effects.push_back("drop_after_seconds");
    if (effects.size() > 1) fail_at(effects[1], "a fault has one effect, and this one already has " + effects[0]);
    const bool drop = rule.drop_after_bytes || rule.drop_after_seconds;
    const bool other_effect = !effects.empty() && !ctx.failed();

    if (f.get("latency_seconds", rule.latency_seconds) && rule.latency_seconds <= 0)
      fail_at("latency_seconds", "expected a number of seconds > 0");
    rule.delay_only = rule.latency_seconds > 0 && !rule.reset && !has("status");
    if ((rule.reset || rule.delay_only || other_effect ||
         f.require("status", "give the HTTP status the client sees, e.g. status = 500, or latency_seconds")) &&
        f.get("status", rule.status) && (rule.status < 400 || rule.status > 599))
      fail_at("status", "expected an error status, 400 to 599");
    f.get("message", rule.message);
    f.get("reason", rule.reason);
    get_non_negative(f, "retry_after_seconds", rule.retry_after_seconds);
    get_non_negative(f, "rate_limit_reset_seconds", rule.rate_limit_reset_seconds);
    f.get("body", rule.body);
    f.get("content_type", rule.content_type);
    if (rule.reset)
      for (const char* key : kAnswerKeys)
        if (std::string_view(key) != "latency_seconds" && has(key))
          fail_at(key, "a reset fault answers nothing: leave out the answer keys");
    if (rule.black_hole)
      for (const char* key : kAnswerKeys)
        if (has(key)) fail_at(key, "a black-hole fault never answers: leave out the answer keys");
    if (rule.refuse || rule.tls_alert) {
      const std::string what = rule.refuse ? "a refused connection" : "a TLS alert";
      for (const char* key : {"method", "path", "verb", "resource"})
        if (has(key))
          fail_at(key, what +
                           " happens before any request is sent, so it cannot match one: match the wire's "
                           "connections with nth, count, after_seconds and until_seconds");
      for (const char* key : kAnswerKeys)
        if (has(key)) fail_at(key, what + " answers nothing: leave out the answer keys");
    }
    if (drop) {
      // Exec and attach sessions, and the streamed answers: a followed log, a watch.
      const bool stream = rule.resource == "pods/exec" || rule.resource == "pods/attach" ||
                          rule.resource == "pods/log" || rule.verb == "watch" ||
                          rule.path.find("/exec") != std::string::npos ||
                          rule.path.find("/attach") != std::string::npos || rule.path.find("/log") != std::string::npos;
      if (rule.wire != "kubernetes" || !stream)
        fail_at(effects[0],
                "a dropped stream is an exec or attach session, a followed log or a watch: give wire = "
                "\"kubernetes\" and resource = \"pods/exec\", \"pods/attach\" or \"pods/log\", or verb = \"watch\"");
      for (const char* key : kAnswerKeys)
        if (has(key))
          fail_at(key, "a dropped stream is answered by the fake (101 or 200), then cut: leave out the answer keys");
    }
    if (rule.delay_only)
      for (const char* key :
           {"message", "reason", "retry_after_seconds", "rate_limit_reset_seconds", "body", "content_type"})
        if (has(key)) fail_at(key, "a latency fault without status lets the fake answer: give status too");
    if (rule.wire == "git") {
      // The pods' git requests are answered synchronously by the pod world: a status or a reset only.
      if (has("latency_seconds"))
        fail_at("latency_seconds",
                "not modelled on wire = \"git\" (use [network.pod] timeout for a slow or silent GitLab)");
      if (!effects.empty() && !rule.reset)
        fail_at(effects[0], "not modelled on wire = \"git\" (a git fault answers with status or reset)");
    }
    if (rule.wire == "gitlab" || rule.wire == "git") {
      for (const char* key : {"verb", "resource", "message", "reason"})
        if (has(key)) fail_at(key, "only for wire = \"kubernetes\" (a GitLab fault answers with body)");
    } else if (rule.wire == "kubernetes") {
      for (const char* key : {"body", "content_type", "rate_limit_reset_seconds"})
        if (has(key)) fail_at(key, "only for wire = \"gitlab\" (a Kubernetes fault answers with a Status)");
      if (!rule.reset && rule.message.empty() && rule.status != 429 && rule.status != 504 && has("status"))
        fail_at("status", "a Kubernetes fault needs message = \"...\" (the Status message), except for 429 and 504");
    }
    f.reject_unread();
    s.faults.push_back(std::move(rule));
  }
}

}  // namespace kexsim::sim
