// Wall-clock timestamps for records people and other tools read (snapshot tags, state files).
#pragma once

#include <string>

namespace slipway {

// The current time in UTC as RFC 3339 with second precision: "2026-11-24T23:15:00Z".
std::string utc_now();

}  // namespace slipway
