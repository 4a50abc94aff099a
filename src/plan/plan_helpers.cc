#include "plan/plan_helpers.h"

#include <algorithm>

namespace slipway::plan {

Location where(const compose::Project& project) {
  Location l;
  if (!project.config_files.empty()) l.file = project.config_files.front();
  return l;
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::vector<const ObservedContainer*> containers_of(const Observed& observed, const std::string& service) {
  std::vector<const ObservedContainer*> out;
  for (const auto& c : observed.containers)
    if (!c.oneoff && c.service == service) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) {
    if (a->number != b->number) return a->number < b->number;
    return a->name < b->name;
  });
  return out;
}

Labels base_labels(const compose::Project& project) {
  return {{label::kProject, project.name}, {label::kVersion, label::kComposeVersion}};
}

}  // namespace slipway::plan
