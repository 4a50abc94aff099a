// Printing the logs of several containers at once, each line prefixed with its container's
// name (as `docker compose logs` does), following them concurrently with -f.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "plan/observed.h"

namespace slipway::apply {

// Writes the containers' logs to stdout (their stderr to stderr), "name | line". With
// options.follow, returns when every stream ended
// (Ctrl-C simply ends the process: following changes nothing).
void print_logs(const engine::Engine& client, const std::vector<plan::ObservedContainer>& containers,
                const engine::LogsOptions& options, bool prefix = true);

}  // namespace slipway::apply
