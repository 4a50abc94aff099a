// Go's view of values, as goss applies its matchers to them: what fmt's %v prints, what
// reflect.DeepEqual considers equal, what strconv.ParseFloat accepts, and gomega's
// "<type>: value" descriptions in error messages.
//
// Values are nlohmann::json, keeping YAML's typing as Go's yaml.v3 does: an integer is an
// integer, 4.0 is a float, "4" a string. Go distinguishes a YAML list ([]interface{}) from a
// list of strings produced by goss itself ([]string: the lines of a reader, a resource's
// groups); a few matchers treat them differently, so Value carries that bit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::checks {

using json = nlohmann::json;

// An actual value as goss sees it.
struct Value {
  json v;
  bool strings = false;  // Go []string (produced by goss), not a YAML list

  Value() = default;
  Value(json j, bool string_list = false) : v(std::move(j)), strings(string_list) {}
  static Value lines(const std::vector<std::string>& items);
};

// Go's fmt "%v" of a value (to-string's conversion of a scalar).
std::string go_format(const json& v);
// goss's to-string of a value: lists join their items' %v with "\n".
std::string to_go_string(const Value& v);
// strconv.FormatFloat(f, 'g', -1, 64): what %v prints for a float64.
std::string go_float(double f);

// reflect.DeepEqual over YAML-typed values: an int never equals a float.
bool deep_equal(const json& a, const json& b);

// Go's type of the value as gomega names it ("string", "float64", "[]string"...).
std::string go_type_name(const Value& v);
// gomega's format.Object, simplified: "<type>: value".
std::string describe(const Value& v);

// strconv.ParseFloat of the trimmed text (decimal, hex floats, Inf, NaN); nullopt when Go
// would answer "invalid syntax".
std::optional<double> parse_go_float(const std::string& text);

// The value as compact JSON, invalid UTF-8 replaced (never throws): for messages.
std::string json_text(const json& v);

}  // namespace slipway::checks
