// `--target swarm` of deploy and down (docs/swarm.md): the stack goes to the Swarm whose
// manager is -H/DOCKER_HOST, through swarm/stack.h, instead of generations on one engine.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace slipway::cli {

struct SwarmFlags {
  std::string target = "host";     // --target: host (one machine) or swarm
  std::vector<std::string> nodes;  // --swarm-node: the other nodes' engines (images go there)
};

// Adds --target and --swarm-node to `sub`.
void add_swarm_flags(CLI::App* sub, SwarmFlags& flags);

// `slipway deploy --target swarm`: exit code.
int run_swarm_deploy(const GlobalOptions& global, const SwarmFlags& flags, bool dry_run);
// `slipway down --target swarm`: exit code.
int run_swarm_down(const GlobalOptions& global, const SwarmFlags& flags);

}  // namespace slipway::cli
