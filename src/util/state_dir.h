// Where slipway keeps local state (backup history, the host key for secret fingerprints):
// $SLIPWAY_STATE_DIR, else $XDG_STATE_HOME/slipway, else ~/.local/state/slipway.
#pragma once

#include <string>

namespace slipway {

// The state directory (not created).
std::string state_directory();

}  // namespace slipway
