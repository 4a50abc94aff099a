// The swarm layer's entry point: deploy a project onto a swarm, and take it down again
// (docs/swarm.md). The order of flow is the one-machine one: the project model is planned into
// Swarm objects (swarm/service_spec.h, pure), then carried out here through engine::Engine on
// the manager.
//
//   deploy_stack: images by ID on the manager -> loaded into every node that lacks them
//   (swarm/distribute.h) -> overlay networks -> services created, or updated when their
//   io.slipway.spec-hash changed (start-first, rollback on failure) -> services of the stack
//   that the model no longer has removed -> wait until converged: each service has its replicas
//   running, no update in progress, none rolled back.
//   down_stack: services, then networks and secrets of the stack removed, then wait until no
//   task container is left on any node.
//
// Both are idempotent, so running one again after an interruption converges (every object is
// found by its com.docker.stack.namespace label and name). Not yet: stateful services,
// secrets/configs, published ports and the edge, gates and generation records
// (service_spec.h and docs/swarm.md say what is refused).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "compose/model.h"
#include "engine/engine.h"
#include "swarm/distribute.h"

namespace slipway::swarm {

struct Target {
  std::shared_ptr<const engine::Engine> manager;
  // The engine of every node, the manager's included: images are loaded through them and down
  // waits on them. On a real cluster these are ssh:// addresses (engine/ssh_dial.h).
  std::vector<std::shared_ptr<const engine::Engine>> nodes;
};

struct DeployOptions {
  std::chrono::milliseconds converge_timeout{std::chrono::minutes(3)};
  std::chrono::milliseconds poll{std::chrono::milliseconds(250)};
};

struct DeployReport {
  Distribution images;
  std::vector<std::string> created, updated, unchanged, removed;  // service names
};

// Throws UserError for what the planner refuses, or for a service whose image is not on the
// manager; EnvError when the engine fails or the stack does not converge in time (naming the
// service, its task states and the last task error).
DeployReport deploy_stack(const Target& target, const compose::Model& model, const std::string& project,
                          const Location& where = {}, const DeployOptions& options = {});

// Removes what deploy_stack made for `project`; returns the names of the removed services.
std::vector<std::string> down_stack(const Target& target, const std::string& project,
                                    const DeployOptions& options = {});

// Whether every service of `project` runs its replicas with no update in progress; the
// first reason why not in `why` otherwise.
bool converged(const engine::Engine& manager, const std::string& project, std::string* why = nullptr);

}  // namespace slipway::swarm
