// Profiles decide which services a command sees: a service without `profiles` is always
// enabled, one with profiles only when one of them is active or "*" is.
#pragma once

#include <string>
#include <vector>

#include "yaml/node.h"

namespace slipway::compose {

// COMPOSE_PROFILES: comma-separated, blanks around names trimmed, empty names dropped.
std::vector<std::string> profiles_from_env(const std::string& value);

// True when `service` (a mapping) declares no profile or one of `active` (or `active` has "*").
bool service_enabled(const yaml::Node& service, const std::vector<std::string>& active);

// Every profile named by any service of the project tree, sorted and unique.
std::vector<std::string> declared_profiles(const yaml::Node& project);

// Removes the services that `active` does not enable from the project tree.
void apply_profiles(yaml::Node& project, const std::vector<std::string>& active);

}  // namespace slipway::compose
