#include "fakes/kube/running_status_memo.h"

#include "base/json_fields.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

bool same_timing(const PodTiming& a, const PodTiming& b) {
  return a.pending == b.pending && a.never_start == b.never_start && a.node_name == b.node_name &&
         a.host_ip == b.host_ip;
}

bool same_image(const ContainerImageState& a, const ContainerImageState& b) {
  return a.present == b.present && a.since == b.since && a.reason == b.reason && a.message == b.message &&
         a.foreign_platform == b.foreign_platform;
}

bool same_images(const std::optional<PodImageStates>& kept, const PodImageStates* now) {
  if (!kept || !now) return !kept && !now;
  if (kept->size() != now->size()) return false;
  for (auto a = kept->begin(), b = now->begin(); a != kept->end(); ++a, ++b)
    if (a->first != b->first || !same_image(a->second, b->second)) return false;
  return true;
}

// A metadata string member, or nullptr.
const std::string* meta_string(const json& pod, const char* key) {
  const json& value = json_fields::member(json_fields::member(pod, "metadata"), key);
  return value.is_string() ? &value.get_ref<const std::string&>() : nullptr;
}

}  // namespace

bool RunningStatusMemo::same_inputs(const Entry& e, const std::string& rv, TimePoint created, TimePoint now,
                                    const PodTiming& timing, const std::string& pod_ip,
                                    const PodImageStates* images) const {
  return e.resource_version == rv && e.created == created && now >= e.since && e.pod_ip == pod_ip &&
         same_timing(e.timing, timing) && same_images(e.images, images);
}

json RunningStatusMemo::status(const json& pod, TimePoint created, TimePoint now, const PodTiming& timing,
                               const std::string& pod_ip, const PodImageStates* images) {
  const std::string* uid = meta_string(pod, "uid");
  const std::string* rv = meta_string(pod, "resourceVersion");
  if (!uid || !rv) return pod_status(pod, created, now, timing, pod_ip, images);
  auto it = entries_.find(*uid);
  if (it != entries_.end() && same_inputs(it->second, *rv, created, now, timing, pod_ip, images))
    return it->second.status;
  json status = pod_status(pod, created, now, timing, pod_ip, images);
  // Only the running branch of pod_status is the same at every later moment: a pending pod's status
  // turns on the time (its containers start when their images are there and the pending time is over).
  if (json_fields::member(status, "phase") != "Running") {
    if (it != entries_.end()) entries_.erase(it);
    return status;
  }
  Entry entry{*rv,   created, now, timing, pod_ip, images ? std::optional<PodImageStates>(*images) : std::nullopt,
              status};
  entries_.insert_or_assign(*uid, std::move(entry));
  return status;
}

}  // namespace kexsim::fakes
