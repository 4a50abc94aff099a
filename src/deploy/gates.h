// The gates a new generation passes before it takes over: its healthchecks, then the stack's
// checks (tests/*.yaml, src/checks) run against the new containers.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "deploy/store.h"
#include "engine/engine.h"

namespace slipway::deploy {

using Say = std::function<void(const std::string&)>;

// Waits until every container of `ids` is healthy (those with a healthcheck) or has kept
// running for `settle` (those without). Fails as soon as one turns unhealthy or exits, or when
// `timeout` passes. detail names the containers that failed and why.
GateOutcome wait_healthy(const engine::Engine& engine, const std::vector<std::string>& ids,
                         std::chrono::seconds timeout, std::chrono::milliseconds settle = std::chrono::seconds(1));

// True when `id` is running and not unhealthy right now (the watch window's test). `why` gets
// the reason when not.
bool still_healthy(const engine::Engine& engine, const std::string& id, std::string* why);

struct ChecksGateOptions {
  // service -> the container its checks run against (the new generation for deployed services,
  // the running one for the others).
  std::map<std::string, std::string> targets;
  std::optional<std::chrono::milliseconds> retry_timeout;  // default: the suite's own
  Say progress;                                            // one line per finished check
  // Only the checks of files marked x-slipway: {smoke: true} (checks/spec.h).
  bool smoke_only = false;
};

// The details of a checks gate that had nothing to run.
inline constexpr const char* kNoTestsDir = "no tests/ directory";
inline constexpr const char* kNoSmokeChecks = "no smoke checks";

// Runs the stack's tests/*.yaml (or only its smoke checks); ok with detail kNoTestsDir /
// kNoSmokeChecks when there are none. The gate is named "checks", or "smoke"
// with smoke_only. detail lists the failing checks, one per line. UserError for a bad spec.
GateOutcome run_checks_gate(const engine::Engine& engine, const compose::Project& project,
                            const ChecksGateOptions& options);

// Loads tests/*.yaml (when there are any) only to report a bad spec (UserError) early.
void validate_checks(const compose::Project& project);

// The last `lines` lines of the container's output, for failure messages.
std::string log_tail(const engine::Engine& engine, const std::string& id, int lines = 20);

}  // namespace slipway::deploy
