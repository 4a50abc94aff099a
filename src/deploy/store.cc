#include "deploy/store.h"

#include <filesystem>

#include "util/clock.h"
#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::deploy {
namespace {

using json = nlohmann::json;

// A prepared statement that finalizes itself.
struct Statement {
  sqlite3_stmt* st = nullptr;
  ~Statement() { sqlite3_finalize(st); }
  void text(int i, const std::string& s) { sqlite3_bind_text(st, i, s.c_str(), -1, SQLITE_TRANSIENT); }
  std::string column(int i) {
    auto p = sqlite3_column_text(st, i);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
};

json gates_json(const std::vector<GateOutcome>& gates) {
  json a = json::array();
  for (const auto& g : gates) a.push_back({{"gate", g.gate}, {"ok", g.ok}, {"detail", g.detail}});
  return a;
}

std::vector<GateOutcome> gates_of(const std::string& text) {
  std::vector<GateOutcome> out;
  json a = json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& g : a)
    if (g.is_object()) out.push_back({g.value("gate", ""), g.value("ok", false), g.value("detail", "")});
  return out;
}

constexpr const char* kColumns =
    "stack, number, status, kind, started, finished, user, git_commit, git_dirty, config_hash, images, services,"
    " gates, detail, compose_files";

// History shows which files a generation was deployed from, not their text.
json compose_file_paths(const json& files) {
  json out = json::array();
  if (files.is_array())
    for (const auto& f : files)
      if (f.is_object()) out.push_back(f.value("path", ""));
  return out;
}

GenerationRecord read_row(Statement& s) {
  GenerationRecord r;
  r.stack = s.column(0);
  r.number = sqlite3_column_int(s.st, 1);
  r.status = s.column(2);
  r.kind = s.column(3);
  r.started = s.column(4);
  r.finished = s.column(5);
  r.user = s.column(6);
  r.git_commit = s.column(7);
  r.git_dirty = sqlite3_column_int(s.st, 8) != 0;
  r.config_hash = s.column(9);
  r.images = json::parse(s.column(10), nullptr, false);
  if (!r.images.is_object()) r.images = json::object();
  json services = json::parse(s.column(11), nullptr, false);
  if (services.is_array())
    for (const auto& v : services)
      if (v.is_string()) r.services.push_back(v);
  r.gates = gates_of(s.column(12));
  r.detail = s.column(13);
  r.compose_files = json::parse(s.column(14), nullptr, false);
  if (!r.compose_files.is_array()) r.compose_files = json::array();
  return r;
}

}  // namespace

json GenerationRecord::to_json() const {
  return {{"generation", number},     {"status", status},       {"kind", kind},
          {"started", started},       {"finished", finished},   {"user", user},
          {"git_commit", git_commit}, {"git_dirty", git_dirty}, {"config_hash", config_hash},
          {"images", images},         {"services", services},   {"gates", gates_json(gates)},
          {"detail", detail},         {"compose_files", compose_file_paths(compose_files)}};
}

GenerationStore::GenerationStore(const std::string& dir)
    : StateFile(dir,
                "CREATE TABLE IF NOT EXISTS generations ("
                " stack TEXT NOT NULL, number INTEGER NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL,"
                " started TEXT NOT NULL, finished TEXT, user TEXT, git_commit TEXT,"
                " git_dirty INTEGER NOT NULL DEFAULT 0, config_hash TEXT, images TEXT, services TEXT, gates TEXT,"
                " detail TEXT, compose_files TEXT, PRIMARY KEY (stack, number))") {
  // A state file made before records kept their Compose files gains the column (older rows: NULL).
  Statement s;
  bool has = false;
  if (sqlite3_prepare_v2(db_, "PRAGMA table_info(generations)", -1, &s.st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  while (sqlite3_step(s.st) == SQLITE_ROW) has = has || s.column(1) == "compose_files";
  if (has || sqlite3_exec(db_, "ALTER TABLE generations ADD COLUMN compose_files TEXT", nullptr, nullptr, nullptr) ==
                 SQLITE_OK)
    return;
  std::string why = sqlite3_errmsg(db_);
  if (why.find("duplicate column") == std::string::npos)  // else another slipway added it just now
    throw EnvError("state database " + path_ + ": " + why);
}

void GenerationStore::save(const GenerationRecord& r) {
  Statement s;
  std::string sql = std::string("INSERT OR REPLACE INTO generations (") + kColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, r.stack);
  sqlite3_bind_int(s.st, 2, r.number);
  s.text(3, r.status);
  s.text(4, r.kind);
  s.text(5, r.started.empty() ? utc_now() : r.started);
  s.text(6, r.finished);
  s.text(7, r.user);
  s.text(8, r.git_commit);
  sqlite3_bind_int(s.st, 9, r.git_dirty ? 1 : 0);
  s.text(10, r.config_hash);
  s.text(11, r.images.dump());
  s.text(12, json(r.services).dump());
  s.text(13, gates_json(r.gates).dump());
  s.text(14, r.detail);
  s.text(15, r.compose_files.dump());
  if (sqlite3_step(s.st) != SQLITE_DONE) throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
}

std::optional<GenerationRecord> GenerationStore::get(const std::string& stack, int number) {
  Statement s;
  std::string sql = std::string("SELECT ") + kColumns + " FROM generations WHERE stack = ? AND number = ?";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, stack);
  sqlite3_bind_int(s.st, 2, number);
  if (sqlite3_step(s.st) != SQLITE_ROW) return std::nullopt;
  return read_row(s);
}

std::vector<GenerationRecord> GenerationStore::list(const std::string& stack, int limit) {
  Statement s;
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM generations WHERE stack = ? ORDER BY number DESC LIMIT ?";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, stack);
  sqlite3_bind_int(s.st, 2, limit);
  std::vector<GenerationRecord> out;
  while (sqlite3_step(s.st) == SQLITE_ROW) out.push_back(read_row(s));
  return out;
}

int GenerationStore::highest(const std::string& stack) {
  Statement s;
  if (sqlite3_prepare_v2(db_, "SELECT MAX(number) FROM generations WHERE stack = ?", -1, &s.st, nullptr) != SQLITE_OK)
    throw EnvError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  s.text(1, stack);
  if (sqlite3_step(s.st) != SQLITE_ROW) return 0;
  return sqlite3_column_int(s.st, 0);
}

}  // namespace slipway::deploy
