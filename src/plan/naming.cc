#include "plan/naming.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "util/error.h"
#include "util/parse.h"

namespace slipway::plan {

namespace {
std::string str_or(const ojson& j, const char* key, const std::string& fallback) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return fallback;
}
}  // namespace

std::string container_name(const std::string& project, const std::string& service, const ojson& spec, int number) {
  std::string fixed = str_or(spec, "container_name", "");
  if (!fixed.empty()) return fixed;
  return project + "-" + service + "-" + std::to_string(number);
}

std::string staging_name(const std::string& name) { return name + "_slipway-new"; }
std::string aside_name(const std::string& name) { return name + "_slipway-old"; }

NameRole name_role(const std::string& observed, const std::string& id, const std::string& name) {
  if (observed == name) return NameRole::canonical;
  if (observed == staging_name(name)) return NameRole::staging;
  if (observed == aside_name(name)) return NameRole::aside;
  bool legacy = observed.size() == name.size() + 13 && observed[12] == '_' &&
                observed.compare(13, std::string::npos, name) == 0 &&
                observed.find_first_not_of("0123456789abcdef") >= 12;
  if (legacy) return id.rfind(observed.substr(0, 12), 0) == 0 ? NameRole::aside : NameRole::staging;
  return NameRole::other;
}

std::string service_image(const std::string& project, const std::string& service, const ojson& spec) {
  std::string image = str_or(spec, "image", "");
  if (!image.empty()) return image;
  return project + "-" + service;
}

int replicas(const std::string& service, const ojson& spec) {
  int n = 1;
  auto number = [&](const ojson& v) -> int {
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_string())
      if (auto n = parse_int(v.get<std::string>(), -(1 << 20), 1 << 20)) return static_cast<int>(*n);
    throw UserError("services." + service + ": scale/replicas must be a number (fix the value)");
  };
  if (spec.contains("scale") && !spec["scale"].is_null())
    n = number(spec["scale"]);
  else if (spec.contains("deploy") && spec["deploy"].is_object() && spec["deploy"].contains("replicas") &&
           !spec["deploy"]["replicas"].is_null())
    n = number(spec["deploy"]["replicas"]);
  if (n < 0) throw UserError("services." + service + ": scale must not be negative");
  if (n > 1 && spec.contains("container_name"))
    throw UserError("services." + service + ": container_name allows only one container but scale is " +
                    std::to_string(n) + " (remove container_name or the scale)");
  return n;
}

std::string network_name(const ojson& model, const std::string& key) {
  std::string project = str_or(model, "name", "");
  if (model.contains("networks") && model["networks"].contains(key))
    return str_or(model["networks"][key], "name", project + "_" + key);
  return project + "_" + key;
}

std::string volume_name(const ojson& model, const std::string& key) {
  std::string project = str_or(model, "name", "");
  if (model.contains("volumes") && model["volumes"].contains(key))
    return str_or(model["volumes"][key], "name", project + "_" + key);
  return project + "_" + key;
}

std::vector<std::string> service_dependencies(const ojson& spec) {
  std::set<std::string> deps;
  if (spec.contains("depends_on") && spec["depends_on"].is_object())
    for (const auto& [name, _] : spec["depends_on"].items()) deps.insert(name);
  std::string mode = str_or(spec, "network_mode", "");
  if (mode.rfind("service:", 0) == 0) deps.insert(mode.substr(8));
  if (spec.contains("volumes_from") && spec["volumes_from"].is_array())
    for (const auto& v : spec["volumes_from"]) {
      if (!v.is_string()) continue;
      std::string s = v.get<std::string>();
      if (s.rfind("container:", 0) == 0) continue;
      if (s.rfind("service:", 0) == 0) s = s.substr(8);
      deps.insert(s.substr(0, s.find(':')));
    }
  if (spec.contains("links") && spec["links"].is_array())
    for (const auto& v : spec["links"])
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        deps.insert(s.substr(0, s.find(':')));
      }
  return {deps.begin(), deps.end()};
}

std::vector<std::string> dependency_order(const ojson& services) {
  std::vector<std::string> names;
  for (const auto& [name, _] : services.items()) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::map<std::string, int> state;  // 0 new, 1 visiting, 2 done
  std::vector<std::string> order;
  std::function<void(const std::string&, const std::string&)> visit = [&](const std::string& name,
                                                                          const std::string& from) {
    if (!services.contains(name))
      throw UserError("services." + from + " depends on undefined service \"" + name +
                      "\" (define it or remove the dependency)");
    int& s = state[name];
    if (s == 2) return;
    if (s == 1)
      throw UserError("services." + name + ": dependency cycle through \"" + from +
                      "\" (remove one of the depends_on entries)");
    s = 1;
    const ojson& spec = services[name];
    for (const auto& dep : service_dependencies(spec)) {
      // An optional dependency on a service that is not loaded (e.g. its profile is off) is
      // simply absent, as in Compose.
      if (!services.contains(dep) && spec.contains("depends_on") && spec["depends_on"].contains(dep) &&
          spec["depends_on"][dep].is_object() && spec["depends_on"][dep].value("required", true) == false)
        continue;
      visit(dep, name);
    }
    state[name] = 2;
    order.push_back(name);
  };
  for (const auto& n : names) visit(n, n);
  return order;
}

std::vector<std::string> with_dependencies(const ojson& services, const std::vector<std::string>& selected) {
  std::set<std::string> seen;
  std::vector<std::string> todo = selected;
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (!services.contains(name)) throw UserError("no such service: " + name + " (see `slipway config --services`)");
    if (!seen.insert(name).second) continue;
    for (const auto& dep : service_dependencies(services[name]))
      if (services.contains(dep)) todo.push_back(dep);
  }
  return {seen.begin(), seen.end()};
}

}  // namespace slipway::plan
