// The per-host random key that fingerprints secret/config contents (HMAC) before they go into
// a container label: anyone who can read labels could test password guesses against a plain
// hash; without this key, which never leaves the host, they cannot.
#pragma once

#include <string>

namespace slipway::apply {

// The raw key from <state_directory()>/host.key, created (32 random bytes, mode 0600) on first
// use. Throws EnvError when it can be neither read nor created.
const std::string& host_key();

// The key file in `dir`, created when missing (exposed for tests).
std::string load_or_create_host_key(const std::string& dir);

}  // namespace slipway::apply
