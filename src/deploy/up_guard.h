// `slipway up` on a stack that `slipway deploy` runs behind its edge. `up` recreates a service
// in place under its Compose name with its published ports, but a deployed routed service runs
// as generation containers, the edge owns those ports, and the generation records would no
// longer say what runs: the two paths cannot share a routed service. `up` refuses (pure check).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compose/loader.h"

namespace slipway::deploy {

// The one-line reason `up` must not go on, or nullopt. `services`: up's scope (empty: every
// service; their dependencies count too). `edge_exists`: the stack's edge container exists
// (edge::find_edge). Services without a route stay free for `up` (e.g. `up db`).
std::optional<std::string> up_conflict(const compose::Project& project, const std::vector<std::string>& services,
                                       bool edge_exists);

}  // namespace slipway::deploy
