// Compose's short syntaxes that pack several fields into one string: ports
// ("[ip:][host[-host]:]container[-container][/proto]"), volumes ("source:target[:options]") and
// shell-like command lines. Each parser returns a Parsed value: the result, or the reason the
// text is malformed, which the caller turns into a UserError at the value's location.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slipway::compose {

// A parser's result: `value`, or (when it is empty) `error`, the reason in compose-go's words
// ("invalid port \"x\"").
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed failure(std::string why) {
    Parsed p;
    p.error = std::move(why);
    return p;
  }
  explicit operator bool() const { return value.has_value(); }
};

// One port mapping of the long form, before typing.
struct PortMapping {
  std::string host_ip;
  uint32_t target = 0;
  std::string published;  // "" when not published; "8000-8010" for a dynamic host range
  std::string protocol;   // tcp, udp, sctp
};
// Short port syntax; a container range expands to one mapping per port, sorted as compose-go
// sorts them ("port/proto" as strings).
Parsed<std::vector<PortMapping>> parse_port_spec(const std::string& spec);

// Short volume syntax "source:target[:options]", "target", "./src:/dst:ro,z".
struct VolumeSpec {
  std::string type;  // bind or volume
  std::string source;
  std::string target;
  bool read_only = false;
  bool has_bind = false;
  std::string selinux, propagation;
  bool has_volume = false;
  bool nocopy = false;
};
Parsed<VolumeSpec> parse_volume_spec(const std::string& spec);

// go-shellwords as Compose uses it: quotes and backslashes, splitting stops at an unquoted
// ; & | < >. Fails with "invalid command line string" on unbalanced quotes.
Parsed<std::vector<std::string>> shell_split(const std::string& line);

}  // namespace slipway::compose
