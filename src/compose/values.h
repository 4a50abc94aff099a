// The small numeric grammars of Compose files: durations, byte sizes, file modes, and Go's
// path.Clean. Each parser returns nullopt for malformed text instead of guessing or throwing,
// so the caller can point at the offending value (normalize, schema).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slipway::compose {

// A Go duration as compose-go reads it (time.ParseDuration plus the d and w units of
// str2duration): "1m30s", "1.5h", "2d", "-3s", "0". Units: ns us µs μs ms s m h d w; every number
// needs a unit except a lone "0". Computed in integers as Go does, so "0.3s" is exactly
// 300ms. nullopt when malformed or beyond ±(2^63-1) ns.
std::optional<int64_t> parse_duration(std::string_view text);
// Go's time.Duration.String(): "1m30s", "1h2m0s", "500ms", "0s".
std::string format_duration(int64_t nanoseconds);

// A byte size as docker's units.RAMInBytes reads it: "512m", "1g", "1.5GB", "100", "2 KiB"
// (binary multipliers). nullopt when malformed or beyond 9.2e18.
std::optional<int64_t> parse_bytes(std::string_view text);

// A file mode written as octal text, as compose-go's strconv.ParseUint(text, 8, 32): "0440",
// "440"; the digits 0-7 only, at most 037777777777. nullopt otherwise.
std::optional<int64_t> parse_octal_mode(std::string_view text);

// Go's path.Clean for slash-separated paths.
std::string clean_path(const std::string& path);

}  // namespace slipway::compose
