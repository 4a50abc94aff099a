// Generation records: the history a deploy keeps beside the engine's labels, in slipway's SQLite
// state file (the same state.db as backup history; util/state_dir.h). The labels say what runs;
// this says what each generation was (images, config, git commit, who, when) and how each gate
// went, also for generations whose containers are gone. The table is created if missing, so an
// older state file gains it on first use and keeps its other tables.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backup/state_file.h"

namespace slipway::deploy {

// The life of a generation:
//   deploying -> failed         a gate failed before the switch (N untouched)
//             -> watching -> deployed       the watch window passed
//                         -> rolled-back    unhealthy in the window: switched back to N
//   deploying/watching -> interrupted       slipway was killed; the next deploy undid it
// `slipway update` also records the updates it did not deploy, with no containers made:
//   failed  (kind "update")   the new images failed the stack's tests on a throwaway copy
//   tested  (kind "update")   they passed, but were not deployed (--no-deploy, a data migration
//                             needed, a distribution upgrade without --write)
namespace status {
inline constexpr const char* kDeploying = "deploying";
inline constexpr const char* kWatching = "watching";
inline constexpr const char* kDeployed = "deployed";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kRolledBack = "rolled-back";
inline constexpr const char* kInterrupted = "interrupted";
inline constexpr const char* kTested = "tested";
}  // namespace status

struct GateOutcome {
  std::string gate;  // test (update's throwaway copy), health, checks, switch, watch
  bool ok = false;
  std::string detail;
};

struct GenerationRecord {
  std::string stack;
  int number = 0;
  std::string status = status::kDeploying;
  std::string kind = "deploy";  // deploy, update, or "rollback to N"
  std::string started;          // UTC, ISO 8601
  std::string finished;         // "" while unfinished
  std::string user;
  std::string git_commit;  // "" when the stack directory is not a git work tree
  bool git_dirty = false;
  std::string config_hash;                           // sha256 of the normalized model
  nlohmann::json images = nlohmann::json::object();  // service -> image ID (every service in scope)
  // The Compose files as deployed, [{path, content}] (deploy/config_record.h): what `rollback`
  // loads again. Their text only, never the interpolated model (it may hold secret values).
  nlohmann::json compose_files = nlohmann::json::array();
  std::vector<std::string> services;                 // the services this generation replaced
  std::vector<GateOutcome> gates;
  std::string detail;  // one line: the failure, the unavailability of stop-first services

  bool unfinished() const { return status == status::kDeploying || status == status::kWatching; }
  nlohmann::json to_json() const;
};

class GenerationStore : public backup::StateFile {
 public:
  // Opens (and creates) state.db in `dir`; "" = the state directory. Throws EnvError.
  explicit GenerationStore(const std::string& dir = "");

  // Inserts or replaces the record (stack, number).
  void save(const GenerationRecord& r);
  std::optional<GenerationRecord> get(const std::string& stack, int number);
  // Newest first.
  std::vector<GenerationRecord> list(const std::string& stack, int limit = 100);
  int highest(const std::string& stack);  // 0 when none
};

}  // namespace slipway::deploy
