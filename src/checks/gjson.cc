#include "checks/gjson.h"

#include <vector>

#include "util/parse.h"

namespace slipway::checks {
namespace {

using json = nlohmann::json;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '\\' && i + 1 < path.size()) {
      cur += path[++i];
    } else if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

bool wildcard_match(const char* pat, const char* s) {
  if (!*pat) return !*s;
  if (*pat == '*') return wildcard_match(pat + 1, s) || (*s && wildcard_match(pat, s + 1));
  if (!*s) return false;
  if (*pat == '?' || *pat == *s) return wildcard_match(pat + 1, s + 1);
  return false;
}

// gjson reports numbers as float64 and objects/arrays as generic values.
json floats(const json& v) {
  if (v.is_number()) return json(v.get<double>());
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) out.push_back(floats(e));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = floats(it.value());
    return out;
  }
  return v;
}

std::optional<json> walk(const json& cur, const std::vector<std::string>& parts, size_t i) {
  if (i == parts.size()) return cur;
  const std::string& p = parts[i];
  if (p == "@this") return walk(cur, parts, i + 1);
  if (cur.is_array()) {
    if (p == "#") {
      if (i + 1 == parts.size()) return json(static_cast<double>(cur.size()));
      json out = json::array();
      for (const auto& e : cur) {
        auto r = walk(e, parts, i + 1);
        if (r) out.push_back(*r);
      }
      return out;
    }
    if (auto idx = parse_uint(p)) {
      if (*idx >= cur.size()) return std::nullopt;
      return walk(cur[*idx], parts, i + 1);
    }
    return std::nullopt;
  }
  if (cur.is_object()) {
    bool wild = p.find_first_of("*?") != std::string::npos;
    for (auto it = cur.begin(); it != cur.end(); ++it) {
      if (wild ? wildcard_match(p.c_str(), it.key().c_str()) : it.key() == p) return walk(it.value(), parts, i + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<json> gjson_get(const json& doc, const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto r = walk(doc, split_path(path), 0);
  if (!r) return r;
  return floats(*r);
}

}  // namespace slipway::checks
