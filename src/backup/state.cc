#include "backup/state.h"

#include "util/clock.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::backup {

std::string state_directory() { return slipway::state_directory(); }

StateDb::StateDb(const std::string& dir)
    : StateFile(dir,
                "CREATE TABLE IF NOT EXISTS backup_history ("
                " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, stack TEXT NOT NULL, run TEXT, started TEXT NOT NULL,"
                " seconds REAL, ok INTEGER NOT NULL, detail TEXT)") {}

void StateDb::record(const HistoryEntry& e) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO backup_history (kind, stack, run, started, seconds, ok, detail)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         -1, &st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st, 1, e.kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, e.stack.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, e.run.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, (e.started.empty() ? utc_now() : e.started).c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 5, e.seconds);
  sqlite3_bind_int(st, 6, e.ok ? 1 : 0);
  sqlite3_bind_text(st, 7, e.detail.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
}

std::vector<HistoryEntry> StateDb::history(const std::string& stack, const std::string& kind, int limit) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_,
                     "SELECT kind, stack, run, started, seconds, ok, detail FROM backup_history"
                     " WHERE stack = ? AND (? = '' OR kind = ?) ORDER BY id DESC LIMIT ?",
                     -1, &st, nullptr);
  sqlite3_bind_text(st, 1, stack.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 4, limit);
  std::vector<HistoryEntry> out;
  auto text = [&](int i) {
    auto p = sqlite3_column_text(st, i);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    HistoryEntry e;
    e.kind = text(0);
    e.stack = text(1);
    e.run = text(2);
    e.started = text(3);
    e.seconds = sqlite3_column_double(st, 4);
    e.ok = sqlite3_column_int(st, 5) != 0;
    e.detail = text(6);
    out.push_back(std::move(e));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace slipway::backup
