#include "compose/normalize_shapes.h"

#include <string_view>

#include "compose/shapes.h"

namespace slipway::compose {
namespace norm {

const Shapes& shapes() {
  static const Shapes s;
  return s;
}

}  // namespace norm

std::vector<std::string> struct_keys(std::string_view name) {
  const norm::Shapes& s = norm::shapes();
  const norm::Shape* all[] = {&s.service,   &s.network,     &s.volume,     &s.file_object,    &s.deploy,
                              &s.build,     &s.healthcheck, &s.port,       &s.service_volume, &s.ipam,
                              &s.resources, &s.resource,    &s.dependency, &s.service_network};
  std::vector<std::string> out;
  if (name == "project") return {"name", "services", "jobs", "networks", "volumes", "secrets", "configs", "models"};
  for (const norm::Shape* sh : all) {
    if (sh->name == name || (name == "secret" && sh->name == "file_object") ||
        (name == "config" && sh->name == "file_object")) {
      for (const norm::Field& f : sh->fields)
        if (f.type != norm::T::ExtMap) out.push_back(f.key);
      return out;
    }
  }
  return out;
}

}  // namespace slipway::compose
