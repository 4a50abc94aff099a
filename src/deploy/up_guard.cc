#include "deploy/up_guard.h"

#include <algorithm>

#include "compose/model.h"
#include "edge/routed.h"
#include "edge/routes.h"

namespace slipway::deploy {

std::optional<std::string> up_conflict(const compose::Project& project, const std::vector<std::string>& services,
                                       bool edge_exists) {
  if (!edge_exists) return std::nullopt;
  edge::Routing routing = edge::parse_routing(project);
  std::vector<std::string> routed = edge::edge_ports(project.model, routing).routed_services;
  compose::Model model(project);
  std::vector<std::string> scope = services.empty() ? std::vector<std::string>{} : model.with_dependencies(services);
  std::string names;
  for (const auto& s : routed)
    if (scope.empty() || std::count(scope.begin(), scope.end(), s)) names += (names.empty() ? "" : ", ") + s;
  if (names.empty()) return std::nullopt;
  return project.name + " runs behind its edge (slipway deploy): `up` would recreate " + names +
         " in place on ports the edge owns; use `slipway deploy` (or `slipway down` first to leave the edge)";
}

}  // namespace slipway::deploy
