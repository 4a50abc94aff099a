// compile(): a gossfile expectation -> a tree of the matchers in matcher_kinds.h; validate():
// goss's ValidateValue.
#include "checks/matcher.h"

#include "checks/matcher_kinds.h"

namespace slipway::checks {
namespace {

// Go's type of a YAML value in goss's syntax errors (its spelling of nil differs from gomega's).
std::string go_type_of(const json& v) {
  if (v.is_null()) return "<nil>";
  return go_type_name(Value(v));
}

[[noreturn]] void invalid_arg(const std::string& name, const std::string& expected, const json& value) {
  throw MatcherSyntaxError("Syntax Error: Invalid '" + name + "' argument. Expected " + expected +
                           " value, but received: " + go_type_of(value) + ": " + json_text(value));
}

std::vector<MatcherPtr> compile_list(const json& value, const std::string& name) {
  if (!value.is_array()) invalid_arg(name, "array", value);
  std::vector<MatcherPtr> out;
  for (const auto& v : value) out.push_back(compile(v));
  return out;
}

const std::string& string_arg(const std::string& name, const json& value) {
  if (!value.is_string()) invalid_arg(name, "string", value);
  return value.get_ref<const std::string&>();
}

// The one matcher of a {MATCHER: arg} mapping.
void check_single_matcher(const json& e) {
  if (e.empty()) throw MatcherSyntaxError("Syntax Error: Missing required attribute");
  if (e.size() == 1) return;
  std::string keys;
  for (auto it = e.begin(); it != e.end(); ++it) keys += (keys.empty() ? "" : " ") + json_text(it.key());
  throw MatcherSyntaxError(
      "Syntax Error: Invalid matcher configuration. At a given nesting level, only one matcher is "
      "allowed. Found multiple matchers: [" +
      keys + "]");
}

// The matchers that take a string after to-string: have-prefix and friends.
std::optional<StringTest> string_test(const std::string& type) {
  if (type == "have-prefix") return StringTest::prefix;
  if (type == "have-suffix") return StringTest::suffix;
  if (type == "match-regexp") return StringTest::regexp;
  if (type == "contain-substring") return StringTest::substring;
  return std::nullopt;
}

MatcherPtr compile_gjson(const json& value) {
  if (!value.is_object()) invalid_arg("gjson", "map", value);
  std::vector<MatcherPtr> subs;
  for (auto it = value.begin(); it != value.end(); ++it)
    subs.push_back(transform(Transform::gjson, compile(it.value()), it.key()));
  return and_matcher(std::move(subs));
}

MatcherPtr compile_have_len(const json& value) {
  if (value.is_number_float()) return have_len_matcher(static_cast<long long>(value.get<double>()));
  if (value.is_number()) return have_len_matcher(value.get<long long>());
  invalid_arg("have-len", "numeric", value);
}

// {type: value}: one named matcher.
MatcherPtr compile_named(const std::string& type, const json& value) {
  if (type == "equal") return equal_matcher(value);
  if (auto test = string_test(type))
    return transform(Transform::to_string, string_matcher(*test, string_arg(type, value)));
  if (type == "have-len") return compile_have_len(value);
  if (type == "have-patterns") {
    if (!value.is_array()) invalid_arg(type, "array", value);
    return transform(Transform::to_string, have_patterns(value));
  }
  if (type == "have-key") return have_key_matcher(compile(value));
  if (type == "contain-element") {
    if (!(value.is_object() || value.is_string() || value.is_number()))
      invalid_arg(type, "matcher, string or numeric", value);
    return transform(Transform::to_array, contain_element_matcher(compile(value)));
  }
  if (type == "contain-elements")
    return transform(Transform::to_array, elements_matcher(compile_list(value, "contains-elements"), false));
  if (type == "not") return not_matcher(compile(value));
  if (type == "consist-of") return elements_matcher(compile_list(value, "consist-of"), true);
  if (type == "and") return and_matcher(compile_list(value, "and"));
  if (type == "or") return or_matcher(compile_list(value, "or"));
  if (type == "gt" || type == "ge" || type == "lt" || type == "le")
    return transform(Transform::to_numeric, numeric_matcher(type, value));
  if (type == "semver-constraint") return semver_matcher(string_arg(type, value));
  if (type == "gjson") return compile_gjson(value);
  throw MatcherSyntaxError("Syntax Error: Unknown matcher: " + type);
}

}  // namespace

MatchResult simple_result(const Value& actual, std::string message, json expected) {
  MatchResult r;
  r.actual = actual.v;
  r.message = std::move(message);
  r.expected = std::move(expected);
  return r;
}

MatcherPtr compile(const json& e) {
  if (e.is_string()) return transform(Transform::to_string, equal_matcher(e));
  if (e.is_number()) return transform(Transform::to_numeric, numeric_matcher("eq", e));
  if (e.is_boolean()) return equal_matcher(e);
  if (e.is_array()) return elements_matcher(compile_list(e, ""), false);
  if (e.is_null()) throw MatcherSyntaxError("Syntax Error: Missing required attribute");
  check_single_matcher(e);
  return compile_named(e.begin().key(), e.begin().value());
}

PropertyResult validate(const json& expectation, const Value& actual, bool is_reader) {
  PropertyResult r;
  MatcherPtr m;
  try {
    if (is_reader && expectation.is_array())
      m = have_patterns(expectation);
    else
      m = compile(expectation);
  } catch (const MatcherSyntaxError& e) {
    r.error = e.what();
    return r;
  }
  Outcome o;
  try {
    o = m->match(actual);
  } catch (const std::exception& e) {
    o = {false, std::string(e.what())};
  }
  r.ok = o.ok && !o.error;
  r.error = o.error;
  if (r.ok) {
    r.detail.actual = actual.v;
    r.detail.message = "matches expectation";
    r.detail.expected = expectation;
  } else {
    r.detail = m->failure(actual);
  }
  return r;
}

}  // namespace slipway::checks
