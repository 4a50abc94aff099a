#include "deploy/edge_switch.h"

#include <algorithm>

#include "edge/caddy_config.h"

namespace slipway::deploy {

std::optional<edge::Admin> running_edge(const engine::Engine& engine, const std::string& project) {
  auto inst = edge::find_edge(engine, project);
  if (!inst) return std::nullopt;
  engine::json c = engine.inspect_container(inst->container_id);
  if (!c.value("State", engine::json::object()).value("Running", false)) return std::nullopt;
  return inst->admin();
}

edge::Admin ensure_edge(const engine::Engine& engine, const std::string& project, const DeployPlan& plan,
                        const EdgePlace& place, const edge::UpstreamMap& initial) {
  edge::EdgeOptions o;
  o.project = project;
  o.settings = plan.routing.settings;
  o.networks = plan.edge_ports.networks;
  o.publish = place.publish;
  o.admin_root = place.admin_root;
  o.extra_labels = place.extra_labels;
  o.on_build_output = place.on_build_output;
  edge::EdgeInstance inst = edge::start_edge(engine, o);
  edge::Admin admin = inst.admin();
  // Routes the edge serves keep their upstreams (keep_live): loading the routes never switches.
  edge::UpstreamMap live = edge::live_upstreams(admin.current_config());
  edge::UpstreamMap chosen;
  for (const auto& [id, ups] : initial)
    if (!live.count(id)) chosen[id] = ups;
  admin.apply_routes(plan.routing, chosen, true);
  return admin;
}

void switch_routes(const edge::Admin& admin, const edge::Routing& routing, const std::vector<RouteSwitch>& switches,
                   bool back) {
  edge::UpstreamMap targets;
  for (const auto& s : switches) {
    const auto& target = back ? s.from : s.to;
    if (!target.empty()) targets[s.route_id] = target;
  }
  // One change for every route (a resumed run whose routes are there already changes nothing).
  if (!targets.empty()) admin.apply_routes(routing, targets, true);
}

std::vector<std::string> drain(const edge::Admin& admin, const std::vector<RouteSwitch>& switches, bool back,
                               std::chrono::seconds limit) {
  std::vector<std::string> stuck;
  for (const auto& s : switches) {
    const auto& old = back ? s.to : s.from;
    if (old.empty()) continue;
    if (admin.wait_drained(old, limit)) continue;
    for (const auto& u : old)
      if (admin.in_flight(u) > 0) stuck.push_back(u);
  }
  return stuck;
}

std::vector<std::string> routes_naming(const edge::Admin& admin, const std::vector<std::string>& containers) {
  std::vector<std::string> out;
  for (const auto& [id, ups] : edge::live_upstreams(admin.current_config()))
    for (const auto& u : ups) {
      std::string host = u.substr(0, u.rfind(':'));
      if (std::find(containers.begin(), containers.end(), host) != containers.end()) {
        out.push_back(id);
        break;
      }
    }
  return out;
}

}  // namespace slipway::deploy
