#include "executor/git_settings.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "base/strings.h"
#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// strings.Fields on spaces and tabs (what these variables hold).
std::vector<std::string> fields(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  for (char c : std::string(s) + " ") {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

std::string_view strategy_name(GitStrategy s) {
  switch (s) {
    case GitStrategy::kClone: return "clone";
    case GitStrategy::kFetch: return "fetch";
    case GitStrategy::kNone: return "none";
    case GitStrategy::kEmpty: return "empty";
  }
  return "fetch";
}

}  // namespace

GitSettings read_git_settings(const Job& job, Profile p, bool debug_trace_disabled) {
  GitSettings out;
  const bool warns = warns_malformed_settings(p);
  // 16.9 common/build_settings.go validate; 13.12 common/build.go Get* (silent defaults).
  const auto bool_setting = [&](std::string_view name, bool def) {
    const std::string raw = job.variable(name);
    if (raw.empty()) return def;
    if (auto v = parse_go_bool(raw)) return *v;
    if (warns)
      out.errors.push_back(std::string(name) + ": expected bool got " + messages::go_quote(raw) +
                           ", using default value: " + (def ? "true" : "false"));
    return def;
  };

  // validateVariables' order (16.9+): CI_DEBUG_SERVICES, CI_DEBUG_TRACE, GIT_STRATEGY, GIT_CHECKOUT,
  // GIT_SUBMODULE_STRATEGY, GIT_SUBMODULE_PATHS, GIT_SUBMODULE_DEPTH, ..., GIT_FETCH_EXTRA_FLAGS,
  // GIT_SUBMODULE_UPDATE_FLAGS. 15.6-16.8 IsCIDebugServiceEnabled: strconv.ParseBool, false with a warning
  // when malformed.
  bool services_asked = false;
  if (captures_service_logs(p) && warns) {
    services_asked = bool_setting("CI_DEBUG_SERVICES", false);
  } else if (captures_service_logs(p)) {
    const std::string raw = job.variable("CI_DEBUG_SERVICES");
    const std::optional<bool> parsed = raw.empty() ? std::optional<bool>(false) : parse_go_bool(raw);
    services_asked = parsed.value_or(false);
    if (!parsed)  // strconv.NumError: "strconv.ParseBool: parsing %q: invalid syntax"
      out.debug_services_parse_warning = "failed to parse value '" + raw +
                                         "' for CI_DEBUG_SERVICES variable: " + "strconv.ParseBool: parsing " +
                                         messages::go_quote(raw) + ": invalid syntax";
  }
  const bool trace_asked = bool_setting("CI_DEBUG_TRACE", false);

  // GetGitStrategy: unset (or, before 16.9, anything unknown) is fetch when GitLab allows it, else clone.
  const GitStrategy def = job.allow_git_fetch ? GitStrategy::kFetch : GitStrategy::kClone;
  const std::string strategy = job.variable("GIT_STRATEGY");
  out.strategy = def;
  if (strategy == "clone") {
    out.strategy = GitStrategy::kClone;
  } else if (strategy == "fetch") {
    out.strategy = GitStrategy::kFetch;
  } else if (strategy == "none") {
    out.strategy = GitStrategy::kNone;
  } else if (strategy == "empty" && git_strategy_empty(p)) {
    out.strategy = GitStrategy::kEmpty;
  } else if (!strategy.empty() && warns) {
    // common/build_settings.go validate: "%s: expected either 'clone', 'fetch' or 'none' got %q, using default value '%v'"
    // (17.3: "'clone', 'fetch', 'none' or 'empty'").
    const std::string expected =
        git_strategy_empty(p) ? "'clone', 'fetch', 'none' or 'empty'" : "'clone', 'fetch' or 'none'";
    out.errors.push_back("GIT_STRATEGY: expected either " + expected + " got " + messages::go_quote(strategy) +
                         ", using default value '" + std::string(strategy_name(def)) + "'");
  }
  const bool no_sources = out.strategy == GitStrategy::kNone || out.strategy == GitStrategy::kEmpty;

  const bool checkout = bool_setting("GIT_CHECKOUT", true);
  out.checkout = !no_sources && checkout;

  const std::string submodules = job.variable("GIT_SUBMODULE_STRATEGY");
  if (submodules == "normal") {
    out.submodules = SubmoduleStrategy::kNormal;
  } else if (submodules == "recursive") {
    out.submodules = SubmoduleStrategy::kRecursive;
  } else if (submodules.empty() || submodules == "none") {
    out.submodules = SubmoduleStrategy::kNone;
  } else {
    out.submodules = SubmoduleStrategy::kInvalid;
    if (warns)
      // common/build_settings.go validate: "%s: expected either 'normal', 'recursive' or 'none' got %q" (and
      // GIT_STRATEGY's above).
      out.errors.push_back("GIT_SUBMODULE_STRATEGY: expected either 'normal', 'recursive' or 'none' got " +
                           messages::go_quote(submodules));
  }
  if (no_sources) out.submodules = SubmoduleStrategy::kNone;  // GetSubmoduleStrategy

  if (submodule_paths(p)) out.submodule_paths = fields(job.variable("GIT_SUBMODULE_PATHS"));

  out.submodule_depth = static_cast<int>(job.git_info.depth);
  if (submodule_depth_variable(p)) {
    const std::string raw = job.variable("GIT_SUBMODULE_DEPTH");
    if (!raw.empty()) {
      if (auto v = parse_go_int(raw)) {
        // Go keeps an int64; a depth past int's range is clamped here (git takes no such depth anyway).
        out.submodule_depth = static_cast<int>(std::clamp<int64_t>(*v, INT32_MIN, INT32_MAX));
      } else if (warns) {
        out.errors.push_back("GIT_SUBMODULE_DEPTH: expected int got " + messages::go_quote(raw) +
                             ", using default value: " + std::to_string(job.git_info.depth));
      }
    }
  }

  // GIT_FETCH_EXTRA_FLAGS (13.12 and 19.4): unset is "--prune --quiet", "none" is no flag at all.
  const std::string fetch = job.variable("GIT_FETCH_EXTRA_FLAGS");
  if (fetch == "none") {
    out.fetch_flags.clear();
  } else if (!fetch.empty()) {
    out.fetch_flags = fields(fetch);
  }
  if (submodule_update_flags(p)) {
    const std::string raw = job.variable("GIT_SUBMODULE_UPDATE_FLAGS");
    if (raw != "none") out.submodule_update_flags = fields(raw);
  }

  // IsLFSSmudgeDisabled: 13.12 strconv.ParseBool of the variable (anything else is false, silently);
  // 16.9 validate(variables, "GIT_LFS_SKIP_SMUDGE", ..., false), after the update flags.
  out.lfs_skip_smudge = bool_setting("GIT_LFS_SKIP_SMUDGE", false);
  if (submodule_force_https_variable(p)) out.submodule_force_https = bool_setting("GIT_SUBMODULE_FORCE_HTTPS", false);

  // IsDebugTraceEnabled / validateDebugTraceSettings: the runner's debug_trace_disabled wins.
  out.debug_trace = trace_asked && !debug_trace_disabled;
  // common/build_settings.go validateDebugTraceSettings (13.12: common/build.go, a Warningln of its own).
  if (trace_asked && debug_trace_disabled)
    out.debug_trace_refused =
        warns ? "CI_DEBUG_TRACE: usage is disabled on this Runner" : "CI_DEBUG_TRACE usage is disabled on this Runner";
  // validateDebugTraceSettings (16.9+) refuses both; before, debug_trace_disabled left services alone.
  out.debug_services = services_asked && !(warns && debug_trace_disabled);
  if (services_asked && warns && debug_trace_disabled)
    out.debug_services_refused = "CI_DEBUG_SERVICES: usage is disabled on this Runner";
  return out;
}

std::string get_sources_generation_error(const GitSettings& settings) {
  // shells/abstract.go writeSubmoduleUpdateCmds.
  if (settings.submodules == SubmoduleStrategy::kInvalid) return "unknown GIT_SUBMODULE_STRATEGY";
  return "";
}

}  // namespace kexsim::executor
