// The agent's view of its stacks as one JSON document — what the status page, the JSON API and
// /metrics render (agent/page.h). Collected on request from the engine (containers, health),
// the RunLog (last runs), the last drift check, the scheduler (next runs) and Sources (what
// deploy and update will provide). An engine that does not answer is reported in the document,
// never thrown: the page must show it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "agent/notify.h"
#include "agent/repo_usage.h"
#include "agent/run_log.h"
#include "agent/sources.h"
#include "compose/loader.h"
#include "engine/engine.h"

namespace slipway::agent {

// Volume sizes from the engine's GET /system/df, which walks every volume: cached.
class DiskUsage {
 public:
  explicit DiskUsage(int64_t max_age_seconds = 600) : max_age_(max_age_seconds) {}
  // {"volumes": {"name": bytes, ...}} or {"error": "..."}; refreshed when older than max age.
  nlohmann::json volumes(const engine::Engine& engine, int64_t now);

 private:
  std::mutex mutex_;
  int64_t max_age_;
  int64_t taken_ = -1;
  nlohmann::json cached_;
};

struct StatusContext {
  const std::vector<compose::Project>* projects = nullptr;  // the stacks, in --help order
  const std::vector<StackSpec>* schedules = nullptr;        // their jobs
  const engine::Engine* engine = nullptr;
  RunLog* log = nullptr;
  const Sources* sources = nullptr;
  DiskUsage* disk = nullptr;
  Agent::Snapshot snapshot;
  int64_t now = 0;
  int64_t started = 0;  // when the agent started
  // Stacks that could not be loaded (a malformed Compose file or schedule): directory -> error.
  std::vector<std::pair<std::string, std::string>> broken;
  const Notifications* notify = nullptr;  // null: no notifications configured anywhere
  RepositoryUsage* repository = nullptr;  // null: the backup repository is not measured
};

// {"generated": T, "agent": {...}, "ok": bool, "stacks": [{"name", "ok", "problems": [...],
//  "generation": {...}, "containers": [...], "jobs": [...], "drift": {...}, "updates": {...},
//  "disk": {...}, "repository": {...}, "notify": {...}}]}. Times are seconds since the epoch.
nlohmann::json collect_status(const StatusContext& context);

// Seconds as "3 min", "5 h", "2 d" (for ages and countdowns).
std::string human_age(int64_t seconds);

}  // namespace slipway::agent
