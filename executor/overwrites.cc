#include "executor/overwrites.h"

#include <regex>

#include "base/quantity.h"
#include "executor/messages.h"
#include "executor/release_features.h"

namespace kexsim::executor {
namespace {

// executors/kubernetes/overwrites.go: the variable names.
constexpr const char* kNamespaceVariable = "KUBERNETES_NAMESPACE_OVERWRITE";
constexpr const char* kServiceAccountVariable = "KUBERNETES_SERVICE_ACCOUNT_OVERWRITE";
constexpr const char* kBearerTokenVariable = "KUBERNETES_BEARER_TOKEN";
constexpr const char* kPodLabelsPrefix = "KUBERNETES_POD_LABELS_";
constexpr const char* kPodAnnotationsPrefix = "KUBERNETES_POD_ANNOTATIONS_";
constexpr const char* kNodeSelectorPrefix = "KUBERNETES_NODE_SELECTOR_";
constexpr const char* kNodeTolerationsPrefix = "KUBERNETES_NODE_TOLERATIONS_";

const char kDocsHint[] =
    "see https://docs.gitlab.com/runner/executors/kubernetes/#overwrite-container-resources and the "
    "*_overwrite_allowed / *_overwrite_max_allowed keys of [runners.kubernetes]";

/// The job's variables as createOverwrites sees them: every value expanded (variables.Expand()).
struct Variables {
  std::vector<std::pair<std::string, std::string>> list;
  /// The last value of key (spec.Variables.Get), "" when absent.
  std::string get(const std::string& key) const {
    for (auto it = list.rbegin(); it != list.rend(); ++it)
      if (it->first == key) return it->second;
    return "";
  }
};

Variables job_variables(const Job& job, const std::vector<std::string>& runner_environment) {
  Variables v;
  // common/build.go GetAllVariables: the runner's environment, then the job's own (the last one wins).
  for (const std::string& kv : runner_environment) {
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) v.list.emplace_back(kv.substr(0, eq), job.expand(kv.substr(eq + 1)));
  }
  for (const JobVariable& jv : job.variables) v.list.emplace_back(jv.key, jv.raw ? jv.value : job.expand(jv.value));
  return v;
}


// overwriteRegexCheck: Go's MatchString finds the pattern anywhere in the value (not anchored).
Status regex_check(const std::string& pattern, const std::string& value, const std::string& key) {
  std::regex re;
  try {
    re = std::regex(pattern);
  } catch (const std::regex_error&) {
    return make_error("error parsing regexp: invalid pattern: `" + pattern + "`",
                      "fix the regular expression of " + key + " (RE2 syntax)", key);
  }
  if (!std::regex_search(value, re)) {
    // executors/kubernetes/overwrites.go malformedOverwriteError.Error: "provided value %q does not match %q".
    return make_error("provided value " + messages::go_quote(value) + " does not match " + messages::go_quote(pattern),
                      "the job's value must match " + key + " in [runners.kubernetes]", key);
  }
  return Status{};
}

// evaluateOverwrite: a non-empty, matching overwrite replaces the config's value.
Result<std::string> evaluate(const std::string& field, const std::string& value, const std::string& regex,
                             const std::string& overwrite, const std::string& key, std::vector<std::string>& log) {
  if (regex.empty() || overwrite.empty()) return value;
  if (auto s = regex_check(regex, overwrite, key); !s.ok()) return s.error();
  log.push_back(messages::go_quote(field) + " overwritten with " + messages::go_quote(field == "BearerToken" ? "XXXXXXXX..." : overwrite));
  return overwrite;
}

// evaluateMapOverwrite: with a regex, every variable of the prefix adds or replaces one entry.
Result<std::map<std::string, std::string>> evaluate_map(const std::string& field,
                                                        const std::map<std::string, std::string>& values,
                                                        const std::string& regex, const Variables& vars,
                                                        const std::string& prefix, bool toleration,
                                                        const std::string& key, std::vector<std::string>& log) {
  if (regex.empty()) return values;
  std::map<std::string, std::string> out = values;
  for (const auto& [name, value] : vars.list) {
    if (name.rfind(prefix, 0) != 0) continue;
    if (auto s = regex_check(regex, value, key); !s.ok()) return s.error();
    std::string k, v;
    if (toleration) {
      // splitToleration: 'key[=value]:effect', the effect after the first ':'.
      const size_t colon = value.find(':');
      k = value.substr(0, colon);
      if (colon != std::string::npos) v = value.substr(colon + 1);
    } else {
      // splitMapOverwrite: k=v on the first '='.
      const size_t eq = value.find('=');
      if (eq == std::string::npos) {
        return make_error("provided value " + messages::go_quote(value) + " does not match \"k=v\"",
                          "write the variable's value as key=value", name);
      }
      k = value.substr(0, eq);
      v = value.substr(eq + 1);
    }
    out[k] = v;
    log.push_back(messages::go_quote(field) + " " + messages::go_quote(k) + " overwritten with " + messages::go_quote(v));
  }
  return out;
}

/// One resource of a list: its field name in messages, config value, max key and overwrite value.
struct ResourceInput {
  std::string field;       ///< "CPULimit"
  std::string value;       ///< config.toml's
  std::string max;         ///< *_overwrite_max_allowed
  std::string overwrite;   ///< the job's variable
  std::string config_key;  ///< "cpu_limit" (for hints)
};

// evaluateMaxResourceOverwrite: an overwrite up to the max replaces the config's value.
Result<std::string> evaluate_max(const ResourceInput& r, std::vector<std::string>& log) {
  if (r.max.empty() || r.overwrite.empty()) return r.value;
  const std::string max_key = r.config_key + "_overwrite_max_allowed";
  auto max = Quantity::parse(r.max);
  if (!max) {
    return make_error("parsing resource limit: " + messages::go_quote(max.error().message), "fix " + max_key + " in config.toml",
                      max_key);
  }
  auto over = Quantity::parse(r.overwrite);
  if (!over) {
    return make_error("parsing resource limit: " + messages::go_quote(over.error().message),
                      "write the job's value as a Kubernetes quantity such as 500m, 2 or 4Gi", r.field);
  }
  if (over->compare(*max) > 0) {
    // executors/kubernetes/overwrites.go overwriteTooHighError.Error.
    return make_error("the resource " + messages::go_quote(r.field) + " requested " + messages::go_quote(r.overwrite) +
                          " is higher than limit allowed " + messages::go_quote(r.max),
                      "ask for at most " + r.max + " or raise " + max_key + " in config.toml", max_key);
  }
  log.push_back(messages::go_quote(r.field) + " overwritten with " + messages::go_quote(r.overwrite));
  return r.overwrite;
}

// createResourceList: "" leaves a resource out; anything else must be a quantity.
Result<std::map<std::string, std::string>> resource_list(const std::string& cpu, const std::string& memory,
                                                         const std::string& storage) {
  std::map<std::string, std::string> out;
  const struct {
    const char* name;  ///< in resourceQuantityError
    const char* resource;
    const std::string& value;
  } parts[] = {{"cpu", "cpu", cpu}, {"memory", "memory", memory}, {"ephemeralStorage", "ephemeral-storage", storage}};
  for (const auto& p : parts) {
    if (p.value.empty()) continue;
    auto q = Quantity::parse(p.value);
    if (!q) {
      // util.go resourceQuantityError
      return make_error(std::string("parsing resource \"") + p.name + "\" with value " + messages::go_quote(p.value) + ": " +
                            messages::go_quote(q.error().message),
                        "write Kubernetes quantities such as 500m, 2, 512Mi or 4Gi", p.name);
    }
    if (!q->is_zero()) out[p.resource] = q->to_string();
  }
  return out;
}

/// evaluateMaxResourceListOverwrite for cpu, memory and ephemeral storage.
Result<std::map<std::string, std::string>> evaluate_list(const ResourceInput (&in)[3], std::vector<std::string>& log) {
  std::string values[3];
  for (int i = 0; i < 3; ++i) {
    auto v = evaluate_max(in[i], log);
    if (!v) return v.error();
    values[i] = *v;
  }
  return resource_list(values[0], values[1], values[2]);
}

std::string max_of(const KubernetesConfig& c, const std::string& key) {
  auto it = c.overwrite_max_allowed.find(key);
  return it == c.overwrite_max_allowed.end() ? "" : it->second;
}

/// The three resources of one kind ("" build, "helper_", "service_", "pod_") and list ("limit", "request").
struct KindValues {
  std::string cpu, memory, storage;
};

Error wrap(const Error& e, const std::string& what) {
  Error out = e;
  out.message = what + ": " + e.message;
  return out;
}

Result<std::map<std::string, std::string>> evaluate_kind(const KubernetesConfig& c, const Variables& vars,
                                                         const std::string& key_prefix, const std::string& field_prefix,
                                                         const std::string& var_prefix, const std::string& list,
                                                         const KindValues& values, bool with_storage,
                                                         std::vector<std::string>& log) {
  const std::string List = list == "limit" ? "Limit" : "Request";
  const std::string LIST = list == "limit" ? "LIMIT" : "REQUEST";
  const auto input = [&](const std::string& res, const std::string& Res, const std::string& RES,
                         const std::string& value) {
    const std::string key = key_prefix + res + "_" + list;
    ResourceInput r;
    r.field = field_prefix + Res + List;
    r.value = value;
    r.config_key = key;
    if (res != "ephemeral_storage" || with_storage) {
      r.max = max_of(c, key);
      r.overwrite = vars.get(var_prefix + RES + "_" + LIST);
    }
    return r;
  };
  const ResourceInput in[3] = {input("cpu", "CPU", "CPU", values.cpu),
                               input("memory", "Memory", "MEMORY", values.memory),
                               input("ephemeral_storage", "EphemeralStorage", "EPHEMERAL_STORAGE", values.storage)};
  return evaluate_list(in, log);
}

}  // namespace

const ResourceLists& Overwrites::service_resources(const std::string& container) const {
  auto it = explicit_service.find(container);
  return it == explicit_service.end() ? service : it->second;
}

bool is_protected_label_key(const std::string& key) {
  // kubernetes.go runnerLabelNamespacePattern: (?i)(^|.*\.)runner\.gitlab\.com(\/.*|$)
  static const std::regex kPattern(R"((^|.*\.)runner\.gitlab\.com(/.*|$))", std::regex::icase);
  return std::regex_search(key, kPattern);
}

// executors/kubernetes/kubernetes.go prepareConnections: "couldn't prepare overwrites: %w".
std::string prepare_overwrites_error(const std::string& inner) { return "couldn't prepare overwrites: " + inner; }

std::string prepare_service_overwrites_error(const std::string& inner) {
  return "couldn't prepare explicit service overwrites: " + inner;
}

Result<Overwrites> create_overwrites(const KubernetesConfig& c, const Job& job, Profile profile,
                                     std::vector<std::string>* log_out,
                                     const std::vector<std::string>& runner_environment) {
  Overwrites o;
  const Variables vars = job_variables(job, runner_environment);
  std::vector<std::string> scratch;
  auto& log = log_out ? *log_out : scratch;

  auto ns = evaluate("Namespace", c.namespace_, c.namespace_overwrite_allowed, vars.get(kNamespaceVariable),
                     "namespace_overwrite_allowed", log);
  if (!ns) return ns.error();
  o.namespace_ = *ns;
  auto sa = evaluate("ServiceAccount", c.service_account, c.service_account_overwrite_allowed,
                     vars.get(kServiceAccountVariable), "service_account_overwrite_allowed", log);
  if (!sa) return sa.error();
  o.service_account = *sa;
  // evaluateBoolControlledOverwrite: bearer_token_overwrite_allowed = true means the regex ".+".
  auto token = evaluate("BearerToken", c.bearer_token, c.bearer_token_overwrite_allowed ? ".+" : "",
                        vars.get(kBearerTokenVariable), "bearer_token_overwrite_allowed", log);
  if (!token) return token.error();
  o.bearer_token = *token;

  o.pod_labels = c.pod_labels;
  if (pod_label_overwrites(profile)) {
    auto labels = evaluate_map("PodLabels", c.pod_labels, c.pod_labels_overwrite_allowed, vars, kPodLabelsPrefix, false,
                               "pod_labels_overwrite_allowed", log);
    if (!labels) return labels.error();
    o.pod_labels = std::move(*labels);
  }
  auto annotations = evaluate_map("PodAnnotations", c.pod_annotations, c.pod_annotations_overwrite_allowed, vars,
                                  kPodAnnotationsPrefix, false, "pod_annotations_overwrite_allowed", log);
  if (!annotations) return annotations.error();
  o.pod_annotations = std::move(*annotations);
  o.node_selector = c.node_selector;
  if (node_selector_overwrites(profile)) {
    auto selector = evaluate_map("NodeSelector", c.node_selector, c.node_selector_overwrite_allowed, vars,
                                 kNodeSelectorPrefix, false, "node_selector_overwrite_allowed", log);
    if (!selector) return selector.error();
    o.node_selector = std::move(*selector);
  }
  o.node_tolerations = c.node_tolerations;
  if (node_toleration_overwrites(profile)) {
    auto tolerations = evaluate_map("NodeTolerations", c.node_tolerations, c.node_tolerations_overwrite_allowed, vars,
                                    kNodeTolerationsPrefix, true, "node_tolerations_overwrite_allowed", log);
    if (!tolerations) return tolerations.error();
    o.node_tolerations = std::move(*tolerations);
  }

  // evaluateMax{Build,Service,Helper,Pod}ResourcesOverwrite: requests first, then limits.
  struct Kind {
    const char* key_prefix;
    const char* field_prefix;
    const char* var_prefix;
    const char* what;  ///< in "invalid <what> requests specified"
    KindValues request, limit;
    bool storage;
    ResourceLists* out;
  };
  std::vector<Kind> kinds = {{"",
                              "",
                              "KUBERNETES_",
                              "build",
                              {c.cpu_request, c.memory_request, c.ephemeral_storage_request},
                              {c.cpu_limit, c.memory_limit, c.ephemeral_storage_limit},
                              true,
                              &o.build},
                             {"service_",
                              "Service",
                              "KUBERNETES_SERVICE_",
                              "service",
                              {c.service_cpu_request, c.service_memory_request, c.service_ephemeral_storage_request},
                              {c.service_cpu_limit, c.service_memory_limit, c.service_ephemeral_storage_limit},
                              true,
                              &o.service},
                             {"helper_",
                              "Helper",
                              "KUBERNETES_HELPER_",
                              "helper",
                              {c.helper_cpu_request, c.helper_memory_request, c.helper_ephemeral_storage_request},
                              {c.helper_cpu_limit, c.helper_memory_limit, c.helper_ephemeral_storage_limit},
                              true,
                              &o.helper}};
  if (pod_level_resources(profile)) {
    kinds.push_back({"pod_",
                     "Pod",
                     "KUBERNETES_POD_",
                     "Pod",
                     {c.pod_cpu_request, c.pod_memory_request, ""},
                     {c.pod_cpu_limit, c.pod_memory_limit, ""},
                     false,
                     &o.pod});
  }
  for (const Kind& k : kinds) {
    auto requests =
        evaluate_kind(c, vars, k.key_prefix, k.field_prefix, k.var_prefix, "request", k.request, k.storage, log);
    if (!requests) return wrap(requests.error(), std::string("invalid ") + k.what + " requests specified");
    k.out->requests = std::move(*requests);
    auto limits = evaluate_kind(c, vars, k.key_prefix, k.field_prefix, k.var_prefix, "limit", k.limit, k.storage, log);
    // executors/kubernetes/overwrites.go evaluateMaxBuildResourcesOverwrite: "invalid %s limits specified".
    if (!limits) return wrap(limits.error(), std::string("invalid ") + k.what + " limits specified");
    k.out->limits = std::move(*limits);
  }
  return o;
}

Status add_service_overwrites(const KubernetesConfig& c, const std::string& container,
                              const std::vector<JobVariable>& service_variables, Overwrites& out,
                              std::vector<std::string>* log_out) {
  std::vector<std::string> scratch;
  auto& log = log_out ? *log_out : scratch;
  Variables vars;
  for (const JobVariable& v : service_variables) vars.list.emplace_back(v.key, v.value);
  const auto current = [&](const std::map<std::string, std::string>& list) {
    KindValues k;
    const auto at = [&](const char* name) {
      auto it = list.find(name);
      return it == list.end() ? std::string() : it->second;
    };
    k.cpu = at("cpu");
    k.memory = at("memory");
    k.storage = at("ephemeral-storage");
    return k;
  };
  ResourceLists lists;
  auto limits = evaluate_kind(c, vars, "service_", "Service", "KUBERNETES_SERVICE_", "limit",
                              current(out.service.limits), true, log);
  if (!limits) return wrap(limits.error(), "invalid service limits specified");
  lists.limits = std::move(*limits);
  auto requests = evaluate_kind(c, vars, "service_", "Service", "KUBERNETES_SERVICE_", "request",
                                current(out.service.requests), true, log);
  if (!requests) return wrap(requests.error(), "invalid service requests specified");
  lists.requests = std::move(*requests);
  out.explicit_service[container] = std::move(lists);
  return Status{};
}

}  // namespace kexsim::executor
