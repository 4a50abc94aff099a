// What the engine-using commands share: the client for -H/--host. Kept apart from command.h
// (the registration contract) so commands that never touch the engine do not see it.
#pragma once

#include "cli/command.h"
#include "engine/client.h"

namespace slipway::cli {

// A client for -H/--host (else $DOCKER_HOST). With `ping`, an unreachable engine is reported
// now, before the command has done work it would have to abandon.
engine::Client connect_engine(const GlobalOptions& global, bool ping = true);

}  // namespace slipway::cli
