#include "fakes/kube/config_maps.h"

#include "base/json_fields.h"
#include "fakes/kube/key_volumes.h"

namespace kexsim::fakes {

using json_fields::member;
using json_fields::text;
using nlohmann::json;

void project_config_map_volumes(const json& pod, const std::string& container, const ConfigMapLookup& config_map,
                                shell::FileSystem& fs) {
  // ConfigMap data is the file's text as written.
  const KeyVolumeKind kind{"configMap", "name", config_map,
                           [](const std::string& value) { return std::optional<std::string>(value); }};
  project_key_volumes(pod, container, kind, fs);
}

}  // namespace kexsim::fakes
