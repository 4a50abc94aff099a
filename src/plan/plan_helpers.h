// Helpers the planner's files share (plan.cc, plan_up.cc, resources.cc). Internal to src/plan.
#pragma once

#include <string>
#include <vector>

#include "compose/loader.h"
#include "plan/labels.h"
#include "plan/observed.h"
#include "util/error.h"

namespace slipway::plan {

using ojson = nlohmann::ordered_json;

// Where errors about the model point: the first Compose file.
Location where(const compose::Project& project);

std::string joined(const std::vector<std::string>& parts, const std::string& sep);

// The project's non-oneoff containers of `service`, by number then name.
std::vector<const ObservedContainer*> containers_of(const Observed& observed, const std::string& service);

// The labels of everything the project creates: project and Compose version.
Labels base_labels(const compose::Project& project);

}  // namespace slipway::plan
