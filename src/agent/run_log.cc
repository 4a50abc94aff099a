#include "agent/run_log.h"

#include <filesystem>

#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::agent {

namespace {

// Binds text and integers by position; sqlite copies the text.
void bind(sqlite3_stmt* st, int i, const std::string& s) { sqlite3_bind_text(st, i, s.c_str(), -1, SQLITE_TRANSIENT); }
void bind(sqlite3_stmt* st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }

}  // namespace

RunLog::RunLog(const std::string& dir)
    : StateFile(dir,
                "CREATE TABLE IF NOT EXISTS agent_runs ("
                " id INTEGER PRIMARY KEY, stack TEXT NOT NULL, job TEXT NOT NULL, scheduled INTEGER NOT NULL,"
                " started INTEGER NOT NULL, finished INTEGER NOT NULL DEFAULT 0,"
                " catch_up INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL, exit_code INTEGER NOT NULL DEFAULT -1,"
                " detail TEXT, output TEXT);"
                "CREATE INDEX IF NOT EXISTS agent_runs_job ON agent_runs (stack, job, id)") {}

int64_t RunLog::start(const std::string& stack, const std::string& job, int64_t scheduled, bool catch_up,
                      int64_t started) {
  sqlite3_stmt* st = prepare(
      "INSERT INTO agent_runs (stack, job, scheduled, started, catch_up, outcome) VALUES (?, ?, ?, ?, ?, 'running')");
  bind(st, 1, stack);
  bind(st, 2, job);
  bind(st, 3, scheduled);
  bind(st, 4, started);
  bind(st, 5, int64_t{catch_up});
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  return sqlite3_last_insert_rowid(db_);
}

void RunLog::finish(int64_t id, const std::string& outcome, int exit_code, const std::string& detail,
                    const std::string& output, int64_t finished) {
  sqlite3_stmt* st =
      prepare("UPDATE agent_runs SET outcome = ?, exit_code = ?, detail = ?, output = ?, finished = ? WHERE id = ?");
  bind(st, 1, outcome);
  bind(st, 2, int64_t{exit_code});
  bind(st, 3, detail);
  bind(st, 4, output.size() > kMaxOutput ? output.substr(0, kMaxOutput) : output);
  bind(st, 5, finished);
  bind(st, 6, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
}

int RunLog::close_abandoned(int64_t now) {
  sqlite3_stmt* st = prepare(
      "UPDATE agent_runs SET outcome = 'aborted', finished = ?,"
      " detail = 'the agent stopped while it ran (killed or the machine went down)' WHERE outcome = 'running'");
  bind(st, 1, now);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return sqlite3_changes(db_);
}

std::map<std::string, int64_t> RunLog::last_scheduled() {
  sqlite3_stmt* st = prepare("SELECT stack, job, MAX(scheduled) FROM agent_runs GROUP BY stack, job");
  std::map<std::string, int64_t> out;
  while (sqlite3_step(st) == SQLITE_ROW)
    out[std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + "/" +
        reinterpret_cast<const char*>(sqlite3_column_text(st, 1))] = sqlite3_column_int64(st, 2);
  sqlite3_finalize(st);
  return out;
}

std::vector<RunRecord> RunLog::query(sqlite3_stmt* st) {
  auto text = [&](int i) {
    auto p = sqlite3_column_text(st, i);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  };
  std::vector<RunRecord> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    RunRecord r;
    r.id = sqlite3_column_int64(st, 0);
    r.stack = text(1);
    r.job = text(2);
    r.scheduled = sqlite3_column_int64(st, 3);
    r.started = sqlite3_column_int64(st, 4);
    r.finished = sqlite3_column_int64(st, 5);
    r.catch_up = sqlite3_column_int64(st, 6) != 0;
    r.outcome = text(7);
    r.exit_code = static_cast<int>(sqlite3_column_int64(st, 8));
    r.detail = text(9);
    r.output = text(10);
    out.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  return out;
}

#define RUN_COLUMNS "id, stack, job, scheduled, started, finished, catch_up, outcome, exit_code, detail, output"

std::vector<RunRecord> RunLog::recent(const std::string& stack, const std::string& job, int limit) {
  sqlite3_stmt* st = prepare("SELECT " RUN_COLUMNS
                             " FROM agent_runs WHERE stack = ? AND (? = '' OR job = ?) ORDER BY id DESC LIMIT ?");
  bind(st, 1, stack);
  bind(st, 2, job);
  bind(st, 3, job);
  bind(st, 4, int64_t{limit});
  return query(st);
}

std::optional<RunRecord> RunLog::last(const std::string& stack, const std::string& job) {
  auto r = recent(stack, job, 1);
  if (r.empty()) return std::nullopt;
  return r.front();
}

std::optional<RunRecord> RunLog::last_with(const std::string& stack, const std::string& job,
                                           const std::string& outcome) {
  sqlite3_stmt* st = prepare("SELECT " RUN_COLUMNS
                             " FROM agent_runs WHERE stack = ? AND job = ? AND outcome = ? ORDER BY id DESC LIMIT 1");
  bind(st, 1, stack);
  bind(st, 2, job);
  bind(st, 3, outcome);
  auto r = query(st);
  if (r.empty()) return std::nullopt;
  return r.front();
}

void RunLog::prune(int64_t now, int keep, int64_t max_age) {
  sqlite3_stmt* st = prepare(
      "DELETE FROM agent_runs WHERE outcome != 'running' AND (finished < ? OR id IN ("
      " SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY stack, job ORDER BY id DESC) AS n"
      " FROM agent_runs) WHERE n > ?))");
  bind(st, 1, now - max_age);
  bind(st, 2, int64_t{keep});
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
}

int64_t RunLog::count() {
  sqlite3_stmt* st = prepare("SELECT COUNT(*) FROM agent_runs");
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return n;
}

}  // namespace slipway::agent
