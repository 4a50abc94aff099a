// What the engine runs for a project, read from its labels: the planner's other input.
#pragma once

#include "compose/loader.h"
#include "engine/engine.h"
#include "plan/observed.h"

namespace slipway::apply {

struct ObserveOptions {
  // For running containers created without the io.slipway.secrets-digest label (by an older
  // slipway), read the secrets/configs inside and fingerprint them (so a changed secret file
  // recreates). Costs one archive request per file of such containers; labelled ones cost none.
  bool file_digests = false;
};

// Containers labelled with the project (all states), the model's networks and volumes that
// exist (by name) plus any labelled with the project, and the IDs of the services' images.
plan::Observed observe(const engine::Engine& client, const compose::Project& project,
                       const ObserveOptions& options = {});

// Containers of project `name` alone (ps, logs, down of a project whose files are gone).
// Filter for the containers of `project`. A container inherits its image's labels, and images
// built for a project carry com.docker.compose.project, so a container someone starts by hand from
// such an image would look like the project's own: only containers with the oneoff label (which
// slipway and Compose set on every container they create) count.
engine::Filters project_containers_filter(const std::string& project);

std::vector<plan::ObservedContainer> observe_containers(const engine::Engine& client, const std::string& project);

// One container summary (GET /containers/json item) as the planner sees it.
plan::ObservedContainer from_summary(const nlohmann::json& summary);

}  // namespace slipway::apply
