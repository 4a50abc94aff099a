// Printing the model the way `docker compose config` does: canonical key order (name, services,
// networks, volumes, secrets, configs, x-*), YAML or JSON, `$` re-escaped as `$$`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace slipway::compose {

std::string emit_yaml(const nlohmann::ordered_json& model);
std::string emit_json(const nlohmann::ordered_json& model);  // 2-space indent, trailing newline

}  // namespace slipway::compose
