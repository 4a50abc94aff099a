// The field order of Compose's model types (compose-go's types.go decides the key order of
// `docker compose config`), shared by normalize (YAML order) and emit (JSON quirks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slipway::compose {

// Keys of a named model type in output order: "project", "service", "network", "volume",
// "secret", "config", "deploy", "build", "healthcheck", "port", "service_volume", ...
// Empty for an unknown name.
std::vector<std::string> struct_keys(std::string_view type_name);

}  // namespace slipway::compose
