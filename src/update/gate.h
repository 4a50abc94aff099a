// The gate of `slipway update`: the stack's own tests (tests/*.yaml, what `slipway test` runs,
// backup/throwaway_checks.h) against a throwaway copy whose rebuilt services run the candidate
// images. The copy has its own project name, volumes and networks and no host ports
// (backup::throwaway_copy), so the running stack is never touched; it is removed afterwards,
// also on failure. Its name is fixed ("<stack>-slipway-update", like the candidate tags: one update of
// a stack at a time), so a copy left by a killed run is removed by the next one first.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::update {

// `project` with each service of `images` (service -> image tag) running that image, its build
// section removed (so nothing rebuilds it). Pure.
compose::Project with_images(const compose::Project& project, const std::map<std::string, std::string>& images);

struct GateOptions {
  std::function<void(const std::string&)> say;
  int wait_timeout = 300;  // seconds for healthchecks
  std::string name;        // the throwaway project's name ("" = gate_name(stack))
};

struct GateResult {
  bool passed = false;
  int checks = 0, failed = 0;
  std::vector<std::string> failures;  // one line per failing check
  std::string report;                 // the checks' human report
};

// "<stack>-slipway-update"; its objects carry io.slipway.role=update-test.
std::string gate_name(const std::string& stack);
inline constexpr const char* kGateRole = "update-test";

// UserError when the stack has no tests/ or no checks in it: an update is only deployed on a
// green test, so a stack without tests cannot pass the gate (`--no-deploy` still reports).
GateResult run_gate(const engine::Engine& engine, const compose::Project& candidate, const GateOptions& options);

}  // namespace slipway::update
