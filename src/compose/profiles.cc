#include "compose/profiles.h"

#include <algorithm>
#include <set>

namespace slipway::compose {

std::vector<std::string> profiles_from_env(const std::string& value) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    std::string item = value.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t b = item.find_first_not_of(" \t\r\n\v\f");
    size_t e = item.find_last_not_of(" \t\r\n\v\f");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

namespace {
std::vector<std::string> names_of(const yaml::Node& service) {
  std::vector<std::string> out;
  const yaml::Node* p = service.is_mapping() ? service.find("profiles") : nullptr;
  if (!p) return out;
  if (p->is_scalar()) out.push_back(p->value());
  if (p->is_sequence())
    for (const auto& item : p->items())
      if (item.is_scalar()) out.push_back(item.value());
  return out;
}
}  // namespace

bool service_enabled(const yaml::Node& service, const std::vector<std::string>& active) {
  auto declared = names_of(service);
  if (declared.empty()) return true;
  for (const auto& a : active) {
    if (a == "*") return true;
    if (std::find(declared.begin(), declared.end(), a) != declared.end()) return true;
  }
  return false;
}

std::vector<std::string> declared_profiles(const yaml::Node& project) {
  std::set<std::string> all;
  const yaml::Node* services = project.is_mapping() ? project.find("services") : nullptr;
  if (services && services->is_mapping())
    for (const auto& e : services->entries())
      for (auto& n : names_of(e.value)) all.insert(n);
  return {all.begin(), all.end()};
}

void apply_profiles(yaml::Node& project, const std::vector<std::string>& active) {
  yaml::Node* services = project.is_mapping() ? project.find("services") : nullptr;
  if (!services || !services->is_mapping()) return;
  auto& entries = services->entries();
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const yaml::Node::Entry& e) { return !service_enabled(e.value, active); }),
                entries.end());
}

}  // namespace slipway::compose
