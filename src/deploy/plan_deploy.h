// Deploy planning (pure): desired model + what runs -> what generation N+1 changes, service by
// service, and how the edge's routes move. No engine: unit tests assert on it as on plan_up.
//
// A service is part of the deploy when it is in scope (the services named, else all) and its
// containers do not all match the desired config hash (plan/config_hash.h: the service's
// canonical config with the edge's ports left out, and the image ID). For each such service the
// plan holds the new containers' create requests (generation names, generation labels) and the
// containers they replace; for each route to such a service, the upstreams it switches to.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "deploy/order.h"
#include "edge/routed.h"
#include "edge/routes.h"
#include "plan/create_body.h"
#include "plan/observed.h"

namespace slipway::deploy {

struct ServiceStep {
  std::string service;
  ServiceOrder order;
  std::vector<plan::ContainerSpec> fresh;         // generation N+1's containers, by number
  std::vector<plan::ObservedContainer> previous;  // what they replace (any generation, any state)
  std::string image_id;                           // what the new containers run
  int stop_timeout = 10;                          // stop_grace_period: also the drain bound
  bool fixed_name = false;                        // container_name: the old one is set aside first
};

// One route's move to the new containers: "container:port" upstreams.
struct RouteSwitch {
  std::string route_id;
  std::string service;
  std::vector<std::string> to;
  std::vector<std::string> from;  // the previous containers' upstreams (what drains)
};

struct DeployPlan {
  int generation = 0;
  std::vector<ServiceStep> steps;      // dependency order
  std::vector<std::string> unchanged;  // services in scope already as desired
  std::vector<RouteSwitch> switches;   // routes whose service is deployed
  edge::Routing routing;
  edge::EdgePorts edge_ports;

  bool empty() const { return steps.empty(); }
  const ServiceStep* step(const std::string& service) const;
  std::string render() const;  // one line per service and route, for --dry-run
};

struct DeployOptions {
  std::vector<std::string> services;  // empty: all; else these (not their dependencies)
  int generation = 1;                 // the number the new generation gets
  bool force = false;                 // deploy services in scope even when unchanged
  std::string api_version = "1.41";
  // Service -> image ID to run instead of the one its reference names now (rollback).
  std::map<std::string, std::string> images;
};

// The model's routing as the edge sees it, from the project (UserError for bad routes).
edge::Routing routing_of(const compose::Project& project);

// `observed.images` must hold the ID of every in-scope service's image (build and pull first).
// Throws UserError for an unknown service or an image that is not there.
DeployPlan plan_deploy(const compose::Project& project, const edge::Routing& routing, const plan::Observed& observed,
                       const DeployOptions& options);

// The generation after everything known: one more than the highest of `recorded` and the
// io.slipway.generation labels of `observed`.
int next_generation(const plan::Observed& observed, int recorded);

}  // namespace slipway::deploy
