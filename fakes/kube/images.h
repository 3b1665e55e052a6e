#pragma once
// The simulated kubelet's image manager and the registries it pulls from: image references, pull
// policies, a per-node image cache, private registries checked against the pod's imagePullSecrets,
// registries the node cannot reach, the pull QPS limit and the image back-off (10s doubling, 300s
// cap). Each container's pull is a timeline in virtual time, so the pod status stays a function of
// time; its events (Pulling, Pulled, Failed, BackOff) are recorded as time passes.
// Facts and strings: k8s-cluster-messages.md §2 (pkg/kubelet/images/*.go, containerd's CRI pull).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/go_duration.h"
#include "base/result.h"
#include "fakes/kube/events.h"

namespace kexsim::fakes {

/// An image a registry holds: a repository, its tags and the platforms ("os/arch") they are built for.
struct RegistryImage {
  std::string repository;                             ///< path inside the registry, e.g. "library/nginx"
  std::vector<std::string> tags;                      ///< empty: every tag exists
  std::vector<std::string> platforms{"linux/amd64"};  ///< "os/arch"
  int64_t size_bytes = 52428800;                      ///< reported in the Pulled event (1.30+)
  /// Whether a tag is an index (manifest list) naming its platforms; a single manifest (false) carries no
  /// platform to match, so containerd pulls it onto any node and its binaries fail there at exec.
  bool index = true;
};

/// How a node's connection to a registry ends.
enum class RegistryReach { kReachable, kUnreachable, kTimeout, kRefused, kNoSuchHost };

/// One registry as a scenario declares it.
struct Registry {
  std::string host;                  ///< as image references name it: "docker.io", "registry.example.com:5000"
  std::string address = "10.0.0.5";  ///< where the node dials it (in dial errors)
  RegistryReach reach = RegistryReach::kReachable;
  bool private_registry = false;   ///< pulls need credentials from imagePullSecrets
  std::string username, password;  ///< the credentials it accepts
  Duration pull_time{std::chrono::seconds(2)};
  std::vector<RegistryImage> images;  ///< empty: every repository exists (for every platform)
};

/// The kubelet's image settings and the registries of a scenario.
struct ImageSettings {
  std::vector<Registry> registries;
  double pull_qps = 5;                                        ///< registryPullQPS (0: unlimited)
  int pull_burst = 10;                                        ///< registryBurst
  bool serialize_pulls = true;                                ///< serializeImagePulls: one pull at a time per node
  std::map<std::string, std::vector<std::string>> preloaded;  ///< node -> images already on it
  std::string node_dns = "127.0.0.53:53";                     ///< the node's resolver, in lookup errors
  /// Whether the scenario declares anything; if not, every image is present at once and no event is recorded.
  bool modelled() const { return !registries.empty() || !preloaded.empty(); }
};

/// An image reference split as docker's reference package does, with Docker Hub's defaults applied.
struct ImageReference {
  std::string domain;  ///< "docker.io" when the first component is not a host
  std::string path;    ///< "library/nginx"
  std::string tag;     ///< "latest" when neither tag nor digest is given
  std::string digest;  ///< "sha256:…", or empty
  /// The normalized name containerd reports, e.g. "docker.io/library/nginx:1.25".
  std::string normalized() const;
};

/// Parses an image reference; the error is docker's text ("invalid reference format", with
/// ": repository name must be lowercase" for upper case).
Result<ImageReference> parse_image_reference(const std::string& image);

/// The kubelet's image back-off after `failures` failed pulls: 10s, 20s, 40s … capped at 300s
/// (pkg/kubelet/kubelet.go imageBackOff; client-go flowcontrol.Backoff, no jitter).
Duration image_backoff(int failures);

/// Registry credentials found in a pull secret, keyed as the secret keys them.
struct RegistryCredential {
  std::string server;  ///< as written: "https://index.docker.io/v1/", "registry.example.com"
  std::string username, password;
};

/// The credentials of a kubernetes.io/dockercfg or kubernetes.io/dockerconfigjson Secret (none for other types).
std::vector<RegistryCredential> pull_secret_credentials(const nlohmann::json& secret);

/// Whether a credential's server key names the registry host (scheme and path ignored; Docker Hub's aliases).
bool credential_matches(const std::string& server, const std::string& host);

/// The result of one pull attempt against the registries.
struct PullResult {
  bool ok = false;
  std::string error;  ///< err.Error() as the kubelet receives it
  Duration took{0};   ///< how long the attempt runs before it ends
  int64_t size_bytes = 0;
  std::string foreign_platform;  ///< a single-manifest image built for another platform than the node's
};

/// One pull of ref onto a node of `platform` ("linux/arm64") with the pod's credentials, worded as
/// release 1.<minor> (the CRI client's rpc prefix before 1.28). Images of undeclared registries pull.
PullResult pull_from_registries(const ImageSettings& settings, const ImageReference& ref, const std::string& platform,
                                const std::vector<RegistryCredential>& credentials, int minor);

/// A container's image at one moment: present (since `since`) or waiting with the kubelet's reason and message.
struct ContainerImageState {
  bool present = false;
  TimePoint since{};
  std::string reason, message;   ///< waiting: ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull
  std::string foreign_platform;  ///< present, but its binaries are for this other platform (exec format error)
};

/// Image states of one pod's containers, by container name.
using PodImageStates = std::map<std::string, ContainerImageState>;

/// The kubelet's image manager for every node: pull timelines per pod, the node caches, the events.
class ImageModel {
 public:
  /// Looks a Secret up in the store (nullptr: none).
  using SecretLookup = std::function<const nlohmann::json*(const std::string& ns, const std::string& name)>;

  /// The scenario's registries and kubelet settings, and the release whose wording to use.
  void configure(ImageSettings settings, int minor);
  /// Whether pulls are modelled (the scenario declares registries or preloaded images).
  bool modelled() const { return settings_.modelled(); }
  /// Whether some registry holds a single-manifest image (`index = false`), which can land on a node of
  /// another platform and crash-loop there: then every pod may have kubelet events due.
  bool may_pull_foreign() const {
    for (const Registry& r : settings_.registries)
      for (const RegistryImage& i : r.images)
        if (!i.index) return true;
    return false;
  }
  /// Whether the pod's pulls are planned already.
  bool started(const std::string& uid) const { return pods_.count(uid) > 0; }
  /// Plans the pulls of a pod bound to `node` (of platform "os/arch") at `at`: init containers,
  /// then containers, one after another; missing pull secrets give a FailedToRetrieveImagePullSecret event.
  void start_pod(const nlohmann::json& pod, const std::string& node, const std::string& platform, TimePoint at,
                 const SecretLookup& secrets);
  /// When every image of the pod is present; nullopt when one never will be (or the pod is unknown).
  std::optional<TimePoint> ready_at(const std::string& uid) const;
  /// The states of the pod's containers at `now` (empty for a pod the model does not know).
  PodImageStates states(const std::string& uid, TimePoint now) const;
  /// Records the events due by `now`, in time order.
  void advance(TimePoint now, EventLog& events, const std::string& rv);
  /// Forgets a pod that left (its recorded events stay).
  void release(const std::string& uid) { pods_.erase(uid); }

 private:
  /// One step of a container's timeline.
  struct Step {
    TimePoint at;
    enum Kind { kPulling, kPulled, kPresent, kFailed, kBackOff, kNeverPull, kInvalid, kSecretMissing } kind;
    std::string text;  ///< error, or the formatted durations of a pull
  };
  struct Container {
    std::string name, image, field_path;
    enum Mode { kPresent, kNever, kInvalid, kPull } mode = kPresent;
    PullResult first, steady;  ///< the first attempt (QPS, queue) and every retry
    TimePoint requested, begins;
    std::string foreign_platform;  ///< the image's platform when it is not the node's
  };
  struct Pod {
    EventSubject subject;
    std::string node;
    std::vector<Container> containers;
    std::vector<std::string> missing_secrets;
    TimePoint at;
    size_t recorded = 0;  ///< steps already recorded as events (over the merged timeline)
  };
  std::vector<Step> timeline(const Container& c, TimePoint until) const;
  std::vector<std::pair<const Container*, Step>> pod_steps(const Pod& pod, TimePoint until) const;
  bool cached(const std::string& node, const std::string& normalized, TimePoint at) const;
  bool take_token(const std::string& node, TimePoint at);

  ImageSettings settings_;
  int minor_ = 33;
  std::map<std::string, Pod> pods_;                                    ///< by uid
  std::map<std::string, std::map<std::string, TimePoint>> cache_;      ///< node -> normalized image -> since
  std::map<std::string, std::map<std::string, std::string>> foreign_;  ///< node -> image -> its other platform
  struct Bucket {
    double tokens = 0;
    TimePoint last{};
    bool primed = false;
  };
  std::map<std::string, Bucket> buckets_;        ///< per node
  std::map<std::string, TimePoint> busy_until_;  ///< per node, with serialized pulls
};

}  // namespace kexsim::fakes
