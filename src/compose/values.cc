#include "compose/values.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <tuple>

namespace slipway::compose {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decodes UTF-8 into code points; invalid bytes become themselves (never fails).
void code_points_into(const std::string& s, std::vector<uint32_t>& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += len;
  }
}

std::vector<uint32_t> code_points(const std::string& s) {
  std::vector<uint32_t> out;
  code_points_into(s, out);
  return out;
}

bool cp_digit(uint32_t c) { return c >= '0' && c <= '9'; }
// Approximation of unicode.IsLetter: ASCII letters, and any non-ASCII code point that is
// not punctuation-like (keys in Compose files are nearly always ASCII).
bool cp_letter(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}

}  // namespace

std::optional<int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    std::string num(s.substr(0, i));
    if (std::count(num.begin(), num.end(), '.') > 1 || num == ".") return std::nullopt;
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !is_digit(s[j]) && s[j] != '.') ++j;
    std::string_view unit = s.substr(0, j);
    s.remove_prefix(j);
    long double mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else if (unit == "d") mult = 86400e9;
    else if (unit == "w") mult = 7 * 86400e9;
    else return std::nullopt;
    total += std::stold(num) * mult;
  }
  if (total > 9.2e18L) return std::nullopt;
  int64_t v = static_cast<int64_t>(total);
  return neg ? -v : v;
}

namespace {
// Formats v / 10^prec with trailing zeros of the fraction removed ("1.5", "2").
std::string fraction(uint64_t v, int prec) {
  uint64_t p = 1;
  for (int i = 0; i < prec; ++i) p *= 10;
  std::string s = std::to_string(v / p);
  uint64_t frac = v % p;
  if (frac) {
    std::string f = std::to_string(frac);
    f = std::string(prec - f.size(), '0') + f;
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}
}  // namespace

std::string format_duration(int64_t d) {
  if (d == 0) return "0s";
  bool neg = d < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d);
  std::string out;
  if (u < 1000000000ULL) {
    if (u < 1000) out = std::to_string(u) + "ns";
    else if (u < 1000000) out = fraction(u, 3) + "\xC2\xB5s";
    else out = fraction(u, 6) + "ms";
  } else {
    uint64_t secs_ns = u % 60000000000ULL;
    uint64_t mins = u / 60000000000ULL;
    out = fraction(secs_ns, 9) + "s";
    if (mins > 0) {
      uint64_t h = mins / 60;
      out = std::to_string(mins % 60) + "m" + out;
      if (h > 0) out = std::to_string(h) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

std::optional<int64_t> parse_bytes(std::string_view s) {
  // ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  size_t i = 0;
  if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
  while (i < s.size() && (is_digit(s[i]) || (s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1])))) ++i;
  std::string num(s.substr(0, i));
  std::string_view rest = s.substr(i);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  long double mult = 1;
  if (!rest.empty()) {
    switch (rest[0]) {
      case 'k': case 'K': mult = 1024.0L; rest.remove_prefix(1); break;
      case 'm': case 'M': mult = 1024.0L * 1024; rest.remove_prefix(1); break;
      case 'g': case 'G': mult = 1024.0L * 1024 * 1024; rest.remove_prefix(1); break;
      case 't': case 'T': mult = 1024.0L * 1024 * 1024 * 1024; rest.remove_prefix(1); break;
      case 'p': case 'P': mult = 1024.0L * 1024 * 1024 * 1024 * 1024; rest.remove_prefix(1); break;
      default: break;
    }
  }
  if (!rest.empty() && (rest[0] == 'i' || rest[0] == 'I')) rest.remove_prefix(1);
  if (!rest.empty() && (rest[0] == 'b' || rest[0] == 'B')) rest.remove_prefix(1);
  if (!rest.empty()) return std::nullopt;
  // "1.2.3" matches the pattern but not ParseFloat.
  if (std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
  long double v = std::stold(num) * mult;
  if (v > 9.2e18L) return std::nullopt;
  return static_cast<int64_t>(v);
}

namespace {

std::pair<uint64_t, uint64_t> port_range(const std::string& text) {
  auto parse = [&](const std::string& p) {
    if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), is_digit))
      throw std::invalid_argument("invalid port \"" + text + "\"");
    uint64_t v = std::stoull(p);
    if (v > 65535) throw std::invalid_argument("invalid port \"" + text + "\"");
    return v;
  };
  if (text.empty()) throw std::invalid_argument("no port specified");
  auto dash = text.find('-');
  if (dash == std::string::npos) {
    uint64_t v = parse(text);
    return {v, v};
  }
  uint64_t a = parse(text.substr(0, dash)), b = parse(text.substr(dash + 1));
  if (b < a) throw std::invalid_argument("invalid range specified for port: " + text);
  return {a, b};
}

bool valid_ip(const std::string& ip) {
  if (ip.empty()) return false;
  if (ip.find(':') != std::string::npos) {
    return std::all_of(ip.begin(), ip.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
  }
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = ip.find('.', start);
    std::string p = ip.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), is_digit) || std::stoi(p) > 255) return false;
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

std::vector<PortMapping> parse_port_spec(const std::string& spec) {
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
  if (n == 2) host = parts[0];
  else if (n >= 3) {
    host = parts[n - 2];
    for (size_t i = 0; i + 2 < n; ++i) ip += (i ? ":" : "") + parts[i];
  }
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (!ip.empty() && !valid_ip(ip)) throw std::invalid_argument("invalid IP address: " + ip);
  if (container.empty()) throw std::invalid_argument("no port specified: " + spec + "<empty>");
  auto [cs, ce] = port_range(container);
  uint64_t hs = 0, he = 0;
  if (!host.empty()) std::tie(hs, he) = port_range(host);
  if (!host.empty() && (ce - cs) != (he - hs) && ce != cs)
    throw std::invalid_argument("invalid ranges specified for container and host Ports: " + container + " and " + host);
  if (proto != "tcp" && proto != "udp" && proto != "sctp") throw std::invalid_argument("invalid proto: " + proto);
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
  return out;
}

VolumeSpec parse_volume_spec(const std::string& spec) {
  VolumeSpec v;
  if (spec.empty()) throw std::invalid_argument("invalid empty volume spec");
  if (spec.size() <= 2) {
    v.target = spec;
    v.type = "volume";
    return v;
  }
  std::vector<std::string> fields;
  std::string buf;
  int in_var = 0;
  bool too_many = false;
  auto flush = [&](bool end) {
    if (buf.empty()) throw std::invalid_argument("invalid spec: " + spec + ": empty section between colons");
    if (fields.size() == 2 && !end) too_many = true;
    fields.push_back(buf);
    buf.clear();
  };
  for (size_t i = 0; i <= spec.size(); ++i) {
    char c = i < spec.size() ? spec[i] : '\0';
    if (c == '$' && i + 1 < spec.size() && spec[i + 1] == '{') { ++in_var; buf += c; continue; }
    if (c == '}' && in_var > 0) { --in_var; buf += c; continue; }
    bool windows_drive = c == ':' && buf.size() == 1 && std::isalpha(static_cast<unsigned char>(buf[0]));
    if (windows_drive) buf += c;
    else if ((c == ':' || c == '\0') && in_var == 0) {
      if (i == spec.size()) flush(true);
      else flush(false);
      if (too_many) throw std::invalid_argument("invalid spec: " + spec + ": too many colons");
    } else buf += c;
  }
  if (fields.size() == 1) v.target = fields[0];
  else {
    v.source = fields[0];
    v.target = fields[1];
  }
  if (fields.size() == 3) {
    std::string opts = fields[2];
    size_t s = 0;
    while (true) {
      size_t c = opts.find(',', s);
      std::string o = opts.substr(s, c == std::string::npos ? std::string::npos : c - s);
      if (o == "ro") v.read_only = true;
      else if (o == "rw") v.read_only = false;
      else if (o == "nocopy") { v.has_volume = true; v.nocopy = true; }
      else if (o == "z" || o == "Z") { v.has_bind = true; v.selinux = o; }
      else if (o == "rprivate" || o == "private" || o == "rshared" || o == "shared" || o == "rslave" || o == "slave") {
        v.has_bind = true;
        v.propagation = o;
      }
      if (c == std::string::npos) break;
      s = c + 1;
    }
  }
  const std::string& src = v.source;
  bool file_path = !src.empty() && (src[0] == '.' || src[0] == '/' || src[0] == '~' || src.rfind("\\\\", 0) == 0 ||
                                    (src.size() > 1 && std::isalpha(static_cast<unsigned char>(src[0])) && src[1] == ':'));
  if (file_path) {
    v.type = "bind";
    v.has_bind = true;
  } else {
    v.type = "volume";
    v.has_volume = true;
  }
  return v;
}

std::vector<std::string> shell_split(const std::string& line) {
  std::vector<std::string> args;
  std::string buf;
  bool escaped = false, single = false, dbl = false, back = false, dollar = false, got = false;
  for (char r : line) {
    if (escaped) { buf += r; escaped = false; got = true; continue; }
    if (r == '\\') {
      if (single) buf += r;
      else escaped = true;
      continue;
    }
    if (r == ' ' || r == '\t' || r == '\r' || r == '\n') {
      if (single || dbl || back || dollar) buf += r;
      else if (got) { args.push_back(buf); buf.clear(); got = false; }
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
          throw std::invalid_argument("invalid command line string");
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
      case ';': case '&': case '|': case '<': case '>':
        if (!(single || dbl || back || dollar)) stop = true;
        break;
      default: break;
    }
    if (stop) break;
    got = true;
    buf += r;
  }
  if (got) args.push_back(buf);
  if (escaped || single || dbl || back || dollar) throw std::invalid_argument("invalid command line string");
  return args;
}

std::string clean_path(const std::string& path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string> parts;
  size_t s = 0;
  while (s <= path.size()) {
    size_t e = path.find('/', s);
    if (e == std::string::npos) e = path.size();
    std::string p = path.substr(s, e - s);
    if (p.empty() || p == ".") {
    } else if (p == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!rooted) parts.push_back("..");
    } else parts.push_back(p);
    s = e + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

namespace {

bool ascii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// `ar` and `br` are code point sequences (an ASCII std::string is its own).
template <typename Seq>
bool key_less(const Seq& ar, const Seq& br) {
  bool digits = false;
  for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
    if (ar[i] == br[i]) {
      digits = cp_digit(ar[i]);
      continue;
    }
    bool al = cp_letter(ar[i]), bl = cp_letter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return digits ? al : bl;
    int64_t an = 0, bn = 0;
    if (ar[i] == '0' || br[i] == '0') {
      for (size_t j = i; j-- > 0 && cp_digit(ar[j]);) {
        if (ar[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    size_t ai = i, bi = i;
    for (; ai < ar.size() && cp_digit(ar[ai]); ++ai) an = an * 10 + (ar[ai] - '0');
    for (; bi < br.size() && cp_digit(br[bi]); ++bi) bn = bn * 10 + (br[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

}  // namespace

bool yaml_key_less(const std::string& as, const std::string& bs) {
  // Sorting keys compares every pair many times; decoding UTF-8 is only needed for non-ASCII.
  if (ascii(as) && ascii(bs)) return key_less(as, bs);
  return key_less(code_points(as), code_points(bs));
}

namespace {

// Go's strconv.ParseInt(s, 0, 64) / ParseUint acceptance (syntax only, underscores removed).
bool go_int_syntax(std::string s) {
  if (s.empty()) return false;
  if (s[0] == '+' || s[0] == '-') s = s.substr(1);
  if (s.empty()) return false;
  auto all = [&](size_t from, auto pred) {
    if (from >= s.size()) return false;
    for (size_t i = from; i < s.size(); ++i)
      if (!pred(s[i])) return false;
    return true;
  };
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return all(2, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (p == 'o' || p == 'O') return all(2, [](char c) { return c >= '0' && c <= '7'; });
    if (p == 'b' || p == 'B') return all(2, [](char c) { return c == '0' || c == '1'; });
    return all(1, [](char c) { return c >= '0' && c <= '7'; });
  }
  return all(0, is_digit);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_float_syntax(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
  } else {
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
  }
  return i == s.size();
}

bool go_parse_float_syntax(const std::string& s) {
  // Go's ParseFloat also reads "inf", "infinity", "nan" (any case, inf signed).
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), ::tolower);
  std::string u = (l.size() && (l[0] == '+' || l[0] == '-')) ? l.substr(1) : l;
  if (u == "inf" || u == "infinity") return true;
  if (l == "nan") return true;
  std::string t = l;
  t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
  return yaml_float_syntax(t);
}

bool looks_like_timestamp(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return false;
  // YYYY-M-D, optionally followed by [Tt ]H:M:S(.frac)(zone).
  size_t p = 5;
  auto digits = [&](size_t min, size_t max) {
    size_t st = p;
    while (p < s.size() && is_digit(s[p]) && p - st < max) ++p;
    return p - st >= min;
  };
  if (!digits(1, 2) || p >= s.size() || s[p] != '-') return false;
  ++p;
  if (!digits(1, 2)) return false;
  if (p == s.size()) return true;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
  ++p;
  if (!digits(1, 2) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!digits(1, 2) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!digits(1, 2)) return false;
  return true;  // fraction/zone: close enough
}

// What go-yaml's resolver makes of a plain scalar: true when it is not a string.
bool resolves_to_non_string(const std::string& s) {
  if (s.empty()) return true;
  static constexpr std::string_view specials[] = {"~", "null", "Null", "NULL", "true", "True", "TRUE", "false",
                                                  "False", "FALSE", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                                  "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<"};
  if (s.size() <= 5)
    for (std::string_view sp : specials)
      if (s == sp) return true;
  char c = s[0];
  if (c == '.') return go_parse_float_syntax(s) && s.size() > 1;
  if (c == '+' || c == '-' || is_digit(c)) {
    if (looks_like_timestamp(s)) return true;
    std::string plain = s;
    plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    if (go_int_syntax(plain)) return true;
    if (yaml_float_syntax(plain)) return true;
    std::string b = plain;
    if (b.rfind("-", 0) == 0) b = b.substr(1);
    if (b.rfind("0b", 0) == 0 && b.size() > 2 && std::all_of(b.begin() + 2, b.end(), [](char x) { return x == '0' || x == '1'; })) return true;
    if (plain.rfind("0o", 0) == 0 && plain.size() > 2 && std::all_of(plain.begin() + 2, plain.end(), [](char x) { return x >= '0' && x <= '7'; })) return true;
  }
  return false;
}

bool is_old_bool(const std::string& s) {
  static constexpr std::string_view v[] = {"y",  "Y",  "yes", "Yes", "YES", "on",  "On",  "ON",
                                           "n",  "N",  "no",  "No",  "NO",  "off", "Off", "OFF"};
  if (s.size() > 3) return false;
  for (std::string_view x : v)
    if (s == x) return true;
  return false;
}

bool is_base60_float(const std::string& s) {
  if (s.empty()) return false;
  char c = s[0];
  if (!(c == '+' || c == '-' || is_digit(c)) || s.find(':') == std::string::npos) return false;
  // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  if (i >= s.size() || !is_digit(s[i])) return false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    size_t st = i;
    while (i < s.size() && is_digit(s[i]) && i - st < 2) ++i;
    size_t len = i - st;
    if (len == 0) return false;
    if (len == 2 && s[st] > '5') return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

inline bool is_blank_or_end(const std::vector<uint32_t>& cps, size_t i) {
  return i >= cps.size() || cps[i] == ' ' || cps[i] == '\t' || cps[i] == '\r' || cps[i] == '\n' || cps[i] == 0x85 ||
         cps[i] == 0x2028 || cps[i] == 0x2029;
}
bool is_break(uint32_t c) { return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_printable(uint32_t c) {
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}

struct Analysis {
  bool multiline = false, flow_plain = true, block_plain = true, single_ok = true, block_ok = true;
};

// libyaml's scalar analysis (which styles can represent the text).
Analysis analyze(const std::string& s) {
  Analysis a;
  if (s.empty()) {
    a.flow_plain = false;
    a.block_ok = false;
    return a;
  }
  // Reused between calls: emitting a project analyzes every string it prints.
  static thread_local std::vector<uint32_t> cps;
  code_points_into(s, cps);
  bool flow_ind = false, block_ind = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false, prev_space = false, prev_break = false;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) {
    if (is_blank_or_end(cps, 3)) flow_ind = block_ind = true;
  }
  bool preceded_ws = true;
  for (size_t i = 0; i < cps.size(); ++i) {
    uint32_t c = cps[i];
    bool followed_ws = is_blank_or_end(cps, i + 1);
    if (i == 0) {
      if (c < 0x80 && std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(c)) != std::string_view::npos) flow_ind = block_ind = true;
      if (c == '?' || c == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (c == '-' && followed_ws) flow_ind = block_ind = true;
    } else {
      if (c < 0x80 && std::string_view(",?[]{}").find(static_cast<char>(c)) != std::string_view::npos) flow_ind = true;
      if (c == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (c == '#' && preceded_ws) flow_ind = block_ind = true;
    }
    if (!is_printable(c) && c < 0x10000) special = true;
    if (c >= 0x10000) special = true;  // go-yaml's is_printable rejects 4-byte sequences
    if (is_break(c)) line_breaks = true;
    if (c == ' ') {
      if (i == 0) leading_space = true;
      if (i + 1 == cps.size()) trailing_space = true;
      if (prev_break) break_space = true;
      prev_space = true;
      prev_break = false;
    } else if (is_break(c)) {
      if (i == 0) leading_break = true;
      if (i + 1 == cps.size()) trailing_break = true;
      if (prev_space) space_break = true;
      prev_break = true;
      prev_space = false;
    } else {
      prev_space = prev_break = false;
    }
    preceded_ws = is_blank_or_end(cps, i);
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) a.flow_plain = a.block_plain = false;
  if (trailing_space) a.block_ok = false;
  if (break_space) a.flow_plain = a.block_plain = a.single_ok = false;
  if (space_break || special) a.flow_plain = a.block_plain = a.single_ok = a.block_ok = false;
  if (line_breaks) a.flow_plain = a.block_plain = false;
  if (flow_ind) a.flow_plain = false;
  if (block_ind) a.block_plain = false;
  return a;
}

}  // namespace

ScalarStyle yaml_string_style(const std::string& s, bool is_key) {
  bool can_plain = !resolves_to_non_string(s) && !is_base60_float(s) && !is_old_bool(s);
  bool valid_utf8 = true;  // assume valid: the reader rejects invalid UTF-8
  (void)valid_utf8;
  ScalarStyle want;
  if (s.find('\n') != std::string::npos) {
    bool literal_ok = false;
    if (s.size() >= 2)
      for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) literal_ok = true;
    want = literal_ok ? ScalarStyle::Literal : ScalarStyle::DoubleQuoted;
  } else if (can_plain) {
    want = ScalarStyle::Plain;
  } else {
    want = ScalarStyle::DoubleQuoted;
  }
  if (want == ScalarStyle::DoubleQuoted) return want;  // the analysis could only confirm it
  Analysis a = analyze(s);
  if (want == ScalarStyle::Plain) {
    if (!a.block_plain || (s.empty() && is_key)) want = ScalarStyle::SingleQuoted;
  }
  if (want == ScalarStyle::SingleQuoted && !a.single_ok) want = ScalarStyle::DoubleQuoted;
  if (want == ScalarStyle::Literal && (!a.block_ok || is_key)) want = ScalarStyle::DoubleQuoted;
  return want;
}

std::string yaml_double_quote(const std::string& s) {
  std::string out = "\"";
  auto cps = code_points(s);
  size_t byte = 0;
  for (uint32_t c : cps) {
    size_t len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    char buf[16];
    if (!is_printable(c) || c == 0xFEFF || c >= 0x10000 || is_break(c) || c == '"' || c == '\\') {
      switch (c) {
        case 0: out += "\\0"; break;
        case 7: out += "\\a"; break;
        case 8: out += "\\b"; break;
        case 9: out += "\\t"; break;
        case 0xA: out += "\\n"; break;
        case 0xB: out += "\\v"; break;
        case 0xC: out += "\\f"; break;
        case 0xD: out += "\\r"; break;
        case 0x1B: out += "\\e"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case 0x85: out += "\\N"; break;
        case 0xA0: out += "\\_"; break;
        case 0x2028: out += "\\L"; break;
        case 0x2029: out += "\\P"; break;
        default:
          if (c <= 0xFF) std::snprintf(buf, sizeof buf, "\\x%02X", c);
          else if (c <= 0xFFFF) std::snprintf(buf, sizeof buf, "\\u%04X", c);
          else std::snprintf(buf, sizeof buf, "\\U%08X", c);
          out += buf;
      }
    } else {
      out += s.substr(byte, len);
    }
    byte += len;
  }
  return out + "\"";
}

}  // namespace slipway::compose
