#include "update/stack.h"

#include <algorithm>

#include "compose/model.h"
#include "util/error.h"

namespace slipway::update {

std::vector<StackBuild> stack_builds(const compose::Project& project, const std::vector<std::string>& services) {
  compose::Model model(project);
  for (const auto& s : services) {
    if (!model.service(s).build())  // service() throws the "no such service" UserError
      throw UserError("service " + s + " has no build section: slipway update rebuilds the images a stack builds (" +
                      s + " runs " + model.service(s).image() + " as it is)");
  }
  std::vector<StackBuild> out;
  for (const auto& name : model.dependency_order()) {
    if (!services.empty() && std::find(services.begin(), services.end(), name) == services.end()) continue;
    compose::Service svc = model.service(name);
    auto build = svc.build();
    if (!build) continue;
    std::string image = svc.image_reference(project.name);
    auto same = std::find_if(out.begin(), out.end(), [&](const StackBuild& b) { return b.target.image == image; });
    if (same != out.end()) {
      same->target.services.push_back(name);
      continue;
    }
    StackBuild b;
    b.target = {{name}, image};
    b.request = plan::build_request(project.name, name, *build->spec, image);
    b.target.image = b.request.tags.empty() ? image : b.request.tags.front();
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<StackImage> targets_of(const std::vector<StackBuild>& builds) {
  std::vector<StackImage> out;
  for (const auto& b : builds) out.push_back(b.target);
  return out;
}

}  // namespace slipway::update
