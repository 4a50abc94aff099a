#include "compose/values.h"

#include <algorithm>
#include <vector>

#include "util/parse.h"

namespace slipway::compose {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr uint64_t kMaxDuration = static_cast<uint64_t>(INT64_MAX);

// Go's leadingInt: the digits at the front of `s` (consumed); false on overflow.
bool leading_int(std::string_view& s, uint64_t* out, bool* any) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (v > (kMaxDuration - (s[i] - '0')) / 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  *any = i > 0;
  s.remove_prefix(i);
  *out = v;
  return true;
}

// Go's leadingFraction: digits after the dot; digits past uint64 precision are dropped.
void leading_fraction(std::string_view& s, uint64_t* f, double* scale, bool* any) {
  uint64_t v = 0;
  double sc = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (v > (kMaxDuration - (s[i] - '0')) / 10) {
      overflow = true;
      continue;
    }
    v = v * 10 + (s[i] - '0');
    sc *= 10;
  }
  *any = i > 0;
  s.remove_prefix(i);
  *f = v;
  *scale = sc;
}

std::optional<uint64_t> unit_nanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000ULL;
  if (unit == "m") return 60 * 1000000000ULL;
  if (unit == "h") return 3600 * 1000000000ULL;
  if (unit == "d") return 86400 * 1000000000ULL;
  if (unit == "w") return 7 * 86400 * 1000000000ULL;
  return std::nullopt;
}

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

// The multiplier of a RAMInBytes suffix ("k", "MiB", "gb", ""), consuming it; nullopt for
// anything else.
std::optional<double> byte_multiplier(std::string_view rest) {
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  double mult = 1;
  static constexpr std::string_view kUnits = "kmgtp";
  if (!rest.empty()) {
    size_t u = kUnits.find(static_cast<char>(rest[0] | 0x20));
    if (u != std::string_view::npos) {
      for (size_t k = 0; k <= u; ++k) mult *= 1024;
      rest.remove_prefix(1);
    }
  }
  if (!rest.empty() && (rest[0] == 'i' || rest[0] == 'I')) rest.remove_prefix(1);
  if (!rest.empty() && (rest[0] == 'b' || rest[0] == 'B')) rest.remove_prefix(1);
  if (!rest.empty()) return std::nullopt;
  return mult;
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
  uint64_t total = 0;
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    bool pre = false, post = false;
    if (!leading_int(s, &v, &pre)) return std::nullopt;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      leading_fraction(s, &f, &scale, &post);
    }
    if (!pre && !post) return std::nullopt;
    size_t j = 0;
    while (j < s.size() && s[j] != '.' && !is_digit(s[j])) ++j;
    std::optional<uint64_t> unit = unit_nanoseconds(s.substr(0, j));
    if (!unit) return std::nullopt;
    s.remove_prefix(j);
    if (v > kMaxDuration / *unit) return std::nullopt;
    v *= *unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
      if (v > kMaxDuration) return std::nullopt;
    }
    total += v;
    if (total > kMaxDuration) return std::nullopt;
  }
  int64_t d = static_cast<int64_t>(total);
  return neg ? -d : d;
}

std::string format_duration(int64_t d) {
  if (d == 0) return "0s";
  bool neg = d < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d);
  std::string out;
  if (u < 1000000000ULL) {
    if (u < 1000)
      out = std::to_string(u) + "ns";
    else if (u < 1000000)
      out = fraction(u, 3) + "\xC2\xB5s";
    else
      out = fraction(u, 6) + "ms";
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
  std::string_view num = s.substr(0, i);
  std::optional<double> mult = byte_multiplier(s.substr(i));
  if (!mult) return std::nullopt;
  // "1.2.3" matches the pattern but not ParseFloat.
  if (std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
  std::optional<double> v = parse_double(num);
  if (!v || *v * *mult > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(*v * *mult);
}

std::optional<int64_t> parse_octal_mode(std::string_view text) {
  if (text.empty() || text.size() > 11) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    v = v * 8 + (c - '0');
  }
  if (v > 0xFFFFFFFFLL) return std::nullopt;
  return v;
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
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!rooted)
        parts.push_back("..");
    } else
      parts.push_back(p);
    s = e + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

}  // namespace slipway::compose
