// Before a stop-first deploy stops a service that holds data, a backup of exactly that data:
// its writable named volumes, and its dump when it declares one (x-slipway.backup.dump), into
// the stack's restic repository. Only when the stack configures one (x-slipway.backup.repository
// or restic's own RESTIC_REPOSITORY*); otherwise nothing happens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "deploy/gates.h"
#include "engine/engine.h"

namespace slipway::deploy {


// Backs up `service`'s data (see above). Returns the snapshot's run id, nullopt when the stack
// has no backup repository or the service no data. Throws EnvError when the backup fails (the
// deploy then stops before the service is touched).
std::optional<std::string> backup_before_stop(const engine::Engine& engine, const compose::Project& project,
                                              const std::string& service, const Say& say);

}  // namespace slipway::deploy
