// The small value grammars of Compose files: durations, byte sizes, port and volume short
// syntax, shell-like command strings. Each parser returns nullopt (or throws UserError with
// the reason) instead of guessing, so normalize() can point at the offending value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::compose {

// "1m30s", "1.5h", "2d", "90" (seconds are not implied: a bare number is nanoseconds, as Go's
// str2duration reads it... compose rejects bare numbers in the schema). Units: ns us µs ms s m h d w.
std::optional<int64_t> parse_duration(std::string_view text);
// Go's time.Duration.String(): "1m30s", "1h2m0s", "500ms", "0s".
std::string format_duration(int64_t nanoseconds);

// "512m", "1g", "1.5GB", "100" (binary multipliers, as docker's units.RAMInBytes).
std::optional<int64_t> parse_bytes(std::string_view text);

// One port mapping of the long form, before typing.
struct PortMapping {
  std::string host_ip;
  uint32_t target = 0;
  std::string published;  // "" when not published; "8000-8010" for a dynamic host range
  std::string protocol;   // tcp, udp, sctp
};
// Short port syntax "[ip:][host[-host]:]container[-container][/proto]"; throws a reason string
// as std::invalid_argument when malformed.
std::vector<PortMapping> parse_port_spec(const std::string& spec);

// Short volume syntax "source:target[:options]", "target", "./src:/dst:ro,z".
struct VolumeSpec {
  std::string type;         // bind or volume
  std::string source;
  std::string target;
  bool read_only = false;
  bool has_bind = false;
  std::string selinux, propagation;
  bool has_volume = false;
  bool nocopy = false;
};
// Throws std::invalid_argument with the reason when malformed.
VolumeSpec parse_volume_spec(const std::string& spec);

// go-shellwords as Compose uses it: quotes and backslashes, splitting stops at an unquoted
// ; & | < >. Throws std::invalid_argument("invalid command line string") on unbalanced quotes.
std::vector<std::string> shell_split(const std::string& line);

// Go's path.Clean for slash-separated paths.
std::string clean_path(const std::string& path);

// The key order go-yaml uses for map keys (numbers inside keys compare numerically).
bool yaml_key_less(const std::string& a, const std::string& b);

// Would go-yaml print this string unquoted? Also used to decide quoting style.
enum class ScalarStyle { Plain, SingleQuoted, DoubleQuoted, Literal };
ScalarStyle yaml_string_style(const std::string& s, bool is_key);
// The YAML double-quoted form of s (with the quotes).
std::string yaml_double_quote(const std::string& s);

}  // namespace slipway::compose
