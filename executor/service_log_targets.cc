#include "executor/service_log_targets.h"

#include <algorithm>

#include "executor/release_features.h"

namespace kexsim::executor {

std::string service_log_name(std::string_view image, std::string_view aliases, Profile profile) {
  std::string out(image.substr(0, image.find(':')));
  if (!service_log_name_all_aliases(profile)) return out + "-" + std::string(aliases);  // 15.6: service.Alias
  // spec.Image.Aliases: strings.Fields(strings.ReplaceAll(alias, ",", " ")).
  std::string word;
  const auto end_word = [&] {
    if (!word.empty()) out += "-" + word;
    word.clear();
  };
  for (const char c : aliases) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
      end_word();
    else
      word += c;
  }
  end_word();
  return out;
}

std::vector<ServiceLogTarget> service_log_targets(const std::vector<ServiceContainer>& services,
                                                  const std::string& build_image, const std::string& helper_image,
                                                  Profile profile) {
  // pod.Spec.Containers: build, helper, then the services in pod order.
  struct PodContainer {
    std::string name, image;
    bool service;
  };
  std::vector<PodContainer> containers = {{"build", build_image, false}, {"helper", helper_image, false}};
  for (const ServiceContainer& s : services) containers.push_back({s.name, s.image, true});
  std::vector<const ServiceContainer*> order;
  for (const ServiceContainer& s : services) order.push_back(&s);
  if (!service_logs_in_name_order(profile))
    std::stable_sort(order.begin(), order.end(),
                     [](const ServiceContainer* a, const ServiceContainer* b) { return a->declared < b->declared; });
  std::vector<ServiceLogTarget> out;
  for (const ServiceContainer* s : order) {
    for (const PodContainer& c : containers) {
      if (c.image != s->image) continue;
      if (!c.service && service_logs_only_service_containers(profile)) continue;
      out.push_back({c.name, service_log_name(c.image, s->aliases, profile)});
    }
  }
  return out;
}

std::string inline_service_log(std::string_view name, std::string_view bytes) {
  // helpers/service/logger.go NewInlineServiceLogWriter: ANSI_GREY + "[service:" + serviceName + "] ", then
  // ANSI_RESET + "\n" (helpers/ansi_colors.go: ANSI_GREY "\033[0;37m", ANSI_RESET "\033[0;m").
  const std::string prefix = std::string("\033[0;37m") + "[service:" + std::string(name) + "] ";
  std::string out;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    out += prefix;
    out += bytes.substr(at, end - at);
    out += "\033[0;m\n";
    at = end + 1;
  }
  return out;
}

}  // namespace kexsim::executor
