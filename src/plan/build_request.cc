#include "plan/build_request.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "util/error.h"
#include "util/parse.h"
#include "util/text.h"

namespace slipway::plan {
namespace {

using ojson = nlohmann::ordered_json;

std::string text(const ojson& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// ${VAR}, $VAR, ${VAR:-default} and ${VAR:+alt} as the Dockerfile parser expands them.
std::string expand(const std::string& s, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    auto lookup = [&](const std::string& name, std::string* value) {
      auto it = vars.find(name);
      if (it == vars.end()) return false;
      *value = it->second;
      return true;
    };
    if (s[i + 1] == '{') {
      size_t close = s.find('}', i + 2);
      if (close == std::string::npos) {
        out += s.substr(i);
        break;
      }
      std::string inner = s.substr(i + 2, close - i - 2);
      std::string name = inner, op, word, value;
      size_t colon = inner.find(':');
      if (colon != std::string::npos && colon + 1 < inner.size()) {
        name = inner.substr(0, colon);
        op = inner.substr(colon + 1, 1);
        word = inner.substr(colon + 2);
      }
      bool set = lookup(name, &value) && !value.empty();
      if (op == "-")
        out += set ? value : word;
      else if (op == "+")
        out += set ? word : "";
      else
        out += set ? value : "";
      i = close;
    } else {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j == i + 1) {
        out += '$';
        continue;
      }
      std::string value;
      if (lookup(s.substr(i + 1, j - i - 1), &value)) out += value;
      i = j - 1;
    }
  }
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  std::string t;
  while (in >> t) w.push_back(t);
  return w;
}

}  // namespace

Labels service_image_labels(const std::string& project, const std::string& service) {
  return {{label::kProject, project}, {label::kService, service}};
}

std::vector<std::string> dockerfile_base_images(const std::string& dockerfile_text,
                                                const std::map<std::string, std::optional<std::string>>& build_args) {
  // Join continuation lines, drop comments.
  std::vector<std::string> lines;
  {
    std::istringstream in(dockerfile_text);
    std::string raw, cur;
    while (std::getline(in, raw)) {
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      size_t first = raw.find_first_not_of(" \t");
      if (first != std::string::npos && raw[first] == '#') continue;
      if (!raw.empty() && raw.back() == '\\') {
        cur += raw.substr(0, raw.size() - 1) + " ";
        continue;
      }
      lines.push_back(cur + raw);
      cur.clear();
    }
    if (!cur.empty()) lines.push_back(cur);
  }
  std::map<std::string, std::string> vars;
  std::set<std::string> stages;
  std::vector<std::string> out;
  bool seen_from = false;
  for (const auto& line : lines) {
    auto w = words(line);
    if (w.empty()) continue;
    std::string instr = lower(w[0]);
    if (instr == "arg" && !seen_from) {
      for (size_t i = 1; i < w.size(); ++i) {
        auto eq = w[i].find('=');
        std::string name = w[i].substr(0, eq);
        std::string def = eq == std::string::npos ? "" : w[i].substr(eq + 1);
        if (def.size() >= 2 && (def.front() == '"' || def.front() == '\'') && def.back() == def.front())
          def = def.substr(1, def.size() - 2);
        auto given = build_args.find(name);
        if (given != build_args.end() && given->second)
          vars[name] = *given->second;
        else if (eq != std::string::npos)
          vars[name] = def;
      }
    } else if (instr == "from") {
      seen_from = true;
      size_t i = 1;
      while (i < w.size() && w[i].rfind("--", 0) == 0) ++i;
      if (i >= w.size()) continue;
      std::string image = expand(w[i], vars);
      bool from_stage = stages.count(lower(image)) > 0;
      if (i + 2 < w.size() && lower(w[i + 1]) == "as") stages.insert(lower(w[i + 2]));
      if (image.empty() || lower(image) == "scratch" || from_stage) continue;
      if (std::find(out.begin(), out.end(), image) == out.end()) out.push_back(image);
    }
  }
  return out;
}

BuildRequest build_request(const std::string& project, const std::string& service, const ojson& build,
                           const std::string& tag) {
  auto fail = [&](const std::string& key, const std::string& what) -> UserError {
    return UserError("services." + service + ".build." + key + " " + what);
  };
  BuildRequest spec;
  spec.service = service;
  size_t colon = tag.rfind(':');
  bool has_tag = colon != std::string::npos && tag.find('/', colon) == std::string::npos;
  spec.tags.push_back(has_tag ? tag : tag + ":latest");
  if (!build.is_object()) throw fail("context", "is missing (build must be a mapping in the canonical model)");
  for (const auto& [key, v] : build.items()) {
    if (key == "context") {
      spec.context = text(v);
    } else if (key == "dockerfile") {
      spec.dockerfile = text(v);
    } else if (key == "dockerfile_inline") {
      spec.dockerfile_inline = text(v);
    } else if (key == "args") {
      if (v.is_object())
        for (const auto& [k, a] : v.items())
          spec.args[k] = a.is_null() ? std::nullopt : std::optional<std::string>(text(a));
    } else if (key == "target") {
      spec.target = text(v);
    } else if (key == "labels") {
      if (v.is_object())
        for (const auto& [k, l] : v.items()) spec.labels[k] = text(l);
    } else if (key == "network") {
      spec.network = text(v);
    } else if (key == "extra_hosts") {
      // Canonical "host=ip"; the engine wants "host:ip".
      auto add = [&](const std::string& s) {
        size_t eq = s.find('=');
        spec.extra_hosts.push_back(eq == std::string::npos ? s : s.substr(0, eq) + ":" + s.substr(eq + 1));
      };
      if (v.is_array())
        for (const auto& h : v) add(text(h));
      else if (v.is_object())
        for (const auto& [h, ip] : v.items()) add(h + "=" + text(ip));
    } else if (key == "shm_size") {
      std::string s = text(v);
      auto bytes = parse_int(s, 0);
      if (!bytes) throw fail(key, "must be a byte count (got '" + s + "')");
      spec.shm_size = *bytes;
    } else if (key == "no_cache") {
      spec.no_cache = v.is_boolean() && v.get<bool>();
    } else if (key == "pull") {
      spec.pull = v.is_boolean() && v.get<bool>();
    } else if (key == "cache_from") {
      if (v.is_array())
        for (const auto& c : v) spec.cache_from.push_back(text(c));
    } else if (key == "tags") {
      if (v.is_array())
        for (const auto& t : v) spec.tags.push_back(text(t));
    } else if (key == "platforms") {
      if (v.is_array() && v.size() > 1)
        throw fail(key, "lists several platforms; the classic builder builds one (keep one)");
      if (v.is_array() && v.size() == 1) spec.platform = text(v[0]);
    } else if (key == "cache_to" || key == "provenance" || key == "sbom" || key.rfind("x-", 0) == 0) {
      continue;  // BuildKit exports and extensions: nothing the classic builder does differs
    } else if (key == "secrets" || key == "ssh" || key == "additional_contexts" || key == "entitlements" ||
               key == "privileged" || key == "isolation" || key == "ulimits") {
      throw fail(key, "needs BuildKit, which slipway does not use (remove it, or build with docker buildx)");
    } else {
      throw fail(key, "is not supported by the classic builder slipway uses (remove it)");
    }
  }
  if (spec.context.empty()) throw fail("context", "is missing");
  if (spec.context.find("://") != std::string::npos || spec.context.rfind("git@", 0) == 0)
    throw fail("context", "is a remote context; slipway builds local directories only (clone it first)");
  for (const auto& [k, v] : service_image_labels(project, service)) spec.labels[k] = v;
  return spec;
}

}  // namespace slipway::plan
