// The swarm planner: one project model -> the Swarm objects that run it (pure; no engine).
//
// What `docker stack deploy` would make of the same Compose file, through the Engine API and
// with slipway's rules on top:
//   - every service becomes service "<project>_<service>" running the image by ID (what slipway
//     built and tested, loaded onto every node by swarm/distribute.h), so no node resolves a tag
//     or asks a registry (the engine skips the pull for an image ID);
//   - every Compose network becomes an overlay network (its engine name, "<project>_<key>");
//   - labels: com.docker.stack.namespace=<project> on services, their containers and networks
//     (docker stack ls/ps/services recognise the stack), com.docker.stack.image, Compose's
//     project/service keys, and io.slipway.spec-hash (an unchanged hash: no update; also on
//     the containers, so a task shows which spec it runs);
//   - updates start the new task before stopping the old one (start-first), watch it for a
//     monitor window longer than its healthcheck can take to fail, and roll back by
//     themselves on failure (failure_action rollback) — moby/moby#37972: a rollback without
//     a monitor window kills the good task.
// Not yet on a swarm (UserError naming the key, so nothing is silently dropped): volumes and
// other mounts (stateful services are pinned to their node in a later step), published ports
// (the edge fronts the cluster later; host-mode ports block start-first, moby/moby#41364),
// secrets/configs, network_mode, and every key the container translation has no swarm
// counterpart for.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/model.h"
#include "util/error.h"

namespace slipway::swarm {

using json = nlohmann::json;

struct SwarmContext {
  std::string project;
  // Service key -> the image ID ("sha256:...") it runs. Every service needs one.
  std::map<std::string, std::string> images;
  Location where;  // the first Compose file, for error messages
};

struct ServicePlan {
  std::string service;  // the Compose key
  std::string name;     // "<project>_<service>"
  json spec;            // the API's ServiceSpec
  std::string hash;     // io.slipway.spec-hash, also in spec.Labels
};

struct StackPlan {
  std::vector<json> networks;  // NetworkCreate bodies (overlay), in model order
  std::vector<ServicePlan> services;
};

// The whole stack. UserError for what a swarm deploy cannot do yet (see above).
StackPlan plan_stack(const compose::Model& model, const SwarmContext& context);

// How long a swarm update watches a new task before it counts as a success: longer than the
// healthcheck can take to declare it unhealthy (start_period + retries x (interval + timeout)),
// plus a margin; 5 s (the engine's default) for a service without a healthcheck. Nanoseconds.
// `healthcheck` is the container Config's Healthcheck (nanoseconds; absent fields are the
// engine's defaults: interval 30 s, timeout 30 s, retries 3).
std::int64_t monitor_window(const json& healthcheck);

}  // namespace slipway::swarm
