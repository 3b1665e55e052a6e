#include "sim/scenario_services.h"

#include <chrono>
#include <string>

namespace kexsim::sim {

void read_services(TomlTable& t, Scenario& s) {
  for (const toml::table* entry : t.tables("services")) {
    TomlTable service(*entry, t.path("services"), t.context());
    fakes::ServiceModel model;
    service.require("image",
                    "name the service image as the job or config.toml does, e.g. image = \"docker:24.0.6-dind\"");
    service.get("image", model.image);
    double seconds = 0;
    if (service.get("listen_after_seconds", seconds)) {
      if (seconds < 0)
        t.context().fail(service.raw().get("listen_after_seconds")->source(),
                         service.path("listen_after_seconds") + ": expected a number of seconds >= 0",
                         "listen_after_seconds is how long the daemon takes to accept connections after its "
                         "container started, e.g. 20");
      model.listen_after =
          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds < 0 ? 0 : seconds));
    }
    if (const toml::node* ports = service.node("ports")) {
      const toml::array* list = ports->as_array();
      if (!list) {
        t.context().fail_type(*ports, service.path("ports"), "an array of port numbers such as [5432]");
      } else {
        for (const toml::node& p : *list) {
          const auto* number = p.as_integer();
          if (!number || number->get() < 1 || number->get() > 65535) {
            t.context().fail(p.source(), service.path("ports") + ": expected port numbers from 1 to 65535",
                             "write the ports the service listens on, e.g. ports = [5432]");
            break;
          }
          model.ports.push_back(static_cast<int>(number->get()));
        }
      }
    }
    bool fails = false;
    if (service.get("fails", fails)) model.fails = fails;
    service.reject_unread();
    s.service_models.push_back(std::move(model));
  }
}

}  // namespace kexsim::sim
