#include "plan/units.h"

#include <cctype>
#include <cmath>

#include "util/parse.h"

namespace slipway::plan {

std::optional<int64_t> parse_duration_ns(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    ++i;
  }
  if (text.substr(i) == "0") return 0;
  long double total = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    auto parsed = parse_double(text.substr(start, i - start));
    if (!parsed) return std::nullopt;
    long double value = *parsed;
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    long double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return std::nullopt;
    total += value * scale;
    any = true;
  }
  if (!any || total > 9.2e18L) return std::nullopt;
  int64_t ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  return negative ? -ns : ns;
}

std::optional<int64_t> parse_bytes(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  auto parsed = parse_double(text.substr(0, i));
  if (!parsed) return std::nullopt;
  long double value = *parsed;
  std::string unit;
  for (size_t j = i; j < text.size(); ++j) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[j])));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  long double scale;
  if (unit.empty())
    scale = 1;
  else if (unit == "k")
    scale = 1024.0L;
  else if (unit == "m")
    scale = 1024.0L * 1024;
  else if (unit == "g")
    scale = 1024.0L * 1024 * 1024;
  else if (unit == "t")
    scale = 1024.0L * 1024 * 1024 * 1024;
  else if (unit == "p")
    scale = 1024.0L * 1024 * 1024 * 1024 * 1024;
  else
    return std::nullopt;
  long double total = value * scale;
  if (total > 9.2e18L) return std::nullopt;
  return static_cast<int64_t>(total);
}

}  // namespace slipway::plan
