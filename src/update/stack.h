// The images a stack builds, as `update` sees them: one entry per distinct image (services
// sharing an image are listed together), dependencies first, with the build request that makes
// it. Read through compose::Model.
#pragma once

#include <string>
#include <vector>

#include "compose/loader.h"
#include "plan/build_request.h"
#include "update/check.h"

namespace slipway::update {

struct StackBuild {
  StackImage target;
  plan::BuildRequest request;
};

// Services with a build section among `services` (all when empty). UserError for an unknown
// service, and for a named one that has no build section (there is nothing to update in it:
// its image comes from elsewhere).
std::vector<StackBuild> stack_builds(const compose::Project& project, const std::vector<std::string>& services);

std::vector<StackImage> targets_of(const std::vector<StackBuild>& builds);

}  // namespace slipway::update
