#include "executor/pod_spec.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "base/base64.h"
#include "executor/messages.h"
#include "executor/naming.h"
#include "executor/overwrites.h"
#include "executor/pod_checks.h"
#include "executor/pod_spec_extras.h"
#include "executor/allowed_images.h"
#include "executor/job_user.h"
#include "executor/predefined_variables.h"
#include "executor/pod_tolerations.h"
#include "executor/release_features.h"
#include "executor/scripts.h"
#include "executor/security_context.h"

namespace kexsim::executor {
namespace {

using nlohmann::json;

// A service container before naming: from [[runners.kubernetes.services]] or the job.
struct Service {
  std::string image;
  std::string aliases;
  std::vector<std::string> command;
  std::vector<std::string> entrypoint;
  std::vector<JobVariable> variables;
  bool has_ports = false;
  std::string user;  ///< the job's `kubernetes: user` for it (config.toml services have none)
  std::string container_name;
  size_t declared = 0;  ///< index in config.toml's services then the job's
};

std::vector<std::string> split_aliases(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string replace_all(std::string s, char from, std::string_view to) {
  std::string out;
  for (char c : s) {
    if (c == from) {
      out += to;
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_dollars(const std::string& v) { return replace_all(v, '$', "$$"); }

// executors/kubernetes/util.go buildVariables over the public and internal variables (PublicOrInternal).
// 16.6 puts a file variable's path where its content was; 17.9 keeps one entry per name (first
// position, last value); 19.0 escapes "$" as "$$" against Kubernetes' $(VAR) substitution.
json env_list(const std::vector<const JobVariable*>& vars, const std::string& project_dir, Profile p) {
  json env = json::array();
  std::map<std::string, size_t> index;
  for (const JobVariable* v : vars) {
    if (!v->is_public && !v->internal) continue;
    std::string value = v->file && env_file_variables_as_paths(p) ? file_variable_path(project_dir, v->key) : v->value;
    json entry = {{"name", v->key}, {"value", env_escapes_dollars(p) ? escape_dollars(value) : value}};
    if (env_deduplicated(p)) {
      if (auto it = index.find(v->key); it != index.end()) {
        env[it->second] = std::move(entry);
        continue;
      }
      index[v->key] = env.size();
    }
    env.push_back(std::move(entry));
  }
  return env;
}

// A container's (or the pod's) resources: the overwrites' lists, canonical quantities (executor/overwrites.h).
json resources(const ResourceLists& lists) {
  json r = json::object();
  if (!lists.requests.empty()) r["requests"] = lists.requests;
  if (!lists.limits.empty()) r["limits"] = lists.limits;
  return r;
}

// The job's `kubernetes: user` as the release reads it (18.6+: expanded with the job's variables).
std::string job_user(const PodInputs& in, const std::string& user) {
  return job_user_expanded(in.profile) ? in.job->expand(user) : user;
}

json container(const PodInputs& in, const std::string& name, const std::string& image, const json& mounts,
               const json& res, const std::string& user = {}) {
  json c = {{"name", name}, {"image", image}, {"stdin", true}, {"volumeMounts", mounts}};
  // The pull manager's current policy for the container (empty: the cluster's default).
  auto p = in.pull_policies.find(name);
  if (p == in.pull_policies.end() && name != "build" && name != "helper") p = in.pull_policies.find("*");
  if (p != in.pull_policies.end() && !p->second.empty()) c["imagePullPolicy"] = p->second;
  if (!res.empty()) c["resources"] = res;
  // executor/security_context.h: the container's own section over [runners.kubernetes]'s flags.
  json sc = container_security_context(in.runner->kubernetes, container_kind(name), in.profile);
  // executor/job_user.h: the job's user where the configuration leaves the ids open.
  apply_job_user(job_user_ids(in.runner->kubernetes, container_kind(name), name, job_user(in, user), in.profile), sc);
  if (!sc.empty()) c["securityContext"] = sc;
  if (name != "init-permissions")  // buildContainer sets the hooks; the init container has none
    if (json hooks = container_lifecycle(in.runner->kubernetes, in.profile); !hooks.is_null()) c["lifecycle"] = hooks;
  return c;
}

std::string builds_mount_path(const RunnerConfig& runner) {
  std::string dir = runner.builds_dir.empty() ? std::string(kDefaultBuildsDir) : runner.builds_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// Volumes (configured, by kind, then `repo`) and the mounts every container gets.
void volumes(const PodInputs& in, json& out_volumes, json& out_mounts) {
  const auto& configured = in.runner->kubernetes.volumes;
  const std::string builds = builds_mount_path(*in.runner);
  out_volumes = json::array();
  out_mounts = json::array();
  bool builds_dir_mounted = false;
  std::set<std::string> pvc_names;
  const auto expand_mount = [&](const std::string& text) {
    return volume_mount_paths_expanded(in.profile) ? expand_value(in.variables, text, in.profile) : text;
  };
  for (const char* kind : {"host_path", "secret", "pvc", "config_map", "empty_dir", "csi", "nfs"}) {
    for (const VolumeConfig& v : configured) {
      if (v.kind != kind) continue;
      const std::string mount_path = expand_mount(v.mount_path);
      json mount = {{"name", v.name}, {"mountPath", mount_path}};
      if (!v.sub_path.empty()) mount["subPath"] = expand_mount(v.sub_path);
      if (v.read_only) mount["readOnly"] = true;
      out_mounts.push_back(mount);
      if (mount_path == builds) builds_dir_mounted = true;

      json vol = {{"name", v.name}};
      const std::string k = kind;
      if (k == "host_path") {
        // getVolumesForHostPaths: the mount path as written, not expanded (9.3's syntax).
        vol["hostPath"] = {{"path", v.host_path.empty() ? v.mount_path : v.host_path}};
      } else if (k == "secret" || k == "config_map") {
        json src = json::object();
        src[k == "secret" ? "secretName" : "name"] = v.name;
        if (!v.items.empty()) {
          src["items"] = json::array();
          for (const auto& [key, path] : v.items) src["items"].push_back({{"key", key}, {"path", path}});
        }
        vol[k == "secret" ? "secret" : "configMap"] = src;
      } else if (k == "pvc") {
        const std::string claim =
            pvc_names_expanded(in.profile) ? expand_value(in.variables, v.name, in.profile) : v.name;
        out_mounts.back()["name"] = claim;
        if (!pvc_names.insert(claim).second) continue;  // one volume per claim
        vol["name"] = claim;
        vol["persistentVolumeClaim"] = {{"claimName", claim}};
      } else if (k == "empty_dir") {
        json src = json::object();
        if (!v.medium.empty()) src["medium"] = v.medium;
        if (!v.size_limit.empty()) src["sizeLimit"] = v.size_limit;
        vol["emptyDir"] = src;
      } else if (k == "csi") {
        json src = {{"driver", v.driver}};
        if (v.read_only) src["readOnly"] = true;
        vol["csi"] = src;
      } else {
        json src = {{"server", v.server}, {"path", v.path}};
        if (v.read_only) src["readOnly"] = true;
        vol["nfs"] = src;
      }
      out_volumes.push_back(vol);
    }
  }
  if (!builds_dir_mounted) {
    out_volumes.push_back({{"name", "repo"}, {"emptyDir", json::object()}});
    out_mounts.push_back({{"name", "repo"}, {"mountPath", builds}});
  }
}

// A service's own variables expanded against the job's and its own (common/build.go GetServiceVariables).
std::vector<JobVariable> service_own_variables(const std::vector<JobVariable>& all, const std::vector<JobVariable>& own,
                                               Profile p) {
  std::vector<JobVariable> source = all;
  source.insert(source.end(), own.begin(), own.end());
  return expand_with(own, source, p);
}

// A service container's env: 19.3 adds the service's variables expanded alone to the job's public and
// internal ones; before, kubernetes.go getServiceVariables expanded the whole list once more.
std::vector<JobVariable> service_env(const std::vector<JobVariable>& all, const std::vector<JobVariable>& own,
                                     Profile p) {
  std::vector<JobVariable> out;
  for (const auto& v : all) {
    if (v.is_public || v.internal) out.push_back(v);
  }
  if (service_variables_expanded_alone(p)) {
    auto expanded = service_own_variables(all, own, p);
    out.insert(out.end(), expanded.begin(), expanded.end());
    return out;
  }
  out.insert(out.end(), own.begin(), own.end());
  return expand_with(out, out, p);
}

std::vector<Service> collect_services(const PodInputs& in, const Job& job) {
  std::vector<Service> out;
  for (const ServiceConfig& sc : in.runner->kubernetes.services) {
    Service s;
    s.image = expand_value(in.variables, sc.name, in.profile);  // GetExpandedServices(GetAllVariables())
    s.aliases = sc.alias;
    s.command = sc.command;
    s.entrypoint = sc.entrypoint;
    for (const auto& kv : sc.environment) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      JobVariable v;
      v.key = kv.substr(0, eq);
      v.value = kv.substr(eq + 1);  // expanded with the job's variables by service_env
      v.internal = true;
      s.variables.push_back(std::move(v));
    }
    out.push_back(std::move(s));
  }
  for (const JobImage& img : job.services) {
    Service s;
    s.image = expand_value(in.variables, img.name, in.profile);  // expandContainerOptions
    s.aliases = img.alias;
    s.command = img.command;
    s.entrypoint = img.entrypoint;
    for (JobVariable v : img.variables) {
      v.internal = true;  // a service's own variables always reach its container
      s.variables.push_back(std::move(v));
    }
    s.has_ports = !img.ports.empty();
    s.user = img.kubernetes_user;
    out.push_back(std::move(s));
  }

  std::set<std::string> used;
  int fallback = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    Service& s = out[i];
    s.declared = i;
    if (!service_containers_named_by_alias(in.profile)) {
      s.container_name = "svc-" + std::to_string(i);
      continue;
    }
    for (const auto& alias : split_aliases(s.aliases)) {
      if (s.container_name.empty() && is_dns1123_label(alias) && !used.count(alias)) {
        s.container_name = alias;
      }
      used.insert(alias);  // invalid or taken aliases are reserved all the same
    }
    while (s.container_name.empty()) {
      const std::string candidate = "svc-" + std::to_string(fallback++);
      if (used.insert(candidate).second) s.container_name = candidate;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Service& a, const Service& b) { return a.container_name < b.container_name; });
  return out;
}

Result<json> host_aliases(const PodInputs& in, const std::vector<Service>& services) {
  json out = json::array();
  if (!in.host_aliases_supported) return out;
  std::vector<std::string> local;
  for (const Service& s : services) {
    if (s.has_ports) continue;  // reached through a proxy Service instead
    for (auto& name : service_image_host_names(s.image)) local.push_back(std::move(name));
    for (const auto& alias : split_aliases(s.aliases)) {
      const std::string errors = dns1123_subdomain_errors(alias);
      if (!errors.empty()) {
        return make_error(messages::invalid_host_alias(alias, s.image, errors),
                          "service aliases must be valid DNS names (lower case letters, digits, "
                          "'-' and '.')",
                          "services");
      }
      local.push_back(alias);
    }
  }
  if (!local.empty()) out.push_back({{"ip", "127.0.0.1"}, {"hostnames", local}});
  for (const HostAlias& h : in.runner->kubernetes.host_aliases) {
    out.push_back({{"ip", h.ip}, {"hostnames", h.hostnames}});
  }
  return out;
}

std::string job_web_url(const Job& job) {
  std::string url = job.git_info.repo_url;
  const size_t scheme = url.find("://");
  const size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t at = url.find('@', host_start);
  const size_t slash = url.find('/', host_start);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    url.erase(host_start, at + 1 - host_start);  // drop gitlab-ci-token:<token>@
  }
  if (url.size() >= 4 && url.compare(url.size() - 4, 4, ".git") == 0) url.resize(url.size() - 4);
  return url + "/-/jobs/" + std::to_string(job.id);
}

json labels(const PodInputs& in, const Job& job, const std::string& unique_name, const Overwrites& o) {
  const auto root_ns_id = [&] {
    if (job.job_info.root_namespace_id != 0) return std::to_string(job.job_info.root_namespace_id);
    return job.variable("CI_PROJECT_ROOT_NAMESPACE_ID");
  };
  const auto ns_id = [&] {
    if (job.job_info.namespace_id != 0) return std::to_string(job.job_info.namespace_id);
    return job.variable("CI_PROJECT_NAMESPACE_ID");
  };
  json l = json::object();
  const auto put = [&](const char* key, const std::string& value) { l[key] = sanitize_label_value(value); };
  put("pod", unique_name);
  put("project.runner.gitlab.com/id", std::to_string(job.job_info.project_id));
  put("project.runner.gitlab.com/namespace-id", ns_id());
  put("project.runner.gitlab.com/name", job.job_info.project_name);
  put("project.runner.gitlab.com/namespace", job.variable("CI_PROJECT_NAMESPACE"));
  put("project.runner.gitlab.com/root-namespace", job.variable("CI_PROJECT_ROOT_NAMESPACE"));
  put("project.runner.gitlab.com/root-namespace-id", root_ns_id());
  put("job.runner.gitlab.com/pod", unique_name);
  put("manager.runner.gitlab.com/name", in.runner->name);
  put("manager.runner.gitlab.com/id-short", in.short_token);
  // buildLabels: pod_labels (with the job's overwrites), expanded; 17.9+ skips runner.gitlab.com keys.
  for (const auto& [key, value] : o.pod_labels) {
    if (protects_runner_labels(in.profile) && is_protected_label_key(key)) continue;
    l[key] = sanitize_label_value(job.expand(value));
  }
  return l;
}

json annotations(const Job& job, const Overwrites& o) {
  json a = {{"job.runner.gitlab.com/id", std::to_string(job.id)},
            {"job.runner.gitlab.com/url", job_web_url(job)},
            {"job.runner.gitlab.com/sha", job.git_info.sha},
            {"job.runner.gitlab.com/before_sha", job.git_info.before_sha},
            {"job.runner.gitlab.com/ref", job.git_info.ref},
            {"job.runner.gitlab.com/name", job.job_info.name},
            {"job.runner.gitlab.com/timeout", messages::go_duration(job.timeout_seconds)},
            {"project.runner.gitlab.com/id", std::to_string(job.job_info.project_id)}};
  // buildPodAnnotations: pod_annotations (with the job's overwrites) may replace the defaults.
  for (const auto& [key, value] : o.pod_annotations) a[key] = job.expand(value);
  return a;
}

}  // namespace

std::vector<std::string> service_image_host_names(const std::string& image) {
  std::string ref = image.substr(0, image.find('@'));
  const size_t last_slash = ref.rfind('/');
  const size_t tag = ref.find(':', last_slash == std::string::npos ? 0 : last_slash);
  if (tag != std::string::npos) ref.resize(tag);
  const size_t first_slash = ref.find('/');
  if (first_slash != std::string::npos) {
    const size_t port = ref.find(':');
    if (port != std::string::npos && port < first_slash) ref.erase(port, first_slash - port);
  }
  std::vector<std::string> out;
  const std::string a = replace_all(ref, '/', "__");
  const std::string b = replace_all(ref, '/', "-");
  if (dns1123_subdomain_errors(a).empty()) out.push_back(a);
  if (b != a && dns1123_subdomain_errors(b).empty()) out.push_back(b);
  return out;
}

std::string helper_image_repository(Profile p) {
  return helper_image_on_gitlab_registry(p) ? "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:"
                                            : "gitlab/gitlab-runner-helper:";
}

std::string helper_image_tag(Profile p) {
  return helper_tag_is_version(p) ? "v" + std::string(runner_version(p)) : std::string(runner_revision(p));
}

std::string default_helper_image(Profile p) { return helper_image_repository(p) + "x86_64-" + helper_image_tag(p); }

Result<PodImages> resolve_images(const RunnerConfig& runner, const Job& job, Profile profile,
                                 const std::vector<JobVariable>& vars) {
  PodImages out;
  out.build = expand_value(vars, job.image.name, profile);
  if (out.build.empty()) out.build = expand_value(vars, runner.kubernetes.image, profile);
  if (out.build.empty()) {
    return make_error(messages::no_image_specified(),
                      "set `image` in [runners.kubernetes] or `image:` in .gitlab-ci.yml", "runners.kubernetes.image");
  }
  out.helper = helper_image_expanded_with_all_variables(profile)
                   ? expand_value(vars, runner.kubernetes.helper_image, profile)
                   : expand_value(runner_version_variables(profile), runner.kubernetes.helper_image, profile);
  if (out.helper.empty()) out.helper = default_helper_image_for(profile, runner.kubernetes);
  return out;
}

json pod_labels(const PodInputs& in, const std::string& unique_name) {
  if (in.overwrites) return labels(in, *in.job, unique_name, *in.overwrites);
  // Without the executor's own overwrites (render, tests): evaluate them; a config error leaves the defaults.
  auto evaluated = create_overwrites(in.runner->kubernetes, *in.job, in.profile, nullptr, in.runner->environment);
  return labels(in, *in.job, unique_name, evaluated ? *evaluated : Overwrites{});
}

namespace {

// What a user does about a refused image.
std::string allowed_images_hint() {
  return "add a pattern that matches the image to [runners.kubernetes] allowed_images (allowed_services for a "
         "service), or use an image that one matches";
}

// kubernetes.go verifyAllowedImages: allowed_services judges a service, allowed_images the build
// container; the config's image and the helper image always pass.
std::optional<std::vector<SetupLine>> image_refusal(const PodInputs& in, const PodImages& images,
                                                    const std::string& image, bool service) {
  if (!verifies_allowed_images(in.profile)) return std::nullopt;
  const KubernetesConfig& kube = in.runner->kubernetes;
  ImageCheck check;
  check.image = image;
  check.option = service ? "services" : "images";
  check.allowed = service ? kube.allowed_services : kube.allowed_images;
  const bool expand = allowed_images_internal_expanded(in.profile);
  check.internal = {expand ? in.job->expand(kube.image) : kube.image, images.helper};
  return refuse_image(check, in.profile);
}

}  // namespace

Result<json> build_pod(const PodInputs& in) {
  if (!in.runner || !in.job) {
    return make_error("build_pod: runner config and job are required", "", "pod spec");
  }
  const RunnerConfig& runner = *in.runner;
  const KubernetesConfig& kube = runner.kubernetes;
  const Job& job = *in.job;

  PodImages images = in.images;
  if (images.build.empty() || images.helper.empty()) {
    auto resolved = resolve_images(runner, job, in.profile, in.variables);
    if (!resolved) return resolved.error();
    if (images.build.empty()) images.build = resolved->build;
    if (images.helper.empty()) images.helper = resolved->helper;
  }
  // The job's overwrites (executors/kubernetes/overwrites.go); the executor passes its own, render and
  // tests get them evaluated here.
  Overwrites ow;
  if (in.overwrites) {
    ow = *in.overwrites;
  } else {
    auto evaluated = create_overwrites(kube, job, in.profile, nullptr, runner.environment);
    if (!evaluated) return evaluated.error();
    ow = std::move(*evaluated);
  }
  const std::string& build_image = images.build;
  const std::string& helper_image = images.helper;

  json vols, mounts;
  volumes(in, vols, mounts);
  const bool attach = !in.logs_dir.empty();
  if (attach) {
    // executors/kubernetes/kubernetes.go getVolumes/getVolumeMounts: the emptyDirs come last, their
    // mounts first.
    vols.push_back({{"name", "scripts"}, {"emptyDir", json::object()}});
    vols.push_back({{"name", "logs"}, {"emptyDir", json::object()}});
    json first = json::array(
        {{{"name", "scripts"}, {"mountPath", in.scripts_dir}}, {{"name", "logs"}, {"mountPath", in.logs_dir}}});
    for (auto& m : mounts) first.push_back(m);
    mounts = std::move(first);
  }
  const std::vector<Service> services = collect_services(in, job);
  // createPodConfigPrepareOpts: preparePodServices' error as it is, then createBuildAndHelperContainers'
  // "building build container: %w" (executor/allowed_images.h prints the lines: pod_setup_lines).
  for (const Service& s : services)
    if (image_refusal(in, images, s.image, true))
      return make_error(std::string(kDisallowedImage), allowed_images_hint(), "allowed_services");
  if (image_refusal(in, images, build_image, false))
    return make_error("building build container: " + std::string(kDisallowedImage), allowed_images_hint(),
                      "allowed_images");
  auto aliases = host_aliases(in, services);
  if (!aliases.ok()) return aliases.error();
  if (explicit_service_overwrites(in.profile)) {
    for (const Service& s : services) {
      const auto vars = service_own_variables(in.variables, s.variables, in.profile);
      if (auto added = add_service_overwrites(kube, s.container_name, vars, ow); !added) return added.error();
    }
  }

  std::vector<const JobVariable*> job_vars;
  for (const auto& v : in.variables) job_vars.push_back(&v);

  const json shell_command = {"sh", "-c", detect_shell_script()};
  json containers = json::array();

  json build = container(in, "build", build_image, mounts, resources(ow.build), job.image.kubernetes_user);
  build["command"] = shell_command;
  if (!job.image.command.empty()) build["args"] = job.image.command;
  build["env"] = env_list(job_vars, in.project_dir, in.profile);
  containers.push_back(build);

  json helper = container(in, "helper", helper_image, mounts, resources(ow.helper));
  helper["command"] = shell_command;
  containers.push_back(helper);

  for (const Service& s : services) {
    json c = container(in, s.container_name, s.image, mounts, resources(ow.service_resources(s.container_name)),
                       s.user);
    if (!s.entrypoint.empty()) c["command"] = s.entrypoint;
    if (!s.command.empty()) c["args"] = s.command;
    const auto service_vars = service_env(in.variables, s.variables, in.profile);
    std::vector<const JobVariable*> vars;
    for (const auto& v : service_vars) vars.push_back(&v);
    c["env"] = env_list(vars, in.project_dir, in.profile);
    containers.push_back(c);
  }

  const std::string unique_name = project_unique_name(in.short_token, job.job_info.project_id, in.concurrent_id);
  json metadata = {{"namespace", in.namespace_},
                   {"labels", labels(in, job, unique_name, ow)},
                   {"annotations", annotations(job, ow)}};
  if (!in.name.empty()) {
    metadata["name"] = in.name;
  } else {
    metadata["generateName"] = in.generate_name;
  }

  json spec = {{"restartPolicy", "Never"}, {"containers", containers}, {"volumes", vols}};
  if (attach) {
    // buildPermissionsInitContainer: the helper image opens the log file to both containers' users.
    const std::string log_file = in.logs_dir + "/output.log";
    json init = container(in, "init-permissions", helper_image, mounts, resources(ow.helper));
    init.erase("stdin");
    init.erase("imagePullPolicy");  // buildPermissionsInitContainer: the helper's policy
    if (auto h = in.pull_policies.find("helper"); h != in.pull_policies.end() && !h->second.empty())
      init["imagePullPolicy"] = h->second;
    init["command"] = {"sh", "-c", "touch " + log_file + " && (chmod 777 " + log_file + " || exit 0)"};
    spec["initContainers"] = json::array({init});
  }
  if (!ow.service_account.empty()) spec["serviceAccountName"] = ow.service_account;
  const bool sa_settings = service_account_token_settings(in.profile);
  if (sa_settings && kube.automount_service_account_token)
    spec["automountServiceAccountToken"] = *kube.automount_service_account_token;
  if (json psc = pod_security_context(kube, in.profile); !psc.is_null()) spec["securityContext"] = psc;
  apply_pod_extras(kube, in.profile, spec);  // executor/pod_spec_extras.h: dns, affinity, classes
  if (!ow.node_selector.empty()) spec["nodeSelector"] = ow.node_selector;
  if (!ow.node_tolerations.empty()) spec["tolerations"] = pod_tolerations(in.profile, ow.node_tolerations);
  if (!aliases->empty()) spec["hostAliases"] = *aliases;
  json pull_secrets = json::array();
  for (const auto& name : kube.image_pull_secrets) pull_secrets.push_back({{"name", name}});
  if (!in.registry_secret.empty()) pull_secrets.push_back({{"name", in.registry_secret}});
  // prepareImagePullSecrets: none at all when the service account's pull secrets are to be used.
  if (sa_settings && kube.use_service_account_image_pull_secrets) pull_secrets = json::array();
  if (!pull_secrets.empty()) spec["imagePullSecrets"] = pull_secrets;
  if (pod_level_resources(in.profile) && !ow.pod.empty()) spec["resources"] = resources(ow.pod);
  // getPodActiveDeadlineSeconds: int64(RunnerInfo.Timeout + 1), Go's wrapping int arithmetic (W11: unsigned, no UB).
  if (active_deadline_default_on(in.profile))
    spec["activeDeadlineSeconds"] = static_cast<int64_t>(static_cast<uint64_t>(job.timeout_seconds) + 1u);
  // kubernetes.go setupBuildPod: up to 14.4 it points at its int64 terminationGracePeriodSeconds (so 0
  // unless set); from 14.5 pod_termination_grace_period_seconds is set only when given (the API's default
  // is 30).
  if (!grace_period_only_when_set(in.profile))
    spec["terminationGracePeriodSeconds"] = kube.termination_grace_period_seconds;
  else if (kube.pod_termination_grace_period_seconds)
    spec["terminationGracePeriodSeconds"] = *kube.pod_termination_grace_period_seconds;

  return json{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", metadata}, {"spec", spec}};
}

json build_registry_secret(const std::string& namespace_, const std::string& name, const std::string& generate_name,
                           const std::vector<RegistryAuth>& registries) {
  json metadata = {{"namespace", namespace_}};
  if (!name.empty()) {
    metadata["name"] = name;
  } else {
    metadata["generateName"] = generate_name;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", metadata},
          {"type", "kubernetes.io/dockercfg"},
          {"data", {{".dockercfg", base64_encode(dockercfg_json(registries))}}}};
}

std::vector<SetupLine> pod_setup_lines(const PodInputs& in) {
  std::vector<SetupLine> out;
  PodImages images = in.images;
  if (images.build.empty() || images.helper.empty()) {
    auto resolved = resolve_images(*in.runner, *in.job, in.profile, in.variables);
    if (!resolved) return out;  // build_pod says why
    if (images.build.empty()) images.build = resolved->build;
    if (images.helper.empty()) images.helper = resolved->helper;
  }
  // Each container's securityContext lines, then its image check (buildContainer); a refusal ends the set-up.
  const auto add = [&](const std::string& name, const std::string& user, const std::string& image, bool service) {
    auto ids = job_user_ids(in.runner->kubernetes, container_kind(name), name, job_user(in, user), in.profile);
    for (auto& l : ids.lines) out.push_back(std::move(l));
    auto refused = image_refusal(in, images, image, service);
    if (refused) out.insert(out.end(), refused->begin(), refused->end());
    return !refused;
  };
  // setupBuildPod: preparePodServices (in pod order), then createBuildAndHelperContainers.
  for (const Service& s : collect_services(in, *in.job))
    if (!add(s.container_name, s.user, s.image, true)) return out;
  add("build", in.job->image.kubernetes_user, images.build, false);
  return out;
}

std::vector<ServiceContainer> service_containers(const PodInputs& in) {
  std::vector<ServiceContainer> out;
  for (Service& s : collect_services(in, *in.job))
    out.push_back({s.container_name, std::move(s.variables), s.image, s.aliases, s.declared});
  return out;
}

}  // namespace kexsim::executor
