#pragma once
// The render tests' one way from a config.toml text and a job file text to a Rendering, so that each
// table only says what it checks.

#include <string>
#include <vector>

#include "executor/config.h"
#include "executor/profile.h"
#include "sim/render.h"

namespace kexsim::testing {

/// Parses the config and the job and renders them under `profile`; the config's warnings go to `warnings`.
inline Result<sim::Rendering> render_texts(const std::string& config_text, const std::string& job_toml,
                                           const std::string& profile, std::vector<std::string>* warnings = nullptr) {
  auto config = executor::parse_config(config_text, "config.toml");
  if (!config) return config.error();
  if (warnings)
    for (const auto& w : config->warnings) warnings->push_back(w.where + ": " + w.message);
  auto job = sim::parse_job_file(job_toml, "job.toml");
  if (!job) return job.error();
  sim::RenderInputs in;
  in.runner = config->runners.front();
  in.job = *job;
  in.profile = *executor::parse_profile(profile);
  return sim::render(in);
}

}  // namespace kexsim::testing
