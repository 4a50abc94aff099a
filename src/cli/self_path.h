// This slipway binary's absolute path: what systemd units and git hooks run.
#pragma once

#include <string>

namespace slipway::cli {

// /proc/self/exe resolved; throws EnvError when it cannot be read.
std::string self_path();

}  // namespace slipway::cli
