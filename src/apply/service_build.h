// Building a service's image from its canonical `build:` section through the engine's
// classic builder. (Used by `up` for services whose image does not exist yet.)
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/client.h"

namespace slipway::apply {

// Builds `build` (canonical build section: context, dockerfile, args, target, labels, ...)
// and tags the result `tag`. Returns the image ID. UserError for build options the classic
// builder cannot honour (secrets, ssh, additional_contexts, multiple platforms); BuildError
// when the build fails.
std::string build_service_image(const engine::Client& client, const std::string& service,
                                const nlohmann::ordered_json& build, const std::string& tag,
                                const engine::BuildOutput& on_output = nullptr);

}  // namespace slipway::apply
