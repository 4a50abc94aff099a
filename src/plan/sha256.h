// SHA-256, for config hashes: the plan layer is pure and must not need a crypto library.
#pragma once

#include <string>
#include <string_view>

namespace slipway::plan {

// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace slipway::plan
