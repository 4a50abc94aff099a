// One connection to slipway's state file, <state directory>/state.db. Each table has its own
// owner — backup history (StateDb), generations (deploy::GenerationStore), the agent's runs
// (agent::RunLog) — and each opens the file through this class, so the location, the busy
// timeout and the error messages are the same everywhere.
#pragma once

#include <sqlite3.h>

#include <string>

namespace slipway::backup {

class StateFile {
 public:
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  const std::string& path() const { return path_; }

 protected:
  // Opens (and creates) `dir`/state.db ("" = the state directory) and runs `schema` (CREATE ...
  // IF NOT EXISTS statements). Throws EnvError naming the file and SLIPWAY_STATE_DIR.
  StateFile(const std::string& dir, const char* schema);
  ~StateFile();

  void exec(const char* sql);              // throws EnvError
  sqlite3_stmt* prepare(const char* sql);  // throws EnvError; the caller finalizes

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace slipway::backup
