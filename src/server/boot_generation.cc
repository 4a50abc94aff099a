#include "server/boot_generation.h"

#include <algorithm>
#include <set>

#include "deploy/generation.h"

namespace slipway::server {

std::vector<std::string> GenerationContainers::ids() const {
  std::vector<std::string> out;
  for (const auto& [_, cs] : by_service)
    for (const auto& c : cs) out.push_back(c.id);
  return out;
}

std::optional<deploy::GenerationRecord> last_deployed(const std::vector<deploy::GenerationRecord>& newest_first) {
  for (const auto& r : newest_first)
    if (r.status == deploy::status::kDeployed) return r;
  return std::nullopt;
}

GenerationContainers generation_containers(const deploy::GenerationRecord& record,
                                           const std::vector<plan::ObservedContainer>& observed) {
  GenerationContainers out;
  out.number = record.number;
  std::set<std::string> chosen;
  for (const auto& [service, image] : record.images.items()) {
    // generation -> containers; `up`'s containers carry no generation label and count as 0.
    std::map<int, std::vector<plan::ObservedContainer>> groups;
    for (const auto& c : observed) {
      if (c.oneoff || c.edge() || c.service != service || c.image_id != image.get<std::string>()) continue;
      int g = deploy::generation_of(c).value_or(0);
      if (g <= record.number) groups[g].push_back(c);
    }
    if (groups.empty()) {
      out.missing.push_back(service + " (" + image.get<std::string>() + ")");
      continue;
    }
    auto& newest = groups.rbegin()->second;
    std::sort(newest.begin(), newest.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    for (const auto& c : newest) chosen.insert(c.id);
    out.by_service[service] = newest;
  }
  for (const auto& c : observed)
    if (!c.oneoff && !c.edge() && c.running() && !chosen.count(c.id)) out.strays.push_back(c);
  return out;
}

edge::UpstreamMap generation_upstreams(const edge::Routing& routing, const GenerationContainers& generation) {
  edge::UpstreamMap out;
  for (const auto& route : routing.routes) {
    auto it = generation.by_service.find(route.service);
    if (it == generation.by_service.end()) continue;
    for (const auto& c : it->second) out[route.id].push_back(c.name + ":" + std::to_string(route.port));
  }
  return out;
}

}  // namespace slipway::server
