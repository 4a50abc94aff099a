// HMAC-SHA256 (RFC 2104): a keyed fingerprint, so a digest that leaves the host (a container
// label) cannot be used to test guesses of the secret it covers without the key.
#pragma once

#include <string>
#include <string_view>

namespace slipway {

// Lower-case hex HMAC-SHA256 of `message` under `key` (any length; raw bytes).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace slipway
