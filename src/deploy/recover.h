// Convergence after an interrupted deploy (slipway killed, the host rebooted mid-deploy).
//
// A deploy writes its generation record as "deploying" before its first engine change, so an
// unfinished record names the generation G whose containers may be half made, running beside
// the old ones, or already routed. The next deploy (or rollback) first puts back generation
// G-1 as it was:
//   - a container_name service set aside (NAME_slipway-old): G's container with the name goes,
//     the old one gets its name back;
//   - the newest older generation's containers that were stopped are started again;
//   - routes of the edge that name G's containers point back at the old containers (which run
//     by then: the edge never points at a stopped container);
//   - G's containers (staged or started) and their files are removed; the record becomes
//     "interrupted".
// Then it removes what a finished deploy left: stopped containers of a generation older than
// the newest one running for the same service (a run killed after "deployed" was written but
// before the old containers were removed).
#pragma once

#include <string>

#include "apply/replace.h"
#include "compose/loader.h"
#include "deploy/gates.h"
#include "deploy/store.h"
#include "edge/routes.h"
#include "engine/engine.h"

namespace slipway::deploy {

// Returns the number of generations undone.
int recover(const engine::Engine& engine, const compose::Project& project, const edge::Routing& routing,
            GenerationStore& store, const apply::FilesPlace& files, const Say& say);

// Removes container `id` (stopping it first, up to `stop_timeout` s) and its files directory.
// A container already gone is no error.
void remove_with_files(const engine::Engine& engine, apply::Replacer& replacer, const std::string& id,
                       int stop_timeout = 10);

}  // namespace slipway::deploy
