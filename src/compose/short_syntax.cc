#include "compose/short_syntax.h"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <utility>

#include "util/parse.h"

namespace slipway::compose {

namespace {

using PortRange = std::pair<uint64_t, uint64_t>;

// "80" or "8000-8010" -> first and last port.
Parsed<PortRange> port_range(const std::string& text) {
  if (text.empty()) return Parsed<PortRange>::failure("no port specified");
  auto dash = text.find('-');
  std::optional<uint64_t> a = parse_uint(text.substr(0, dash), 65535);
  std::optional<uint64_t> b = dash == std::string::npos ? a : parse_uint(text.substr(dash + 1), 65535);
  if (!a || !b) return Parsed<PortRange>::failure("invalid port \"" + text + "\"");
  if (*b < *a) return Parsed<PortRange>::failure("invalid range specified for port: " + text);
  return {PortRange{*a, *b}, {}};
}

bool valid_ip(const std::string& ip) {
  if (ip.empty()) return false;
  if (ip.find(':') != std::string::npos) {
    return std::all_of(ip.begin(), ip.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
  }
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = ip.find('.', start);
    std::string p = ip.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (p.empty() || p.size() > 3 || !parse_uint(p, 255)) return false;
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

Parsed<std::vector<PortMapping>> parse_port_spec(const std::string& spec) {
  using Result = Parsed<std::vector<PortMapping>>;
  std::string raw = spec, proto = "tcp";
  if (auto slash = raw.rfind('/'); slash != std::string::npos) {
    proto = raw.substr(slash + 1);
    raw = raw.substr(0, slash);
    std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t c = raw.find(':', start);
    parts.push_back(raw.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  std::string ip, host, container = parts.back();
  size_t n = parts.size();
  if (n == 2)
    host = parts[0];
  else if (n >= 3) {
    host = parts[n - 2];
    for (size_t i = 0; i + 2 < n; ++i) ip += (i ? ":" : "") + parts[i];
  }
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (!ip.empty() && !valid_ip(ip)) return Result::failure("invalid IP address: " + ip);
  if (container.empty()) return Result::failure("no port specified: " + spec + "<empty>");
  Parsed<PortRange> c = port_range(container);
  if (!c) return Result::failure(c.error);
  auto [cs, ce] = *c.value;
  uint64_t hs = 0, he = 0;
  if (!host.empty()) {
    Parsed<PortRange> h = port_range(host);
    if (!h) return Result::failure(h.error);
    std::tie(hs, he) = *h.value;
  }
  if (!host.empty() && (ce - cs) != (he - hs) && ce != cs)
    return Result::failure("invalid ranges specified for container and host Ports: " + container + " and " + host);
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return Result::failure("invalid proto: " + proto);
  std::vector<std::pair<std::string, PortMapping>> keyed;
  for (uint64_t i = 0; i <= ce - cs; ++i) {
    PortMapping m;
    m.host_ip = ip;
    m.target = static_cast<uint32_t>(cs + i);
    m.protocol = proto;
    if (!host.empty()) {
      m.published = std::to_string(hs + i);
      if (cs == ce && hs != he) m.published += "-" + std::to_string(he);
    }
    keyed.emplace_back(std::to_string(m.target) + "/" + proto, m);
  }
  // Compose sorts the parsed ports by their "port/proto" key as strings.
  std::stable_sort(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<PortMapping> out;
  for (auto& k : keyed) out.push_back(k.second);
  return {std::move(out), {}};
}

namespace {

// Splits "source:target[:options]" into its fields: colons inside ${...} and the colon of a
// one-letter drive prefix ("c:/x") do not separate fields.
Parsed<std::vector<std::string>> volume_fields(const std::string& spec) {
  using Result = Parsed<std::vector<std::string>>;
  std::vector<std::string> fields;
  std::string buf;
  int in_var = 0;
  for (size_t i = 0; i <= spec.size(); ++i) {
    char c = i < spec.size() ? spec[i] : '\0';
    if (c == '$' && i + 1 < spec.size() && spec[i + 1] == '{') {
      ++in_var;
    } else if (c == '}' && in_var > 0) {
      --in_var;
    } else if (c == ':' && buf.size() == 1 && std::isalpha(static_cast<unsigned char>(buf[0]))) {
      // a drive letter: part of the field
    } else if ((c == ':' || c == '\0') && in_var == 0) {
      if (buf.empty()) return Result::failure("invalid spec: " + spec + ": empty section between colons");
      if (fields.size() == 2 && i != spec.size()) return Result::failure("invalid spec: " + spec + ": too many colons");
      fields.push_back(std::move(buf));
      buf.clear();
      continue;
    }
    buf += c;
  }
  return {std::move(fields), {}};
}

// The comma-separated mode options of the third field ("ro,z", "nocopy"); unknown ones are
// ignored, as compose-go does.
void apply_volume_options(const std::string& opts, VolumeSpec& v) {
  size_t s = 0;
  while (true) {
    size_t c = opts.find(',', s);
    std::string o = opts.substr(s, c == std::string::npos ? std::string::npos : c - s);
    if (o == "ro") {
      v.read_only = true;
    } else if (o == "rw") {
      v.read_only = false;
    } else if (o == "nocopy") {
      v.has_volume = true;
      v.nocopy = true;
    } else if (o == "z" || o == "Z") {
      v.has_bind = true;
      v.selinux = o;
    } else if (o == "rprivate" || o == "private" || o == "rshared" || o == "shared" || o == "rslave" || o == "slave") {
      v.has_bind = true;
      v.propagation = o;
    }
    if (c == std::string::npos) break;
    s = c + 1;
  }
}

// A source that is a path (./x, /x, ~/x, C:x, \\host) makes a bind mount; a name, a volume.
bool is_path_source(const std::string& src) {
  return !src.empty() && (src[0] == '.' || src[0] == '/' || src[0] == '~' || src.rfind("\\\\", 0) == 0 ||
                          (src.size() > 1 && std::isalpha(static_cast<unsigned char>(src[0])) && src[1] == ':'));
}

}  // namespace

Parsed<VolumeSpec> parse_volume_spec(const std::string& spec) {
  VolumeSpec v;
  if (spec.empty()) return Parsed<VolumeSpec>::failure("invalid empty volume spec");
  if (spec.size() <= 2) {
    v.target = spec;
    v.type = "volume";
    return {v, {}};
  }
  Parsed<std::vector<std::string>> fields = volume_fields(spec);
  if (!fields) return Parsed<VolumeSpec>::failure(fields.error);
  const std::vector<std::string>& f = *fields.value;
  if (f.size() == 1) {
    v.target = f[0];
  } else {
    v.source = f[0];
    v.target = f[1];
  }
  if (f.size() == 3) apply_volume_options(f[2], v);
  if (is_path_source(v.source)) {
    v.type = "bind";
    v.has_bind = true;
  } else {
    v.type = "volume";
    v.has_volume = true;
  }
  return {v, {}};
}

Parsed<std::vector<std::string>> shell_split(const std::string& line) {
  using Result = Parsed<std::vector<std::string>>;
  std::vector<std::string> args;
  std::string buf;
  bool escaped = false, single = false, dbl = false, back = false, dollar = false, got = false;
  for (char r : line) {
    if (escaped) {
      buf += r;
      escaped = false;
      got = true;
      continue;
    }
    if (r == '\\') {
      if (single)
        buf += r;
      else
        escaped = true;
      continue;
    }
    if (r == ' ' || r == '\t' || r == '\r' || r == '\n') {
      if (single || dbl || back || dollar)
        buf += r;
      else if (got) {
        args.push_back(buf);
        buf.clear();
        got = false;
      }
      continue;
    }
    bool stop = false;
    switch (r) {
      case '`':
        if (!single && !dbl && !dollar) back = !back;
        break;
      case ')':
        if (!single && !dbl && !back) dollar = !dollar;
        break;
      case '(':
        if (!single && !dbl && !back) {
          if (!dollar && !buf.empty() && buf.back() == '$') {
            dollar = true;
            buf += '(';
            continue;
          }
          return Result::failure("invalid command line string");
        }
        break;
      case '"':
        if (!single && !dollar) {
          if (dbl) got = true;
          dbl = !dbl;
          continue;
        }
        break;
      case '\'':
        if (!dbl && !dollar) {
          if (single) got = true;
          single = !single;
          continue;
        }
        break;
      case ';':
      case '&':
      case '|':
      case '<':
      case '>':
        if (!(single || dbl || back || dollar)) stop = true;
        break;
      default:
        break;
    }
    if (stop) break;
    got = true;
    buf += r;
  }
  if (got) args.push_back(buf);
  if (escaped || single || dbl || back || dollar) return Result::failure("invalid command line string");
  return {std::move(args), {}};
}

}  // namespace slipway::compose
