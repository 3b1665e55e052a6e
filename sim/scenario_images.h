#pragma once
// Scenario keys of the image model: [[cluster.registries]] (with their images), [[cluster.pull_secrets]]
// and [cluster.image_pulls] (the kubelet's pull settings). Documented in docs/scenarios.md, "Images and registries".

#include "base/toml_reader.h"
#include "sim/scenario.h"

namespace kexsim::sim {

/// Reads the image keys of [cluster] into s.images, and the pull secrets into s.cluster_objects.
void read_images(TomlTable& cluster, Scenario& s);

}  // namespace kexsim::sim
