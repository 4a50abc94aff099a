// Number parsing that returns a value or nothing, never throws: the one way slipway reads
// numbers out of labels, files and flags (instead of std::stoi inside try/catch).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace slipway {

// A decimal integer with an optional leading '-' (no '+', no spaces, no trailing text), within
// [min, max]. nullopt for empty text, anything else, overflow or a value out of range.
std::optional<std::int64_t> parse_int(std::string_view text,
                                      std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                      std::int64_t max = std::numeric_limits<std::int64_t>::max());

// A non-negative decimal integer (what labels, ports, uids and sizes hold).
std::optional<std::uint64_t> parse_uint(std::string_view text,
                                        std::uint64_t max = std::numeric_limits<std::uint64_t>::max());

// A decimal floating-point number as strtod reads it ("1", "-2.5", "1e3"); the whole text must
// be the number. nullopt otherwise, and for infinities and NaN.
std::optional<double> parse_double(std::string_view text);

}  // namespace slipway
