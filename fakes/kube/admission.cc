#include "fakes/kube/admission.h"

#include <cstdio>

#include "fakes/kube/admission_limits.h"
#include "fakes/kube/admission_psa.h"
#include "fakes/kube/admission_quota.h"
#include "fakes/kube/admission_resources.h"

namespace kexsim::fakes {
namespace {

using nlohmann::json;

std::vector<json> objects(const Store& store, const char* resource, const std::string& ns) {
  std::vector<json> out;
  for (const StoredObject* stored : store.list(resource, ns)) out.push_back(stored->object);
  return out;
}

// admission.NewForbidden: `pods "<name>" is forbidden: <err>` (403).
ApiStatus admission_forbidden(const json& pod, const std::string& err) {
  const json& meta = pod["metadata"];
  std::string name = meta.value("name", "");
  if (name.empty()) name = meta.value("generateName", "");
  if (name.empty()) name = "Unknown";
  return status_forbidden({"", "pods"}, name, err);
}

}  // namespace

AdmissionOutcome PodAdmission::admit(const Store& store, const std::string& ns, json& pod,
                                     const std::vector<json>& pods) const {
  AdmissionOutcome out;
  const std::vector<json> ranges = objects(store, "limitranges", ns);
  const std::vector<json> quotas = objects(store, "resourcequotas", ns);
  // Decoding defaults requests from limits before any plugin sees the pod; only done where a plugin
  // reads resources, so pods elsewhere are stored as before.
  if (!ranges.empty() || !quotas.empty()) default_requests_from_limits(pod);
  if (!ranges.empty()) {
    apply_limit_defaults(ranges, pod);
    if (auto err = check_limits(ranges, pod)) {
      out.rejected = admission_forbidden(pod, *err);
      return out;
    }
  }
  json labels = json::object();
  if (const StoredObject* nso = store.find("namespaces", "", ns))
    labels = nso->object["metadata"].value("labels", json::object());
  PodSecurityOutcome psa = check_pod_security(labels, pod, minor_);
  if (psa.denied) {
    out.rejected = admission_forbidden(pod, *psa.denied);
    return out;
  }
  out.warnings = std::move(psa.warnings);
  if (auto refused = call_webhooks(webhooks_, ns, pod, minor_, &out.delay)) {
    out.rejected = std::move(refused);  // warnings already recorded still go out with the error
    return out;
  }
  if (!quotas.empty()) {
    if (auto err = check_quotas(quotas, pod, pods, minor_)) {
      out.rejected = admission_forbidden(pod, *err);
      return out;
    }
  }
  return out;
}

std::string warning_header(const std::string& text) {
  std::string out = "299 - \"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace kexsim::fakes
