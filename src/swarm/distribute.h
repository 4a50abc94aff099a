// Images to the nodes of a swarm without a registry: each image slipway built on the manager is
// streamed from the manager's engine (GET /images/get) into every node's engine that lacks it
// (POST /images/load), and services name it by ID, so every node runs exactly the image that
// was built and tested.
//
// Why not a registry inside the swarm (docs/swarm.md): a registry is one more service that must
// run, be reachable from every node under one name, hold its own data and be trusted (TLS, or
// every engine configured with insecure-registries — a daemon setting on each node), and it
// gives digests of a push, not the image IDs the tests saw. The stream needs nothing on the
// nodes but their engine, which slipway reaches anyway, and a node that has the image (same
// ID) receives nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace slipway::swarm {

struct Distribution {
  int transfers = 0;  // (node, image) pairs loaded
  int present = 0;    // (node, image) pairs a node already had
};

// Loads `image_ids` from `source` into every engine of `nodes` that lacks one of them (the
// missing ones of a node travel as one archive, so shared layers travel once); nodes load in
// parallel, each through a bounded buffer (memory stays small however large the image).
// Throws EnvError naming the node and image when an export or a load fails; what other nodes
// loaded stays (loading is idempotent).
Distribution distribute_images(const engine::Engine& source,
                               const std::vector<std::shared_ptr<const engine::Engine>>& nodes,
                               const std::vector<std::string>& image_ids);

}  // namespace slipway::swarm
