#include "deploy/generation.h"

#include "plan/labels.h"
#include "util/parse.h"

namespace slipway::deploy {

std::string generation_container_name(const std::string& project, const std::string& service,
                                      const nlohmann::ordered_json& spec, int generation, int number) {
  if (spec.contains("container_name") && spec["container_name"].is_string())
    return spec["container_name"].get<std::string>();
  return project + "-" + service + "-g" + std::to_string(generation) + "-" + std::to_string(number);
}

std::optional<int> generation_of(const plan::ObservedContainer& c) {
  auto it = c.labels.find(plan::label::kGeneration);
  if (it == c.labels.end()) return std::nullopt;
  auto n = parse_int(it->second, 0);
  if (!n || *n < 0 || *n > 1000000000) return std::nullopt;
  return static_cast<int>(*n);
}

KeepTag keep_tag(const std::string& project, const std::string& service, int generation) {
  return {project + "-" + service + "-slipway", "g" + std::to_string(generation)};
}

}  // namespace slipway::deploy
