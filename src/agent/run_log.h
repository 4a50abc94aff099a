// The agent's record of every job it ran, in slipway's SQLite state file (the same state.db as
// backup/state.h's StateDb; table agent_runs). Bounded: prune() keeps the newest rows of each
// stack and job and drops rows older than a limit, so the file does not grow without end.
// Times are seconds since the epoch (UTC).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backup/state_file.h"

namespace slipway::agent {

struct RunRecord {
  int64_t id = 0;
  std::string stack, job;
  int64_t scheduled = 0;  // the cron occurrence it stands for
  int64_t started = 0;
  int64_t finished = 0;  // 0 while it runs
  bool catch_up = false;
  // running, ok, failed, aborted (the agent stopped it), unavailable (the command is not in this
  // build, e.g. `update` before it lands)
  std::string outcome = "running";
  int exit_code = -1;
  std::string detail;  // one line: the last line of the command's stderr, or why it did not run
  std::string output;  // the command's stdout (its --json document), at most kMaxOutput bytes
};

inline constexpr size_t kMaxOutput = 256 * 1024;

class RunLog : public backup::StateFile {
 public:
  // Opens (creates) state.db in `dir` ("" = slipway's state directory). Throws EnvError.
  explicit RunLog(const std::string& dir = "");

  // Records a run that starts now; returns its id.
  int64_t start(const std::string& stack, const std::string& job, int64_t scheduled, bool catch_up, int64_t started);
  void finish(int64_t id, const std::string& outcome, int exit_code, const std::string& detail,
              const std::string& output, int64_t finished);
  // Runs a killed agent left "running" become "aborted"; returns how many.
  int close_abandoned(int64_t now);
  // "stack/job" -> the newest scheduled occurrence recorded (catch-up after downtime).
  std::map<std::string, int64_t> last_scheduled();
  // Newest first; job "" = all jobs.
  std::vector<RunRecord> recent(const std::string& stack, const std::string& job = "", int limit = 20);
  std::optional<RunRecord> last(const std::string& stack, const std::string& job);
  // The newest finished run with the given outcome ("ok"): for "last successful backup".
  std::optional<RunRecord> last_with(const std::string& stack, const std::string& job, const std::string& outcome);
  // Keeps the newest `keep` rows per stack and job and drops finished rows older than max_age.
  void prune(int64_t now, int keep = 200, int64_t max_age = int64_t{180} * 86400);
  int64_t count();

 private:
  std::vector<RunRecord> query(sqlite3_stmt* st);
};

}  // namespace slipway::agent
