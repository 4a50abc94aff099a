// Runs a suite against running containers: checks run concurrently; a failing check is
// retried per its retry_count/retry_delay and, while the suite's retry timeout lasts, until
// it passes (readiness: a service that is still starting); every failure carries the last
// lines of its service's logs.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "checks/probes.h"
#include "checks/result.h"
#include "checks/spec.h"
#include "engine/engine.h"

namespace slipway::checks {

struct RunOptions {
  std::map<std::string, Target> targets;  // service -> its container
  int parallel = 8;
  // Only checks whose key ("type:id@service") or title matches: a substring, or a glob when
  // it contains * ? or [.
  std::string filter;
  // Overrides the suite's own (x-slipway retry-timeout / sleep) when set.
  std::optional<std::chrono::milliseconds> retry_timeout;
  std::optional<std::chrono::milliseconds> sleep;
  int log_lines = 20;
  // Called once per check as it finishes (serialized; from worker threads).
  std::function<void(const CheckResult&)> on_result;
  // Called when a check is started (for live progress), serialized.
  std::function<void(const Check&)> on_start;
};

// True when `check` passes `filter` (see RunOptions::filter).
bool matches_filter(const Check& check, const std::string& filter);

// Runs every selected check; results are in the suite's order.
std::vector<CheckResult> run_suite(const engine::Engine& client, const Suite& suite, const RunOptions& options);

}  // namespace slipway::checks
