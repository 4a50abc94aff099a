// Printing the model the way `docker compose config` does: canonical key order (name, services,
// networks, volumes, secrets, configs, x-*), YAML or JSON, `$` re-escaped as `$$`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace slipway::compose {

std::string emit_yaml(const nlohmann::ordered_json& model);
std::string emit_json(const nlohmann::ordered_json& model);  // 2-space indent, trailing newline

struct EmitOptions {
  // `$` -> `$$`, so the output can be loaded again with interpolation (docker compose config
  // does this unless --no-interpolate).
  bool escape_dollars = true;
  // JSON only: the layout compose-go's Project.MarshalJSON gives (top-level keys sorted,
  // `command`/`entrypoint` null when unset, `ipam: {}` on networks, no x-* below the top
  // level). Off: the model exactly as it is.
  bool compose_json = true;
};

std::string emit_yaml(const nlohmann::ordered_json& model, const EmitOptions& options);
std::string emit_json(const nlohmann::ordered_json& model, const EmitOptions& options);

}  // namespace slipway::compose
