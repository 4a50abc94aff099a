#include "backup/state_file.h"

#include <filesystem>

#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::backup {

StateFile::StateFile(const std::string& dir, const char* schema) {
  std::string d = dir.empty() ? slipway::state_directory() : dir;
  std::error_code ec;
  std::filesystem::create_directories(d, ec);
  path_ = d + "/state.db";
  if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw EnvError("cannot open the state database " + path_ + ": " + why + " (set SLIPWAY_STATE_DIR)");
  }
  // Several slipway processes write the file at once (a backup timer, a drill, the agent).
  sqlite3_busy_timeout(db_, 10000);
  try {
    exec(schema);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

StateFile::~StateFile() { sqlite3_close(db_); }

void StateFile::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw EnvError("state database " + path_ + ": " + why);
  }
}

sqlite3_stmt* StateFile::prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  return st;
}

}  // namespace slipway::backup
