#include "checks/matcher.h"

namespace slipway::checks {

namespace {

std::string indent_block(const std::string& s) {
  std::string out = "    ";
  for (char c : s) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

// JSON, except that floats print as Go prints them (128, not 128.0).
std::string show(const json& v) {
  if (v.is_number_float()) return go_float(v.get<double>());
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + show(v[i]);
    return s + "]";
  }
  if (v.is_object()) {
    std::string s = "{";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      s += (first ? "" : ",") + json_text(it.key()) + ":" + show(it.value());
      first = false;
    }
    return s + "}";
  }
  return json_text(v);
}

}  // namespace

std::string MatchResult::human() const {
  std::string s = "Expected\n" + indent_block(show(actual));
  if (!transforms.empty()) {
    std::string chain;
    for (const auto& t : transforms) chain += (chain.empty() ? "" : ", ") + t;
    s += "\n(from " + show(untransformed) + " after " + chain + ")";
  }
  s += "\n" + message;
  if (!expected.is_discarded()) s += "\n" + indent_block(show(expected));
  if (!missing.is_null() && !missing.empty()) s += "\nthe missing elements were\n" + indent_block(show(missing));
  return s;
}

json MatchResult::to_json() const {
  json j = {{"actual", actual}, {"message", message}, {"expected", expected}};
  if (!missing.is_null()) j["missing-elements"] = missing;
  if (!found.is_null()) j["found-elements"] = found;
  if (!transforms.empty()) {
    j["transform-chain"] = transforms;
    j["untransformed-value"] = untransformed;
  }
  return j;
}

}  // namespace slipway::checks
