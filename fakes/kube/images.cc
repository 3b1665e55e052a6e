#include "fakes/kube/images.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <tuple>

#include "base/base64.h"
#include "base/json_fields.h"
#include "base/strings.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

constexpr Duration kSecond = std::chrono::seconds(1);
constexpr Duration kSyncPeriod = std::chrono::seconds(10);  // pkg/kubelet/kubelet.go backOffPeriod

using json_fields::member;
using json_fields::text;

std::string quote(const std::string& s) { return json(s).dump(); }  // Go's %q for plain text

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// distribution/reference path component: [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
bool valid_component(const std::string& c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    const char ch = c[i];
    if (is_lower_alnum(ch)) continue;
    if (ch == '.' || ch == '_') {
      // "." and "_" alone, or "__"; nothing else between alphanumerics
      if (ch == '_' && i + 1 < c.size() && c[i + 1] == '_') ++i;
      if (i + 1 >= c.size() || !is_lower_alnum(c[i + 1])) return false;
      continue;
    }
    if (ch == '-') continue;  // runs of dashes are allowed
    return false;
  }
  return true;
}

bool valid_domain(const std::string& d) {
  const size_t colon = d.rfind(':');
  const std::string host = colon == std::string::npos ? d : d.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = d.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return false;
  }
  if (host.empty()) return false;
  for (const auto& label : split(host, '.')) {
    if (label.empty() || !std::isalnum(static_cast<unsigned char>(label.front())) ||
        !std::isalnum(static_cast<unsigned char>(label.back())))
      return false;
    for (char ch : label)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
  }
  return true;
}

bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  if (!word(t.front())) return false;
  return std::all_of(t.begin(), t.end(), [&](char ch) { return word(ch) || ch == '.' || ch == '-'; });
}

// Go's url.QueryEscape for the characters a scope holds.
std::string query_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

std::string host_only(const std::string& server) {
  std::string s = server;
  for (const char* scheme : {"https://", "http://"})
    if (starts_with(s, scheme)) s = s.substr(std::string(scheme).size());
  const size_t slash = s.find('/');
  if (slash != std::string::npos) s.resize(slash);
  return s;
}

bool docker_hub(const std::string& host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

const Registry* find_registry(const ImageSettings& settings, const std::string& domain) {
  for (const Registry& r : settings.registries)
    if (r.host == domain || (docker_hub(r.host) && docker_hub(domain))) return &r;
  return nullptr;
}

}  // namespace

std::string ImageReference::normalized() const {
  std::string out = domain + "/" + path;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> parse_image_reference(const std::string& image) {
  // github.com/docker/distribution/reference ParseNormalizedNamed + Parse (as the kubelet vendors it).
  const Error invalid{"invalid reference format", "write the image as [registry/]name[:tag][@sha256:digest]", image};
  if (image.empty()) return invalid;
  std::string rest = image;
  ImageReference ref;
  const size_t at = rest.find('@');
  if (at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.resize(at);
    const bool hex = ref.digest.size() == 71 && starts_with(ref.digest, "sha256:") &&
                     ref.digest.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
    if (!hex) return invalid;
  }
  const size_t slash = rest.find('/');
  const std::string first = slash == std::string::npos ? "" : rest.substr(0, slash);
  std::string remainder = rest;
  if (slash != std::string::npos && (first.find_first_of(".:") != std::string::npos || first == "localhost")) {
    ref.domain = first;
    remainder = rest.substr(slash + 1);
  } else {
    ref.domain = "docker.io";
  }
  if (ref.domain == "index.docker.io") ref.domain = "docker.io";
  const size_t colon = remainder.find(':');
  std::string name = colon == std::string::npos ? remainder : remainder.substr(0, colon);
  if (colon != std::string::npos) ref.tag = remainder.substr(colon + 1);
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower != name)
    // github.com/distribution/reference reference.go: ErrNameContainsUppercase.
    return Error{"invalid reference format: repository name must be lowercase", "image names are lower case", image};
  if (!valid_domain(ref.domain)) return invalid;
  if (name.empty()) return invalid;
  for (const auto& component : split(name, '/'))
    if (!valid_component(component)) return invalid;
  if (colon != std::string::npos && !valid_tag(ref.tag)) return invalid;
  if (ref.domain == "docker.io" && name.find('/') == std::string::npos) name = "library/" + name;
  if (name.size() + ref.domain.size() + 1 > 255)
    return Error{"repository name must not be more than 255 characters", "shorten the image name", image};
  ref.path = name;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

Duration image_backoff(int failures) {
  Duration d = std::chrono::seconds(10);
  for (int i = 1; i < failures && d < std::chrono::seconds(300); ++i) d *= 2;
  return std::min<Duration>(d, std::chrono::seconds(300));
}

std::vector<RegistryCredential> pull_secret_credentials(const json& secret) {
  std::vector<RegistryCredential> out;
  const std::string type = text(secret, "type");
  const json& data = member(secret, "data");
  json entries;
  auto decode = [&](const char* key) -> json {
    const std::string encoded = text(data, key);
    auto raw = base64_decode(encoded);
    return raw ? json::parse(*raw, nullptr, false) : json();
  };
  if (type == "kubernetes.io/dockercfg") {
    entries = decode(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    entries = member(decode(".dockerconfigjson"), "auths");
  }
  if (!entries.is_object()) return out;
  for (const auto& [server, entry] : entries.items()) {
    RegistryCredential c;
    c.server = server;
    c.username = text(entry, "username");
    c.password = text(entry, "password");
    // pkg/credentialprovider: "auth" (base64 user:password) wins over the separate fields.
    if (auto auth = base64_decode(text(entry, "auth")); auth && auth->find(':') != std::string::npos) {
      c.username = auth->substr(0, auth->find(':'));
      c.password = auth->substr(auth->find(':') + 1);
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool credential_matches(const std::string& server, const std::string& host) {
  const std::string key = host_only(server);
  return key == host || (docker_hub(key) && docker_hub(host));
}

PullResult pull_from_registries(const ImageSettings& settings, const ImageReference& ref, const std::string& platform,
                                const std::vector<RegistryCredential>& credentials, int minor) {
  PullResult result;
  const Registry* registry = find_registry(settings, ref.domain);
  if (!registry) {
    result.ok = true;
    result.took = std::chrono::seconds(2);
    result.size_bytes = 52428800;
    return result;
  }
  const std::string name = ref.normalized();
  // containerd pkg/cri/server/image_pull.go and remotes/docker/resolver.go (k8s-cluster-messages.md §2.4).
  const std::string wrapper = "failed to pull and unpack image " + quote(name) + ": ";
  const std::string resolve = "failed to resolve reference " + quote(name) + ": ";
  // Errors with codes.Unknown keep the rpc prefix before 1.28 (pkg/kubelet/cri/remote/remote_image.go).
  const std::string unknown = minor < 28 ? "rpc error: code = Unknown desc = " : "";
  const std::string not_found = "rpc error: code = NotFound desc = ";
  const std::string api_host = docker_hub(registry->host) ? "registry-1.docker.io" : registry->host;
  const std::string server_host = host_only(api_host);
  const size_t port_colon = registry->host.find(':');
  const std::string port = port_colon == std::string::npos ? "443" : registry->host.substr(port_colon + 1);
  const std::string bare_host = port_colon == std::string::npos ? server_host : registry->host.substr(0, port_colon);
  result.took = kSecond;
  if (registry->reach != RegistryReach::kReachable) {
    // Go's net errors inside url.Error: Head "<url>": dial tcp … (Go net/net.go OpError.Error: "dial tcp <addr>: <err>";
    // timeoutError.Error: "i/o timeout"; the syscall errno texts "connection refused", "no route to host").
    std::string net;
    switch (registry->reach) {
      case RegistryReach::kUnreachable:
        net = "dial tcp " + registry->address + ":" + port + ": connect: no route to host";
        result.took = std::chrono::seconds(3);
        break;
      case RegistryReach::kTimeout:
        net = "dial tcp " + registry->address + ":" + port + ": i/o timeout";
        result.took = std::chrono::seconds(30);  // containerd's dial timeout
        break;
      case RegistryReach::kRefused:
        net = "dial tcp " + registry->address + ":" + port + ": connect: connection refused";
        result.took = Duration(0);
        break;
      default:
        net = "dial tcp: lookup " + bare_host + " on " + settings.node_dns + ": no such host";
        result.took = Duration(0);
        break;
    }
    const std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
    result.error = unknown + wrapper + resolve + "failed to do request: Head \"https://" + api_host + "/v2/" +
                   ref.path + "/manifests/" + reference + "\": " + net;
    return result;
  }
  // A repository may be declared once per set of tags (tags built for different platforms).
  const RegistryImage* image = nullptr;
  bool repository_known = false;
  for (const RegistryImage& i : registry->images) {
    if (i.repository != ref.path) continue;
    repository_known = true;
    const bool has_tag =
        i.tags.empty() || !ref.digest.empty() || std::find(i.tags.begin(), i.tags.end(), ref.tag) != i.tags.end();
    if (has_tag && !image) image = &i;
  }
  const bool repository_missing = !registry->images.empty() && !repository_known;
  if (registry->private_registry || (repository_missing && docker_hub(registry->host))) {
    bool offered = false, accepted = false;
    for (const RegistryCredential& c : credentials) {
      if (!credential_matches(c.server, registry->host)) continue;
      offered = true;
      if (c.username == registry->username && c.password == registry->password && registry->private_registry)
        accepted = true;
    }
    if (!accepted) {
      if (docker_hub(registry->host)) {
        const std::string auth = offered ? "failed to authorize: failed to fetch oauth token: unexpected status from "
                                           "POST request to https://auth.docker.io/token: 401 Unauthorized"
                                         : "pull access denied, repository does not exist or may require "
                                           "authorization: server message: insufficient_scope: authorization failed";
        result.error = unknown + wrapper + resolve + auth;
      } else if (offered) {
        result.error =
            unknown + wrapper + resolve +
            "failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://" +
            registry->host + "/token: 401 Unauthorized";
      } else {
        // containerd remotes/docker/authorizer.go ("failed to authorize", "failed to fetch anonymous token") and
        // remotes/docker/auth/fetch.go ("unexpected status from GET request to %s: %s").
        result.error = unknown + wrapper + resolve +
                       "failed to authorize: failed to fetch anonymous token: unexpected status from GET request to "
                       "https://" +
                       registry->host + "/token?scope=" + query_escape("repository:" + ref.path + ":pull") +
                       "&service=" + query_escape(registry->host) + ": 401 Unauthorized";
      }
      return result;
    }
  }
  const bool tag_missing = repository_known && !image;
  if (repository_missing || tag_missing) {
    result.error = not_found + wrapper + resolve + name + ": not found";
    return result;
  }
  if (image && std::find(image->platforms.begin(), image->platforms.end(), platform) == image->platforms.end()) {
    // containerd's platform matcher filters an index only; a lone manifest is unpacked as it is.
    if (image->index) {
      result.error = not_found + wrapper + "no match for platform in manifest: not found";
      return result;
    }
    result.foreign_platform = image->platforms.empty() ? std::string() : image->platforms.front();
  }
  result.ok = true;
  result.took = registry->pull_time;
  result.size_bytes = image ? image->size_bytes : 52428800;
  return result;
}

void ImageModel::configure(ImageSettings settings, int minor) {
  settings_ = std::move(settings);
  minor_ = minor;
}

bool ImageModel::cached(const std::string& node, const std::string& normalized, TimePoint at) const {
  auto n = cache_.find(node);
  if (n == cache_.end()) return false;
  auto i = n->second.find(normalized);
  return i != n->second.end() && i->second <= at;
}

bool ImageModel::take_token(const std::string& node, TimePoint at) {
  // pkg/kubelet/images/helpers.go throttledImageService: a token bucket of registryPullQPS / registryBurst.
  if (settings_.pull_qps <= 0) return true;
  Bucket& b = buckets_[node];
  if (!b.primed) {
    b.tokens = settings_.pull_burst;
    b.last = at;
    b.primed = true;
  }
  const double elapsed = std::chrono::duration<double>(at - b.last).count();
  b.tokens = std::min<double>(settings_.pull_burst, b.tokens + elapsed * settings_.pull_qps);
  b.last = at;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void ImageModel::start_pod(const json& pod, const std::string& node, const std::string& platform, TimePoint at,
                           const SecretLookup& secrets) {
  const json& meta = member(pod, "metadata");
  const json& spec = member(pod, "spec");
  Pod p;
  p.subject.ns = text(meta, "namespace");
  p.subject.name = text(meta, "name");
  p.subject.uid = text(meta, "uid");
  p.subject.resource_version = text(meta, "resourceVersion");
  p.node = node;
  p.at = at;
  // pkg/kubelet/kubelet_pods.go getPullSecretsForPod: a missing secret is an event, not an error.
  std::vector<RegistryCredential> credentials;
  if (member(spec, "imagePullSecrets").is_array())
    for (const auto& ref : spec["imagePullSecrets"]) {
      const std::string name = text(ref, "name");
      const json* secret = secrets ? secrets(p.subject.ns, name) : nullptr;
      if (!secret) {
        p.missing_secrets.push_back(name);
        continue;
      }
      for (auto& c : pull_secret_credentials(*secret)) credentials.push_back(std::move(c));
    }
  if (settings_.preloaded.count(node))
    for (const auto& image : settings_.preloaded.at(node))
      if (auto ref = parse_image_reference(image); ref.ok()) cache_[node].emplace(ref->normalized(), TimePoint{});

  TimePoint cursor = at;
  for (const char* list : {"initContainers", "containers"}) {
    if (!member(spec, list).is_array()) continue;
    for (const auto& c : spec[list]) {
      Container k;
      k.name = text(c, "name");
      k.image = text(c, "image");
      k.field_path = std::string(list == std::string("initContainers") ? "spec.initContainers{" : "spec.containers{") +
                     k.name + "}";
      k.requested = k.begins = cursor;
      auto ref = parse_image_reference(k.image);
      if (!ref.ok()) {
        // pkg/kubelet/images/image_manager.go EnsureImageExists; pkg/util/parsers/parsers.go ParseImageName.
        const std::string inner = (minor_ >= 28 ? "couldn't parse image name " : "couldn't parse image reference ") +
                                  quote(k.image) + ": " + ref.error().message;
        k.mode = Container::kInvalid;
        k.first.error = "Failed to apply default image tag " + quote(k.image) + ": " + inner;
        p.containers.push_back(std::move(k));
        continue;
      }
      std::string policy = text(c, "imagePullPolicy");
      if (policy.empty()) policy = ref->tag == "latest" && ref->digest.empty() ? "Always" : "IfNotPresent";
      const bool present = cached(node, ref->normalized(), cursor);
      if (policy == "Never" || (policy == "IfNotPresent" && present)) {
        k.mode = present ? Container::kPresent : Container::kNever;
        if (present && foreign_.count(node) && foreign_[node].count(ref->normalized()))
          k.foreign_platform = foreign_[node][ref->normalized()];
        p.containers.push_back(std::move(k));
        continue;
      }
      k.mode = Container::kPull;
      k.steady = pull_from_registries(settings_, *ref, platform, credentials, minor_);
      if (settings_.serialize_pulls) k.begins = std::max(cursor, busy_until_[node]);
      k.first = k.steady;
      // kubelet pkg/kubelet/images/helpers.go throttledImageService.PullImage: fmt.Errorf("pull QPS exceeded").
      if (!take_token(node, k.begins)) {
        k.first = PullResult{};
        k.first.error = "pull QPS exceeded";
      }
      const TimePoint first_end = k.begins + k.first.took;
      if (settings_.serialize_pulls) busy_until_[node] = first_end;
      cursor = first_end;
      // The image is on the node from the attempt that succeeds (the first, or the first retry).
      if (k.first.ok) {
        cache_[node].emplace(ref->normalized(), first_end);
      } else if (k.steady.ok) {
        cache_[node].emplace(ref->normalized(), first_end + kSyncPeriod + k.steady.took);
      }
      k.foreign_platform = k.steady.foreign_platform;
      if (!k.foreign_platform.empty()) foreign_[node].emplace(ref->normalized(), k.foreign_platform);
      p.containers.push_back(std::move(k));
    }
  }
  pods_[p.subject.uid] = std::move(p);
}

std::vector<ImageModel::Step> ImageModel::timeline(const Container& c, TimePoint until) const {
  std::vector<Step> steps;
  if (c.requested > until) return steps;
  switch (c.mode) {
    case Container::kPresent: steps.push_back({c.requested, Step::kPresent, {}}); return steps;
    case Container::kNever: steps.push_back({c.requested, Step::kNeverPull, {}}); return steps;
    case Container::kInvalid: steps.push_back({c.requested, Step::kInvalid, c.first.error}); return steps;
    case Container::kPull: break;
  }
  TimePoint requested = c.requested;
  for (int attempt = 0; requested <= until; ++attempt) {
    steps.push_back({requested, Step::kPulling, {}});
    const PullResult& r = attempt == 0 ? c.first : c.steady;
    const TimePoint end = (attempt == 0 ? c.begins : requested) + r.took;
    if (end > until) break;
    if (r.ok) {
      // pkg/kubelet/images/image_manager.go: the Pulled message as each release words it.
      const Duration waiting = end - requested;
      std::string msg = "Successfully pulled image " + quote(c.image) + " in " + go_duration_string(r.took);
      if (minor_ >= 28) {
        const auto ms = [](Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d); };
        msg = "Successfully pulled image " + quote(c.image) + " in " + go_duration_string(ms(r.took)) + " (" +
              go_duration_string(ms(waiting)) + " including waiting)";
        if (minor_ >= 30) msg += ". Image size: " + std::to_string(r.size_bytes) + " bytes.";
      } else if (minor_ >= 26) {
        msg += " (" + go_duration_string(waiting) + " including waiting)";
      }
      steps.push_back({end, Step::kPulled, msg});
      break;
    }
    steps.push_back({end, Step::kFailed, r.error});
    // After an error the pod worker syncs again every backOffPeriod (10s; upstream adds up to 50% jitter,
    // left out here). A sync inside the image back-off reports ImagePullBackOff; the first one past it pulls.
    const Duration backoff = image_backoff(attempt + 1);
    TimePoint sync = end + kSyncPeriod;
    for (; sync - end < backoff && sync <= until; sync += kSyncPeriod) steps.push_back({sync, Step::kBackOff, r.error});
    requested = sync;
  }
  std::vector<Step> out;
  for (auto& s : steps)
    if (s.at <= until) out.push_back(std::move(s));
  return out;
}

std::optional<TimePoint> ImageModel::ready_at(const std::string& uid) const {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return std::nullopt;
  TimePoint ready = it->second.at;
  for (const Container& c : it->second.containers) {
    TimePoint at;
    switch (c.mode) {
      case Container::kPresent: at = c.requested; break;
      case Container::kNever:
      case Container::kInvalid: return std::nullopt;
      case Container::kPull:
        if (c.first.ok) {
          at = c.begins + c.first.took;
        } else if (c.steady.ok) {
          const TimePoint retry = c.begins + c.first.took + kSyncPeriod;  // the first sync past a 10s back-off
          at = retry + c.steady.took;
        } else {
          return std::nullopt;
        }
        break;
    }
    ready = std::max(ready, at);
  }
  return ready;
}

PodImageStates ImageModel::states(const std::string& uid, TimePoint now) const {
  PodImageStates out;
  auto it = pods_.find(uid);
  if (it == pods_.end()) return out;
  for (const Container& c : it->second.containers) {
    ContainerImageState state;
    for (const Step& s : timeline(c, now)) {
      switch (s.kind) {
        case Step::kPulling: break;  // a retry keeps the last error until it ends
        case Step::kPulled:
        case Step::kPresent: state = ContainerImageState{true, s.at, {}, {}}; break;
        case Step::kFailed: state = {false, {}, "ErrImagePull", s.text}; break;
        case Step::kBackOff: {
          // ≥1.32 the back-off message carries the stored error (PR #127918).
          std::string msg = "Back-off pulling image " + quote(c.image);
          if (minor_ >= 32) msg += ": ErrImagePull: " + s.text;
          state = {false, {}, "ImagePullBackOff", msg};
          break;
        }
        case Step::kNeverPull:
          state = {false,
                   {},
                   "ErrImageNeverPull",
                   // pkg/kubelet/images/image_manager.go EnsureImageExists: "Container image %q is not present
                   // with pull policy of Never" (ErrImageNeverPull).
                   "Container image " + quote(c.image) + " is not present with pull policy of Never"};
          break;
        case Step::kInvalid: state = {false, {}, "InvalidImageName", s.text}; break;
        case Step::kSecretMissing: break;
      }
    }
    if (state.present) state.foreign_platform = c.foreign_platform;
    out[c.name] = state;
  }
  return out;
}

std::vector<std::pair<const ImageModel::Container*, ImageModel::Step>> ImageModel::pod_steps(const Pod& pod,
                                                                                             TimePoint until) const {
  struct Ordered {
    TimePoint at;
    size_t container, index;
    const Container* c;
    Step step;
  };
  std::vector<Ordered> all;
  if (pod.at <= until)
    for (size_t i = 0; i < pod.missing_secrets.size(); ++i)
      all.push_back({pod.at, 0, i, nullptr, Step{pod.at, Step::kSecretMissing, pod.missing_secrets[i]}});
  for (size_t i = 0; i < pod.containers.size(); ++i) {
    const auto steps = timeline(pod.containers[i], until);
    for (size_t j = 0; j < steps.size(); ++j) all.push_back({steps[j].at, i + 1, j, &pod.containers[i], steps[j]});
  }
  std::stable_sort(all.begin(), all.end(), [](const Ordered& a, const Ordered& b) {
    return std::tie(a.at, a.container, a.index) < std::tie(b.at, b.container, b.index);
  });
  std::vector<std::pair<const Container*, Step>> out;
  for (auto& o : all) out.emplace_back(o.c, std::move(o.step));
  return out;
}

void ImageModel::advance(TimePoint now, EventLog& events, const std::string& rv) {
  // Events of every pod in time order (pkg/kubelet/images/image_manager.go logIt; kuberuntime's
  // "Error: %v" after a failed EnsureImageExists; legacy recorder, source kubelet/<node>).
  struct Due {
    TimePoint at;
    std::string uid;
    EventSubject subject;
    EventRecord record;
  };
  std::vector<Due> due;
  for (auto& [uid, pod] : pods_) {
    const auto steps = pod_steps(pod, now);
    for (size_t i = pod.recorded; i < steps.size(); ++i) {
      const auto& [c, s] = steps[i];
      EventSubject subject = pod.subject;
      if (c) subject.field_path = c->field_path;
      auto add = [&](const char* type, const char* reason, std::string message) {
        due.push_back({s.at, uid, subject, EventRecord{type, reason, std::move(message), "", "kubelet", pod.node}});
      };
      const std::string image = c ? quote(c->image) : std::string();
      switch (s.kind) {
        case Step::kSecretMissing:
          add("Warning", "FailedToRetrieveImagePullSecret",
              "Unable to retrieve some image pull secrets (" + s.text +
                  "); attempting to pull the image may not succeed.");
          break;
        case Step::kPulling: add("Normal", "Pulling", "Pulling image " + image); break;
        case Step::kPulled: add("Normal", "Pulled", s.text); break;
        case Step::kPresent: add("Normal", "Pulled", "Container image " + image + " already present on machine"); break;
        case Step::kFailed:
          add("Warning", "Failed", "Failed to pull image " + image + ": " + s.text);
          // pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer: "Error: %v" of images.ErrImagePull.
          add("Warning", "Failed", "Error: ErrImagePull");
          break;
        case Step::kBackOff:
          add("Normal", "BackOff", "Back-off pulling image " + image);
          add("Warning", "Failed", "Error: ImagePullBackOff");
          break;
        case Step::kNeverPull:
          add("Warning", "ErrImageNeverPull", "Container image " + image + " is not present with pull policy of Never");
          add("Warning", "Failed", "Error: ErrImageNeverPull");
          break;
        case Step::kInvalid:
          add("Warning", "InspectFailed", s.text);
          add("Warning", "Failed", "Error: InvalidImageName");
          break;
      }
    }
    pod.recorded = steps.size();
  }
  std::stable_sort(due.begin(), due.end(), [](const Due& a, const Due& b) { return a.at < b.at; });
  for (const Due& d : due) events.record_legacy(d.subject, d.record, d.at, rv);
}

}  // namespace kexsim::fakes
