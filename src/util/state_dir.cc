#include "util/state_dir.h"

#include <cstdlib>

namespace slipway {

std::string state_directory() {
  if (const char* d = std::getenv("SLIPWAY_STATE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/slipway";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.local/state/slipway";
}

}  // namespace slipway
