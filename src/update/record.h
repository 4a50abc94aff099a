// The line an update that did not deploy leaves in the generation history (deploy/store.h),
// beside the generations deploys make: `slipway history` then shows every update, also the
// ones whose tests failed (status "failed", gate test-) and the ones tested but not deployed
// (status "tested"). An update that deploys gets its record from the deploy itself (kind
// "update", its test gate first). No containers belong to these records; the number is the
// next one, as a deploy would take it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "deploy/store.h"
#include "engine/engine.h"

namespace slipway::update {

inline constexpr const char* kUpdateKind = "update";

struct UndeployedUpdate {
  std::string status;                          // deploy::status::kFailed or kTested
  std::map<std::string, std::string> images;  // service -> candidate image ID
  std::vector<deploy::GateOutcome> gates;
  std::string detail;
};

// Saves the record; returns its generation number.
int record_undeployed(const engine::Engine& engine, const compose::Project& project, deploy::GenerationStore& store,
                      const UndeployedUpdate& update);

}  // namespace slipway::update
