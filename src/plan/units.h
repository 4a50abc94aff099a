// The canonical model keeps durations as Go duration strings ("1m30s") and sizes as byte
// strings; the Engine API wants nanoseconds and bytes as integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace slipway::plan {

// Go duration syntax ("300ms", "1.5h", "1h2m3s"); nullopt when malformed.
std::optional<int64_t> parse_duration_ns(const std::string& text);

// "104857600", "64m", "1g", "512k", "1.5gb" (powers of 1024, like docker's RAMInBytes);
// nullopt when malformed.
std::optional<int64_t> parse_bytes(const std::string& text);

}  // namespace slipway::plan
