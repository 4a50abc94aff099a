#include "checks/go_value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "util/go_float.h"

namespace slipway::checks {

Value Value::lines(const std::vector<std::string>& items) {
  json a = json::array();
  for (const auto& s : items) a.push_back(s);
  return Value(std::move(a), true);
}

std::string go_float(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d.ddde[+-]XX, shortest round-trip digits
  return go_g_from_scientific(sci);
}

std::string go_format(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return go_float(v.get<double>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "<nil>";
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + go_format(v[i]);
    return s + "]";
  }
  // Go prints maps with sorted keys; nlohmann's object is already sorted.
  std::string s = "map[";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    s += (first ? "" : " ") + it.key() + ":" + go_format(it.value());
    first = false;
  }
  return s + "]";
}

std::string to_go_string(const Value& v) {
  if (v.v.is_array()) {
    std::string s;
    for (size_t i = 0; i < v.v.size(); ++i) s += (i ? "\n" : "") + go_format(v.v[i]);
    return s;
  }
  return go_format(v.v);
}

bool deep_equal(const json& a, const json& b) {
  if (a.is_number_float() != b.is_number_float()) return false;
  if (a.is_number_integer() || a.is_number_unsigned()) {
    if (!(b.is_number_integer() || b.is_number_unsigned())) return false;
    return a == b;
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!deep_equal(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto f = b.find(it.key());
      if (f == b.end() || !deep_equal(it.value(), *f)) return false;
    }
    return true;
  }
  return a == b;
}

std::string go_type_name(const Value& v) {
  const json& j = v.v;
  if (j.is_string()) return "string";
  if (j.is_number_float()) return "float64";
  if (j.is_number()) return "int";
  if (j.is_boolean()) return "bool";
  if (j.is_null()) return "nil";
  if (j.is_array()) return v.strings ? "[]string" : "[]interface {}";
  return "map[string]interface {}";
}

std::string describe(const Value& v) { return "<" + go_type_name(v) + ">: " + json_text(v.v); }

std::optional<double> parse_go_float(const std::string& text) {
  std::string s = text;
  auto b = s.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, s.find_last_not_of(" \t\r\n\v\f") - b + 1);
  std::string t = s;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) t = t.substr(1);
  std::string lower;
  for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "infinity") return s[0] == '-' ? -INFINITY : INFINITY;
  if (lower == "nan") return NAN;
  // Go accepts underscores only with a base prefix; plain decimal and hex floats otherwise.
  if (t.empty() || t.find_first_not_of("0123456789.eE+-xXabcdefABCDEFpP") != std::string::npos) return std::nullopt;
  // strtod rather than util/parse.h's parse_double: Go's grammar includes hex floats and
  // keeps a value that underflows, which parse_double refuses.
  const char* begin = s.c_str();
  char* end = nullptr;
  double d = std::strtod(begin, &end);
  if (end != begin + s.size()) return std::nullopt;
  return d;
}

std::string json_text(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace slipway::checks
