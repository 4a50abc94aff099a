// The deploy's side of the edge: make it run with the stack's routes, move routes between
// generations, wait for the old ones to drain. Thin over edge::Admin (edge/admin.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "deploy/plan_deploy.h"
#include "edge/edge.h"
#include "engine/engine.h"

namespace slipway::deploy {

struct EdgePlace {
  bool publish = true;          // false: no host ports (tests that reach it otherwise)
  std::string admin_root;       // "" = edge::edge_admin_root()
  engine::Labels extra_labels;  // e.g. io.slipway.test
  engine::BuildOutput on_build_output;
};

// The edge's admin client when the project's edge container exists and runs.
std::optional<edge::Admin> running_edge(const engine::Engine& engine, const std::string& project);

// Starts (or adopts) the edge for `plan.routing` and loads its routes in one change: routes it
// serves already keep their upstreams; a route it lacks points at `initial[route]` when given,
// else at its service name. Returns the admin client.
edge::Admin ensure_edge(const engine::Engine& engine, const std::string& project, const DeployPlan& plan,
                        const EdgePlace& place, const edge::UpstreamMap& initial);

// Points each route of `switches` at its `to` (back = false) or its `from` (back = true), all
// in ONE admin change (edge::Admin::apply_routes with the stack's `routing`; none when every
// route is there already). Each change reloads Caddy (admin.h says why that is kept rare). A
// route with nothing to go back to is left as it is.
void switch_routes(const edge::Admin& admin, const edge::Routing& routing, const std::vector<RouteSwitch>& switches,
                   bool back);

// Waits, per switch, until the edge reports no request in flight to its `from` (back = false)
// or `to` (back = true) upstreams, bounded by `limit`. Returns the upstreams that did not drain.
std::vector<std::string> drain(const edge::Admin& admin, const std::vector<RouteSwitch>& switches, bool back,
                               std::chrono::seconds limit);

// The route ids whose serving upstreams name any of `containers` (by container name).
std::vector<std::string> routes_naming(const edge::Admin& admin, const std::vector<std::string>& containers);

}  // namespace slipway::deploy
